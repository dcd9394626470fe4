//! The hosted checkout page: what the payer of a `Hosted_Checkout` order
//! sees at the order's `redirectUrl`. Plain HTML served by the sandbox
//! (no script, no external asset): the order summary, a Pay and a Fail
//! button, and, once the payer acted, the browser sent back to the order's
//! `frontCallbackUrl` with `outTradeNo`, `tradeToken` and `status` (a page
//! return, which proves nothing: the merchant trusts the notification or
//! `orderQuery`).
//!
//! `GET /_sandbox/checkout/<tradeToken>`: the page.
//! `POST /_sandbox/checkout/<tradeToken>` with the form body `action=pay` or
//! `action=fail`: the payer's choice; `303 See Other` to `frontCallbackUrl`.

use http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use http::{HeaderValue, Method, Response, StatusCode};

use crate::body::ReplyBody;
use crate::env::Env;
use crate::journeys::payments::{Order, OrderStatus, Payments};
use crate::pipeline::unsigned_plain;

/// Serves one checkout request; `token` is the path after `/_sandbox/checkout/`.
pub(crate) fn serve(
    payments: &Payments,
    env: &Env,
    method: &Method,
    token: &str,
    body: &[u8],
) -> Response<ReplyBody> {
    match *method {
        Method::GET | Method::HEAD => match payments.checkout(env, token) {
            Some(order) => html(StatusCode::OK, &page(&order, None)),
            None => html(StatusCode::NOT_FOUND, &not_found(token)),
        },
        Method::POST => {
            let action = form_value(body, "action");
            let pays = match action.as_deref() {
                Some("pay") => true,
                Some("fail") => false,
                _ => {
                    return unsigned_plain(
                        StatusCode::BAD_REQUEST,
                        "the checkout form sends action=pay or action=fail",
                    );
                }
            };
            match payments.payer_acts(env, token, pays) {
                Ok(order) => back_to_merchant(&order),
                Err(e) => match payments.checkout(env, token) {
                    Some(order) => html(StatusCode::CONFLICT, &page(&order, Some(&e.to_string()))),
                    None => html(StatusCode::NOT_FOUND, &not_found(token)),
                },
            }
        }
        _ => unsigned_plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "the checkout page answers GET and POST",
        ),
    }
}

/// `303` to `frontCallbackUrl` with the page-return parameters; without
/// one, the page showing the result.
fn back_to_merchant(order: &Order) -> Response<ReplyBody> {
    let Some(url) = &order.front_callback_url else {
        return html(StatusCode::OK, &page(order, None));
    };
    let target = front_callback(url, order);
    let Ok(location) = HeaderValue::from_str(&target) else {
        return html(StatusCode::OK, &page(order, None));
    };
    let mut resp = html(StatusCode::SEE_OTHER, &page(order, None));
    resp.headers_mut().insert(LOCATION, location);
    resp
}

/// `frontCallbackUrl` with `outTradeNo`, `tradeToken` and `status` added to
/// its query.
pub(crate) fn front_callback(url: &str, order: &Order) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!(
        "{base}{sep}outTradeNo={}&tradeToken={}&status={}",
        percent(&order.out_trade_no),
        percent(&order.trade_token),
        order.status.name()
    );
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A value of an `application/x-www-form-urlencoded` body.
fn form_value(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace('+', " "))
    })
}

fn html(status: StatusCode, text: &str) -> Response<ReplyBody> {
    let mut resp = Response::new(ReplyBody::full(text.to_owned()));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // No script, no external asset. No `form-action`: browsers apply it to
    // the redirect to `frontCallbackUrl` too (the browser test caught it).
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    resp
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}\
button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}\
.note{background:#fff3cd;border:1px solid #c9a227;padding:.5rem}";

fn shell(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{main}</main>\n</body>\n</html>\n"
    )
}

fn page(order: &Order, problem: Option<&str>) -> String {
    let mut main = String::from(
        "<h1>PayerMax sandbox checkout</h1>\n\
         <p class=\"note\" role=\"note\">A test double: no money moves.</p>\n",
    );
    if let Some(p) = problem {
        main.push_str(&format!("<p role=\"alert\">{}</p>\n", escape(p)));
    }
    main.push_str(&format!(
        "<dl aria-label=\"Order summary\">\n<dt>Order</dt><dd id=\"out-trade-no\">{}</dd>\n\
         <dt>Subject</dt><dd>{}</dd>\n<dt>Amount</dt><dd id=\"amount\">{} {}</dd>\n\
         <dt>Status</dt><dd id=\"status\">{}</dd>\n</dl>\n",
        escape(&order.out_trade_no),
        escape(&order.subject),
        escape(&order.amount),
        escape(&order.currency),
        order.status.name()
    ));
    if order.status == OrderStatus::Pending {
        main.push_str(
            "<form method=\"post\">\n\
             <button type=\"submit\" name=\"action\" value=\"pay\" id=\"pay\">Pay</button>\n\
             <button type=\"submit\" name=\"action\" value=\"fail\" id=\"fail\">Fail the payment</button>\n\
             </form>\n",
        );
    } else if let Some(url) = &order.front_callback_url {
        main.push_str(&format!(
            "<p><a id=\"return\" href=\"{}\">Return to the merchant</a></p>\n",
            escape(&front_callback(url, order))
        ));
    }
    shell("PayerMax sandbox checkout", &main)
}

fn not_found(token: &str) -> String {
    shell(
        "Unknown order",
        &format!(
            "<h1>Unknown order</h1>\n<p>No order with trade token {}.</p>\n",
            escape(token)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_keeps_the_query_and_fragment_and_encodes() {
        let mut o = crate::journeys::payments::tests_support::order();
        o.out_trade_no = "P 1&x".into();
        assert_eq!(
            front_callback("http://m.example/back?a=1#top", &o),
            "http://m.example/back?a=1&outTradeNo=P%201%26x&tradeToken=T1&status=PENDING#top"
        );
        assert_eq!(
            front_callback("http://m.example/back", &o),
            "http://m.example/back?outTradeNo=P%201%26x&tradeToken=T1&status=PENDING"
        );
    }

    #[test]
    fn the_page_escapes_what_the_merchant_sent() {
        let mut o = crate::journeys::payments::tests_support::order();
        o.subject = "<script>alert(1)</script>".into();
        let html = page(&o, None);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("id=\"pay\"") && html.contains("lang=\"en\""));
        assert!(!html.contains("http"), "no external asset: {html}");
        assert_eq!(
            form_value(b"x=1&action=pay", "action").as_deref(),
            Some("pay")
        );
    }
}
