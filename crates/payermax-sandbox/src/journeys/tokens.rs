//! The payment tokens journey: `applyPaymentToken` opens an application
//! `PENDING`; it settles by the rule of [`Settlement`] into an `Activated`
//! token (or fails); `inquirePaymentToken` lists a user's tokens,
//! `removePaymentToken` deletes one; a token expires on the sandbox clock.
//! Each outcome is sent as the tokenization notification (`notifyType`
//! `TOKENIZATION`) to the merchant portal's notification URL
//! ([`SandboxBuilder::portal_notify_url`](crate::SandboxBuilder::portal_notify_url)):
//! the request carries none.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::gateway::{Origin, notification};
use super::{ControlError, ControlResult, Ctx, Journey, text};
use crate::env::Env;
use crate::notify::{Ack, Outgoing};
use crate::reply::{Members, Reply};
use crate::server::lock;
use crate::settlement::{Settlement, outcome};
use crate::spec::{Api, OpSpec};
use crate::time::{format_compact, format_rfc3339_millis};

/// How long a token without a card expiry lives: 365 days.
const TOKEN_LIFE_MILLIS: i64 = 365 * 24 * 60 * 60 * 1000;

/// Where a token application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    /// Applied for (`PENDING`).
    Pending,
    /// The token was issued (`SUCCESS`).
    Success,
    /// No token (`FAILED`).
    Failed,
}

/// Where a payment token stands (`paymentTokenStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenStatus {
    /// Usable (`Activated`).
    Activated,
    /// Removed, or never usable (`Deleted`).
    Deleted,
    /// Past its expiry (`Expired`).
    Expired,
}

impl TokenStatus {
    /// PayerMax's name for it.
    pub fn name(self) -> &'static str {
        match self {
            TokenStatus::Activated => "Activated",
            TokenStatus::Deleted => "Deleted",
            TokenStatus::Expired => "Expired",
        }
    }
}

/// A payment token (and the application it came from) as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentToken {
    /// `requestId` of the application.
    pub request_id: String,
    /// The application's status.
    pub application: ApplicationStatus,
    /// `paymentTokenID`, assigned by the sandbox (`PMTOKEN` + `yyyyMMddHHmmss` + 14 digits).
    pub payment_token_id: String,
    /// `userId`.
    pub user_id: String,
    /// `tokenScope`.
    pub token_scope: String,
    /// `paymentMethodType`.
    pub payment_method_type: String,
    /// `targetOrg`.
    pub target_org: String,
    /// `country`.
    pub country: String,
    /// `cardInfo.cardOrg` (`brand`).
    pub brand: String,
    /// The card number masked: its first six and last four digits.
    pub card_info: String,
    /// Whether a CVV came with the card (`ifCVV`).
    pub cvv_given: bool,
    /// `mitType` was given (`supportMIT`).
    pub support_mit: bool,
    /// The token's status (meaningful once the application succeeded).
    pub status: TokenStatus,
    /// Expiry, Unix milliseconds: the card's expiry month's end, or a year.
    pub expiry_millis: i64,
    /// The merchant it came from.
    pub origin: Origin,
    /// Creation time of the application.
    pub created_millis: i64,
    /// Token inquiries for its user while the application was pending.
    pub queries: u32,
}

impl PaymentToken {
    fn notification_body(&self, now: i64) -> String {
        let status = match self.application {
            ApplicationStatus::Failed => "FAILED",
            _ => "SUCCESS",
        };
        let data = self
            .listed()
            .str("country", &self.country)
            .str("requestId", &self.request_id)
            .raw("supportMIT", self.support_mit.to_string())
            .str("status", status);
        notification(
            self.origin.pair(),
            "TOKENIZATION",
            ("APPLY_SUCCESS", "Success."),
            now,
            &data,
        )
    }

