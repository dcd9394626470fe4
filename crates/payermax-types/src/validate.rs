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
