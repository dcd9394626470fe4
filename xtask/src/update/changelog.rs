//! CHANGELOG.md: the entries `cargo xtask update` writes go first under
//! "## Unreleased" (newest first); a release renames that heading.

const CHANGELOG_HEAD: &str = "# Changelog\n\n";
const UNRELEASED: &str = "## Unreleased\n";

/// CHANGELOG.md with `entry` first under "## Unreleased" (the heading is
/// added when missing).
pub fn insert_entry(changelog: &str, entry: &str) -> String {
    let text = if changelog.trim().is_empty() {
        CHANGELOG_HEAD.to_owned()
    } else {
        changelog.to_owned()
    };
    if let Some(i) = text.find(UNRELEASED) {
        let at = i + UNRELEASED.len();
        let rest = text[at..].trim_start_matches('\n');
        return format!("{}\n{entry}\n{rest}", &text[..at]);
    }
    // Before the first release heading, or at the end.
    let at = text.find("\n## ").map_or(text.len(), |i| i + 1);
    let (head, rest) = text.split_at(at);
    let head = head.trim_end_matches('\n');
    format!("{head}\n\n{UNRELEASED}\n{entry}\n{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_go_first_under_unreleased() {
        let log = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### old\n\n## 0.1.0\n\n- first\n";
        assert_eq!(
            insert_entry(log, "### new\n\n- x\n"),
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n### new\n\n- x\n\n### old\n\n## 0.1.0\n\n- first\n"
        );
    }

    #[test]
    fn the_heading_is_added_before_the_releases() {
        assert_eq!(
            insert_entry("# Changelog\n\n## 0.1.0\n\n- first\n", "### new\n"),
            "# Changelog\n\n## Unreleased\n\n### new\n\n## 0.1.0\n\n- first\n"
        );
        assert_eq!(
            insert_entry("", "### new\n"),
            "# Changelog\n\n## Unreleased\n\n### new\n\n"
        );
    }
}