    /// The members of a `tokenList` entry.
    fn listed(&self) -> Members {
        Members::default()
            .str("userId", &self.user_id)
            .str("paymentTokenID", &self.payment_token_id)
            .str("tokenScope", &self.token_scope)
            .str(
                "paymentTokenExpiry",
                &format_rfc3339_millis(self.expiry_millis),
            )
            .str("paymentTokenStatus", self.status.name())
            .str("cardInfo", &self.card_info)
            .str("ifCVV", if self.cvv_given { "Y" } else { "N" })
            .str("brand", &self.brand)
            .str("paymentMethodType", &self.payment_method_type)
            .str("targetOrg", &self.target_org)
            .str("accountDisplay", "")
    }

    /// Settles the pending application: `Activated`, or `FAILED` (its id
    /// then names no usable token: `Deleted`).
    fn settle(&mut self, succeeds: bool) -> PaymentToken {
        if succeeds {
            self.application = ApplicationStatus::Success;
        } else {
            self.application = ApplicationStatus::Failed;
            self.status = TokenStatus::Deleted;
        }
        self.clone()
    }

    fn usable(&self) -> bool {
        self.application == ApplicationStatus::Success
    }
}

/// The card number masked: first six, last four, `*` between.
fn mask(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 10 {
        return "*".repeat(digits.len());
    }
    let (head, tail) = (&digits[..6], &digits[digits.len() - 4..]);
    let stars = "*".repeat(digits.len() - 10);
    format!(
        "{}{stars}{}",
        head.iter().collect::<String>(),
        tail.iter().collect::<String>()
    )
}

/// The last millisecond of a card's expiry month (`MM`, `YY` or `YYYY`).
fn card_expiry(month: &str, year: &str) -> Option<i64> {
    if !(month.bytes().chain(year.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let m: u32 = month.parse().ok().filter(|m| (1..=12).contains(m))?;
    let y: i32 = match year.len() {
        2 => 2000 + year.parse::<i32>().ok()?,
        4 => year.parse().ok()?,
        _ => return None,
    };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let first: payermax_types::Timestamp = format!("{ny:04}-{nm:02}-01T00:00:00Z").parse().ok()?;
    Some(first.unix_millis() - 1)
}

/// Every token, by `requestId`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    tokens: HashMap<String, PaymentToken>,
    by_token_id: HashMap<String, String>,
    order: Vec<String>,
    seq: u64,
}

impl Store {
    fn by_id(&mut self, token_id: &str) -> Option<&mut PaymentToken> {
        let request_id = self.by_token_id.get(token_id)?;
        self.tokens.get_mut(request_id)
    }

    /// An inquiry for `user`: counts it against its pending applications,
    /// settles those whose pending inquiries are used up, expires tokens
    /// past their expiry. Returns what changed.
    fn inquire(&mut self, user: &str, rule: &Settlement, now: i64) -> Vec<PaymentToken> {
        let mut changed = Vec::new();
        for t in self.tokens.values_mut().filter(|t| t.user_id == user) {
            if t.application == ApplicationStatus::Pending {
                t.queries = t.queries.saturating_add(1);
                if t.queries > rule.pending_queries {
                    if let Some(ok) = outcome(&t.request_id) {
                        changed.push(t.settle(ok));
                    }
                }
            }
            if t.usable() && t.status == TokenStatus::Activated && now > t.expiry_millis {
                t.status = TokenStatus::Expired;
                changed.push(t.clone());
            }
        }
        changed
    }
}

/// One of a token's text fields.
type Field = fn(&PaymentToken) -> &str;

/// The payment tokens journey.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    store: Arc<Mutex<Store>>,
}

impl Tokens {
    /// Every token application, in creation order.
    pub(crate) fn snapshot(&self) -> Vec<PaymentToken> {
        let s = lock(&self.store);
        s.order
            .iter()
            .filter_map(|id| s.tokens.get(id).cloned())
            .collect()
    }

