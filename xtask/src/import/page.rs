//! Reading a doc page, as the docs site renders it to text, into sections.
//!
//! Layout (blank lines optional, bullets `•`/`-`/`*` optional):
//!
//! ```text
//! Skip to content
//! <Title>
//!   • Endpoint: POST /path
//!   • Tags: A, B
//! Description            (optional, free text)
//! Parameters             (table: Field In Type Required Constraints Description)
//! Parameter Examples     (name: "json string" ...)
//! Request Body
//! Content-Type: application/json
//! <table: Field Type Required Constraints Description Enum>
//! Example                (json block)
//! Responses
//! 200                    (status code, then its table and Response Example)
//! Enum Reference         (field path line, then one bullet per value)
//! Was this page helpful? (end of the page)
//! ```
//!
//! Tables come run together or as markdown pipe rows (see [`super::row`]).

use super::row::{self, Columns, Row};
use crate::json::J;

/// A parsed page. Line numbers are 1-based.
#[derive(Debug)]
pub struct Page {
    pub title: String,
    pub method: String,
    pub path: String,
    pub endpoint_line: usize,
    pub tags: Vec<String>,
    pub description: Option<String>,
    /// Parameter rows (`In` column set) with their line.
    pub params: Vec<(usize, Row)>,
    /// `name: "value"` pairs of Parameter Examples.
    pub param_examples: Vec<(String, String)>,
    pub request: Option<Body>,
    /// By status code, in page order.
    pub responses: Vec<(String, Body)>,
    /// Enum Reference: field path, values, line of the path.
    pub enum_ref: Vec<(String, Vec<String>, usize)>,
}

/// A request body or one response.
#[derive(Debug, Default)]
pub struct Body {
    /// Line of the section heading (`Request Body` or the status code).
    pub line: usize,
    pub content_type: Option<String>,
    pub rows: Vec<(usize, Row)>,
    pub examples: Vec<J>,
}

const END_MARKERS: [&str; 3] = [
    "Was this page helpful?",
    "Thank you for your help in improving PayerMax Product Docs!",
    "Released under the MIT License.",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Heading {
    Description,
    Parameters,
    ParameterExamples,
    RequestBody,
    Example,
    Responses,
    EnumReference,
    End,
}

fn heading(line: &str) -> Option<Heading> {
    let t = line.trim().trim_start_matches('#').trim();
    Some(match t {
        "Description" => Heading::Description,
        "Parameters" => Heading::Parameters,
        "Parameter Examples" => Heading::ParameterExamples,
        "Request Body" => Heading::RequestBody,
        "Example" | "Examples" | "Response Example" | "Response Examples" => Heading::Example,
        "Responses" => Heading::Responses,
        "Enum Reference" => Heading::EnumReference,
        _ if END_MARKERS.contains(&t) => Heading::End,
        _ => return None,
    })
}

fn strip_bullet(line: &str) -> &str {
    let t = line.trim();
    for b in ["•", "- ", "* "] {
        if let Some(rest) = t.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    t
}

fn is_status_code(line: &str) -> bool {
    let t = line.trim();
    (t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit())) || t == "default"
}

/// Where the parser is, for the lines that follow a heading.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Preamble,
    Description,
    Parameters,
    ParameterExamples,
    Request,
    Responses,
    Response,
    EnumReference,
}

/// A table being read: its columns and the body or parameter list it fills.
struct Table {
    cols: Columns,
}

/// Raw rows are split only after the whole page is read, because the Enum
/// Reference at the end of the page tells where Enum cells start.
#[derive(Clone, Copy)]
enum RowOwner {
    Params,
    Request,
    Response(usize),
}

