//! Reply bodies, written by hand so that field order is the docs' and money
//! travels as the exact decimal text it was given (never through a float).

use serde_json::Value;

use crate::spec::{Api, OpSpec, OrderedMembers};

/// Ordered JSON object members whose values are already JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Members(pub(crate) Vec<(String, String)>);

impl Members {
    pub(crate) fn str(mut self, key: &str, value: &str) -> Self {
        self.0.push((key.to_owned(), json_string(value)));
        self
    }

    pub(crate) fn opt_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// A member whose value is JSON text already (numbers, objects).
    pub(crate) fn raw(mut self, key: &str, json: impl Into<String>) -> Self {
        self.0.push((key.to_owned(), json.into()));
        self
    }

    pub(crate) fn set_raw(&mut self, key: &str, json: impl Into<String>) -> bool {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => {
                *v = json.into();
                true
            }
            None => false,
        }
    }

    pub(crate) fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_string(k));
            out.push(':');
            out.push_str(v);
        }
        out.push('}');
        out
    }
}

pub(crate) fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// JSON text without the whitespace between tokens; every token, numbers
/// included, is kept as written.
pub(crate) fn compact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// A reply's `data`: an object, member by member, or any other JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Data {
    /// An object (faults may add or change members).
    Members(Members),
    /// Any other value (`true`, an array ...), as JSON text.
    Raw(String),
}

impl Data {
    /// `data` from its exact JSON text: an object becomes [`Data::Members`].
    pub(crate) fn from_json(text: &str) -> Self {
        match serde_json::from_str::<OrderedMembers>(text) {
            Ok(OrderedMembers(members)) => Data::Members(Members(
                members
                    .into_iter()
                    .map(|(k, v)| (k, compact_json(v.get())))
                    .collect(),
            )),
            Err(_) => Data::Raw(compact_json(text)),
        }
    }

    fn to_json(&self) -> String {
        match self {
            Data::Members(m) => m.to_json(),
            Data::Raw(text) => text.clone(),
        }
    }

    /// Writes the request's identifiers into a documented example reply, as
    /// PayerMax echoes them (the spec's `echo`: request field -> reply path,
    /// dotted through objects): the example's own values are replaced by
    /// those of `payload` (the gateway's `data`, or the legacy body). A path
    /// the example lacks, or a field the request lacks, is left as it is.
    pub(crate) fn echo_request(&mut self, echo: &[(String, String)], payload: &Value) {
        for (request, reply) in echo {
            let Some(sent) = payload.get(request).filter(|v| !v.is_null()) else {
                continue;
            };
            let path: Vec<&str> = reply.split('.').collect();
            self.set_path(&path, &sent.to_string());
        }
    }

    fn set_path(&mut self, path: &[&str], json: &str) -> bool {
        let (Data::Members(members), Some((first, rest))) = (self, path.split_first()) else {
            return false;
        };
        if rest.is_empty() {
            return members.set_raw(first, json);
        }
        let Some((_, inner)) = members.0.iter_mut().find(|(k, _)| k == first) else {
            return false;
        };
        let mut nested = Data::from_json(inner);
        let changed = nested.set_path(rest, json);
        if changed {
            *inner = nested.to_json();
        }
        changed
    }
}

/// A reply before it is written: envelope code and message, optional data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) api: Api,
    pub(crate) code: String,
    pub(crate) msg: String,
    pub(crate) data: Option<Data>,
    /// Extra top-level members (the unknown-fields and oversized faults).
    pub(crate) extra: Members,
}

/// The gateway's success code.
pub const APPLY_SUCCESS: &str = "APPLY_SUCCESS";
/// The legacy API's success code.
pub const LEGACY_SUCCESS: &str = "0000";

impl Reply {
    pub(crate) fn success(api: Api, data: Members) -> Self {
        Self::success_with(api, Some(Data::Members(data)))
    }

    /// A success whose `data` is given as JSON text, or absent.
    pub(crate) fn success_with(api: Api, data: Option<Data>) -> Self {
        let (code, msg) = match api {
            Api::Gateway => (APPLY_SUCCESS, "Success."),
            Api::Legacy => (LEGACY_SUCCESS, "success"),
        };
        Self {
            api,
            code: code.to_owned(),
            msg: msg.to_owned(),
            data,
            extra: Members::default(),
        }
    }

