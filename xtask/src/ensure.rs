//! Write generated files only when they change; in check mode, fail with a
//! readable line diff instead (the rust-analyzer xtask pattern).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// What the user runs to bring generated files up to date.
const FIX_HINT: &str = "run `cargo xtask import` (or codegen) and commit";

/// Makes `path` hold exactly `contents`.
///
/// Write mode (`check == false`): writes the file (creating parent folders)
/// when it is missing or differs, and leaves it untouched otherwise.
/// Check mode: never writes; returns an error naming the file with a line
/// diff (`-` what is on disk, `+` what should be there) when it differs.
pub fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> Result<(), String> {
    let current = match fs::read(path) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
    };
    if current.as_deref() == Some(contents) {
        return Ok(());
    }
    if check {
        return Err(match current {
            None => format!("{} is missing; {FIX_HINT}", path.display()),
            Some(old) => format!(
                "{} is out of date (- on disk, + expected):\n{}{FIX_HINT}",
                path.display(),
                line_diff(&old, contents)
            ),
        });
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("{}: cannot create folder: {e}", parent.display()))?;
    }
    fs::write(path, contents).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    eprintln!("updated {}", path.display());
    Ok(())
}

/// Makes sure a generated file that nothing produces any more is gone.
///
/// Write mode deletes it (a missing file is fine); check mode returns an
/// error naming it.
pub fn ensure_file_removed(path: &Path, check: bool) -> Result<(), String> {
    if !path.exists() {
        return Ok(());
    }
    if check {
        return Err(format!(
            "{} is stale: nothing generates it any more; {FIX_HINT}",
            path.display()
        ));
    }
    fs::remove_file(path).map_err(|e| format!("{}: cannot delete: {e}", path.display()))?;
    eprintln!("deleted {}", path.display());
    Ok(())
}

/// Lines of context shown around each change.
const CONTEXT: usize = 3;
/// Above this many cells the diff falls back to "all old lines removed, all
/// new lines added" for the changed middle part, to bound time and memory.
const MAX_TABLE: usize = 4_000_000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Same,
    Del,
    Add,
}

/// A unified-style line diff of `old` against `new`: hunks headed by
/// `@@ -line +line @@`, unchanged lines prefixed by two spaces, removed
/// lines by `- `, added ones by `+ `. Empty when the texts are equal.
pub fn line_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut ops: Vec<(Op, &str)> = Vec::new();

    // Common prefix and suffix, then an LCS table over the changed middle.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    ops.extend(a[..prefix].iter().map(|l| (Op::Same, *l)));
    if (am.len() + 1).saturating_mul(bm.len() + 1) > MAX_TABLE {
        ops.extend(am.iter().map(|l| (Op::Del, *l)));
        ops.extend(bm.iter().map(|l| (Op::Add, *l)));
    } else {
        let w = bm.len() + 1;
        // lcs[i * w + j]: LCS length of am[i..] and bm[j..].
        let mut lcs = vec![0u32; (am.len() + 1) * w];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() || j < bm.len() {
            if i < am.len() && j < bm.len() && am[i] == bm[j] {
                ops.push((Op::Same, am[i]));
                i += 1;
                j += 1;
            } else if i < am.len() && (j == bm.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])
            {
                ops.push((Op::Del, am[i]));
                i += 1;
            } else {
                ops.push((Op::Add, bm[j]));
                j += 1;
            }
        }
    }
    ops.extend(a[a.len() - suffix..].iter().map(|l| (Op::Same, *l)));
    if old.ends_with('\n') != new.ends_with('\n') {
        ops.push((
            Op::Del,
            if old.ends_with('\n') {
                ""
            } else {
                "\\ no newline at end"
            },
        ));
        ops.push((
            Op::Add,
            if new.ends_with('\n') {
                ""
            } else {
                "\\ no newline at end"
            },
        ));
    }
    render(&ops)
}

fn render(ops: &[(Op, &str)]) -> String {
    // Mark which ops are shown: every change plus CONTEXT lines around it.
    let mut shown = vec![false; ops.len()];
    for (k, (op, _)) in ops.iter().enumerate() {
        if *op != Op::Same {
            let lo = k.saturating_sub(CONTEXT);
            let hi = (k + CONTEXT + 1).min(ops.len());
            shown[lo..hi].iter_mut().for_each(|s| *s = true);
        }
    }
    let mut out = String::new();
    let (mut old_line, mut new_line) = (1usize, 1usize);
    let mut in_hunk = false;
    for (k, (op, text)) in ops.iter().enumerate() {
        if shown[k] {
            if !in_hunk {
                let _ = writeln!(out, "@@ -{old_line} +{new_line} @@");
                in_hunk = true;
            }
            let mark = match op {
                Op::Same => ' ',
                Op::Del => '-',
                Op::Add => '+',
            };
            let _ = writeln!(out, "{mark} {text}");
        } else {
            in_hunk = false;
        }
        match op {
            Op::Same => {
                old_line += 1;
                new_line += 1;
            }
            Op::Del => old_line += 1,
            Op::Add => new_line += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-ensure-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn diff_of_equal_texts_is_empty() {
        assert_eq!(line_diff("a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn diff_shows_changed_line_with_context_and_line_numbers() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        let new = "1\n2\n3\n4\n5\nsix\n7\n8\n9\n10\n";
        let d = line_diff(old, new);
        assert_eq!(d, "@@ -3 +3 @@\n  3\n  4\n  5\n- 6\n+ six\n  7\n  8\n  9\n");
    }

    #[test]
    fn diff_handles_insertions_and_deletions() {
        let d = line_diff("a\nb\nc\n", "a\nc\nd\n");
        assert_eq!(d, "@@ -1 +1 @@\n  a\n- b\n  c\n+ d\n");
    }

    #[test]
    fn diff_reports_missing_final_newline() {
        let d = line_diff("a\n", "a");
        assert!(d.contains("\\ no newline at end"), "{d}");
    }

    #[test]
    fn check_mode_reports_diff_and_does_not_write() {
        let dir = temp_dir("check");
        let path = dir.join("x.json");
        fs::write(&path, "{\n  \"a\": 1\n}\n").unwrap();
        let err = ensure_file_contents(&path, "{\n  \"a\": 2\n}\n", true).unwrap_err();
        assert!(err.contains("x.json is out of date"), "{err}");
        assert!(
            err.contains("-   \"a\": 1") && err.contains("+   \"a\": 2"),
            "{err}"
        );
        assert!(
            err.ends_with("run `cargo xtask import` (or codegen) and commit"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\n  \"a\": 1\n}\n");
        assert!(ensure_file_contents(&path, "{\n  \"a\": 1\n}\n", true).is_ok());
        let missing = ensure_file_contents(&dir.join("y.json"), "x", true).unwrap_err();
        assert!(missing.contains("y.json is missing"), "{missing}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn write_mode_writes_only_when_needed() {
        let dir = temp_dir("write");
        let path = dir.join("sub").join("x.txt");
        ensure_file_contents(&path, "one\n", false).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n");
        ensure_file_contents(&path, "two\n", false).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two\n");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stale_files_are_reported_in_check_mode_and_deleted_otherwise() {
        let dir = temp_dir("stale");
        let path = dir.join("old.json");
        fs::write(&path, "{}").unwrap();
        let err = ensure_file_removed(&path, true).unwrap_err();
        assert!(err.contains("old.json is stale"), "{err}");
        assert!(path.exists());
        ensure_file_removed(&path, false).unwrap();
        assert!(!path.exists());
        ensure_file_removed(&path, false).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
