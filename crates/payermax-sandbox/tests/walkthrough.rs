//! The README's curl-and-OpenSSL walkthrough runs as written: the shell
//! block between the `walkthrough` markers, with this test's binary for
//! `sandbox=` (and no `cargo build`) and a free port for `port=`.
//! Needs bash, curl and openssl.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_payermax-sandbox");

fn walkthrough() -> String {
    let readme = include_str!("../README.md");
    let start = readme
        .find("<!-- walkthrough: begin -->")
        .expect("begin marker");
    let end = readme
        .find("<!-- walkthrough: end -->")
        .expect("end marker");
    let block = &readme[start..end];
    let code = block
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a sh block");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut replaced = (false, false, false);
    let script: Vec<String> = code
        .lines()
        .map(|line| {
            if line.starts_with("cargo build") {
                replaced.0 = true;
                String::new()
            } else if line.starts_with("sandbox=") {
                replaced.1 = true;
                format!("sandbox={BIN}")
            } else if line.starts_with("port=") {
                replaced.2 = true;
                format!("port={port}")
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert_eq!(replaced, (true, true, true), "the README's lines changed");
    script.join("\n")
}

#[test]
fn the_readme_walkthrough_pays_an_order_with_curl_and_openssl() {
    for tool in ["bash", "curl", "openssl"] {
        assert!(
            Command::new(tool).arg("--version").output().is_ok()
                || Command::new(tool).arg("version").output().is_ok(),
            "the walkthrough needs {tool}"
        );
    }
    let out = Command::new("timeout")
        .args(["60", "bash", "-c", &walkthrough()])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert_eq!(stdout.matches("Verified OK").count(), 2, "{stdout}");
    assert!(
        stdout.contains(
            "payer sent back to https://shop.example/done?outTradeNo=DEMO-1&tradeToken=T"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("&status=SUCCESS"), "{stdout}");
    assert!(stdout.trim_end().ends_with("DEMO-1 is paid"), "{stdout}");
}
