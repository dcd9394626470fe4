//! The operations the sandbox serves, read from `src/generated/operations.json`
//! (written by `cargo xtask codegen` from the workspace's `spec/`; the sandbox
//! never reads `spec/` itself), and the routing table built from them.
//!
//! Several operations may share a path: PayerMax documents one endpoint in
//! several variants (`orderAndPay`: hosted checkout, direct API, drop-in,
//! ...), each with its own request schema. A request on such a path is
//! served by the first variant, in the data file's order, whose schema it
//! satisfies ([`Routes::route`] gives them in that order).

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// Every operation of `spec/` as the sandbox and the workspace tests need
/// it: written by `cargo xtask codegen` (format documented in
/// `xtask/src/codegen/sandbox_data.rs`), embedded here. Request and reply
/// schemas without their documentation, the document's examples verbatim,
/// and which examples the recorded doc issues leave invalid.
pub const OPERATIONS_JSON: &str = include_str!("generated/operations.json");

/// Where legacy v2.1 operations are POSTed; the operation is chosen by `bizType`.
pub const LEGACY_BASE_PATH: &str = "/aggregate-pay-gate/api/gateway";

/// Which API generation an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The current gateway (`code`/`msg`/`data`).
    Gateway,
    /// The legacy v2.1 API (`bizCode`/`message`/`data`).
    Legacy,
}

/// Who sends the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The merchant calls PayerMax.
    Outbound,
    /// PayerMax calls the merchant (notification, sync-callback, redirect).
    Inbound,
}

/// One operation, the parts the sandbox uses.
#[derive(Debug, Clone)]
pub struct OpSpec {
    /// The spec id (`refund_query`).
    pub id: String,
    /// PayerMax's name: last path segment or `bizType`.
    pub operation: String,
    /// API generation.
    pub api: Api,
    /// Direction.
    pub direction: Direction,
    /// Request path (outbound).
    pub path: Option<String>,
    /// Header names the spec marks required (lower-case).
    pub required_headers: Vec<String>,
    /// JSON Schema of the request body.
    pub request_schema: Value,
    /// First example of the 200 reply (inbound: the acknowledgement).
    #[cfg_attr(not(test), allow(dead_code))] // the tests check the acknowledgement with it
    pub reply_example: Option<Value>,
    /// What a success answers as `data`, as exact JSON text (numbers are
    /// never re-encoded): the first 200 example's `data`, or, without an
    /// example, the data file's minimal value. `None`: no `data` member.
    pub reply_data: Option<String>,
    /// The request identifiers its reply carries back (the spec's `echo`):
    /// `(request field, reply data path)`.
    pub echo: Vec<(String, String)>,
}

/// A JSON object's members in document order, values as raw JSON text.
pub(crate) struct OrderedMembers(pub(crate) Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for OrderedMembers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = OrderedMembers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedMembers, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push(entry);
                }
                Ok(OrderedMembers(out))
            }
        }
        d.deserialize_map(MembersVisitor)
    }
}

/// Error loading an operation.
#[derive(Debug)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// One entry of `operations.json`, as written by xtask.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOp {
    id: String,
    operation: String,
    api: String,
    direction: String,
    path: Option<String>,
    #[serde(default)]
    required_headers: Vec<String>,
    request_schema: Value,
    #[serde(default)]
    reply_examples: Vec<Box<RawValue>>,
    reply_data_fallback: Option<Box<RawValue>>,
    #[serde(default)]
    echo: Vec<RawEcho>,
}

/// One entry of an operation's `echo`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEcho {
    request: String,
    reply: String,
}

#[derive(Deserialize)]
struct RawData {
    operations: Vec<Box<RawValue>>,
}

/// The `data` member of a reply example, as raw text (`None` without one).
fn example_data(example: &RawValue) -> Option<String> {
    let OrderedMembers(members) = serde_json::from_str(example.get()).ok()?;
    members
        .into_iter()
        .find(|(k, _)| k == "data")
        .map(|(_, v)| v.get().to_owned())
}

