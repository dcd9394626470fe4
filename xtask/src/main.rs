//! `cargo xtask import` (doc page to spec) and `cargo xtask codegen` (spec to Rust).

#[allow(dead_code)] // used by `import` (next commit) and `codegen`
mod ensure;

fn main() {
    eprintln!("usage: cargo xtask <import|codegen> [--check]");
    std::process::exit(2);
}
