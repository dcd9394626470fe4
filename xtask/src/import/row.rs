//! Splitting one parameter-table row into its cells.
//!
//! The docs site renders tables to text with the cells run together
//! (`merchantNostringNomaxLength: 32Merchant Id, ...`) or, in its markdown
//! form, as pipe rows whose empty cells may collapse
//! (`merchantId | string | Yes | Merchant ID. | ||`). Both become a [`Row`].

/// The columns of a parameter table, from its header row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    /// `In` column (parameters: `header`, `query`, ...).
    pub has_in: bool,
    /// Trailing `Enum` column.
    pub has_enum: bool,
    /// Rows are `|`-separated (markdown form) rather than run together.
    pub piped: bool,
}

/// A constraint from the Constraints column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constraint {
    MaxLength(u64),
    MinLength(u64),
    Pattern(String),
}

/// One split table row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Dotted field path; `[]` marks array items (`items[].name`).
    pub field: String,
    /// The `In` cell (`header`, ...), for parameter tables.
    pub location: Option<String>,
    /// One of [`TYPES`], lower case.
    pub ty: String,
    pub required: bool,
    pub constraints: Vec<Constraint>,
    pub description: String,
    /// Values of the Enum cell, as written.
    pub enum_values: Vec<String>,
}

/// The type words a Type cell may hold.
pub const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "object", "array"];
/// The words an In cell may hold.
const LOCATIONS: [&str; 4] = ["header", "query", "path", "cookie"];
const COLUMN_NAMES: [&str; 7] = [
    "Field",
    "In",
    "Type",
    "Required",
    "Constraints",
    "Description",
    "Enum",
];

/// Recognises a table header row: `FieldTypeRequiredConstraintsDescriptionEnum`,
/// `FieldInTypeRequiredConstraintsDescription`, or their `| Field | ... |`
/// forms. `Ok(None)`: not a header row. `Err`: a header row with columns
/// this importer does not know.
pub fn parse_header(line: &str) -> Result<Option<Columns>, String> {
    let t = line.trim();
    let piped = t.starts_with('|') || t.contains(" | ");
    let names: Vec<String> = if piped {
        split_pipes(t)
    } else {
        let mut names = Vec::new();
        let mut rest = t;
        while !rest.is_empty() {
            match COLUMN_NAMES.iter().find(|n| rest.starts_with(**n)) {
                Some(n) => {
                    names.push((*n).to_owned());
                    rest = &rest[n.len()..];
                }
                None => return Ok(None),
            }
        }
        names
    };
    if names.first().map(String::as_str) != Some("Field") || names.len() < 2 {
        return Ok(None);
    }
    if !names.iter().all(|n| COLUMN_NAMES.contains(&n.as_str())) {
        return if piped {
            Ok(None)
        } else {
            Err(format!("unknown table columns `{t}`"))
        };
    }
    let has_in = names.iter().any(|n| n == "In");
    let has_enum = names.iter().any(|n| n == "Enum");
    let mut expected = vec!["Field"];
    if has_in {
        expected.push("In");
    }
    expected.extend(["Type", "Required", "Constraints", "Description"]);
    if has_enum {
        expected.push("Enum");
    }
    if names != expected {
        return Err(format!(
            "table columns `{}` are not supported; expected `{}`",
            names.join(" | "),
            expected.join(" | ")
        ));
    }
    Ok(Some(Columns {
        has_in,
        has_enum,
        piped,
    }))
}

