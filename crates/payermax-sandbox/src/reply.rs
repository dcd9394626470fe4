//! Reply bodies, written by hand so that field order is the docs' and money
//! travels as the exact decimal text it was given (never through a float).

use crate::spec::Api;

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

/// A reply before it is written: envelope code and message, optional data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) api: Api,
    pub(crate) code: String,
    pub(crate) msg: String,
    pub(crate) data: Option<Members>,
    /// Extra top-level members (the unknown-fields and oversized faults).
    pub(crate) extra: Members,
}

/// The gateway's success code.
pub const APPLY_SUCCESS: &str = "APPLY_SUCCESS";
/// The legacy API's success code.
pub const LEGACY_SUCCESS: &str = "0000";

impl Reply {
    pub(crate) fn success(api: Api, data: Members) -> Self {
        let (code, msg) = match api {
            Api::Gateway => (APPLY_SUCCESS, "Success."),
            Api::Legacy => (LEGACY_SUCCESS, "success"),
        };
        Self {
            api,
            code: code.to_owned(),
            msg: msg.to_owned(),
            data: Some(data),
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
}
