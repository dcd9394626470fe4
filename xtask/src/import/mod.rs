//! `cargo xtask import`: doc pages (spec/pages/) + overlays (spec/overlays/)
//! to spec files (`spec/<id>.json`).

pub mod openapi;
pub mod overlay;
pub mod page;
pub mod row;
pub mod schema;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::ensure::{ensure_file_contents, ensure_file_removed};
use crate::json::J;
use overlay::Overlay;

const USAGE: &str = "usage: cargo xtask import [--check] [PAGE...]\n\
    \n  (no arguments)  re-import every page in spec/pages/\
    \n  PAGE...         copy these page files into spec/pages/ (adding or refreshing them), then re-import all\
    \n  --check         write nothing; fail with a diff when spec/ differs from what pages + overlays produce";

/// Turns an error `line N: msg` from a parser into `file:N: msg`.
fn locate(file: &str, err: String) -> String {
    if let Some(rest) = err.strip_prefix("line ")
        && let Some((n, msg)) = rest.split_once(": ")
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return format!("{file}:{n}: {msg}");
    }
    format!("{file}: {err}")
}

/// An overlay with the name of its file in spec/overlays/.
pub struct NamedOverlay<'a> {
    pub file: &'a str,
    pub overlay: &'a Overlay,
}

/// Builds the spec of one page (named `page_name` in spec/pages/) merged
/// with its overlay. Returns the spec id and the file contents.
pub fn build_spec(
    page_name: &str,
    page_text: &str,
    overlay: Option<NamedOverlay<'_>>,
) -> Result<(String, String), String> {
    let page_file = format!("spec/pages/{page_name}");
    let page = page::parse(page_text).map_err(|e| locate(&page_file, e))?;
    let at_page = |line: usize, msg: String| format!("{page_file}:{line}: {msg}");
    let ov = overlay.as_ref().map(|o| o.overlay);
    let overlay_file = overlay
        .as_ref()
        .map(|o| format!("spec/overlays/{}", o.file));

    let direction = ov
        .and_then(|o| o.direction.clone())
        .unwrap_or("outbound".into());
    let api = ov.and_then(|o| o.api.clone()).unwrap_or("gateway".into());
    let operation = match ov.and_then(|o| o.operation.clone()) {
        Some(op) => op,
        None => page
            .path
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                at_page(
                    page.endpoint_line,
                    format!(
                        "no operation name in path `{}`; give `operation` in an overlay",
                        page.path
                    ),
                )
            })?,
    };
    let id = match ov {
        Some(o) => o.id.clone(),
        None => snake_case(&operation),
    };
    let path = match (direction.as_str(), ov.and_then(|o| o.path.clone())) {
        ("inbound", Some(_)) => {
            return Err(format!(
                "{}: an inbound operation has no path (PayerMax POSTs to the merchant's URL); drop `path`",
                overlay_file.unwrap_or_default()
            ));
        }
        ("inbound", None) => None,
        (_, Some(p)) => Some(p),
        (_, None) => Some(page.path.clone()),
    };

    // Headers.
    let mut headers = Vec::new();
    for (no, row) in &page.params {
        if row.location.as_deref() != Some("header") {
            return Err(at_page(
                *no,
                format!(
                    "parameter `{}` is in {}; only header parameters are supported",
                    row.field,
                    row.location.as_deref().unwrap_or("?")
                ),
            ));
        }
        let mut h = J::obj();
        h.set("name", J::str(&row.field));
        h.set("required", J::Bool(row.required));
        if !row.description.is_empty() {
            h.set("description", J::str(&row.description));
        }
        if let Some((_, ex)) = page.param_examples.iter().find(|(n, _)| *n == row.field) {
            h.set("example", J::str(ex));
        }
        headers.push(h);
    }
    for (name, _) in &page.param_examples {
        if !page.params.iter().any(|(_, r)| r.field == *name) {
            return Err(format!(
                "{page_file}: Parameter Examples names `{name}`, which Parameters does not list"
            ));
        }
    }

    // Body schemas.
    let req_body = page
        .request
        .as_ref()
        .ok_or_else(|| format!("{page_file}: the page has no `Request Body` section"))?;
    if req_body.rows.is_empty() {
        return Err(at_page(
            req_body.line,
            "the Request Body has no table".into(),
        ));
    }
    let content_type = req_body.content_type.clone().ok_or_else(|| {
        at_page(
            req_body.line,
            "the Request Body has no `Content-Type:` line".into(),
        )
    })?;
    let mut req_schema = schema::from_rows(req_body).map_err(|e| locate(&page_file, e))?;
    let mut resp_schemas: Vec<(String, Option<J>)> = Vec::new();
    for (code, body) in &page.responses {
        let s = if body.rows.is_empty() {
            None
        } else {
            Some(schema::from_rows(body).map_err(|e| locate(&page_file, e))?)
        };
        resp_schemas.push((code.clone(), s));
    }

    // Enum Reference: every table holding the field gets the values.
    for (field, values, no) in &page.enum_ref {
        let mut roots: Vec<&mut J> = vec![&mut req_schema];
        roots.extend(resp_schemas.iter_mut().filter_map(|(_, s)| s.as_mut()));
        let targets = schema::find_all(&mut roots, field);
        if targets.is_empty() {
            return Err(at_page(
                *no,
                format!("Enum Reference names `{field}`, which no table has"),
            ));
        }
        for t in targets {
            schema::merge_enum(t, values).map_err(|e| at_page(*no, format!("`{field}`: {e}")))?;
        }
    }

    // Overlay edits.
    if let (Some(o), Some(file)) = (ov, &overlay_file) {
        let mut named: Vec<(&str, &mut J)> = resp_schemas
            .iter_mut()
            .filter_map(|(c, s)| s.as_mut().map(|s| (c.as_str(), s)))
            .collect();
        overlay::apply_all(o, file, &mut req_schema, &mut named, &|c| {
            format!("the page has no response {c} table")
        })?;
    }
    let file_for_checks = overlay_file.clone().unwrap_or(page_file.clone());
    schema::canonicalize(&mut req_schema, "")
        .map_err(|e| format!("{file_for_checks}: request: {e}"))?;
    for (code, s) in &mut resp_schemas {
        if let Some(s) = s {
            schema::canonicalize(s, "")
                .map_err(|e| format!("{file_for_checks}: response {code}: {e}"))?;
        }
    }
    if let Some(J::Obj(constants)) = ov.and_then(|o| o.constants.as_ref()) {
        for (k, _) in constants {
            if req_schema
                .get("properties")
                .and_then(|p| p.get(k))
                .is_none()
            {
                return Err(format!(
                    "{}: constant `{k}` is not a top-level field of the request body",
                    overlay_file.clone().unwrap_or_default()
                ));
            }
        }
    }

    // Assemble, in the key order of spec/README.md.
    let mut spec = J::obj();
    spec.set("$schema", J::str("./schema/spec.schema.json"));
    spec.set("formatVersion", J::Num(2.into()));
    spec.set("id", J::str(&id));
    spec.set("operation", J::str(&operation));
    spec.set("title", J::str(&page.title));
    if let Some(d) = &page.description {
        spec.set("description", J::str(d));
    }
    spec.set("tags", J::Arr(page.tags.iter().map(J::str).collect()));
    if let Some(d) = ov.and_then(|o| o.domain.clone()) {
        spec.set("domain", J::str(d));
    }
    spec.set("direction", J::str(&direction));
    if let Some(k) = ov.and_then(|o| o.kind.clone()) {
        spec.set("kind", J::str(k));
    }
    spec.set("method", J::str(&page.method));
    spec.set("api", J::str(&api));
    if let Some(p) = path {
        spec.set("path", J::str(p));
    }
    if let Some(c) = ov.and_then(|o| o.constants.clone()) {
        spec.set("constants", c);
    }
    if let Some(o) = ov {
        if direction != "outbound"
            && (o.retry.is_some() || o.settled_by.is_some() || o.echo.is_some())
        {
            return Err(format!(
                "{}: `retry`, `settledBy` and `echo` are for outbound operations",
                file_for_checks
            ));
        }
        let payload = if api == "gateway" {
            req_schema.get("properties").and_then(|p| p.get("data"))
        } else {
            Some(&req_schema)
        };
        overlay::check_settled_by_fields(o, payload)
            .map_err(|e| format!("{file_for_checks}: {e}"))?;
        if let Some(r) = &o.retry {
            spec.set("retry", J::str(r));
        }
        if let Some(s) = &o.settled_by {
            spec.set("settledBy", s.clone());
        }
        if let Some(e) = &o.echo {
            spec.set("echo", e.clone());
        }
    }
    spec.set("headers", J::Arr(headers));
    let mut request = J::obj();
    request.set("contentType", J::str(content_type));
    request.set("schema", req_schema);
    if !req_body.examples.is_empty() {
        request.set("examples", J::Arr(req_body.examples.clone()));
    }
    spec.set("request", request);
    let mut responses = J::obj();
    for ((code, s), (_, body)) in resp_schemas.into_iter().zip(&page.responses) {
        let mut r = J::obj();
        if let Some(s) = s {
            r.set("schema", s);
        }
        if !body.examples.is_empty() {
            r.set("examples", J::Arr(body.examples.clone()));
        }
        responses.set(&code, r);
    }
    spec.set("responses", responses);
    if let Some(d) = ov.and_then(|o| o.doc_issues.clone())
        && d.as_arr().is_some_and(|a| !a.is_empty())
    {
        spec.set("docIssues", d);
    }
    let mut source = J::obj();
    source.set("page", J::str(format!("pages/{page_name}")));
    if let Some(o) = &overlay {
        source.set("overlay", J::str(format!("overlays/{}", o.file)));
    }
    spec.set("source", source);
    Ok((id, spec.to_pretty()))
}