/// Parses a page. Errors read `line N: message`; the caller adds the file.
pub fn parse(text: &str) -> Result<Page, String> {
    let mut lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect();
    let mut title: Option<(usize, String)> = None;
    let mut header_text: Vec<(usize, String)> = Vec::new();
    let mut description: Vec<String> = Vec::new();
    let mut params_seen = false;
    let mut param_examples = Vec::new();
    let mut request: Option<Body> = None;
    let mut responses: Vec<(String, Body)> = Vec::new();
    let mut enum_ref: Vec<(String, Vec<String>, usize)> = Vec::new();
    let mut raw_rows: Vec<(RowOwner, usize, String, Columns)> = Vec::new();
    let mut ctx = Ctx::Preamble;
    let mut table: Option<Table> = None;

    let mut i = 0;
    while i < lines.len() {
        let (no, line) = (lines[i].0, lines[i].1.clone());
        let t = line.trim();
        let at = |msg: String| format!("line {no}: {msg}");
        if t.is_empty() {
            table = None;
            if ctx == Ctx::Description {
                description.push(String::new());
            }
            i += 1;
            continue;
        }
        if let Some(h) = heading(t) {
            table = None;
            match h {
                Heading::End => break,
                Heading::Description => ctx = Ctx::Description,
                Heading::Parameters => {
                    params_seen = true;
                    ctx = Ctx::Parameters;
                }
                Heading::ParameterExamples => ctx = Ctx::ParameterExamples,
                Heading::RequestBody => {
                    if request.is_some() {
                        return Err(at("a second `Request Body` section".into()));
                    }
                    request = Some(Body {
                        line: no,
                        ..Body::default()
                    });
                    ctx = Ctx::Request;
                }
                Heading::Responses => ctx = Ctx::Responses,
                Heading::EnumReference => ctx = Ctx::EnumReference,
                Heading::Example => {
                    let body = match ctx {
                        Ctx::Request => request.as_mut(),
                        Ctx::Response => responses.last_mut().map(|(_, b)| b),
                        _ => None,
                    }
                    .ok_or_else(|| {
                        at(format!("`{t}` outside a Request Body or response section"))
                    })?;
                    i += 1;
                    let value = read_json(&mut lines, &mut i)?;
                    body.examples.push(value);
                    continue;
                }
            }
            i += 1;
            continue;
        }
        if ctx == Ctx::Preamble {
            if title.is_none() {
                if t != "Skip to content" {
                    title = Some((no, t.trim_start_matches('#').trim().to_owned()));
                }
            } else {
                header_text.push((no, line.clone()));
            }
            i += 1;
            continue;
        }
        if ctx == Ctx::Description {
            description.push(t.to_owned());
            i += 1;
            continue;
        }
        if ctx == Ctx::Responses || (ctx == Ctx::Response && is_status_code(t)) {
            if !is_status_code(t) {
                return Err(at(format!(
                    "expected a status code (e.g. `200`) after `Responses`, found `{t}`"
                )));
            }
            if responses.iter().any(|(c, _)| c == t) {
                return Err(at(format!("response `{t}` appears twice")));
            }
            responses.push((
                t.to_owned(),
                Body {
                    line: no,
                    ..Body::default()
                },
            ));
            ctx = Ctx::Response;
            table = None;
            i += 1;
            continue;
        }
        if ctx == Ctx::ParameterExamples {
            param_examples.extend(parse_param_examples(strip_bullet(t)).map_err(at)?);
            i += 1;
            continue;
        }
        if ctx == Ctx::EnumReference {
            let stripped = strip_bullet(t);
            if stripped.len() != t.len() {
                let Some((_, values, _)) = enum_ref.last_mut() else {
                    return Err(at(
                        "enum value before any field name in Enum Reference".into()
                    ));
                };
                // A value, possibly followed by an explanation.
                let value = stripped
                    .split(|c: char| c.is_whitespace() || c == ':')
                    .next()
                    .unwrap_or_default();
                values.push(value.to_owned());
            } else if row::is_field_path(t) {
                if enum_ref.iter().any(|(f, _, _)| f == t) {
                    return Err(at(format!("Enum Reference lists `{t}` twice")));
                }
                enum_ref.push((t.to_owned(), Vec::new(), no));
            } else {
                return Err(at(format!(
                    "expected a field path or a `• VALUE` bullet in Enum Reference, found `{t}`"
                )));
            }
            i += 1;
            continue;
        }
        // Parameters, Request, Response: a Content-Type line, a table
        // header, a separator or a row.
        if let Some(ct) = t.strip_prefix("Content-Type:")
            && table.is_none()
        {
            let ct = ct.trim();
            match ctx {
                Ctx::Request => {
                    let body = request.as_mut().expect("ctx Request has a body");
                    body.content_type = Some(ct.to_owned());
                }
                // Replies are JSON; the spec format has no other reply type.
                Ctx::Response if ct == "application/json" => {}
                _ => return Err(at(format!("unexpected `Content-Type: {ct}` here"))),
            }
            i += 1;
            continue;
        }
        if let Some(cols) = row::parse_header(t).map_err(at)? {
            if (ctx == Ctx::Parameters) != cols.has_in {
                return Err(at(format!(
                    "table columns `{t}` do not fit this section ({})",
                    if ctx == Ctx::Parameters {
                        "Parameters need an `In` column"
                    } else {
                        "only Parameters have an `In` column"
                    }
                )));
            }
            table = Some(Table { cols });
            i += 1;
            continue;
        }
        if let Some(tab) = &table {
            if tab.cols.piped && row::is_separator(t) {
                i += 1;
                continue;
            }
            let owner = match ctx {
                Ctx::Parameters => RowOwner::Params,
                Ctx::Request => RowOwner::Request,
                _ => RowOwner::Response(responses.len() - 1),
            };
            raw_rows.push((owner, no, t.to_owned(), tab.cols));
            i += 1;
            continue;
        }
        return Err(at(format!("unexpected text `{t}`")));
    }

    let (title_line, title) = title.ok_or("the page has no title")?;
    let (endpoint_line, method, path) = find_endpoint(&header_text).ok_or_else(|| {
        format!("line {title_line}: no `Endpoint: METHOD /path` line after the title `{title}`")
    })?;
    let tags = find_tags(&header_text);

    let known = |field: &str| {
        enum_ref
            .iter()
            .find(|(f, _, _)| f == field)
            .map(|(_, v, _)| v.clone())
    };
    let mut params = Vec::new();
    for (owner, no, text, cols) in raw_rows {
        let row = row::split_row(&text, cols, &known).map_err(|e| format!("line {no}: {e}"))?;
        match owner {
            RowOwner::Params => params.push((no, row)),
            RowOwner::Request => request
                .as_mut()
                .expect("rows of Request have a body")
                .rows
                .push((no, row)),
            RowOwner::Response(k) => responses[k].1.rows.push((no, row)),
        }
    }
    if params_seen && params.is_empty() {
        return Err("the Parameters section has no table rows".into());
    }
    for (code, body) in &responses {
        if body.rows.is_empty() && body.examples.is_empty() {
            return Err(format!(
                "line {}: response `{code}` has neither a table nor an example",
                body.line
            ));
        }
    }
    for (field, values, no) in &enum_ref {
        if values.is_empty() {
            return Err(format!(
                "line {no}: Enum Reference `{field}` lists no values"
            ));
        }
    }
    while description.last().is_some_and(String::is_empty) {
        description.pop();
    }
    while description.first().is_some_and(String::is_empty) {
        description.remove(0);
    }
    description.dedup_by(|a, b| a.is_empty() && b.is_empty());
    Ok(Page {
        title,
        method,
        path,
        endpoint_line,
        tags,
        description: (!description.is_empty()).then(|| description.join("\n")),
        params,
        param_examples,
        request,
        responses,
        enum_ref,
    })
}