/// Whether a line is a markdown table separator (`|---|---|`).
pub fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains("---") && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Splits a row. `known_enum` gives the Enum Reference values of a field, if
/// the page lists any; they tell where a run-together Enum cell starts.
pub fn split_row(
    line: &str,
    cols: Columns,
    known_enum: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Row, String> {
    if cols.piped {
        split_piped(line, cols, known_enum)
    } else {
        split_run_together(line, cols, known_enum)
    }
}

fn split_run_together(
    line: &str,
    cols: Columns,
    known_enum: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Row, String> {
    let line = line.trim();
    let ident_len = line
        .char_indices()
        .find(|(_, c)| !is_field_char(*c))
        .map_or(line.len(), |(i, _)| i);
    // Prefer the longest field name for which the rest of the row parses.
    for end in (1..=ident_len).rev() {
        let field = &line[..end];
        if !is_field_path(field) {
            continue;
        }
        let mut rest = &line[end..];
        let location = if cols.has_in {
            match LOCATIONS.iter().find(|l| rest.starts_with(**l)) {
                Some(l) => {
                    rest = &rest[l.len()..];
                    Some((*l).to_owned())
                }
                None => continue,
            }
        } else {
            None
        };
        let Some((ty, after_type)) = strip_type(rest) else {
            continue;
        };
        rest = after_type;
        let required = if let Some(r) = rest.strip_prefix("Yes") {
            rest = r;
            true
        } else if let Some(r) = rest.strip_prefix("No") {
            rest = r;
            false
        } else {
            continue;
        };
        let (constraints, rest) = parse_constraints(rest)?;
        let (description, enum_values) = if cols.has_enum {
            split_trailing_enum(rest.trim(), known_enum(field).as_deref())
        } else {
            (rest.trim().to_owned(), Vec::new())
        };
        return Ok(Row {
            field: field.to_owned(),
            location,
            ty,
            required,
            constraints,
            description,
            enum_values,
        });
    }
    Err(format!(
        "cannot split row `{line}`: expected <field>{}<type><Yes|No>[constraints][description]{} \
         with a type among {}",
        if cols.has_in { "<in>" } else { "" },
        if cols.has_enum { "[enum]" } else { "" },
        TYPES.join("/")
    ))
}

fn split_piped(
    line: &str,
    cols: Columns,
    known_enum: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Row, String> {
    let cells = split_pipes(line.trim());
    let fixed = if cols.has_in { 4 } else { 3 };
    let err = |why: &str| format!("cannot split row `{}`: {why}", line.trim());
    if cells.len() < fixed || cells[..fixed].iter().any(String::is_empty) {
        return Err(err(&format!(
            "expected {fixed} non-empty leading cells (field{}, type, Yes/No)",
            if cols.has_in { ", in" } else { "" }
        )));
    }
    let field = cells[0].clone();
    if !is_field_path(&field) {
        return Err(err(&format!("`{field}` is not a field name")));
    }
    let mut at = 1;
    let location = if cols.has_in {
        at += 1;
        let l = &cells[1];
        if !LOCATIONS.contains(&l.as_str()) {
            return Err(err(&format!(
                "`{l}` is not a parameter location ({})",
                LOCATIONS.join("/")
            )));
        }
        Some(l.clone())
    } else {
        None
    };
    let ty = match strip_type(&cells[at]) {
        Some((ty, "")) => ty,
        _ => {
            return Err(err(&format!(
                "`{}` is not a type ({})",
                cells[at],
                TYPES.join("/")
            )));
        }
    };
    let required = match cells[at + 1].as_str() {
        "Yes" => true,
        "No" => false,
        other => return Err(err(&format!("`{other}` is not Yes or No"))),
    };
    // Empty cells may have collapsed, so the rest is read by content:
    // constraint cells, then the description, then the enum.
    let mut rest: Vec<&str> = cells[at + 2..]
        .iter()
        .map(String::as_str)
        .filter(|c| !c.is_empty())
        .collect();
    let mut constraints = Vec::new();
    while let Some(first) = rest.first() {
        match parse_constraints(first) {
            Ok((found, "")) if !found.is_empty() => {
                constraints.extend(found);
                rest.remove(0);
            }
            _ => break,
        }
    }
    let known = known_enum(&field);
    let mut description = String::new();
    let mut enum_values = Vec::new();
    match rest.as_slice() {
        [] => {}
        [only] => {
            let values = parse_enum_list(only);
            let all_known = match (&values, &known) {
                (Some(v), Some(k)) => v.iter().all(|x| k.contains(x)),
                _ => false,
            };
            if cols.has_enum && all_known {
                enum_values = values.unwrap_or_default();
            } else {
                description = (*only).to_owned();
            }
        }
        [desc, list] if cols.has_enum => {
            description = (*desc).to_owned();
            enum_values = parse_enum_list(list)
                .ok_or_else(|| err(&format!("`{list}` is not a list of enum values")))?;
        }
        _ => return Err(err("more cells than the header has columns")),
    }
    Ok(Row {
        field,
        location,
        ty,
        required,
        constraints,
        description,
        enum_values,
    })
}

/// Cells of a `|`-separated line, trimmed; the outer pipes are optional and
/// `\|` is a literal pipe.
fn split_pipes(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                cells.last_mut().expect("never empty").push('|');
            }
            '|' => cells.push(String::new()),
            _ => cells.last_mut().expect("never empty").push(c),
        }
    }
    let mut cells: Vec<String> = cells.into_iter().map(|c| c.trim().to_owned()).collect();
    if line.starts_with('|') {
        cells.remove(0);
    }
    if line.ends_with('|') && !line.ends_with("\\|") {
        cells.pop();
    }
    cells
}