    fn notify(env: &Env, changed: &[PaymentToken]) {
        let Some(url) = &env.portal_notify_url else {
            return;
        };
        for t in changed {
            env.notify(Outgoing {
                kind: "tokenization_notify",
                id: t.payment_token_id.clone(),
                url: url.clone(),
                body: t.notification_body(env.now()),
                ack: Ack::Gateway,
            });
        }
    }

    fn apply(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let field = |v: &Value, k: &str| text(v, k).unwrap_or_default().to_owned();
        let card = data.get("cardInfo").filter(|c| c.is_object());
        let expiry = match card {
            Some(c) => {
                let (m, y) = (
                    field(c, "cardExpirationMonth"),
                    field(c, "cardExpirationYear"),
                );
                match card_expiry(&m, &y) {
                    Some(e) => e,
                    None => {
                        return Reply::error(
                            api,
                            "PARAMS_INVALID",
                            format!(
                                "data.cardInfo.cardExpirationMonth/cardExpirationYear must be MM and YY, but your input is {m:?}/{y:?}"
                            ),
                        );
                    }
                }
            }
            None => cx.now + TOKEN_LIFE_MILLIS,
        };
        let request_id = field(&data, "requestId");
        let token = {
            let mut s = lock(&self.store);
            if let Some(t) = s.tokens.get(&request_id) {
                return Reply::error(
                    api,
                    "ORDER_REPEAT",
                    format!(
                        "requestId {request_id} already applied for token {}: inquire the user's tokens",
                        t.payment_token_id
                    ),
                );
            }
            s.seq += 1;
            let t = PaymentToken {
                request_id: request_id.clone(),
                application: ApplicationStatus::Pending,
                payment_token_id: format!("PMTOKEN{}{:014}", format_compact(cx.now), s.seq),
                user_id: field(&data, "userId"),
                token_scope: field(&data, "tokenScope"),
                payment_method_type: field(&data, "paymentMethodType"),
                target_org: field(&data, "targetOrg"),
                country: field(&data, "country"),
                brand: card.map(|c| field(c, "cardOrg")).unwrap_or_default(),
                card_info: card
                    .map(|c| mask(&field(c, "cardIdentifierNo")))
                    .unwrap_or_default(),
                cvv_given: card
                    .and_then(|c| text(c, "cvv"))
                    .is_some_and(|v| !v.is_empty()),
                support_mit: text(&data, "mitType").is_some(),
                status: TokenStatus::Activated,
                expiry_millis: expiry,
                origin: Origin::of(body),
                created_millis: cx.now,
                queries: 0,
            };
            s.by_token_id
                .insert(t.payment_token_id.clone(), request_id.clone());
            s.order.push(request_id.clone());
            s.tokens.insert(request_id.clone(), t.clone());
            t
        };
        if let (Some(after), Some(ok)) = (cx.env.settlement.settle_after, outcome(&request_id)) {
            let (store, env) = (self.store.clone(), cx.env.clone());
            cx.env.spawn(async move {
                tokio::time::sleep(after).await;
                let settled = {
                    let mut s = lock(&store);
                    let t = s.tokens.get_mut(&request_id);
                    t.filter(|t| t.application == ApplicationStatus::Pending)
                        .map(|t| t.settle(ok))
                };
                Self::notify(&env, settled.as_slice());
            });
        }
        Reply::success(
            api,
            Members::default()
                // The sandbox has no card holder's authentication page:
                // the holder goes straight back to the merchant.
                .str("redirectUrl", &field(&data, "frontCallbackUrl"))
                .str("requestId", &token.request_id)
                .str("status", "PENDING"),
        )
    }

