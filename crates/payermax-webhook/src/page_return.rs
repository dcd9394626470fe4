//! The payer's browser coming back to the merchant (`frontCallbackUrl`).
//!
//! **A page return proves nothing about the payment.** It is not signed,
//! and anyone can open the URL with any parameters: PayerMax's page says
//! never to update an order from its `status`. Show the payer a "we are
//! checking" page, then rely on the payment result notification
//! ([`Kind::CollectResult`](crate::Kind::CollectResult)) or query the order
//! (`payermax_types::order_query`).
//!
//! [`PageReturn::parse`] reads what the browser brings back: the query
//! string (a GET redirect) and, for a form POST, the
//! `application/x-www-form-urlencoded` or `text/plain` body.

use std::collections::BTreeMap;

/// The parameters of a page return, untrusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageReturn {
    /// `outTradeNo`: the merchant's order number, if present.
    pub out_trade_no: Option<String>,
    /// `tradeToken`: PayerMax's order number, if present.
    pub trade_token: Option<String>,
    /// `status` as the browser brought it: **not** the payment's status.
    pub claimed_status: Option<String>,
    /// Every parameter, decoded (the last value wins for a repeated name).
    pub params: BTreeMap<String, String>,
}

impl PageReturn {
    /// Parses the query string of `uri` and `body` (a form or `text/plain`
    /// body of `name=value` pairs; anything else in it is ignored).
    /// Never fails: what cannot be read is left out.
    pub fn parse(uri: &http::Uri, body: &[u8]) -> PageReturn {
        let mut params = BTreeMap::new();
        if let Some(q) = uri.query() {
            pairs(q, &mut params);
        }
        if let Ok(text) = std::str::from_utf8(body) {
            let text = text.trim();
            if !text.starts_with('{') {
                pairs(text, &mut params);
            }
        }
        PageReturn {
            out_trade_no: params.get("outTradeNo").cloned(),
            trade_token: params.get("tradeToken").cloned(),
            claimed_status: params.get("status").cloned(),
            params,
        }
    }

    /// Parses a request as [`PageReturn::parse`] does.
    pub fn from_request<B: AsRef<[u8]>>(request: &http::Request<B>) -> PageReturn {
        PageReturn::parse(request.uri(), request.body().as_ref())
    }
}

fn pairs(text: &str, out: &mut BTreeMap<String, String>) {
    for pair in text.split(['&', '\n']) {
        let pair = pair.trim();
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.insert(decode(name), decode(value));
    }
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space); invalid
/// escapes are kept as written; invalid UTF-8 is replaced.
fn decode(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_are_read() {
        let uri: http::Uri = "/back?outTradeNo=ORDER-1&status=SUCCESS&note=a+b%20c%2"
            .parse()
            .unwrap();
        let r = PageReturn::parse(&uri, b"tradeToken=T1");
        assert_eq!(r.out_trade_no.as_deref(), Some("ORDER-1"));
        assert_eq!(r.trade_token.as_deref(), Some("T1"));
        assert_eq!(r.claimed_status.as_deref(), Some("SUCCESS"));
        assert_eq!(r.params["note"], "a b c%2");
        assert_eq!(
            PageReturn::parse(&"/".parse().unwrap(), b"\xff{"),
            PageReturn::default()
        );
    }
}