fn strip_type(s: &str) -> Option<(String, &str)> {
    TYPES.iter().find_map(|t| {
        let capitalised = format!("{}{}", t[..1].to_uppercase(), &t[1..]);
        if let Some(rest) = s.strip_prefix(t) {
            Some(((*t).to_owned(), rest))
        } else {
            s.strip_prefix(capitalised.as_str())
                .map(|rest| ((*t).to_owned(), rest))
        }
    })
}

fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '$')
}

/// `name`, `a.b`, `items[]`, `items[].name`: segments of identifier
/// characters, each optionally ending in `[]`.
pub fn is_field_path(s: &str) -> bool {
    s.split('.').all(|seg| {
        let name = seg.strip_suffix("[]").unwrap_or(seg);
        let mut chars = name.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'))
    })
}

/// Parses leading constraints (`maxLength: 32`, `minLength: 1`,
/// `pattern: ^[A-Z]{3}$`), possibly several, possibly separated by spaces,
/// commas or semicolons. Returns them and the text after them.
///
/// A run-together pattern has no visible end: it runs to the next
/// whitespace, or, when it contains `$`, to its last `$`.
pub fn parse_constraints(s: &str) -> Result<(Vec<Constraint>, &str), String> {
    let mut found = Vec::new();
    let mut rest = s;
    loop {
        let trimmed = if found.is_empty() {
            rest
        } else {
            rest.trim_start_matches([' ', ',', ';'])
        };
        if let Some((key, after)) = ["maxLength", "minLength"]
            .iter()
            .find_map(|k| Some((*k, trimmed.strip_prefix(k)?.strip_prefix(':')?)))
        {
            let after = after.trim_start();
            let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let n: u64 = after[..digits]
                .parse()
                .map_err(|_| format!("`{key}:` is not followed by a whole number"))?;
            found.push(if key == "maxLength" {
                Constraint::MaxLength(n)
            } else {
                Constraint::MinLength(n)
            });
            rest = &after[digits..];
        } else if let Some(after) = trimmed.strip_prefix("pattern:") {
            let after = after.trim_start();
            let run = after.find(char::is_whitespace).unwrap_or(after.len());
            let end = match after[..run].rfind('$') {
                Some(d) => d + 1,
                None => run,
            };
            if end == 0 {
                return Err("`pattern:` is not followed by a pattern".to_owned());
            }
            found.push(Constraint::Pattern(after[..end].to_owned()));
            rest = &after[end..];
        } else {
            return Ok((found, rest));
        }
    }
}

/// A comma-separated list of UPPER_CASE or numeric values, whitespace
/// around commas allowed.
fn parse_enum_list(s: &str) -> Option<Vec<String>> {
    let values: Vec<String> = s.split(',').map(|v| v.trim().to_owned()).collect();
    values.iter().all(|v| is_enum_value(v)).then_some(values)
}

