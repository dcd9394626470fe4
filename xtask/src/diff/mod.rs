//! `cargo xtask diff OLD NEW`: what changed for users between two spec
//! trees (or two PayerMax documents, each imported first), per operation
//! and field, each change classed (breaking, dangerous, additive,
//! documentation only) with the version bump it needs.
//!
//! The trees are read by the generator's own reader (`codegen::load`):
//! there is one reader of spec/, and the diff sees exactly the model the
//! Rust is generated from.

#[cfg(test)]
pub(crate) mod cases;
pub mod classify;
pub mod flatten;
pub mod render;
#[cfg(test)]
mod rules_tests;
#[cfg(test)]
mod semver_tests;
#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};

use crate::codegen;
use crate::import;
use crate::import::openapi::sha256_hex;
use crate::tempdir::{TempDir, copy_tree};
use classify::Change;
use flatten::Flat;

const USAGE: &str = "usage: cargo xtask diff OLD NEW [--spec DIR]\n\
    \n  OLD, NEW    two spec trees (folders of <id>.json, like spec/) or two OpenAPI documents (.json files)\
    \n  --spec DIR  the overlays, pages, translations and domains a document is imported with (default: spec/)";

/// Every spec of a tree, modelled by the generator and flattened.
pub fn load_tree(dir: &Path) -> Result<Vec<Flat>, String> {
    let mut modules = Vec::new();
    let mut errors = Vec::new();
    for path in codegen::json_files(dir)? {
        match codegen::load(&path) {
            Ok(m) => modules.push(m),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    codegen::model::resolve_settlements(&mut modules)?;
    Ok(modules.iter().map(flatten::flatten).collect())
}

/// What is new in a tree imported by [`import_into`].
pub enum NewSource<'a> {
    /// A new OpenAPI document (its bytes).
    Document(&'a [u8]),
    /// A new or changed doc page (its file).
    Page(&'a Path),
}

/// The `sha256:` line of spec/openapi/README.md set to `hash`.
pub fn with_hash(readme: &str, hash: &str) -> String {
    let mut found = false;
    let mut out: Vec<String> = readme
        .lines()
        .map(|l| {
            if l.starts_with("sha256: ") {
                found = true;
                format!("sha256: {hash}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    if !found {
        out.push(String::new());
        out.push(format!("sha256: {hash}"));
    }
    out.join("\n") + "\n"
}

/// Imports `context` (a spec folder: overlays, pages, translations,
/// domains, the document) with `new` in place of its document or added to
/// its pages, into a temporary spec tree. Nothing in `context` is written.
/// An overlay that no longer applies is an error naming it.
pub fn import_into(context: &Path, new: &NewSource<'_>) -> Result<TempDir, String> {
    let tmp = TempDir::new("spec")?;
    // Everything but the spec files the import writes.
    copy_tree(context, tmp.path(), &|rel| {
        rel.components().count() > 1 || rel.extension().is_none_or(|x| x != "json")
    })?;
    let mut pages = Vec::new();
    match new {
        NewSource::Document(bytes) => {
            let dir = tmp.path().join("openapi");
            fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            fs::write(dir.join("api.json"), bytes)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
            let readme = fs::read_to_string(dir.join("README.md")).unwrap_or_default();
            fs::write(
                dir.join("README.md"),
                with_hash(&readme, &sha256_hex(bytes)),
            )
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        NewSource::Page(p) => pages.push(p.to_path_buf()),
    }
    let plan = import::plan(tmp.path(), &pages).map_err(|e| e.join("\n\n"))?;
    for (name, text) in &plan.pages {
        fs::write(tmp.path().join("pages").join(name), text).map_err(|e| format!("{name}: {e}"))?;
    }
    for (name, json) in plan.specs.iter().chain(&plan.reports) {
        fs::write(tmp.path().join(name), json).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(tmp)
}

/// A tree given on the command line: a folder of specs, or a document
/// imported with the overlays of `context`.
enum Tree {
    Dir(PathBuf),
    Imported(TempDir),
}

impl Tree {
    fn open(arg: &Path, context: &Path) -> Result<Tree, String> {
        if arg.is_dir() {
            return Ok(Tree::Dir(arg.to_path_buf()));
        }
        let bytes = fs::read(arg).map_err(|e| format!("{}: cannot read: {e}", arg.display()))?;
        import_into(context, &NewSource::Document(&bytes))
            .map(Tree::Imported)
            .map_err(|e| format!("{}: does not import:\n{e}", arg.display()))
    }

    fn path(&self) -> &Path {
        match self {
            Tree::Dir(p) => p,
            Tree::Imported(t) => t.path(),
        }
    }
}

/// The changes between two trees (folders or documents).
pub fn diff_paths(old: &Path, new: &Path, context: &Path) -> Result<Vec<Change>, String> {
    let old = Tree::open(old, context)?;
    let new = Tree::open(new, context)?;
    Ok(classify::changes(
        &load_tree(old.path())?,
        &load_tree(new.path())?,
    ))
}

/// The workspace version (`[workspace.package] version`) of `root`.
pub fn workspace_version(root: &Path) -> Result<String, String> {
    let path = root.join("Cargo.toml");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let section = text
        .split_once("[workspace.package]")
        .map(|(_, s)| s)
        .ok_or_else(|| format!("{}: no [workspace.package]", path.display()))?;
    section
        .lines()
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no workspace version", path.display()))
}

/// `cargo xtask diff OLD NEW [--spec DIR]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = codegen::workspace_root();
    let mut context = root.join("spec");
    let mut trees = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--spec" => {
                context = it
                    .next()
                    .map(PathBuf::from)
                    .ok_or_else(|| format!("--spec needs a folder\n{USAGE}"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`\n{USAGE}")),
            s => trees.push(PathBuf::from(s)),
        }
    }
    let [old, new] = trees.as_slice() else {
        return Err(USAGE.to_owned());
    };
    let changes = diff_paths(old, new, &context)?;
    let title = format!("From {} to {}", old.display(), new.display());
    print!(
        "{}",
        render::entry(&title, &changes, &workspace_version(&root)?)?
    );
    Ok(())
}