/// Parses one operation: an entry of `operations.json`.
pub fn parse_operation(text: &str) -> Result<OpSpec, SpecError> {
    let raw: RawOp =
        serde_json::from_str(text).map_err(|e| SpecError(format!("not an operation: {e}")))?;
    let at = |msg: String| SpecError(format!("{}: {msg}", raw.id));
    let api = match raw.api.as_str() {
        "gateway" => Api::Gateway,
        "legacy-v2.1" => Api::Legacy,
        other => return Err(at(format!("unknown api `{other}`"))),
    };
    let direction = match raw.direction.as_str() {
        "outbound" => Direction::Outbound,
        "inbound" => Direction::Inbound,
        other => return Err(at(format!("unknown direction `{other}`"))),
    };
    if direction == Direction::Outbound && api == Api::Gateway && raw.path.is_none() {
        return Err(at("outbound gateway operation without `path`".to_owned()));
    }
    let first = raw.reply_examples.first();
    let reply_example = first
        .map(|e| serde_json::from_str(e.get()))
        .transpose()
        .map_err(|e| at(format!("reply example: {e}")))?;
    // The data file gives a fallback when there is no reply example, or when
    // the first one does not decode as documented (a recorded doc issue).
    let reply_data = match (raw.reply_data_fallback, first) {
        (Some(fallback), _) => Some(fallback.get().to_owned()),
        (None, Some(example)) => example_data(example),
        (None, None) => None,
    };
    Ok(OpSpec {
        api,
        direction,
        path: raw.path,
        required_headers: raw
            .required_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
        request_schema: raw.request_schema,
        reply_example,
        reply_data,
        echo: raw.echo.into_iter().map(|e| (e.request, e.reply)).collect(),
        id: raw.id,
        operation: raw.operation,
    })
}

/// Every operation of the embedded data file, in its order.
pub fn embedded() -> Result<Vec<OpSpec>, SpecError> {
    let data: RawData = serde_json::from_str(OPERATIONS_JSON)
        .map_err(|e| SpecError(format!("generated/operations.json: {e}")))?;
    data.operations
        .iter()
        .map(|op| parse_operation(op.get()))
        .collect()
}

/// The routing table.
#[derive(Debug, Clone)]
pub struct Routes {
    specs: Vec<OpSpec>,
}

/// What a request path resolves to.
#[derive(Debug, Clone)]
pub enum Route<'a> {
    /// The gateway operations at this path: its variants, in order (at least one).
    Gateway(Vec<&'a OpSpec>),
    /// The legacy base: the operation depends on `bizType`.
    LegacyBase,
}

impl Routes {
    /// Builds the table.
    pub fn new(specs: Vec<OpSpec>) -> Self {
        Self { specs }
    }

    fn outbound(&self, api: Api) -> impl Iterator<Item = &OpSpec> {
        self.specs
            .iter()
            .filter(move |s| s.api == api && s.direction == Direction::Outbound)
    }

