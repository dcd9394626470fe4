//! `cargo xtask import` (doc page to spec) and `cargo xtask codegen` (spec to Rust).

mod codegen;
#[allow(dead_code)] // used by `import` (next commit) and `codegen`
mod ensure;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&codegen::workspace_root(), check),
        _ => {
            eprintln!("usage: cargo xtask <import|codegen> [--check]");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