/// `Endpoint: POST /path`, the method and path possibly on the next line.
fn find_endpoint(header: &[(usize, String)]) -> Option<(usize, String, String)> {
    let at = header.iter().position(|(_, l)| l.contains("Endpoint:"))?;
    let line = header[at].0;
    let joined: String = header[at..]
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let after = &joined[joined.find("Endpoint:")? + "Endpoint:".len()..];
    let mut words = after.split_whitespace();
    let method = words.next()?;
    let path = words.next()?;
    let method_ok = ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method);
    (method_ok && path.starts_with('/')).then(|| (line, method.to_owned(), path.to_owned()))
}

/// `Tags: A, B` up to the end of its line.
fn find_tags(header: &[(usize, String)]) -> Vec<String> {
    header
        .iter()
        .find_map(|(_, l)| {
            let after = &l[l.find("Tags:")? + "Tags:".len()..];
            Some(
                after
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
            )
        })
        .unwrap_or_default()
}

/// `name: "json string"`, several possibly run together on one line
/// (`Content-Type:"application/json"sign:"..."`).
fn parse_param_examples(mut s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    while !s.is_empty() {
        let colon = s.find(':').ok_or_else(|| {
            format!("expected `name: \"value\"` in Parameter Examples, found `{s}`")
        })?;
        let name = s[..colon].trim();
        if !row::is_field_path(name) {
            return Err(format!(
                "`{name}` is not a parameter name in Parameter Examples"
            ));
        }
        let rest = s[colon + 1..].trim_start();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        match stream.next() {
            Some(Ok(value)) => {
                out.push((name.to_owned(), value));
                s = rest[stream.byte_offset()..].trim_start();
            }
            _ => {
                return Err(format!(
                    "the example of `{name}` is not a JSON string: `{rest}`"
                ));
            }
        }
    }
    Ok(out)
}