    pub(crate) fn error(api: Api, code: &str, msg: impl Into<String>) -> Self {
        Self {
            api,
            code: code.to_owned(),
            msg: msg.into(),
            data: None,
            extra: Members::default(),
        }
    }

    pub(crate) fn is_success(&self) -> bool {
        self.code == APPLY_SUCCESS || self.code == LEGACY_SUCCESS
    }

    pub(crate) fn to_json(&self) -> String {
        let (code_key, msg_key) = match self.api {
            Api::Gateway => ("code", "msg"),
            Api::Legacy => ("bizCode", "message"),
        };
        let mut m = Members::default()
            .str(code_key, &self.code)
            .str(msg_key, &self.msg);
        if let Some(data) = &self.data {
            m = m.raw("data", data.to_json());
        }
        m.0.extend(self.extra.0.iter().cloned());
        m.to_json()
    }
}

/// The answer of an operation the sandbox keeps no state for: its first
/// reply example's `data` as the spec writes it (numbers as written; a
/// boolean is a boolean; no `data` when the example has none), with the
/// request's identifiers written in where the reply echoes them (the spec's
/// `echo`).
pub(crate) fn example_reply(op: &OpSpec, body: &Value) -> Reply {
    let mut data = op.reply_data.as_deref().map(Data::from_json);
    if let Some(data) = data.as_mut() {
        let payload = match op.api {
            Api::Gateway => body.get("data").unwrap_or(&Value::Null),
            Api::Legacy => body,
        };
        data.echo_request(&op.echo, payload);
    }
    Reply::success_with(op.api, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_envelopes_in_doc_order_with_exact_numbers() {
        let data = Members::default()
            .str("a", "x\"y")
            .raw("refundAmount", "1000.10");
        let r = Reply::success(Api::Gateway, data);
        assert_eq!(
            r.to_json(),
            r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":{"a":"x\"y","refundAmount":1000.10}}"#
        );
        let e = Reply::error(Api::Legacy, "PARAMS_INVALID", "amount is bad");
        assert_eq!(
            e.to_json(),
            r#"{"bizCode":"PARAMS_INVALID","message":"amount is bad"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["data"]["a"], "x\"y");
    }

    #[test]
    fn data_of_any_json_type_keeps_its_text() {
        let raw =
            |text: &str| Reply::success_with(Api::Gateway, Some(Data::from_json(text))).to_json();
        assert_eq!(
            raw("{\n  \"b\": 10000.50,\n  \"s\": \"a \\\" b\",\n  \"n\": [1E+3, {\"x\": -0.0}]\n}"),
            r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":{"b":10000.50,"s":"a \" b","n":[1E+3,{"x":-0.0}]}}"#
        );
        assert_eq!(
            raw("true"),
            r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":true}"#
        );
        assert_eq!(
            raw("[ 1.50 ]"),
            r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":[1.50]}"#
        );
        assert_eq!(
            Reply::success_with(Api::Gateway, None).to_json(),
            r#"{"code":"APPLY_SUCCESS","msg":"Success."}"#
        );
        assert!(matches!(Data::from_json("{}"), Data::Members(m) if m.0.is_empty()));
    }

    #[test]
    fn the_request_identifiers_replace_the_examples() {
        let mut data = Data::from_json(
            r#"{"outRefundNo": "doc-1", "plan": {"no": "doc-2", "n": 1.50}, "status": "X"}"#,
        );
        let payload = serde_json::json!({"outRefundNo": "R-\"1", "no": "S-9", "other": "x"});
        let echo = [
            ("outRefundNo".to_owned(), "outRefundNo".to_owned()),
            ("no".to_owned(), "plan.no".to_owned()),
            ("other".to_owned(), "missing".to_owned()),
            ("absent".to_owned(), "status".to_owned()),
        ];
        data.echo_request(&echo, &payload);
        assert_eq!(
            data.to_json(),
            r#"{"outRefundNo":"R-\"1","plan":{"no":"S-9","n":1.50},"status":"X"}"#
        );
    }

    #[test]
    fn compacting_keeps_strings_whole() {
        assert_eq!(
            compact_json(" { \"a b\" : \" \\\\\" , \"c\":1 } "),
            r#"{"a b":" \\","c":1}"#
        );
    }
}
