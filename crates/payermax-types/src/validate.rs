//! Constraint checking for requests, with typed violations that name the
//! field path and the rule broken.

use std::fmt;

/// Something that can check its own constraints before it is sent.
pub trait Validate {
    /// Appends every violation found under `path` (a dotted field path prefix,
    /// empty at the top level) to `out`.
    fn validate_into(&self, path: &str, out: &mut Vec<Violation>);

    /// Every violation, or `Ok(())` when there is none.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut out = Vec::new();
        self.validate_into("", &mut out);
        if out.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors { violations: out })
        }
    }
}

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path of the field on the wire, e.g. `data.outRefundNo`.
    pub path: String,
    /// The rule broken.
    pub rule: Rule,
}

/// The constraint a [`Violation`] broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Longer than `max` characters.
    MaxLength {
        /// The limit, in characters.
        max: usize,
        /// The value's length, in characters.
        actual: usize,
    },
    /// Shorter than `min` characters.
    MinLength {
        /// The limit, in characters.
        min: usize,
        /// The value's length, in characters.
        actual: usize,
    },
    /// Does not match the documented pattern.
    Pattern {
        /// The pattern.
        pattern: &'static str,
    },
    /// Not one of the documented values.
    Enum {
        /// The documented values.
        allowed: &'static [&'static str],
    },
    /// More decimal places than the field allows.
    DecimalPlaces {
        /// The most decimal places allowed.
        max: u32,
        /// The value's decimal places.
        actual: u32,
    },
    /// A money amount that must be positive is zero or negative.
    NotPositive,
    /// An array with fewer than `min` items.
    MinItems {
        /// The least number of items.
        min: usize,
        /// The array's number of items.
        actual: usize,
    },
    /// An array with more than `max` items.
    MaxItems {
        /// The most items allowed.
        max: usize,
        /// The array's number of items.
        actual: usize,
    },
    /// An array whose items must differ holds two equal ones.
    UniqueItems {
        /// The index of the first of the two.
        first: usize,
        /// The index of the item repeating it.
        repeat: usize,
    },
    /// A free-form object with fewer than `min` members.
    MinProperties {
        /// The least number of members.
        min: usize,
        /// The object's number of members.
        actual: usize,
    },
    /// A free-form object with more than `max` members.
    MaxProperties {
        /// The most members allowed.
        max: usize,
        /// The object's number of members.
        actual: usize,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::MaxLength { max, actual } => {
                write!(f, "maxLength {max} exceeded ({actual} characters)")
            }
            Rule::MinLength { min, actual } => {
                write!(f, "minLength {min} not reached ({actual} characters)")
            }
            Rule::Pattern { pattern } => write!(f, "does not match pattern {pattern}"),
            Rule::Enum { allowed } => write!(f, "not one of {}", allowed.join(", ")),
            Rule::DecimalPlaces { max, actual } => {
                write!(f, "at most {max} decimal places allowed ({actual} given)")
            }
            Rule::NotPositive => f.write_str("must be greater than zero"),
            Rule::MinItems { min, actual } => {
                write!(f, "minItems {min} not reached ({actual} items)")
            }
            Rule::MaxItems { max, actual } => {
                write!(f, "maxItems {max} exceeded ({actual} items)")
            }
            Rule::UniqueItems { first, repeat } => {
                write!(
                    f,
                    "items must be unique (item {repeat} repeats item {first})"
                )
            }
            Rule::MinProperties { min, actual } => {
                write!(f, "minProperties {min} not reached ({actual} members)")
            }
            Rule::MaxProperties { max, actual } => {
                write!(f, "maxProperties {max} exceeded ({actual} members)")
            }
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

/// All violations found in one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    /// The violations, in field order.
    pub violations: Vec<Violation>,
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid request: ")?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// `prefix.name`, or `name` at the top level: the dotted wire path of a field.
pub fn field_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        return name.to_owned();
    }
    // Built by hand, not `format!`: a request validates ~100 paths, nearly
    // always valid ones (BENCHMARKS.md, the largest request).
    let mut path = String::with_capacity(prefix.len() + 1 + name.len());
    path.push_str(prefix);
    path.push('.');
    path.push_str(name);
    path
}

