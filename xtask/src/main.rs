//! `cargo xtask import` (doc page to spec), `cargo xtask codegen` (spec to
//! Rust), `cargo xtask diff` (what changed for users between two specs or
//! documents) and `cargo xtask update` (all of it when PayerMax changes its
//! docs, with the changelog).

mod codegen;
mod diff;
mod ensure;
mod import;
mod json;
mod tempdir;
mod update;
#[cfg(test)]
mod validate;

const USAGE: &str = "usage: cargo xtask <import|codegen|update> [--check]\n       cargo xtask update PATH --from SOURCE\n       cargo xtask diff OLD NEW [--spec DIR]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let result = match args.first().map(String::as_str) {
        Some("import") => import::run(&args[1..]),
        Some("codegen") => codegen::run(&codegen::workspace_root(), check),
        Some("diff") => diff::run(&args[1..]),
        Some("update") => update::run(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
