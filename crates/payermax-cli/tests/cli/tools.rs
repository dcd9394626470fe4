//! `sandbox`, `completions`, `exit-codes` and the help texts.

use super::common::payermax;

#[test]
fn sandbox_takes_the_sandbox_binarys_options() {
    let run = payermax(&["sandbox", "--help"]);
    assert_eq!(run.expect(0).stdout(), payermax_sandbox::cli::USAGE);
    let bad = payermax(&["sandbox", "--port", "x"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--port"), "{}", bad.stderr);
}

#[test]
fn sandbox_starts_and_prints_its_address_and_keys() {
    use std::io::{BufRead as _, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_payermax"))
        .args(["sandbox", "--port", "0", "--settle-after-ms", "never"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let key_lines: Vec<String> = lines.by_ref().take(6).map(Result::unwrap).collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.starts_with("PayerMax sandbox listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(
        key_lines.iter().any(|l| l.contains("platform public key")),
        "{key_lines:?}"
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = payermax(&["completions", shell]);
        let script = run.expect(0).stdout();
        assert!(
            script.contains("keygen") && script.contains("webhook"),
            "{shell}"
        );
    }
    payermax(&["completions", "tcsh"]).expect(2);
}

#[test]
fn every_command_has_help_with_examples_and_the_exit_codes_are_documented() {
    for cmd in [
        &["keygen"][..],
        &["sign"],
        &["verify"],
        &["webhook", "verify"],
        &["webhook", "listen"],
        &["call"],
        &["operations"],
        &["describe"],
        &["example"],
        &["completions"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let run = payermax(&args);
        assert!(run.expect(0).stdout().contains("EXAMPLES:"), "{cmd:?}");
    }
    let top = payermax(&["--help"]);
    let codes = payermax(&["exit-codes"]);
    for code in [
        "2  usage",
        "3  invalid",
        "4  transport",
        "5  refused",
        "6  ambiguous",
        "7  signature",
    ] {
        assert!(
            top.stdout().contains(code) && codes.stdout().contains(code),
            "{code}"
        );
    }
    // Usage errors are clap's: exit 2.
    payermax(&["nope"]).expect(2);
    payermax(&["verify", "--key", "x"]).expect(2);
}
