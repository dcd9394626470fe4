//! PayerMax's OpenAPI document (`spec/openapi/api.json`) to spec files: one
//! spec per path, documentation variants of one endpoint told apart by
//! their overlays. The rules are written in spec/README.md ("Importing
//! PayerMax's OpenAPI document"); every disagreement found is a doc issue in
//! the spec it concerns, and `spec/openapi/IMPORT.md` counts them.

pub mod compare;
pub mod convert;
pub mod examples;
pub mod issues;
pub mod report;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::overlay::{self, Overlay};
use super::schema;
use crate::json::J;
use convert::{Conv, Stats};
use issues::Issues;

/// Where gateway calls live; the rest of a path is the operation.
pub const GATEWAY_PREFIX: &str = "/aggregate-pay/api/gateway/";

/// What the merchant answers a notification with, as the document gives it
/// for every notification that has an example.
pub const ACKNOWLEDGEMENT: &str = r#"{"code":"SUCCESS","msg":"Success"}"#;

/// The vendored document and what the importer reads beside it.
pub struct Source {
    pub doc: J,
    pub translations: BTreeMap<String, String>,
    pub domains: BTreeMap<String, String>,
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

fn string_map(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let j = J::parse(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
    let pairs = j
        .as_obj()
        .ok_or_else(|| format!("{}: must be a JSON object of strings", path.display()))?;
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        let v = v
            .as_str()
            .ok_or_else(|| format!("{}: `{k}` must map to a string", path.display()))?;
        out.insert(k.clone(), v.to_owned());
    }
    Ok(out)
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads spec/openapi/; `None` when the folder has no document.
pub fn load(spec_dir: &Path) -> Result<Option<Source>, String> {
    let dir = spec_dir.join("openapi");
    let api = dir.join("api.json");
    if !api.is_file() {
        return Ok(None);
    }
    let bytes = fs::read(&api).map_err(|e| format!("{}: cannot read: {e}", api.display()))?;
    let readme = read(&dir.join("README.md"))?;
    let hash = sha256_hex(&bytes);
    let recorded = readme
        .lines()
        .find_map(|l| l.strip_prefix("sha256: "))
        .map(str::trim)
        .ok_or("spec/openapi/README.md: no `sha256: <hex>` line recording the document's hash")?;
    if recorded != hash {
        return Err(format!(
            "spec/openapi/api.json has sha256 {hash}, but spec/openapi/README.md records {recorded}: \
             record where the new document comes from and its hash in the README, then import again"
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| format!("{}: {e}", api.display()))?;
    let doc = J::parse(&text).map_err(|e| format!("{}: {e}", api.display()))?;
    Ok(Some(Source {
        doc,
        translations: string_map(&dir.join("translations.json"))?,
        domains: string_map(&dir.join("domains.json"))?,
    }))
}

/// `refundQuery` -> `refund_query`, `applyDDC` -> `apply_ddc`.
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && !chars[i - 1].is_ascii_uppercase();
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && !out.ends_with('_') && (prev_lower || (prev_upper && next_lower)) {
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

/// A document path split into what it means: direction, the operation name
/// without documentation suffixes, and the suffix (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct PathName {
    pub outbound: bool,
    pub operation: String,
    pub suffix: Option<String>,
}

/// Strips the doc tool's suffixes: `(for-…-dont-copy-me)` and `/delSuffixStartN`.
pub fn path_name(path: &str) -> Result<PathName, String> {
    let (outbound, rest) = match path.strip_prefix(GATEWAY_PREFIX) {
        Some(r) => (true, r),
        None => (false, path.trim_start_matches('/')),
    };
    let mut op = rest;
    let mut suffix = None;
    if let Some(i) = op.find('(') {
        suffix = Some(op[i..].to_owned());
        op = &op[..i];
    }
    if let Some(i) = op.find("/delSuffixStart") {
        suffix = Some(op[i..].to_owned());
        op = &op[..i];
    }
    if op.is_empty() || !op.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("path {path:?}: cannot read an operation name"));
    }
    Ok(PathName {
        outbound,
        operation: op.to_owned(),
        suffix,
    })
}

/// The default spec id of a path: snake_case of the operation; inbound
/// names lose their `Url` ending.
pub fn default_id(p: &PathName) -> String {
    let base = if p.outbound {
        p.operation.as_str()
    } else {
        p.operation.strip_suffix("Url").unwrap_or(&p.operation)
    };
    snake_case(base)
}

/// The examples of a media-type object: `example`, or the values of `examples`.
fn media_examples(media: &J) -> Vec<J> {
    if let Some(e) = media.get("example") {
        return vec![e.clone()];
    }
    media
        .get("examples")
        .and_then(J::as_obj)
        .map(|named| {
            named
                .iter()
                .filter_map(|(_, e)| e.get("value").cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// One imported operation.
pub struct Imported {
    pub id: String,
    pub document_path: String,
    pub spec: J,
}

fn str_at<'a>(j: &'a J, key: &str) -> Option<&'a str> {
    j.get(key).and_then(J::as_str)
}

/// Builds the spec of the document's `path`.
pub fn build_op(
    source: &Source,
    conv: &mut Conv<'_>,
    path: &str,
    overlay: Option<(&str, &Overlay)>,
    pages: &BTreeMap<String, String>,
) -> Result<Imported, String> {
    let op = source
        .doc
        .get("paths")
        .and_then(|p| p.get(path))
        .and_then(|p| p.get("post"))
        .ok_or_else(|| format!("{path}: not a POST path of the document"))?;
    let name = path_name(path)?;
    let ov = overlay.map(|(_, o)| o);
    let overlay_file = overlay.map(|(f, _)| format!("spec/overlays/{f}"));
    let mut issues = Issues::default();
    let id = ov.map_or_else(|| default_id(&name), |o| o.id.clone());
    if name.suffix.is_some() && ov.is_none_or(|o| o.variant.is_none()) {
        return Err(format!(
            "{path}: a documentation variant of `{}`: give it an overlay with its own `id` and `variant`",
            name.operation
        ));
    }
    let direction = if name.outbound { "outbound" } else { "inbound" };
    let kind = ov.and_then(|o| o.kind.clone());
    if kind.is_some() && name.outbound {
        return Err(format!("{path}: `kind` is for inbound operations"));
    }
    let kind_str = kind.clone().unwrap_or_else(|| "notification".into());
    let tags: Vec<String> = op
        .get("tags")
        .and_then(J::as_arr)
        .unwrap_or(&[])
        .iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    let domain = match ov.and_then(|o| o.domain.clone()) {
        Some(d) => d,
        None => tags
            .first()
            .and_then(|t| source.domains.get(t))
            .cloned()
            .ok_or_else(|| {
                format!("{path}: tag {tags:?} has no domain in spec/openapi/domains.json; add it or give `domain` in an overlay")
            })?,
    };
    if !overlay::DOMAINS.contains(&domain.as_str()) {
        return Err(format!("{path}: unknown domain `{domain}`"));
    }

    let summary = str_at(op, "summary").unwrap_or_default().trim().to_owned();
    let (title_en, _) = conv.english(&summary);
    let title = ov.and_then(|o| o.title.clone()).unwrap_or(title_en);
    let description = str_at(op, "description")
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| conv.english(d));

    // Headers.
    let mut headers = Vec::new();
    for p in op.get("parameters").and_then(J::as_arr).unwrap_or(&[]) {
        if str_at(p, "in") != Some("header") {
            return Err(format!("{path}: only header parameters are supported"));
        }
        let mut h = J::obj();
        h.set("name", J::str(str_at(p, "name").unwrap_or_default()));
        h.set(
            "required",
            J::Bool(p.get("required") == Some(&J::Bool(true))),
        );
        if let Some(d) = str_at(p, "description")
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            h.set("description", J::str(conv.english(d).0));
        }
        if let Some(e) = str_at(p, "example") {
            h.set("example", J::str(e));
        }
        headers.push(h);
    }

    // Bodies.
    let content = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(J::as_obj)
        .and_then(|c| c.first())
        .ok_or_else(|| format!("{path}: no request body"))?;
    let content_type = content.0.clone();
    let mut req_schema = conv.node(
        content
            .1
            .get("schema")
            .ok_or(format!("{path}: request without schema"))?,
        "request:",
        "",
        "",
        &mut issues,
    )?;
    let req_examples = media_examples(&content.1);
    let mut responses: Vec<(String, Option<J>, Vec<J>)> = Vec::new();
    for (code, r) in op.get("responses").and_then(J::as_obj).unwrap_or(&[]) {
        let media = r
            .get("content")
            .and_then(J::as_obj)
            .and_then(|c| c.first())
            .map(|(_, m)| m.clone());
        let Some(media) = media else {
            responses.push((code.clone(), None, Vec::new()));
            continue;
        };
        let s = match media.get("schema") {
            Some(s) => Some(conv.node(s, &format!("response {code}:"), "", "", &mut issues)?),
            None => None,
        };
        responses.push((code.clone(), s, media_examples(&media)));
    }

    // Overlay edits, then the examples against the edited schemas.
    if let (Some(o), Some(file)) = (ov, &overlay_file) {
        let mut named: Vec<(&str, &mut J)> = responses
            .iter_mut()
            .filter_map(|(c, s, _)| s.as_mut().map(|s| (c.as_str(), s)))
            .collect();
        overlay::apply_all(o, file, &mut req_schema, &mut named, &|c| {
            format!("the document has no response {c} schema")
        })?;
    }
    let payermax_sends_request = !name.outbound && kind_str != "redirect";
    if content_type == "application/json" {
        for (i, ex) in req_examples.iter().enumerate() {
            let _ = i;
            examples::reconcile(
                &mut req_schema,
                ex,
                "request:",
                "",
                payermax_sends_request,
                &mut issues,
            );
        }
    }
    for (code, s, exs) in &mut responses {
        if let Some(s) = s {
            for ex in exs.iter() {
                examples::reconcile(
                    s,
                    ex,
                    &format!("response {code}:"),
                    "",
                    name.outbound,
                    &mut issues,
                );
            }
        }
    }
    if !name.outbound && kind_str == "notification" {
        for (code, s, exs) in &mut responses {
            if code == "200" && s.is_some() && exs.is_empty() {
                exs.push(J::parse(ACKNOWLEDGEMENT).expect("a JSON constant"));
                issues.add(
                    "ack-example-missing",
                    "response 200:",
                    "The acknowledgement the merchant answers with has a schema but no example.",
                    &format!(
                        "The acknowledgement every other notification documents: {ACKNOWLEDGEMENT}."
                    ),
                );
            }
        }
    }
    let check_at = overlay_file
        .clone()
        .unwrap_or(format!("spec/openapi/api.json {path}"));
    schema::canonicalize(&mut req_schema, "").map_err(|e| format!("{check_at}: request: {e}"))?;
    for (code, s, _) in &mut responses {
        if let Some(s) = s {
            schema::canonicalize(s, "").map_err(|e| format!("{check_at}: response {code}: {e}"))?;
        }
    }

    // Constants: the example's version unless an overlay decides.
    let mut constants = None;
    if name.outbound {
        let c = match ov.and_then(|o| o.constants.clone()) {
            Some(c) => c,
            None => {
                let ex = req_examples.first();
                let version = ex.and_then(|e| str_at(e, "version")).ok_or_else(|| {
                    format!("{path}: the request example has no `version`; give `constants` in an overlay")
                })?;
                let key_version = ex.and_then(|e| str_at(e, "keyVersion")).unwrap_or("1");
                let mut c = J::obj();
                c.set("version", J::str(version));
                c.set("keyVersion", J::str(key_version));
                c
            }
        };
        let version = str_at(&c, "version").unwrap_or_default().to_owned();
        let described = req_schema
            .get("properties")
            .and_then(|p| p.get("version"))
            .and_then(|v| v.get("x-description-zh").or(v.get("description")))
            .and_then(J::as_str)
            .and_then(stated_version);
        if let Some(d) = described
            && d != version
        {
            issues.add(
                "version-disagreement",
                "request:version",
                &format!("The example sends version {version:?}; the field's description says the current value is {d:?}."),
                &format!("{version} is the default (the example, unless an overlay decides otherwise); the client lets callers override it per operation."),
            );
        }
        constants = Some(c);
    }

    // A page describing the same operation.
    let mut page_source = None;
    if let Some(page) = ov.and_then(|o| o.page.clone()) {
        let text = pages.get(&page).ok_or_else(|| {
            format!(
                "{}: page `{page}` is not in spec/pages/",
                overlay_file.clone().unwrap_or_default()
            )
        })?;
        let (_, page_spec) = super::build_spec(&page, text, None)?;
        let page_spec = J::parse(&page_spec).map_err(|e| format!("{page}: {e}"))?;
        compare::page_against_document(
            &page_spec,
            &mut req_schema,
            responses
                .iter_mut()
                .find(|(c, _, _)| c == "200")
                .and_then(|(_, s, _)| s.as_mut()),
            constants.as_ref(),
            &mut issues,
        );
        page_source = Some(page);
    }

    // Assemble, in the key order of spec/README.md.
    let mut spec = J::obj();
    spec.set("$schema", J::str("./schema/spec.schema.json"));
    spec.set("formatVersion", J::Num(2.into()));
    spec.set("id", J::str(&id));
    spec.set("operation", J::str(&name.operation));
    spec.set("title", J::str(&title));
    if title != summary && !summary.is_empty() {
        spec.set("x-title-zh", J::str(&summary));
    }
    if let Some((en, zh)) = &description {
        spec.set("description", J::str(en));
        if let Some(zh) = zh {
            spec.set("x-description-zh", J::str(zh));
        }
    }
    spec.set("tags", J::Arr(tags.iter().map(J::str).collect()));
    spec.set("domain", J::str(&domain));
    spec.set("direction", J::str(direction));
    if !name.outbound {
        spec.set("kind", J::str(&kind_str));
    }
    if let Some(v) = ov.and_then(|o| o.variant.clone()) {
        spec.set("variant", v);
    }
    spec.set("method", J::str("POST"));
    spec.set("api", J::str("gateway"));
    if name.outbound {
        spec.set(
            "path",
            J::str(format!("{GATEWAY_PREFIX}{}", name.operation)),
        );
    }
    if let Some(c) = constants {
        spec.set("constants", c);
    }
    if let Some(o) = ov {
        if !name.outbound && (o.retry.is_some() || o.settled_by.is_some() || o.echo.is_some()) {
            return Err(format!(
                "{path}: `retry`, `settledBy` and `echo` are for outbound operations"
            ));
        }
        overlay::check_settled_by_fields(
            o,
            req_schema.get("properties").and_then(|p| p.get("data")),
        )
        .map_err(|e| format!("{}: {e}", overlay_file.clone().unwrap_or_default()))?;
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
    request.set("contentType", J::str(&content_type));
    request.set("schema", req_schema);
    if !req_examples.is_empty() {
        request.set("examples", J::Arr(req_examples));
    }
    spec.set("request", request);
    let mut resp = J::obj();
    for (code, s, exs) in responses {
        let mut r = J::obj();
        if let Some(s) = s {
            r.set("schema", s);
        }
        if !exs.is_empty() {
            r.set("examples", J::Arr(exs));
        }
        resp.set(&code, r);
    }
    spec.set("responses", resp);
    let mut all_issues: Vec<J> = ov
        .and_then(|o| o.doc_issues.clone())
        .and_then(|d| d.as_arr().map(<[J]>::to_vec))
        .unwrap_or_default();
    all_issues.extend(issues.to_json());
    if !all_issues.is_empty() {
        spec.set("docIssues", J::Arr(all_issues));
    }
    let mut src = J::obj();
    src.set("openapi", J::str("openapi/api.json"));
    src.set("path", J::str(path));
    if let Some(f) = overlay.map(|(f, _)| f) {
        src.set("overlay", J::str(format!("overlays/{f}")));
    }
    if let Some(p) = page_source {
        src.set("page", J::str(format!("pages/{p}")));
    }
    spec.set("source", src);
    Ok(Imported {
        id,
        document_path: path.to_owned(),
        spec,
    })
}

/// `1.4` from `接口版本 当前值为：1.4` or `API version. Current value: 1.5`.
fn stated_version(text: &str) -> Option<String> {
    let after = text
        .split_once("当前值为：")
        .or_else(|| text.split_once("当前值为:"))
        .or_else(|| text.split_once("Current value: "))
        .or_else(|| text.split_once("current value: "))?
        .1;
    let v: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let v = v.trim_end_matches('.').to_owned();
    (!v.is_empty()).then_some(v)
}

/// Every operation of the document, with the overlays that name a path of it.
pub fn import_all(
    source: &Source,
    overlays: &[(String, &Overlay)],
    pages: &BTreeMap<String, String>,
) -> Result<(Vec<Imported>, Stats), Vec<String>> {
    let mut errors = Vec::new();
    let mut conv = Conv {
        doc: &source.doc,
        translations: &source.translations,
        stats: Stats::default(),
    };
    let paths: Vec<String> = source
        .doc
        .get("paths")
        .and_then(J::as_obj)
        .unwrap_or(&[])
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    for (file, o) in overlays {
        if let Some(p) = &o.openapi
            && !paths.contains(p)
        {
            errors.push(format!(
                "spec/overlays/{file}: `openapi` names {p:?}, which is not a path of the document"
            ));
        }
    }
    let mut out: Vec<Imported> = Vec::new();
    for path in &paths {
        let ov = overlays
            .iter()
            .find(|(_, o)| o.openapi.as_deref() == Some(path.as_str()))
            .map(|(f, o)| (f.as_str(), *o));
        match build_op(source, &mut conv, path, ov, pages) {
            Ok(imp) => {
                if let Some(other) = out.iter().find(|o| o.id == imp.id) {
                    errors.push(format!(
                        "{path}: spec id `{}` is also produced by {}; give one an overlay with another id",
                        imp.id, other.document_path
                    ));
                } else {
                    out.push(imp);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok((out, conv.stats))
    } else {
        Err(errors)
    }
}