    /// Resolves a request path (ignoring one trailing slash).
    pub fn route(&self, path: &str) -> Option<Route<'_>> {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if path == LEGACY_BASE_PATH && self.outbound(Api::Legacy).next().is_some() {
            return Some(Route::LegacyBase);
        }
        let variants: Vec<&OpSpec> = self
            .outbound(Api::Gateway)
            .filter(|s| s.path.as_deref() == Some(path))
            .collect();
        (!variants.is_empty()).then_some(Route::Gateway(variants))
    }

    /// The legacy operations with this `bizType`, in order (empty when none).
    pub fn legacy(&self, biz_type: &str) -> Vec<&OpSpec> {
        self.outbound(Api::Legacy)
            .filter(|s| s.operation == biz_type)
            .collect()
    }

    /// Every operation, in order.
    #[cfg(test)]
    pub fn all(&self) -> &[OpSpec] {
        &self.specs
    }

    /// The inbound spec with this id.
    #[cfg(test)]
    pub fn inbound(&self, id: &str) -> Option<&OpSpec> {
        self.specs
            .iter()
            .find(|s| s.direction == Direction::Inbound && s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(route: Option<Route<'_>>) -> Vec<&str> {
        match route {
            Some(Route::Gateway(v)) => v.into_iter().map(|s| s.id.as_str()).collect(),
            Some(Route::LegacyBase) => vec!["<legacy>"],
            None => vec![],
        }
    }

    #[test]
    fn every_embedded_operation_parses_and_routes() {
        let specs = embedded().expect("operations parse");
        assert!(specs.len() >= 59, "{}", specs.len());
        let routes = Routes::new(specs);
        assert_eq!(
            ids(routes.route("/aggregate-pay/api/gateway/refundQuery")),
            ["refund_query"]
        );
        assert_eq!(ids(routes.route(LEGACY_BASE_PATH)), ["<legacy>"]);
        assert_eq!(
            ids(routes.route("/aggregate-pay-gate/api/gateway/")),
            ["<legacy>"]
        );
        assert!(routes.route("/aggregate-pay/api/gateway/nope").is_none());
        let legacy: Vec<&str> = routes
            .legacy("refundApply")
            .into_iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(legacy, ["legacy_refund_apply"]);
        assert!(routes.legacy("refundQueryX").is_empty());
        // Every outbound gateway operation has a route, inbound ones none.
        for s in routes.all() {
            let routed = s
                .path
                .as_deref()
                .is_some_and(|p| ids(routes.route(p)).contains(&s.id.as_str()));
            assert_eq!(
                routed,
                s.direction == Direction::Outbound && s.api == Api::Gateway,
                "{}",
                s.id
            );
        }
    }

    #[test]
    fn variants_share_a_path_in_file_order() {
        let routes = Routes::new(embedded().unwrap());
        let order = ids(routes.route("/aggregate-pay/api/gateway/orderAndPay"));
        assert_eq!(order.len(), 6, "{order:?}");
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert_eq!(
            ids(routes.route("/aggregate-pay/api/gateway/applyDropinSession")),
            ["apply_dropin_session", "apply_dropin_session_auth"]
        );
    }

    #[test]
    fn reply_data_keeps_text_and_handles_booleans_and_absence() {
        let op = |replies: &str, extra: &str| {
            parse_operation(&format!(
                r#"{{"id": "t", "operation": "t", "api": "gateway", "direction": "outbound",
                "path": "/p", "requestSchema": {{}}, "replyExamples": {replies}{extra}}}"#
            ))
            .unwrap()
            .reply_data
        };
        assert_eq!(
            op(
                r#"[{"code": "X", "data": {"b": 10000.50, "n": {"z": 1e2}}}, {"data": 1}]"#,
                ""
            )
            .as_deref(),
            Some(r#"{"b": 10000.50, "n": {"z": 1e2}}"#)
        );
        assert_eq!(op(r#"[{"data": false}]"#, "").as_deref(), Some("false"));
        // The data file's fallback wins: it is there when the example does
        // not decode as documented.
        assert_eq!(
            op(r#"[{"code": "X"}]"#, r#", "replyDataFallback": 1"#).as_deref(),
            Some("1")
        );
        assert_eq!(op(r#"[{"code": "X"}]"#, "").as_deref(), None);
        assert_eq!(
            op("[]", r#", "replyDataFallback": true"#).as_deref(),
            Some("true")
        );
        assert_eq!(op("[]", ""), None);
    }

    #[test]
    fn the_boolean_reply_without_example_answers_true() {
        let specs = embedded().unwrap();
        let rfi = specs
            .iter()
            .find(|s| s.operation == "putRfiMaterialList")
            .unwrap();
        assert_eq!(rfi.reply_data.as_deref(), Some("true"));
    }

    #[test]
    fn malformed_operations_are_errors_not_panics() {
        assert!(parse_operation("{").is_err());
        assert!(parse_operation(r#"{"id":"a"}"#).is_err());
        let op = |api: &str, path: &str| {
            parse_operation(&format!(
                r#"{{"id":"a","operation":"b","api":"{api}","direction":"outbound",{path}"requestSchema":{{}}}}"#
            ))
        };
        assert!(op("mars", r#""path":"/p","#).is_err());
        assert!(op("gateway", "").is_err());
        assert!(op("gateway", r#""path":"/p","#).is_ok());
    }
}
