//! `cargo xtask update PATH --from SOURCE`: one command when PayerMax
//! changes its docs. Vendors the new document (or doc page) with its
//! provenance and hash, imports it with the overlays, regenerates the code,
//! and writes the changelog of what changed for users under "Unreleased"
//! in CHANGELOG.md (also printed: the text of the regeneration's pull
//! request).
//!
//! Everything is computed in a temporary copy first: a document that does
//! not import (an overlay that no longer applies, a rule the importer
//! refuses) or does not generate leaves the workspace untouched. Running it
//! again with the same document changes nothing.

use std::fs;
use std::path::Path;

use crate::codegen;
use crate::diff::{self, NewSource, classify, render};
use crate::import;
use crate::import::openapi::sha256_hex;

mod changelog;
#[cfg(test)]
mod tests;

const USAGE: &str = "usage: cargo xtask update PATH --from SOURCE\n       cargo xtask update --check\n\
    \n  PATH           PayerMax's new OpenAPI document (.json) or a doc page (.txt, .md)\
    \n  --from SOURCE  where the document comes from (URL, repository and commit), recorded in spec/openapi/README.md\
    \n  --check        write nothing; fail when spec/ or the generated code is stale (what CI runs)";

/// What an update did.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    /// The changelog entry written under "Unreleased" (`None`: nothing
    /// changed for users, nothing written to CHANGELOG.md).
    pub entry: Option<String>,
    /// Texts of the document without an English translation
    /// (spec/openapi/IMPORT.md lists them).
    pub untranslated: usize,
}

/// The count of untranslated texts spec/openapi/IMPORT.md reports.
fn untranslated(spec: &Path) -> usize {
    let report = fs::read_to_string(spec.join("openapi/IMPORT.md")).unwrap_or_default();
    report
        .lines()
        .find_map(|l| l.strip_prefix("| texts without an English translation | "))
        .and_then(|n| n.trim_end_matches(" |").parse().ok())
        .unwrap_or(0)
}

/// spec/openapi/README.md with the provenance line set.
fn with_provenance(readme: &str, from: &str) -> String {
    let line = format!("provenance: {from}");
    if !readme.lines().any(|l| l.starts_with("provenance: ")) {
        return readme.replacen("sha256: ", &format!("{line}\n\nsha256: "), 1);
    }
    let lines: Vec<String> = readme
        .lines()
        .map(|l| {
            if l.starts_with("provenance: ") {
                line.clone()
            } else {
                l.to_owned()
            }
        })
        .collect();
    lines.join("\n") + "\n"
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    eprintln!("updated {}", path.display());
    Ok(())
}

/// Updates the workspace at `root` from `input` (a document or a page).
pub fn update(root: &Path, input: &Path, from: Option<&str>) -> Result<Outcome, String> {
    let spec = root.join("spec");
    let old = diff::load_tree(&spec).map_err(|e| {
        format!("spec/ does not load as it is; run `cargo xtask import` and `cargo xtask codegen` first:\n{e}")
    })?;
    let bytes = fs::read(input).map_err(|e| format!("{}: cannot read: {e}", input.display()))?;
    let is_page = input.extension().is_some_and(|x| x == "txt" || x == "md");
    let api = spec.join("openapi/api.json");
    let current_hash = fs::read(&api).ok().map(|b| sha256_hex(&b));
    let hash = sha256_hex(&bytes);
    let new_document = !is_page && current_hash.as_deref() != Some(hash.as_str());
    if new_document && from.is_none() {
        return Err(format!(
            "say where the document comes from: --from '<URL, or repository and commit>'\n{USAGE}"
        ));
    }
    let source = if is_page {
        NewSource::Page(input)
    } else {
        NewSource::Document(&bytes)
    };
    let name = input.display();
    let tmp = diff::import_into(&spec, &source)
        .map_err(|e| format!("{name} does not import; nothing was written:\n\n{e}"))?;
    let new = diff::load_tree(tmp.path()).map_err(|e| {
        format!("{name} imports but does not generate; nothing was written:\n\n{e}")
    })?;
    let changes = classify::changes(&old, &new);

    // Vendor, import and generate for real.
    if new_document {
        fs::write(&api, &bytes).map_err(|e| format!("{}: cannot write: {e}", api.display()))?;
        let readme_path = spec.join("openapi/README.md");
        let readme = fs::read_to_string(&readme_path).unwrap_or_default();
        let readme = with_provenance(&diff::with_hash(&readme, &hash), from.unwrap_or_default());
        write(&readme_path, &readme)?;
    }
    let pages: Vec<std::path::PathBuf> = if is_page {
        vec![input.to_path_buf()]
    } else {
        Vec::new()
    };
    let plan = import::plan(&spec, &pages).map_err(|e| e.join("\n\n"))?;
    import::apply_plan(&spec, &plan, false).map_err(|e| e.join("\n"))?;
    codegen::run(root, false)?;

    let untranslated = untranslated(&spec);
    if changes.is_empty() {
        return Ok(Outcome {
            entry: None,
            untranslated,
        });
    }
    let title = if is_page {
        format!(
            "PayerMax doc page {}",
            input.file_name().and_then(|n| n.to_str()).unwrap_or("?")
        )
    } else {
        format!(
            "PayerMax's document sha256 {} -> {} ({})",
            short(current_hash.as_deref().unwrap_or("none")),
            short(&hash),
            from.unwrap_or("same source")
        )
    };
    let entry = render::entry(&title, &changes, &diff::workspace_version(root)?)?;
    let changelog_path = root.join("CHANGELOG.md");
    let changelog = fs::read_to_string(&changelog_path).unwrap_or_default();
    write(
        &changelog_path,
        &changelog::insert_entry(&changelog, &entry),
    )?;
    Ok(Outcome {
        entry: Some(entry),
        untranslated,
    })
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// `cargo xtask update PATH --from SOURCE` or `cargo xtask update --check`.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = codegen::workspace_root();
    let mut check = false;
    let mut from = None;
    let mut inputs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--from" => {
                from = Some(
                    it.next()
                        .ok_or_else(|| format!("--from needs a text\n{USAGE}"))?
                        .clone(),
                );
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`\n{USAGE}")),
            s => inputs.push(std::path::PathBuf::from(s)),
        }
    }
    if check {
        if !inputs.is_empty() || from.is_some() {
            return Err(format!("--check takes nothing else\n{USAGE}"));
        }
        import::run(&["--check".to_owned()])?;
        return codegen::run(&root, true);
    }
    let [input] = inputs.as_slice() else {
        return Err(USAGE.to_owned());
    };
    let outcome = update(&root, input, from.as_deref())?;
    match outcome.entry {
        Some(entry) => {
            println!("{entry}");
            eprintln!("the entry above is now under \"Unreleased\" in CHANGELOG.md");
        }
        None => println!("No change for users of the generated code; CHANGELOG.md untouched."),
    }
    if outcome.untranslated > 0 {
        eprintln!(
            "{} texts of the document have no English translation (listed in spec/openapi/IMPORT.md): \
             add them to spec/openapi/translations.json and run the same command again",
            outcome.untranslated
        );
    }
    Ok(())
}
