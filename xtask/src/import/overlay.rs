//! Overlays: the hand-written knowledge a doc page cannot express, merged
//! into the imported spec (format documented in spec/README.md).

use super::schema::{self, SETTABLE};
use crate::json::J;

/// A parsed overlay (`spec/overlays/<id>.json`).
#[derive(Debug)]
pub struct Overlay {
    /// The page it applies to: a file name in spec/pages/ (or `openapi`).
    pub page: Option<String>,
    /// The path of PayerMax's OpenAPI document it applies to (or `page`).
    pub openapi: Option<String>,
    pub id: String,
    /// The cargo feature (domain) of the operation.
    pub domain: Option<String>,
    /// Inbound only: `notification`, `sync-callback` or `redirect`.
    pub kind: Option<String>,
    /// One documentation mode of an endpoint documented several times.
    pub variant: Option<J>,
    /// An English title replacing the source's.
    pub title: Option<String>,
    pub operation: Option<String>,
    pub direction: Option<String>,
    pub api: Option<String>,
    pub path: Option<String>,
    pub constants: Option<J>,
    /// Outbound only: `read` or `write` (spec/README.md, "Retry class").
    pub retry: Option<String>,
    /// Outbound writes only: `{"operation": "<query spec id>", "by": {"<query field>": "<request field>"}}`.
    pub settled_by: Option<J>,
    /// Outbound only: `[{"request": "<request field>", "reply": "<reply data path>"}, ...]`
    /// (checked against the schemas by codegen).
    pub echo: Option<J>,
    pub edits: Vec<Edit>,
    pub doc_issues: Option<J>,
}

/// The domains (cargo features of payermax-types) an operation may belong to.
pub const DOMAINS: [&str; 10] = [
    "payments",
    "refunds",
    "payouts",
    "subscriptions",
    "tokens",
    "disputes",
    "balance",
    "exchange",
    "risk",
    "legacy",
];

/// One edit of a body schema, addressed by `in` + `field`.
#[derive(Debug)]
pub struct Edit {
    /// 1-based line of the edit in the overlay file, for errors.
    pub line: usize,
    /// `request` or `response <code>`.
    pub target: String,
    /// Dotted field path; `""` is the body itself.
    pub field: String,
    pub action: Action,
}

#[derive(Debug)]
pub enum Action {
    /// Set keywords, remove keywords, and/or change whether the field is required.
    Change {
        set: Vec<(String, J)>,
        unset: Vec<String>,
        required: Option<bool>,
    },
    /// Add a field the page lacks.
    Add { schema: J, required: bool },
    /// Remove a field the page lists wrongly.
    Remove,
}

const TOP_KEYS: [&str; 17] = [
    "page",
    "openapi",
    "domain",
    "kind",
    "variant",
    "title",
    "id",
    "operation",
    "direction",
    "api",
    "path",
    "constants",
    "retry",
    "settledBy",
    "echo",
    "edits",
    "docIssues",
];
const EDIT_KEYS: [&str; 7] = ["in", "field", "set", "unset", "required", "add", "remove"];

