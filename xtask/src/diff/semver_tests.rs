//! The bump `cargo xtask diff` predicts against the one cargo-semver-checks
//! requires, on a fixture crate: the code generated from the diff fixtures
//! (`xtask/tests/diff/base.json` and variants of it), built as a crate
//! depending on this workspace's payermax-types.
//!
//! Where cargo-semver-checks has a known gap (`SEMVER_CHECKS_GAPS`), the
//! compiler itself decides: a probe crate reading every field of the old
//! fixture with its old type compiles against the old crate and must not
//! compile against the new one.
//!
//! Ignored by default (it needs cargo-semver-checks and a few minutes);
//! CI runs it: `cargo test -p xtask -- --ignored semver`.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::cases::{CASES, base, fixtures};
use super::classify::{self, Class};
use super::flatten::Flat;
use super::{NewSource, import_into, load_tree};
use crate::codegen::{self, naming, workspace_root};
use crate::json::J;
use crate::tempdir::TempDir;

/// Writes the crate generated from `doc` into `dir`.
fn fixture_crate(doc: &J, dir: &Path) {
    let text = doc.to_pretty();
    let spec = import_into(
        &fixtures().join("spec"),
        &NewSource::Document(text.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let src = dir.join("src");
    fs::create_dir_all(&src).unwrap();
    let mut lib = String::from("//! The semver fixture crate.\n");
    for (id, code) in codegen::render_tree(spec.path()).unwrap() {
        fs::write(src.join(format!("{id}.rs")), code).unwrap();
        lib.push_str(&format!("pub mod {id};\n"));
    }
    write_crate(
        dir,
        ("semver-fixture", "1.0.0"),
        &lib,
        "serde = { version = \"1\", features = [\"derive\"] }",
    );
}

/// Writes the crate `(name, version)` with
/// `lib` as its `src/lib.rs`, depending on this workspace's payermax-types,
/// serde_json and `deps`, with the workspace's lock file (the same
/// dependency versions, no resolution).
fn write_crate(dir: &Path, (name, version): (&str, &str), lib: &str, deps: &str) {
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::write(dir.join("src/lib.rs"), lib).unwrap();
    let types = workspace_root().join("crates/payermax-types");
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            r#"[package]
name = "{name}"
version = "{version}"
edition = "2024"
publish = false

[dependencies]
payermax-types = {{ path = {types:?}, default-features = false, features = ["patterns"] }}
serde_json = "1"
{deps}

[lints.rust]
unexpected_cfgs = "allow"

[workspace]
"#
        ),
    )
    .unwrap();
    fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

/// `ty` (as `flatten::rust_type` writes it) as a path a crate outside the
/// fixture can name.
fn qualified(ty: &str, module: &str) -> String {
    if let Some(inner) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
        return format!("Vec<{}>", qualified(inner, module));
    }
    match ty {
        "String" | "i64" | "bool" => ty.to_owned(),
        "Text" | "Number" | "Amount" | "Timestamp" => format!("::payermax_types::{ty}"),
        "Map<String, Value>" => "::serde_json::Map<String, ::serde_json::Value>".to_owned(),
        "Value" => "::serde_json::Value".to_owned(),
        named => format!("::semver_fixture::{module}::{named}"),
    }
}

/// A crate (in `dir`, depending on the fixture crate in `fixture`) that
/// reads every field of `flats` with the type it has there.
fn probe_crate(flats: &[Flat], fixture: &Path, dir: &Path) {
    let mut code =
        String::from("//! Reads every field with its old type.\n#![allow(non_snake_case)]\n");
    let mut done = std::collections::BTreeSet::new();
    for f in flats {
        for node in f.fields.values().filter(|n| n.one_of.is_none()) {
            if !done.insert((f.id.clone(), node.owner.clone(), node.rust.clone())) {
                continue;
            }
            let ty = qualified(&node.ty, &f.id);
            let ty = if node.required {
                ty
            } else {
                format!("Option<{ty}>")
            };
            let field = naming::field_ident(&node.rust).unwrap();
            code.push_str(&format!(
                "pub fn {}_{}_{}(x: &::semver_fixture::{}::{}) -> &{ty} {{ &x.{field} }}\n",
                f.id, node.owner, node.rust, f.id, node.owner
            ));
        }
    }
    let deps = format!("semver-fixture = {{ path = {fixture:?} }}");
    write_crate(dir, ("semver-probe", "0.0.0"), &code, &deps);
}