    fn inquire(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let user = text(&data, "userId").unwrap_or_default();
        let scope = text(&data, "tokenScope").unwrap_or_default();
        let (changed, listed) = {
            let mut s = lock(&self.store);
            let changed = s.inquire(user, &cx.env.settlement, cx.now);
            let filters: [(&str, Field); 4] = [
                ("paymentTokenID", |t| &t.payment_token_id),
                ("paymentMethodType", |t| &t.payment_method_type),
                ("targetOrg", |t| &t.target_org),
                ("cardOrg", |t| &t.brand),
            ];
            let listed: Vec<String> = s
                .order
                .iter()
                .filter_map(|id| s.tokens.get(id))
                .filter(|t| t.usable() && t.status != TokenStatus::Deleted)
                .filter(|t| t.user_id == user && t.token_scope == scope)
                .filter(|t| {
                    filters.iter().all(|(key, get)| {
                        text(&data, key).is_none_or(|want| want.is_empty() || get(t) == want)
                    })
                })
                .map(|t| t.listed().to_json())
                .collect();
            (changed, listed)
        };
        Self::notify(cx.env, &changed);
        Reply::success(
            Api::Gateway,
            Members::default().raw("tokenList", format!("[{}]", listed.join(","))),
        )
    }

    fn remove(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let user = text(&data, "userId").unwrap_or_default();
        let id = text(&data, "paymentTokenID").unwrap_or_default();
        let (token, changed) = {
            let mut s = lock(&self.store);
            let found = s.by_id(id).filter(|t| t.user_id == user && t.usable());
            let Some(t) = found else {
                return Reply::error(
                    Api::Gateway,
                    "ORDER_NOT_EXIST",
                    format!("no payment token {id} for userId {user}"),
                );
            };
            let changed = t.status != TokenStatus::Deleted;
            t.status = TokenStatus::Deleted;
            (t.clone(), changed)
        };
        if changed {
            Self::notify(cx.env, std::slice::from_ref(&token));
        }
        Reply::success(
            Api::Gateway,
            Members::default()
                .str("paymentTokenID", &token.payment_token_id)
                .str("userId", &token.user_id)
                .str("paymentTokenStatus", token.status.name()),
        )
    }
}

