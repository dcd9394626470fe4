//! Embeds every `spec/*.json` of the workspace, so a new operation spec is
//! served by the sandbox without a code change.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let spec_dir = manifest.join("../../spec");
    println!("cargo:rerun-if-changed={}", spec_dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&spec_dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", spec_dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every `spec/*.json` file at build time: (file name, contents).\n\
         pub(crate) static EMBEDDED_SPECS: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file name");
        let abs = fs::canonicalize(file).expect("canonical spec path");
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .expect("write to string");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("specs.rs");
    fs::write(&dest, out).expect("write specs.rs");
}