/// Parses an overlay. Errors read `line N: message`; the caller adds the file.
pub fn parse(text: &str) -> Result<Overlay, String> {
    let root = J::parse(text).map_err(|e| format!("line {}: not valid JSON: {e}", e.line()))?;
    let J::Obj(pairs) = &root else {
        return Err("line 1: an overlay is a JSON object".into());
    };
    for (k, _) in pairs {
        if !TOP_KEYS.contains(&k.as_str()) {
            return Err(format!(
                "line {}: unknown overlay key `{k}` (known: {})",
                key_line(text, k, 0),
                TOP_KEYS.join(", ")
            ));
        }
    }
    let string = |key: &str| -> Result<Option<String>, String> {
        match root.get(key) {
            None => Ok(None),
            Some(J::Str(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!(
                "line {}: `{key}` must be a string, not {}",
                key_line(text, key, 0),
                other.kind()
            )),
        }
    };
    let page = string("page")?;
    let openapi = string("openapi")?;
    if page.is_none() && openapi.is_none() {
        return Err(
            "line 1: an overlay names its source: `openapi` (a path of the OpenAPI document) and/or `page` (a file in spec/pages/; beside `openapi`, the page the document is compared with)"
                .into(),
        );
    }
    let domain = string("domain")?;
    if let Some(d) = &domain
        && !DOMAINS.contains(&d.as_str())
    {
        return Err(format!(
            "line {}: domain `{d}` is not one of {}",
            key_line(text, "domain", 0),
            DOMAINS.join(", ")
        ));
    }
    let kind = string("kind")?;
    if let Some(k) = &kind
        && !["notification", "sync-callback", "redirect"].contains(&k.as_str())
    {
        return Err(format!(
            "line {}: kind `{k}` is not notification, sync-callback or redirect",
            key_line(text, "kind", 0)
        ));
    }
    let variant = root.get("variant").cloned();
    if let Some(v) = &variant {
        let ok = v.as_obj().is_some_and(|p| {
            p.iter().all(|(k, v)| {
                ["name", "title", "description"].contains(&k.as_str()) && v.as_str().is_some()
            }) && v.get("name").is_some()
        });
        if !ok {
            return Err(format!(
                "line {}: `variant` is {{\"name\", \"title\", \"description\"}} (strings; name required)",
                key_line(text, "variant", 0)
            ));
        }
    }
    let id = string("id")?.ok_or("line 1: the overlay has no `id`")?;
    if !is_snake_case(&id) {
        return Err(format!(
            "line {}: id `{id}` is not snake_case",
            key_line(text, "id", 0)
        ));
    }
    let direction = string("direction")?;
    if let Some(d) = &direction
        && d != "outbound"
        && d != "inbound"
    {
        return Err(format!(
            "line {}: direction `{d}` is neither `outbound` nor `inbound`",
            key_line(text, "direction", 0)
        ));
    }
    let api = string("api")?;
    if let Some(a) = &api
        && a != "gateway"
        && a != "legacy-v2.1"
    {
        return Err(format!(
            "line {}: api `{a}` is neither `gateway` nor `legacy-v2.1`",
            key_line(text, "api", 0)
        ));
    }
    let constants = root.get("constants").cloned();
    if let Some(c) = &constants {
        let ok = c
            .as_obj()
            .is_some_and(|p| p.iter().all(|(_, v)| matches!(v, J::Str(_))));
        if !ok {
            return Err(format!(
                "line {}: `constants` must be an object of strings",
                key_line(text, "constants", 0)
            ));
        }
    }
    let retry = string("retry")?;
    if let Some(r) = &retry
        && r != "read"
        && r != "write"
    {
        return Err(format!(
            "line {}: retry `{r}` is neither `read` nor `write`",
            key_line(text, "retry", 0)
        ));
    }
    if retry.is_some() && direction.as_deref() == Some("inbound") {
        return Err(format!(
            "line {}: `retry` is for outbound operations",
            key_line(text, "retry", 0)
        ));
    }
    let settled_by = root.get("settledBy").cloned();
    if let Some(s) = &settled_by {
        let line = key_line(text, "settledBy", 0);
        if retry.as_deref() != Some("write") {
            return Err(format!(
                "line {line}: `settledBy` needs `\"retry\": \"write\"` (only a write has an outcome to settle)"
            ));
        }
        check_settled_by(s).map_err(|e| format!("line {line}: {e}"))?;
    }
    let echo = root.get("echo").cloned();
    if let Some(e) = &echo {
        let line = key_line(text, "echo", 0);
        if direction.as_deref() == Some("inbound") {
            return Err(format!("line {line}: `echo` is for outbound operations"));
        }
        check_echo(e).map_err(|e| format!("line {line}: {e}"))?;
    }
    let doc_issues = root.get("docIssues").cloned();
    if let Some(d) = &doc_issues {
        check_doc_issues(d).map_err(|e| format!("line {}: {e}", key_line(text, "docIssues", 0)))?;
    }
    let mut edits = Vec::new();
    match root.get("edits") {
        None => {}
        Some(J::Arr(list)) => {
            let edits_line = key_line(text, "edits", 0);
            for (n, e) in list.iter().enumerate() {
                // The n-th `"in"` key after `"edits"` starts edit n.
                let line = nth_key_line(text, "in", edits_line, n).unwrap_or(edits_line);
                edits.push(parse_edit(e).map_err(|m| format!("line {line}: edits[{n}]: {m}"))?);
                edits.last_mut().expect("just pushed").line = line;
            }
        }
        Some(other) => {
            return Err(format!(
                "line {}: `edits` must be an array, not {}",
                key_line(text, "edits", 0),
                other.kind()
            ));
        }
    }
    Ok(Overlay {
        page,
        openapi,
        id,
        domain,
        kind,
        variant,
        title: string("title")?,
        operation: string("operation")?,
        direction,
        api,
        path: string("path")?,
        constants,
        retry,
        settled_by,
        echo,
        edits,
        doc_issues,
    })
}

/// `echo`: `[{"request": "<request field>", "reply": "<reply data path>"}, ...]`, not empty.
fn check_echo(e: &J) -> Result<(), String> {
    const SHAPE: &str = "`echo` is [{\"request\": \"<request field>\", \"reply\": \"<field of the reply's data>\"}, ...], at least one";
    let list = e.as_arr().filter(|l| !l.is_empty()).ok_or(SHAPE)?;
    for item in list {
        let keys: Vec<&str> = item
            .as_obj()
            .ok_or(SHAPE)?
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        let named = |k| {
            item.get(k)
                .and_then(J::as_str)
                .is_some_and(|s| !s.is_empty())
        };
        if keys != ["request", "reply"] || !named("request") || !named("reply") {
            return Err(SHAPE.into());
        }
    }
    Ok(())
}

/// `settledBy`: `{"operation": "<spec id>", "by": {"<query field>": "<request field>", ...}}`.
fn check_settled_by(s: &J) -> Result<(), String> {
    const SHAPE: &str = "`settledBy` is {\"operation\": \"<spec id of the query>\", \"by\": {\"<query request field>\": \"<request field of this operation>\", ...}}";
    let pairs = s.as_obj().ok_or(SHAPE)?;
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    if keys != ["operation", "by"] {
        return Err(SHAPE.into());
    }
    let op = s.get("operation").and_then(J::as_str).ok_or(SHAPE)?;
    if !is_snake_case(op) {
        return Err(format!(
            "`settledBy.operation` `{op}` is not a spec id (snake_case)"
        ));
    }
    let by = s.get("by").and_then(J::as_obj).ok_or(SHAPE)?;
    if by.is_empty()
        || by
            .iter()
            .any(|(k, v)| k.is_empty() || v.as_str().is_none_or(str::is_empty))
    {
        return Err(format!(
            "{SHAPE}; `by` names at least one field, all strings"
        ));
    }
    Ok(())
}

/// Checks that every request field `settledBy.by` names is a top-level
/// property of `payload` (the gateway `data` object, or the legacy body).
pub fn check_settled_by_fields(ov: &Overlay, payload: Option<&J>) -> Result<(), String> {
    let Some(by) = ov
        .settled_by
        .as_ref()
        .and_then(|s| s.get("by"))
        .and_then(J::as_obj)
    else {
        return Ok(());
    };
    for (_, field) in by {
        let field = field.as_str().unwrap_or_default();
        let known = payload
            .and_then(|p| p.get("properties"))
            .and_then(|p| p.get(field))
            .is_some();
        if !known {
            return Err(format!(
                "`settledBy.by` names `{field}`, which is not a top-level field of the request payload"
            ));
        }
    }
    Ok(())
}

fn check_doc_issues(d: &J) -> Result<(), String> {
    let list = d.as_arr().ok_or("`docIssues` must be an array")?;
    for (n, issue) in list.iter().enumerate() {
        let pairs = issue
            .as_obj()
            .ok_or_else(|| format!("docIssues[{n}] must be an object"))?;
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        let shape_ok = keys.starts_with(&["id", "description", "decision"])
            && (keys.len() == 3 || keys[3..] == ["kind"]);
        if !shape_ok || pairs.iter().any(|(_, v)| v.as_str().is_none()) {
            return Err(format!(
                "docIssues[{n}] must be {{\"id\", \"description\", \"decision\"}} (then an optional \"kind\"), all strings, in that order"
            ));
        }
    }
    Ok(())
}

fn parse_edit(e: &J) -> Result<Edit, String> {
    let pairs = e.as_obj().ok_or("an edit must be an object")?;
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !EDIT_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{k}` (known: {})",
            EDIT_KEYS.join(", ")
        ));
    }
    let target = e
        .get("in")
        .and_then(J::as_str)
        .ok_or("`in` (\"request\" or \"response <code>\") is missing")?
        .to_owned();
    if target != "request" && target.strip_prefix("response ").is_none() {
        return Err(format!(
            "`in` is `{target}`; expected `request` or `response <code>`"
        ));
    }
    let field = e
        .get("field")
        .and_then(J::as_str)
        .ok_or("`field` (a dotted path, \"\" for the body) is missing")?
        .to_owned();
    let required = match e.get("required") {
        None => None,
        Some(J::Bool(b)) => Some(*b),
        Some(_) => return Err("`required` must be true or false".into()),
    };
    let action = if let Some(schema) = e.get("add") {
        if e.get("set").is_some() || e.get("unset").is_some() || e.get("remove").is_some() {
            return Err("`add` cannot be combined with set/unset/remove".into());
        }
        if schema.get("type").and_then(J::as_str).is_none() {
            return Err("`add` needs a schema with a `type`".into());
        }
        Action::Add {
            schema: schema.clone(),
            required: required.unwrap_or(false),
        }
    } else if let Some(remove) = e.get("remove") {
        if remove != &J::Bool(true) || pairs.len() != 3 {
            return Err("`remove` must be `true` and stand alone beside `in` and `field`".into());
        }
        Action::Remove
    } else {
        let set = match e.get("set") {
            None => Vec::new(),
            Some(J::Obj(p)) => p.clone(),
            Some(_) => return Err("`set` must be an object of schema keywords".into()),
        };
        for (k, _) in &set {
            if !SETTABLE.contains(&k.as_str()) {
                return Err(format!(
                    "`set` of `{k}`: only {} can be set",
                    SETTABLE.join(", ")
                ));
            }
        }
        let unset = match e.get("unset") {
            None => Vec::new(),
            Some(J::Arr(list)) => list
                .iter()
                .map(|k| {
                    k.as_str()
                        .filter(|k| SETTABLE.contains(k))
                        .map(str::to_owned)
                        .ok_or_else(|| format!("`unset` names `{k:?}`, not a settable keyword"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("`unset` must be an array of keywords".into()),
        };
        if set.is_empty() && unset.is_empty() && required.is_none() {
            return Err(
                "the edit changes nothing (give set, unset, required, add or remove)".into(),
            );
        }
        Action::Change {
            set,
            unset,
            required,
        }
    };
    Ok(Edit {
        line: 0,
        target,
        field,
        action,
    })
}

/// Applies one edit to the body schema it addresses.
pub fn apply(edit: &Edit, body: &mut J) -> Result<(), String> {
    let (parent_path, name) = schema::split_parent(&edit.field);
    match &edit.action {
        Action::Add {
            schema: s,
            required,
        } => {
            if name.is_empty() || name.ends_with("[]") {
                return Err("`add` needs the path of a new property".into());
            }
            let parent = schema::lookup_mut(body, parent_path, false)?;
            schema::add_property(parent, parent_path, name, s.clone(), *required)
        }
        Action::Remove => {
            if edit.field.is_empty() || name.ends_with("[]") {
                return Err("`remove` needs the path of a property".into());
            }
            schema::lookup_mut(body, &edit.field, false)?;
            let parent = schema::lookup_mut(body, parent_path, false)?;
            parent
                .get_mut("properties")
                .and_then(|p| p.remove(name))
                .expect("looked up above");
            schema::set_required(parent, name, false);
            Ok(())
        }
        Action::Change {
            set,
            unset,
            required,
        } => {
            let node = schema::lookup_mut(body, &edit.field, false)?;
            for k in unset {
                if node.remove(k).is_none() {
                    return Err(format!("`unset` of `{k}`, which the field does not have"));
                }
            }
            for (k, v) in set {
                if node.get(k) == Some(v) {
                    return Err(format!(
                        "`set` of `{k}` changes nothing: the page already says so; drop it"
                    ));
                }
                node.set(k, v.clone());
            }
            if let Some(r) = required {
                if edit.field.is_empty() || name.ends_with("[]") {
                    return Err("`required` applies to properties only".into());
                }
                let parent = schema::lookup_mut(body, parent_path, false)?;
                if !schema::set_required(parent, name, *r) {
                    return Err(format!(
                        "the field is already {} on the page; drop `required`",
                        if *r { "required" } else { "optional" }
                    ));
                }
            }
            Ok(())
        }
    }
}

fn is_snake_case(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Line of the first `"key":` at or after line `from` (1 when not found).
fn key_line(text: &str, key: &str, from: usize) -> usize {
    nth_key_line(text, key, from, 0).unwrap_or(1)
}

/// Line of the n-th (0-based) `"key":` at or after line `from`.
fn nth_key_line(text: &str, key: &str, from: usize, n: usize) -> Option<usize> {
    let needle = format!("\"{key}\"");
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .filter(|(_, l)| {
            l.find(&needle)
                .is_some_and(|p| l[p + needle.len()..].trim_start().starts_with(':'))
        })
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// Applies every edit of `overlay` (file `file`) to the request schema or
/// to the response schema its `in` names (`responses`: code and schema);
/// `missing` words the error for an edit naming a response code the source
/// lacks (`the page has no response 500 table`).
pub fn apply_all(
    overlay: &Overlay,
    file: &str,
    request: &mut J,
    responses: &mut [(&str, &mut J)],
    missing: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    for edit in &overlay.edits {
        let at = |msg: String| {
            format!(
                "{file}:{}: edit of `{}` in {}: {msg}",
                edit.line,
                if edit.field.is_empty() {
                    "(body)"
                } else {
                    &edit.field
                },
                edit.target
            )
        };
        let body: &mut J = if edit.target == "request" {
            request
        } else {
            let code = edit.target.trim_start_matches("response ");
            match responses.iter_mut().find(|(c, _)| *c == code) {
                Some((_, s)) => s,
                None => return Err(at(missing(code))),
            }
        };
        apply(edit, body).map_err(at)?;
    }
    Ok(())
}