/// Reads a JSON example starting at `lines[*i]`: an optional `json` (or
/// fence) line, then one JSON value that may span lines. Text after the
/// value on its last line (`}Responses`) is left as a line of its own.
fn read_json(lines: &mut [(usize, String)], i: &mut usize) -> Result<J, String> {
    while *i < lines.len() && lines[*i].1.trim().is_empty() {
        *i += 1;
    }
    if *i < lines.len() && matches!(lines[*i].1.trim(), "json" | "```json" | "```") {
        *i += 1;
    }
    while *i < lines.len() && lines[*i].1.trim().is_empty() {
        *i += 1;
    }
    let Some((start_no, _)) = lines.get(*i) else {
        return Err("an Example heading at the end of the page, without JSON".into());
    };
    let start_no = *start_no;
    let joined: String = lines[*i..]
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    if !joined.trim_start().starts_with(['{', '[']) {
        return Err(format!(
            "line {start_no}: expected a JSON example (`{{` or `[`), found `{}`",
            lines[*i].1.trim()
        ));
    }
    let mut stream = serde_json::Deserializer::from_str(&joined).into_iter::<J>();
    let value = match stream.next() {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            return Err(format!(
                "line {}: broken JSON example: {e}",
                start_no + e.line().saturating_sub(1)
            ));
        }
        None => unreachable!("the text starts with a bracket"),
    };
    let end = stream.byte_offset();
    // Find the line holding the end of the value and keep what follows it.
    let consumed_lines = joined[..end].matches('\n').count();
    let last = *i + consumed_lines;
    let col = end - joined[..end].rfind('\n').map_or(0, |p| p + 1);
    let rest = lines[last].1[col..].trim().to_owned();
    if rest.is_empty() {
        *i = last + 1;
    } else {
        lines[last].1 = rest;
        *i = last;
    }
    if *i < lines.len() && lines[*i].1.trim() == "```" {
        *i += 1;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_examples_in_both_forms() {
        assert_eq!(
            parse_param_examples(r#"sign: "abc=""#).unwrap(),
            vec![("sign".to_owned(), "abc=".to_owned())]
        );
        assert_eq!(
            parse_param_examples(r#"Content-Type:"application/json"sign:"x""#).unwrap(),
            vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("sign".to_owned(), "x".to_owned())
            ]
        );
        assert!(parse_param_examples("sign: abc").is_err());
    }

    #[test]
    fn endpoint_on_one_or_two_lines() {
        let one = vec![(3, "  • Endpoint: POST /a/b".to_owned())];
        assert_eq!(
            find_endpoint(&one),
            Some((3, "POST".to_owned(), "/a/b".to_owned()))
        );
        let two = vec![
            (2, "- Endpoint:".to_owned()),
            (3, "POST /x - Tags: A, B".to_owned()),
        ];
        assert_eq!(
            find_endpoint(&two),
            Some((2, "POST".to_owned(), "/x".to_owned()))
        );
        assert_eq!(find_tags(&two), vec!["A", "B"]);
        assert_eq!(
            find_endpoint(&[(1, "Endpoint: somewhere".to_owned())]),
            None
        );
    }
}
