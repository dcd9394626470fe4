//! The changelog text of a list of changes, with the version bump each
//! published crate needs.

use super::classify::{Change, Class, by_class};

/// How far a version must move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    /// The bump a class of change needs (dangerous changes compile: they
    /// do not force a breaking bump, but are new behaviour).
    pub fn of(class: Class) -> Bump {
        match class {
            Class::Breaking => Bump::Major,
            Class::Dangerous | Class::Additive => Bump::Minor,
            Class::Docs => Bump::Patch,
        }
    }

    /// `version` moved by this bump. While the major version is 0, a
    /// breaking change moves the minor version and anything else the patch
    /// version (Cargo's compatibility rule).
    pub fn apply(self, version: &str) -> Result<String, String> {
        let parts: Vec<u64> = version
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("version {version:?} is not MAJOR.MINOR.PATCH"))?;
        let [major, minor, patch] = parts[..] else {
            return Err(format!("version {version:?} is not MAJOR.MINOR.PATCH"));
        };
        Ok(match (self, major) {
            (Bump::None, _) => version.to_owned(),
            (Bump::Major, 0) => format!("0.{}.0", minor + 1),
            (Bump::Minor | Bump::Patch, 0) => format!("0.{minor}.{}", patch + 1),
            (Bump::Major, _) => format!("{}.0.0", major + 1),
            (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
            (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
        })
    }
}

/// The bump of each published crate: `(crate, bump, why)`.
pub fn crate_bumps(changes: &[Change]) -> Vec<(&'static str, Bump, &'static str)> {
    let types = changes
        .iter()
        .map(|c| Bump::of(c.class))
        .max()
        .unwrap_or(Bump::None);
    let http = if types == Bump::Major {
        Bump::Major
    } else {
        Bump::None
    };
    vec![
        ("payermax-types", types, "the generated modules"),
        (
            "payermax-webhook",
            types,
            "it re-exports payermax-types; `Kind` and `Event` follow the inbound specs",
        ),
        (
            "payermax-http",
            http,
            "its API names payermax-types' traits and types: only a breaking bump of payermax-types moves it",
        ),
        ("payermax-sign", Bump::None, "no generated code"),
    ]
}

const SECTIONS: [(Class, &str); 4] = [
    (
        Class::Breaking,
        "Breaking: code that compiled may not compile",
    ),
    (
        Class::Dangerous,
        "Dangerous: compiles, but can break a running integration",
    ),
    (Class::Additive, "Additive"),
    (
        Class::Docs,
        "Documentation only: bounds of what PayerMax sends, which nothing checks",
    ),
];

/// The changelog entry: a `### title` heading, the predicted versions from
/// `version` (the workspace's), then one section per class.
pub fn entry(title: &str, changes: &[Change], version: &str) -> Result<String, String> {
    let mut out = format!("### {title}\n\n");
    if changes.is_empty() {
        out.push_str("No change for users of the generated code.\n");
        return Ok(out);
    }
    out.push_str(
        "Versions this needs (while 0.x, a breaking change bumps the minor version and anything else the patch version):\n\n",
    );
    for (krate, bump, why) in crate_bumps(changes) {
        let to = bump.apply(version)?;
        let what = match bump {
            Bump::None => "unchanged".to_owned(),
            Bump::Patch => format!("{version} -> {to} (patch)"),
            Bump::Minor => format!("{version} -> {to} (additive)"),
            Bump::Major => format!("{version} -> {to} (breaking)"),
        };
        out.push_str(&format!("- {krate}: {what}; {why}\n"));
    }
    let grouped = by_class(changes);
    for (class, heading) in SECTIONS {
        if let Some(list) = grouped.get(&class) {
            out.push_str(&format!("\n#### {heading}\n\n"));
            for c in list {
                out.push_str(&c.line());
                out.push('\n');
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_cargo_rules() {
        assert_eq!(Bump::Major.apply("0.1.0").unwrap(), "0.2.0");
        assert_eq!(Bump::Minor.apply("0.1.0").unwrap(), "0.1.1");
        assert_eq!(Bump::Patch.apply("0.1.3").unwrap(), "0.1.4");
        assert_eq!(Bump::Major.apply("1.2.3").unwrap(), "2.0.0");
        assert_eq!(Bump::Minor.apply("1.2.3").unwrap(), "1.3.0");
        assert_eq!(Bump::Patch.apply("1.2.3").unwrap(), "1.2.4");
        assert_eq!(Bump::None.apply("1.2.3").unwrap(), "1.2.3");
        assert!(Bump::Patch.apply("1.2").is_err());
    }
}