/// `refundQuery` -> `refund_query`.
fn snake_case(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// Everything an import writes, computed before anything is written.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    /// Page copies to write into spec/pages/ (name, text).
    pub pages: Vec<(String, String)>,
    /// Spec files (file name in spec/, contents).
    pub specs: Vec<(String, String)>,
    /// Reports (path under spec/, contents): the OpenAPI import's IMPORT.md.
    pub reports: Vec<(String, String)>,
    /// spec/*.json files no page produces any more.
    pub stale: Vec<String>,
}

fn is_page_name(name: &str) -> bool {
    name.ends_with(".txt") || name.ends_with(".md")
}

fn read_dir_sorted(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<String>, String> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: cannot list: {e}", dir.display())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: cannot list: {e}", dir.display()))?;
        if let Some(name) = entry.file_name().to_str()
            && keep(name)
            && entry.path().is_file()
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// Computes what `import` writes for the spec folder `spec_dir`, with
/// `new_pages` (paths of page files to add or refresh) on top of the pages
/// already there. Every error is collected; the plan is returned only when
/// there are none.
pub fn plan(spec_dir: &Path, new_pages: &[PathBuf]) -> Result<Plan, Vec<String>> {
    let mut errors = Vec::new();
    let mut pages: BTreeMap<String, String> = BTreeMap::new();
    let mut copies = Vec::new();
    match read_dir_sorted(&spec_dir.join("pages"), is_page_name) {
        Ok(names) => {
            for name in names {
                match read(&spec_dir.join("pages").join(&name)) {
                    Ok(text) => {
                        pages.insert(name, text);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    for p in new_pages {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !is_page_name(&name) {
            errors.push(format!(
                "{}: a page file name ends in .txt or .md",
                p.display()
            ));
            continue;
        }
        match read(p) {
            Ok(text) => {
                copies.push((name.clone(), text.clone()));
                pages.insert(name, text);
            }
            Err(e) => errors.push(e),
        }
    }

    let mut overlays: Vec<(String, Overlay)> = Vec::new();
    match read_dir_sorted(&spec_dir.join("overlays"), |n| n.ends_with(".json")) {
        Ok(names) => {
            for name in names {
                let file = format!("spec/overlays/{name}");
                let parsed = read(&spec_dir.join("overlays").join(&name))
                    .and_then(|t| overlay::parse(&t).map_err(|e| locate(&file, e)));
                match parsed {
                    Ok(o) => {
                        if name != format!("{}.json", o.id) {
                            errors.push(format!(
                                "{file}: its id is `{}`, so it must be named {}.json",
                                o.id, o.id
                            ));
                        } else if let Some(page) = &o.page
                            && !pages.contains_key(page)
                        {
                            errors.push(format!("{file}: page `{page}` is not in spec/pages/"));
                        } else if let Some((other, _)) = overlays
                            .iter()
                            .find(|(_, x)| o.page.is_some() && x.page == o.page)
                        {
                            errors.push(format!(
                                "{file}: page `{}` already has overlay {other}",
                                o.page.as_deref().unwrap_or_default()
                            ));
                        } else {
                            overlays.push((name, o));
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        Err(e) => errors.push(e),
    }

    let mut specs: Vec<(String, String)> = Vec::new();
    let mut reports: Vec<(String, String)> = Vec::new();
    let mut produced_by: BTreeMap<String, String> = BTreeMap::new();
    match openapi::load(spec_dir) {
        Ok(Some(source)) => {
            let doc_overlays: Vec<(String, &Overlay)> = overlays
                .iter()
                .filter(|(_, o)| o.openapi.is_some())
                .map(|(f, o)| (f.clone(), o))
                .collect();
            match openapi::import_all(&source, &doc_overlays, &pages) {
                Ok((imported, stats)) => {
                    reports.push((
                        "openapi/IMPORT.md".into(),
                        openapi::report::render(&imported, &stats),
                    ));
                    for imp in imported {
                        let file = format!("{}.json", imp.id);
                        produced_by.insert(
                            file.clone(),
                            format!("openapi/api.json {}", imp.document_path),
                        );
                        specs.push((file, imp.spec.to_pretty()));
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        Ok(None) => {}
        Err(e) => errors.push(e),
    }
    for (name, text) in &pages {
        // A page an OpenAPI overlay names is only compared with the document.
        if overlays
            .iter()
            .any(|(_, o)| o.openapi.is_some() && o.page.as_deref() == Some(name.as_str()))
        {
            continue;
        }
        let ov = overlays
            .iter()
            .find(|(_, o)| o.openapi.is_none() && o.page.as_deref() == Some(name.as_str()))
            .map(|(file, overlay)| NamedOverlay { file, overlay });
        match build_spec(name, text, ov) {
            Ok((id, json)) => {
                let file = format!("{id}.json");
                if let Some(other) = produced_by.get(&file) {
                    errors.push(format!(
                        "spec/pages/{name}: produces spec id `{id}`, as spec/{other} does; give one an overlay with another id"
                    ));
                    continue;
                }
                produced_by.insert(file.clone(), format!("pages/{name}"));
                specs.push((file, json));
            }
            Err(e) => errors.push(e),
        }
    }
    let stale = match read_dir_sorted(spec_dir, |n| n.ends_with(".json")) {
        Ok(names) => names
            .into_iter()
            .filter(|n| !produced_by.contains_key(n))
            .collect(),
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    };
    if errors.is_empty() {
        Ok(Plan {
            pages: copies,
            specs,
            reports,
            stale,
        })
    } else {
        Err(errors)
    }
}

/// Writes (or, with `check`, compares) a plan. Returns every difference.
pub fn apply_plan(spec_dir: &Path, plan: &Plan, check: bool) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (name, text) in &plan.pages {
        if let Err(e) = ensure_file_contents(&spec_dir.join("pages").join(name), text, check) {
            errors.push(e);
        }
    }
    for (name, json) in plan.specs.iter().chain(&plan.reports) {
        if let Err(e) = ensure_file_contents(&spec_dir.join(name), json, check) {
            errors.push(e);
        }
    }
    for name in &plan.stale {
        if let Err(e) = ensure_file_removed(&spec_dir.join(name), check) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The spec folder of this workspace.
pub fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .join("spec")
}

/// `cargo xtask import [--check] [PAGE...]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut new_pages = Vec::new();
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`\n{USAGE}")),
            s => new_pages.push(PathBuf::from(s)),
        }
    }
    if check && !new_pages.is_empty() {
        return Err(format!("--check takes no pages\n{USAGE}"));
    }
    let dir = spec_dir();
    // Messages name files relative to the workspace root.
    let root = format!("{}/", dir.parent().unwrap_or(&dir).display());
    let join = |e: Vec<String>| e.join("\n\n").replace(&root, "");
    let plan = plan(&dir, &new_pages).map_err(join)?;
    apply_plan(&dir, &plan, check).map_err(join)?;
    if check {
        eprintln!("spec/ is up to date ({} specs)", plan.specs.len());
    }
    Ok(())
}
