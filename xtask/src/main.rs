//! `cargo xtask import` (doc page to spec) and `cargo xtask codegen` (spec to Rust).

fn main() {
    eprintln!("usage: cargo xtask <import|codegen> [--check]");
    std::process::exit(2);
}