/// `prefix[index]`: the wire path of an array item.
pub fn index_path(prefix: &str, index: usize) -> String {
    format!("{prefix}[{index}]")
}

/// Checks a length in characters (Unicode scalar values, not bytes) against
/// `minLength` and `maxLength`.
pub fn check_length(
    path: &str,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
    out: &mut Vec<Violation>,
) {
    let actual = value.chars().count();
    if let Some(min) = min {
        if actual < min {
            out.push(Violation {
                path: path.to_owned(),
                rule: Rule::MinLength { min, actual },
            });
        }
    }
    if let Some(max) = max {
        if actual > max {
            out.push(Violation {
                path: path.to_owned(),
                rule: Rule::MaxLength { max, actual },
            });
        }
    }
}

/// Checks an array's number of items against `minItems` and `maxItems`.
pub fn check_items(
    path: &str,
    actual: usize,
    min: Option<usize>,
    max: Option<usize>,
    out: &mut Vec<Violation>,
) {
    let under = |min| Rule::MinItems { min, actual };
    let over = |max| Rule::MaxItems { max, actual };
    check_count(path, actual, (min, under), (max, over), out);
}

/// Pushes `under(min)` when `actual < min` and `over(max)` when `actual > max`.
fn check_count(
    path: &str,
    actual: usize,
    (min, under): (Option<usize>, impl Fn(usize) -> Rule),
    (max, over): (Option<usize>, impl Fn(usize) -> Rule),
    out: &mut Vec<Violation>,
) {
    let broken = [
        min.filter(|&min| actual < min).map(under),
        max.filter(|&max| actual > max).map(over),
    ];
    out.extend(broken.into_iter().flatten().map(|rule| Violation {
        path: path.to_owned(),
        rule,
    }));
}

/// Checks `uniqueItems`: one violation per item equal to an earlier one.
pub fn check_unique<T: PartialEq>(path: &str, items: &[T], out: &mut Vec<Violation>) {
    for (repeat, item) in items.iter().enumerate() {
        if let Some(first) = items[..repeat].iter().position(|earlier| earlier == item) {
            out.push(Violation {
                path: path.to_owned(),
                rule: Rule::UniqueItems { first, repeat },
            });
        }
    }
}

/// Checks a free-form object's number of members against `minProperties`
/// and `maxProperties`.
pub fn check_properties(
    path: &str,
    actual: usize,
    min: Option<usize>,
    max: Option<usize>,
    out: &mut Vec<Violation>,
) {
    let under = |min| Rule::MinProperties { min, actual };
    let over = |max| Rule::MaxProperties { max, actual };
    check_count(path, actual, (min, under), (max, over), out);
}

/// A spec `pattern`, compiled on first use (needs the `patterns` feature,
/// which the features of operations with patterns turn on). Like JSON
/// Schema's, it is unanchored: write `^...$` to match the whole value.
#[cfg(feature = "patterns")]
pub struct Pattern {
    source: &'static str,
    regex: std::sync::OnceLock<Option<regex_lite::Regex>>,
}

#[cfg(feature = "patterns")]
impl Pattern {
    /// A pattern from its source text.
    pub const fn new(source: &'static str) -> Pattern {
        Pattern {
            source,
            regex: std::sync::OnceLock::new(),
        }
    }

    /// The pattern's source text.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches. A pattern that does not compile (the
    /// generator rejects those) matches nothing.
    pub fn is_match(&self, value: &str) -> bool {
        self.regex
            .get_or_init(|| regex_lite::Regex::new(self.source).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(value))
    }
}

#[cfg(feature = "patterns")]
impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