impl Journey for Tokens {
    fn name(&self) -> &'static str {
        "tokens"
    }

    fn operations(&self) -> &'static [(Api, &'static str)] {
        &[
            (Api::Gateway, "applyPaymentToken"),
            (Api::Gateway, "inquirePaymentToken"),
            (Api::Gateway, "removePaymentToken"),
        ]
    }

    fn answer(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        match op.operation.as_str() {
            "applyPaymentToken" => self.apply(cx, body),
            "inquirePaymentToken" => self.inquire(cx, body),
            _ => self.remove(cx, body),
        }
    }

    fn control(&self, cx: Ctx<'_>, action: &str, id: &str, _body: &Value) -> Option<ControlResult> {
        let changed = {
            let mut s = lock(&self.store);
            let (t, wanted) = match action {
                "succeed" | "fail" => (s.tokens.get_mut(id), "a pending application (requestId)"),
                "expire" => (s.by_id(id), "an Activated token (paymentTokenID)"),
                _ => return None,
            };
            let Some(t) = t else {
                return Some(Err(ControlError::NotFound(format!(
                    "{action} applies to {wanted}; there is none with id {id}"
                ))));
            };
            match action {
                "expire" if t.usable() && t.status == TokenStatus::Activated => {
                    t.status = TokenStatus::Expired;
                    t.expiry_millis = t.expiry_millis.min(cx.now);
                    t.clone()
                }
                "succeed" | "fail" if t.application == ApplicationStatus::Pending => {
                    t.settle(action == "succeed")
                }
                _ => {
                    return Some(Err(ControlError::Conflict(format!(
                        "{action} applies to {wanted}; {id} is not one"
                    ))));
                }
            }
        };
        Self::notify(cx.env, std::slice::from_ref(&changed));
        let state = match changed.application {
            ApplicationStatus::Failed => "FAILED",
            _ => changed.status.name(),
        };
        Some(Ok(Members::default()
            .str("id", id)
            .str("paymentTokenID", &changed.payment_token_id)
            .str("status", state)
            .to_json()))
    }

    fn control_actions(&self) -> &'static [&'static str] {
        &["succeed", "fail", "expire"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_642_402_883_737;

    fn token(request_id: &str) -> PaymentToken {
        PaymentToken {
            request_id: request_id.into(),
            application: ApplicationStatus::Pending,
            payment_token_id: format!("PMTOKEN-{request_id}"),
            user_id: "u1".into(),
            token_scope: "tokenAcq".into(),
            payment_method_type: "CARD".into(),
            target_org: String::new(),
            country: "ID".into(),
            brand: "VISA".into(),
            card_info: mask("4444333322221111"),
            cvv_given: true,
            support_mit: true,
            status: TokenStatus::Activated,
            expiry_millis: card_expiry("03", "30").unwrap(),
            origin: Origin::default(),
            created_millis: NOW,
            queries: 0,
        }
    }

    #[test]
    fn cards_are_masked_and_expire_at_their_month_end() {
        assert_eq!(mask("4444333322221111"), "444433******1111");
        assert_eq!(mask("4444 3333 2222 1111 123"), "444433*********1123");
        assert_eq!(mask("1234"), "****");
        assert_eq!(
            format_rfc3339_millis(card_expiry("03", "30").unwrap()),
            "2030-03-31T23:59:59.999Z"
        );
        assert_eq!(
            format_rfc3339_millis(card_expiry("12", "2031").unwrap()),
            "2031-12-31T23:59:59.999Z"
        );
        for (m, y) in [
            ("13", "30"),
            ("0", "30"),
            ("03", "3"),
            ("ab", "30"),
            ("+3", "30"),
            ("03", "+1"),
        ] {
            assert_eq!(card_expiry(m, y), None, "{m}/{y}");
        }
    }

    #[test]
    fn inquiries_settle_applications_and_expire_tokens() {
        let rule = Settlement {
            pending_queries: 1,
            settle_after: None,
        };
        let mut s = Store::default();
        for id in ["R-1", "FAIL-1", "PENDING-1"] {
            s.tokens.insert(id.into(), token(id));
        }
        assert!(s.inquire("u1", &rule, NOW).is_empty());
        let mut changed: Vec<_> = s
            .inquire("u1", &rule, NOW)
            .into_iter()
            .map(|t| (t.request_id, t.application, t.status))
            .collect();
        changed.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            changed,
            [
                (
                    "FAIL-1".into(),
                    ApplicationStatus::Failed,
                    TokenStatus::Deleted
                ),
                (
                    "R-1".into(),
                    ApplicationStatus::Success,
                    TokenStatus::Activated
                ),
            ]
        );
        assert!(s.inquire("u2", &rule, NOW).is_empty());
        let later = card_expiry("03", "30").unwrap() + 1;
        let expired = s.inquire("u1", &rule, later);
        assert_eq!(expired.len(), 1);
        assert_eq!(
            (expired[0].request_id.as_str(), expired[0].status),
            ("R-1", TokenStatus::Expired)
        );
        assert_eq!(
            s.tokens["PENDING-1"].application,
            ApplicationStatus::Pending
        );
    }

    /// The notification satisfies the inbound spec it claims to.
    #[test]
    fn notification_satisfies_its_spec() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        let spec = routes.inbound("tokenization_notify").unwrap();
        for (id, ok) in [("R-1", true), ("FAIL-1", false)] {
            let mut t = token(id);
            t.origin.merchant_no = "M1".into();
            t.settle(ok);
            let body: Value = serde_json::from_str(&t.notification_body(NOW)).unwrap();
            assert_eq!(
                crate::schema::validate(&spec.request_schema, &body),
                vec![],
                "{id}"
            );
            assert_eq!(
                body["data"]["status"],
                if ok { "SUCCESS" } else { "FAILED" }
            );
        }
    }
}
