//! The parts of xtask that other tools use, as a library: the doc-page
//! importer, for the fuzz targets in `fuzz/`. `cargo xtask` itself is the
//! binary (`src/main.rs`), which compiles the same modules on its own.
#![allow(dead_code)] // the binary uses what this library does not export

mod ensure;
pub mod import;
pub mod json;