/// Checks a value against a spec `pattern`.
#[cfg(feature = "patterns")]
pub fn check_pattern(path: &str, value: &str, pattern: &Pattern, out: &mut Vec<Violation>) {
    if !pattern.is_match(value) {
        out.push(Violation {
            path: path.to_owned(),
            rule: Rule::Pattern {
                pattern: pattern.source,
            },
        });
    }
}

/// A body read with other than exactly one field of a one-of group
/// (`x-one-of`): the serde error when decoding such a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOfError {
    /// The group's Rust name, e.g. `RefundRef`.
    pub group: &'static str,
    /// The wire names of the group's fields.
    pub fields: &'static [&'static str],
    /// How many of them were present (0, or 2 and more).
    pub present: usize,
}

impl fmt::Display for OneOfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.fields.iter().map(|n| format!("`{n}`")).collect();
        let found = match self.present {
            0 => "none was given".to_owned(),
            n => format!("{n} were given"),
        };
        write!(
            f,
            "exactly one of {} is required ({}): {found}",
            names.join(", "),
            self.group
        )
    }
}

impl std::error::Error for OneOfError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters() {
        let mut out = Vec::new();
        check_length("data.x", "退款退款", None, Some(4), &mut out);
        assert!(out.is_empty());
        check_length("data.x", "退款退款退", Some(6), Some(4), &mut out);
        assert_eq!(
            out,
            [
                Violation {
                    path: "data.x".into(),
                    rule: Rule::MinLength { min: 6, actual: 5 }
                },
                Violation {
                    path: "data.x".into(),
                    rule: Rule::MaxLength { max: 4, actual: 5 }
                },
            ]
        );
        assert_eq!(
            out[1].to_string(),
            "data.x: maxLength 4 exceeded (5 characters)"
        );
    }

    #[test]
    fn items_and_properties() {
        let mut out = Vec::new();
        check_items("a", 2, Some(1), Some(2), &mut out);
        check_properties("m", 0, None, Some(3), &mut out);
        assert!(out.is_empty());
        check_items("a", 0, Some(1), None, &mut out);
        check_items("a", 3, None, Some(2), &mut out);
        check_properties("m", 0, Some(1), None, &mut out);
        check_properties("m", 4, None, Some(3), &mut out);
        check_unique("u", &["x", "y", "x", "x"], &mut out);
        let rules: Vec<String> = out.iter().map(ToString::to_string).collect();
        assert_eq!(
            rules,
            [
                "a: minItems 1 not reached (0 items)",
                "a: maxItems 2 exceeded (3 items)",
                "m: minProperties 1 not reached (0 members)",
                "m: maxProperties 3 exceeded (4 members)",
                "u: items must be unique (item 2 repeats item 0)",
                "u: items must be unique (item 3 repeats item 0)",
            ]
        );
    }

    #[test]
    fn paths() {
        assert_eq!(field_path("", "a"), "a");
        assert_eq!(field_path("data", "a"), "data.a");
        assert_eq!(index_path("data.items", 2), "data.items[2]");
    }

    #[cfg(feature = "patterns")]
    #[test]
    fn patterns() {
        static P: Pattern = Pattern::new("^[A-Z]{3}$");
        let mut out = Vec::new();
        check_pattern("currency", "INR", &P, &mut out);
        assert!(out.is_empty());
        check_pattern("currency", "inr", &P, &mut out);
        assert_eq!(
            out[0].rule,
            Rule::Pattern {
                pattern: "^[A-Z]{3}$"
            }
        );
        static BAD: Pattern = Pattern::new("(");
        assert!(!BAD.is_match("("));
    }

    #[test]
    fn one_of_error_names_the_fields() {
        let e = OneOfError {
            group: "RefundRef",
            fields: &["outRefundNo", "refundTradeNo"],
            present: 2,
        };
        assert_eq!(
            e.to_string(),
            "exactly one of `outRefundNo`, `refundTradeNo` is required (RefundRef): 2 were given"
        );
    }
}