/// Whether the probe in `dir` compiles.
fn compiles(dir: &Path, target: &Path) -> bool {
    Command::new("cargo")
        .args(["check", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs")
        .status
        .success()
}

/// Cases where cargo-semver-checks misses what the compiler refuses, with
/// why. A case here must still be missed: when a new cargo-semver-checks
/// sees it, the test fails and the entry goes.
const SEMVER_CHECKS_GAPS: &[(&str, &str)] = &[(
    "narrower type",
    "cargo-semver-checks compares no field types yet (obi1kenobi/cargo-semver-checks#149): \
     `quantity: Option<Number>` -> `Option<i64>` passes its checks, and the compiler refuses \
     every use of the old type",
)];

#[test]
#[ignore = "needs cargo-semver-checks; CI runs `cargo test -p xtask -- --ignored semver`"]
fn semver_checks_agree_with_the_predicted_bumps() {
    let tmp = TempDir::new("semver").unwrap();
    let old_dir = tmp.path().join("old");
    fixture_crate(&base(), &old_dir);
    let target = tmp.path().join("target");
    let mut disagreements = Vec::new();
    for (name, edit) in CASES {
        let mut doc = base();
        edit(&mut doc);
        let new_dir = tmp.path().join(name.replace(' ', "-"));
        fixture_crate(&doc, &new_dir);
        // The prediction, from the same documents.
        let spec_of = |j: &J| {
            let text = j.to_pretty();
            import_into(
                &fixtures().join("spec"),
                &NewSource::Document(text.as_bytes()),
            )
            .unwrap()
        };
        let (old_spec, new_spec) = (spec_of(&base()), spec_of(&doc));
        let changes = classify::changes(
            &load_tree(old_spec.path()).unwrap(),
            &load_tree(new_spec.path()).unwrap(),
        );
        let predicted_breaking = changes.iter().any(|c| c.class == Class::Breaking);
        assert!(
            *name == "no change" || !changes.is_empty(),
            "{name}: no change predicted"
        );
        // What the compiler sees: does a minor release suffice?
        let out = Command::new("cargo")
            .args(["semver-checks", "check-release", "--manifest-path"])
            .arg(new_dir.join("Cargo.toml"))
            .arg("--baseline-root")
            .arg(&old_dir)
            .args(["--release-type", "minor"])
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("cargo semver-checks runs (cargo install cargo-semver-checks --locked)");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains("no such command"),
            "cargo-semver-checks is not installed: {text}"
        );
        let checks_breaking = !out.status.success();
        let says = |b: bool| if b { "breaking" } else { "not breaking" };
        let gap = SEMVER_CHECKS_GAPS.iter().find(|(n, _)| n == name);
        if let Some((_, why)) = gap {
            if !predicted_breaking || checks_breaking {
                disagreements.push(format!(
                    "{name}: listed as a gap of cargo-semver-checks ({why}), but predicted {} and cargo-semver-checks says {}: update SEMVER_CHECKS_GAPS\n{text}",
                    says(predicted_breaking),
                    says(checks_breaking)
                ));
            } else {
                // The compiler decides instead.
                let old_flats = load_tree(old_spec.path()).unwrap();
                let (on_old, on_new) = (new_dir.join("probe-old"), new_dir.join("probe-new"));
                probe_crate(&old_flats, &old_dir, &on_old);
                probe_crate(&old_flats, &new_dir, &on_new);
                let (old_ok, new_ok) = (compiles(&on_old, &target), compiles(&on_new, &target));
                if old_ok && !new_ok {
                    eprintln!(
                        "{name}: predicted breaking; cargo-semver-checks misses it ({why}); the compiler refuses the old code: breaking"
                    );
                } else {
                    disagreements.push(format!(
                        "{name}: predicted breaking; the probe of the old fields compiles against the old crate: {old_ok}, against the new one: {new_ok}"
                    ));
                }
            }
        } else if checks_breaking == predicted_breaking {
            eprintln!(
                "{name}: predicted {}, cargo-semver-checks agrees",
                says(predicted_breaking)
            );
        } else {
            let lines: Vec<String> = changes.iter().map(|c| c.line()).collect();
            disagreements.push(format!(
                "{name}: predicted {}, cargo-semver-checks says {}\npredicted lines:\n{}\ncargo-semver-checks:\n{text}",
                says(predicted_breaking),
                says(checks_breaking),
                lines.join("\n")
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
}
