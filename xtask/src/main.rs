//! `cargo xtask import` (doc page to spec) and `cargo xtask codegen` (spec to Rust).

mod codegen;
mod ensure;
mod import;
mod json;
#[cfg(test)]
mod validate;

const USAGE: &str = "usage: cargo xtask <import|codegen> [--check]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let result = match args.first().map(String::as_str) {
        Some("import") => import::run(&args[1..]),
        Some("codegen") => codegen::run(&codegen::workspace_root(), check),
        _ => Err(USAGE.to_owned()),
    };
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
