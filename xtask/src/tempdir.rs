//! A folder under the system's temporary folder, deleted on drop (xtask
//! has no `tempfile` dependency, to keep its build small).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh, empty folder; removed with its contents when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `<tmp>/xtask-<what>-<pid>-<n>`.
    pub fn new(what: &str) -> Result<TempDir, String> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("xtask-{what}-{}-{n}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .map_err(|e| format!("{}: cannot clear: {e}", path.display()))?;
        }
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("{}: cannot create: {e}", path.display()))?;
        Ok(TempDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies the folder `from` into `to` (created), recursively, keeping the
/// files `keep` accepts (given their path relative to `from`).
pub fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<(), String> {
    fn go(base: &Path, from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<(), String> {
        std::fs::create_dir_all(to).map_err(|e| format!("{}: cannot create: {e}", to.display()))?;
        let entries =
            std::fs::read_dir(from).map_err(|e| format!("{}: cannot list: {e}", from.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: cannot list: {e}", from.display()))?;
            let path = entry.path();
            let target = to.join(entry.file_name());
            if path.is_dir() {
                go(base, &path, &target, keep)?;
            } else if keep(path.strip_prefix(base).unwrap_or(&path)) {
                std::fs::copy(&path, &target)
                    .map_err(|e| format!("{}: cannot copy: {e}", path.display()))?;
            }
        }
        Ok(())
    }
    go(from, from, to, keep)
}