fn is_enum_value(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        || (v.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && v.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
}

/// Splits `description<enum>` where the Enum cell ran into the description.
///
/// With the field's Enum Reference values known, the enum is the longest
/// trailing list made only of them. Otherwise a trailing list is an enum
/// only when its text repeats the end of the description as whole words
/// (`status:A, BA, B`)
/// or when it is glued to a lower-case letter or non-ASCII character
/// (`statusREFUND_SUCCESS, ...`); an upper-case word after a space
/// (`in USD`) or after punctuation (`ss.SSSXXX`) is description text.
fn split_trailing_enum(rest: &str, known: Option<&[String]>) -> (String, Vec<String>) {
    let candidates: Vec<(usize, Vec<String>)> = rest
        .char_indices()
        .map(|(i, _)| i)
        .filter_map(|i| {
            let list = parse_enum_list(&rest[i..])?;
            // The list must start at a value start, not in the middle of the
            // separator whitespace.
            (!rest[i..].starts_with(char::is_whitespace)).then_some((i, list))
        })
        .collect();
    let pick = |i: usize, list: &[String]| {
        (
            rest[..i].trim_end().to_owned(),
            list.iter().map(|v| v.trim().to_owned()).collect(),
        )
    };
    if let Some(known) = known {
        return match candidates
            .iter()
            .find(|(_, list)| list.iter().all(|v| known.contains(v)))
        {
            Some((i, list)) => pick(*i, list),
            None => (rest.to_owned(), Vec::new()),
        };
    }
    let repeats = |i: usize| {
        let desc = rest[..i].trim_end();
        desc.strip_suffix(&rest[i..]).is_some_and(|before| {
            !before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    if let Some((i, list)) = candidates.iter().find(|(i, _)| *i > 0 && repeats(*i)) {
        return pick(*i, list);
    }
    for (i, list) in &candidates {
        if *i == 0 {
            if list.len() >= 2 {
                return pick(0, list);
            }
            continue;
        }
        let prev = rest[..*i].chars().next_back().expect("i > 0");
        if prev.is_ascii_lowercase() || !prev.is_ascii() {
            return pick(*i, list);
        }
    }
    (rest.to_owned(), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: Columns = Columns {
        has_in: false,
        has_enum: true,
        piped: false,
    };
    const PARAMS: Columns = Columns {
        has_in: true,
        has_enum: false,
        piped: false,
    };
    const PIPED: Columns = Columns {
        has_in: false,
        has_enum: true,
        piped: true,
    };

    fn none(_: &str) -> Option<Vec<String>> {
        None
    }

    fn split(line: &str, cols: Columns) -> Row {
        split_row(line, cols, &none).unwrap()
    }

    #[test]
    fn headers_of_both_layouts() {
        let body = parse_header("FieldTypeRequiredConstraintsDescriptionEnum").unwrap();
        assert_eq!(body, Some(BODY));
        let params = parse_header("FieldInTypeRequiredConstraintsDescription").unwrap();
        assert_eq!(params, Some(PARAMS));
        let piped =
            parse_header("| Field | Type | Required | Constraints | Description | Enum |").unwrap();
        assert_eq!(piped, Some(PIPED));
        assert_eq!(parse_header("Field notes").unwrap(), None);
        assert_eq!(parse_header("Request Body").unwrap(), None);
        let err = parse_header("FieldTypeRequiredDescription").unwrap_err();
        assert!(err.contains("not supported"), "{err}");
        assert!(is_separator("|---|---|---|"));
        assert!(!is_separator("| a | b |"));
    }

    #[test]
    fn plain_row_with_constraint() {
        let row = split(
            "merchantNostringNomaxLength: 32Merchant Id, the unique identifier",
            BODY,
        );
        assert_eq!(row.field, "merchantNo");
        assert_eq!(row.ty, "string");
        assert!(!row.required);
        assert_eq!(row.constraints, vec![Constraint::MaxLength(32)]);
        assert_eq!(row.description, "Merchant Id, the unique identifier");
        assert!(row.enum_values.is_empty());
    }

    #[test]
    fn row_without_description_or_constraints() {
        let row = split("dataobjectYes", BODY);
        assert_eq!((row.field.as_str(), row.ty.as_str()), ("data", "object"));
        assert!(row.required);
        assert_eq!(row.description, "");
    }

    #[test]
    fn several_constraints_and_pattern() {
        let row = split(
            "currencystringYesminLength: 3maxLength: 3pattern: ^[A-Z]{3}$ISO 4217 code",
            BODY,
        );
        assert_eq!(
            row.constraints,
            vec![
                Constraint::MinLength(3),
                Constraint::MaxLength(3),
                Constraint::Pattern("^[A-Z]{3}$".into())
            ]
        );
        assert_eq!(row.description, "ISO 4217 code");
        let row = split("codestringNopattern: [0-9]+ digits only", BODY);
        assert_eq!(row.constraints, vec![Constraint::Pattern("[0-9]+".into())]);
        assert_eq!(row.description, "digits only");
    }

    #[test]
    fn field_named_like_a_type_prefix_prefers_longest_name() {
        let row = split("stringFieldstringYesa string field", BODY);
        assert_eq!(row.field, "stringField");
        assert_eq!(row.ty, "string");
        let row = split("objectsarrayNolist", BODY);
        assert_eq!((row.field.as_str(), row.ty.as_str()), ("objects", "array"));
        let row = split("numbernumberYes", BODY);
        assert_eq!((row.field.as_str(), row.ty.as_str()), ("number", "number"));
    }

    #[test]
    fn nested_and_array_paths() {
        let row = split("items[]objectYesone item", BODY);
        assert_eq!(row.field, "items[]");
        let row = split("items[].namestringNomaxLength: 8Item name", BODY);
        assert_eq!(row.field, "items[].name");
        assert_eq!(row.constraints, vec![Constraint::MaxLength(8)]);
        let row = split("data.amountintegerYesminor units", BODY);
        assert_eq!(
            (row.field.as_str(), row.ty.as_str()),
            ("data.amount", "integer")
        );
        let row = split("data.okbooleanNo", BODY);
        assert_eq!(row.ty, "boolean");
    }

    #[test]
    fn parameter_rows_with_location() {
        let row = split("Content-TypeheaderstringYes", PARAMS);
        assert_eq!(row.field, "Content-Type");
        assert_eq!(row.location.as_deref(), Some("header"));
        let row = split("signheaderstringYes签名信息请参考技术文档", PARAMS);
        assert_eq!(row.description, "签名信息请参考技术文档");
    }

    #[test]
    fn trailing_enum_glued_to_description() {
        let row = split(
            "data.statusstringNomaxLength: 32the status of refund,Please refer to【Refund statusREFUND_SUCCESS, REFUND_PENDING , REFUND_FAILED",
            BODY,
        );
        assert_eq!(
            row.description,
            "the status of refund,Please refer to【Refund status"
        );
        assert_eq!(
            row.enum_values,
            vec!["REFUND_SUCCESS", "REFUND_PENDING", "REFUND_FAILED"]
        );
        // Glued to a Chinese character.
        let row = split("typestringYes类型A_ONE, B_TWO", BODY);
        assert_eq!(row.description, "类型");
        assert_eq!(row.enum_values, vec!["A_ONE", "B_TWO"]);
    }

    #[test]
    fn trailing_enum_repeating_the_description() {
        let row = split(
            "notifyTypestringYesmaxLength: 16notify type: REFUNDREFUND",
            BODY,
        );
        assert_eq!(row.description, "notify type: REFUND");
        assert_eq!(row.enum_values, vec!["REFUND"]);
        let row = split(
            "statusstringYesRefund status:REFUND_SUCCESS, REFUND_FAILEDREFUND_SUCCESS, REFUND_FAILED",
            BODY,
        );
        assert_eq!(
            row.description,
            "Refund status:REFUND_SUCCESS, REFUND_FAILED"
        );
        assert_eq!(row.enum_values, vec!["REFUND_SUCCESS", "REFUND_FAILED"]);
    }

    #[test]
    fn example_values_in_text_are_not_enums() {
        for (line, desc) in [
            ("currencystringYesAmount in USD", "Amount in USD"),
            (
                "timestringYesformat: yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
                "format: yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
            ),
            ("versionstringYesCurrent value: 1.5", "Current value: 1.5"),
            ("keyVersionstringYesCurrent value: 1", "Current value: 1"),
            (
                "statusnumberYesRefund status: 0 - initial refund, 1 - refund successful, 2 - refund failed.",
                "Refund status: 0 - initial refund, 1 - refund successful, 2 - refund failed.",
            ),
        ] {
            let row = split(line, BODY);
            assert_eq!(row.description, desc, "{line}");
            assert!(row.enum_values.is_empty(), "{line}: {:?}", row.enum_values);
        }
    }

    #[test]
    fn enum_reference_decides_where_the_enum_starts() {
        let known = |f: &str| (f == "kind").then(|| vec!["ISO".to_owned(), "A".to_owned()]);
        let row = split_row("kindstringYesstandard name ISOISO, A", BODY, &known).unwrap();
        assert_eq!(row.description, "standard name ISO");
        assert_eq!(row.enum_values, vec!["ISO", "A"]);
        // Known values that do not end the row: no table enum.
        let row = split_row("kindstringYesuse ISO codes", BODY, &known).unwrap();
        assert_eq!(row.description, "use ISO codes");
        assert!(row.enum_values.is_empty());
    }

    #[test]
    fn numeric_enum_values() {
        let known = |_: &str| Some(vec!["1".to_owned(), "2".to_owned()]);
        let row = split_row("statusnumberYesrefund status1, 2", BODY, &known).unwrap();
        assert_eq!(row.description, "refund status");
        assert_eq!(row.enum_values, vec!["1", "2"]);
    }

    #[test]
    fn piped_rows_with_collapsed_cells() {
        let row = split(
            "| merchantNo | string | No | maxLength: 32 | Merchant Id | |",
            PIPED,
        );
        assert_eq!(row.field, "merchantNo");
        assert_eq!(row.constraints, vec![Constraint::MaxLength(32)]);
        assert_eq!(row.description, "Merchant Id");
        // Empty constraints cell collapsed, no leading pipe.
        let row = split(
            "merchantId | string | Yes | Merchant ID assigned by PayerMax. | ||",
            PIPED,
        );
        assert_eq!(row.description, "Merchant ID assigned by PayerMax.");
        assert!(row.constraints.is_empty());
        let row = split(
            "notifyType | string | Yes | maxLength: 16 | notify type: REFUND | REFUND |",
            PIPED,
        );
        assert_eq!(row.description, "notify type: REFUND");
        assert_eq!(row.enum_values, vec!["REFUND"]);
        let row = split("data | object | Yes | Notify data body | ||", PIPED);
        assert_eq!(
            (row.ty.as_str(), row.description.as_str()),
            ("object", "Notify data body")
        );
        let row = split("| note | String | No | a \\| b |", PIPED);
        assert_eq!(
            (row.ty.as_str(), row.description.as_str()),
            ("string", "a | b")
        );
        let params = Columns {
            has_in: true,
            has_enum: false,
            piped: true,
        };
        let row = split("sign | header | string | Yes |", params);
        assert_eq!(
            (row.field.as_str(), row.location.as_deref()),
            ("sign", Some("header"))
        );
    }

    #[test]
    fn malformed_rows_are_errors() {
        let e = split_row("merchantNo text without type", BODY, &none).unwrap_err();
        assert!(
            e.contains("cannot split row `merchantNo text without type`"),
            "{e}"
        );
        let e = split_row("amountdecimalYes", BODY, &none).unwrap_err();
        assert!(e.contains("cannot split row"), "{e}");
        let e = split_row("fieldstringMaybe", BODY, &none).unwrap_err();
        assert!(e.contains("cannot split row"), "{e}");
        let e = split_row("namestringYesmaxLength: lotsName", BODY, &none).unwrap_err();
        assert!(
            e.contains("`maxLength:` is not followed by a whole number"),
            "{e}"
        );
        let e = split_row("| a | text | Yes |", PIPED, &none).unwrap_err();
        assert!(e.contains("`text` is not a type"), "{e}");
        let e = split_row("| a | string | Sometimes |", PIPED, &none).unwrap_err();
        assert!(e.contains("`Sometimes` is not Yes or No"), "{e}");
        let e = split_row("| a | string | Yes | d | lower case |", PIPED, &none).unwrap_err();
        assert!(e.contains("is not a list of enum values"), "{e}");
        let e = split_row("| a | string | Yes | d | A | B |", PIPED, &none).unwrap_err();
        assert!(e.contains("more cells than the header has columns"), "{e}");
        let e = split_row("| a b | string | Yes |", PIPED, &none).unwrap_err();
        assert!(e.contains("is not a field name"), "{e}");
    }
}
