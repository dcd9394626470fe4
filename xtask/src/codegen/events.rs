//! `crates/payermax-webhook/src/generated/events.rs`: the webhook layer's
//! `Kind` (one per inbound spec PayerMax POSTs: notifications and sync
//! callbacks) and `Event` (one variant per kind holding its generated body
//! type, behind the kind's domain feature, plus `Unknown`).
//!
//! What the model does not keep is read from the spec files: the
//! `notifyType` values each kind is documented with (the schema's enum and
//! the examples), used to dispatch where a value names one kind only.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::value::RawValue;

use crate::codegen::model::{Descriptor, Module};
use crate::codegen::spec::{Api, Ordered};
use crate::codegen::types::{doc, ident};
use crate::codegen::{format_file, naming};

/// One inbound kind PayerMax POSTs to the merchant.
struct Inbound<'a> {
    m: &'a Module,
    variant: String,
    body: &'a str,
    /// `None` for a sync callback (the merchant builds the answer).
    ack: Option<String>,
    notify_types: Vec<String>,
}

/// The acknowledgement PayerMax documents (the first 200 example), without
/// `data`: bill_payment_notify's example carries the crediting confirmation
/// of a sample order, which its page says is optional; key order and
/// spelling are kept as documented.
fn acknowledgement(example: &str, id: &str) -> Result<String, String> {
    let members: Ordered<Box<RawValue>> = serde_json::from_str(example)
        .map_err(|e| format!("spec {id}: acknowledgement is not an object: {e}"))?;
    let kept: Vec<String> = members
        .0
        .iter()
        .filter(|(k, _)| k != "data")
        .map(|(k, v)| format!("{}:{}", serde_json::Value::String(k.clone()), v.get()))
        .collect();
    Ok(format!("{{{}}}", kept.join(",")))
}

/// The `notifyType` values a spec documents: its schema's enum, then the
/// values its examples send.
fn notify_types(root: &Path, id: &str) -> Result<Vec<String>, String> {
    let path = root.join("spec").join(format!("{id}.json"));
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let spec: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: &serde_json::Value| {
        let new = v.as_str().map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = new.filter(|s| !out.iter().any(|o| o == s)) {
            out.push(s.to_owned());
        }
    };
    let request = &spec["request"];
    if let Some(values) = request["schema"]["properties"]["notifyType"]["enum"].as_array() {
        values.iter().for_each(&mut add);
    }
    if let Some(examples) = request["examples"].as_array() {
        examples.iter().for_each(|e| add(&e["notifyType"]));
    }
    Ok(out)
}

fn inbound<'a>(root: &Path, modules: &'a [Module]) -> Result<Vec<Inbound<'a>>, String> {
    let mut out = Vec::new();
    for m in modules {
        let (body, ack) = match &m.descriptor {
            Descriptor::Notification {
                body,
                acknowledgement: a,
                ..
            } => (body.as_str(), Some(acknowledgement(a, &m.id)?)),
            Descriptor::SyncCallback { body, .. } => (body.as_str(), None),
            _ => continue,
        };
        let stem = m.id.strip_suffix("_notify").unwrap_or(&m.id);
        out.push(Inbound {
            m,
            variant: naming::pascal(stem),
            body,
            ack,
            notify_types: notify_types(root, &m.id)?,
        });
    }
    Ok(out)
}

fn tokens(kinds: &[Inbound<'_>]) -> TokenStream {
    let variant = |k: &Inbound<'_>| ident(&k.variant);
    let kind_variants = kinds.iter().map(|k| {
        let v = variant(k);
        let what = if k.ack.is_some() {
            "notification"
        } else {
            "synchronous callback"
        };
        let nt = if k.notify_types.is_empty() {
            "no `notifyType`".to_owned()
        } else {
            let list: Vec<String> = k.notify_types.iter().map(|t| format!("`{t}`")).collect();
            format!("`notifyType` {}", list.join(", "))
        };
        let d = doc(&format!(
            "{} (the {what} `{}`; feature `{}`; {nt}).",
            naming::doc_text(k.m.title.trim_end_matches('.')),
            k.m.id,
            k.m.domain.feature()
        ));
        quote! { #d #v }
    });
    let all = kinds.iter().map(|k| {
        let v = variant(k);
        quote!(Kind::#v)
    });
    let arm = |f: &dyn Fn(&Inbound<'_>) -> TokenStream| -> Vec<TokenStream> {
        kinds
            .iter()
            .map(|k| {
                let v = variant(k);
                let value = f(k);
                quote!(Kind::#v => #value,)
            })
            .collect()
    };
    let ids = arm(&|k| {
        let id = &k.m.id;
        quote!(#id)
    });
    let features = arm(&|k| {
        let f = k.m.domain.feature();
        quote!(#f)
    });
    let enabled = arm(&|k| {
        let f = k.m.domain.feature();
        quote!(cfg!(feature = #f))
    });
    let apis = arm(&|k| match k.m.api {
        Api::Gateway => quote!(::payermax_types::ApiGeneration::Gateway),
        Api::LegacyV21 => quote!(::payermax_types::ApiGeneration::LegacyV21),
    });
    let acks = arm(&|k| match &k.ack {
        Some(a) => quote!(Some(#a)),
        None => quote!(None),
    });
    let nts = arm(&|k| {
        let t = &k.notify_types;
        quote!(&[#(#t),*])
    });
    let titles = arm(&|k| {
        let t = &k.m.title;
        quote!(#t)
    });
    // notifyType value -> the kinds documenting it.
    let mut by_type: BTreeMap<&str, Vec<&Inbound<'_>>> = BTreeMap::new();
    for k in kinds {
        for t in &k.notify_types {
            by_type.entry(t).or_default().push(k);
        }
    }
    let type_rows = by_type.iter().map(|(t, ks)| {
        let vs = ks.iter().map(|k| {
            let v = variant(k);
            quote!(Kind::#v)
        });
        quote!((#t, &[#(#vs),*]))
    });
    let event_variants = kinds.iter().map(|k| {
        let v = variant(k);
        let f = k.m.domain.feature();
        let module = ident(&k.m.id);
        let body = ident(k.body);
        let d = doc(&format!(
            "[`Kind::{}`]: {} (feature `{f}`).",
            k.variant,
            naming::doc_text(k.m.title.trim_end_matches('.'))
        ));
        quote! {
            #d
            #[cfg(feature = #f)]
            #v(::payermax_types::#module::#body),
        }
    });
    let decode_arms = kinds.iter().map(|k| {
        let v = variant(k);
        let f = k.m.domain.feature();
        quote! {
            #[cfg(feature = #f)]
            Kind::#v => ::serde_json::from_str(body).map(Event::#v),
        }
    });
    let kind_arms = kinds.iter().map(|k| {
        let v = variant(k);
        let f = k.m.domain.feature();
        quote! {
            #[cfg(feature = #f)]
            Event::#v(_) => Some(Kind::#v),
        }
    });
    let serialize_arms = kinds.iter().map(|k| {
        let v = variant(k);
        let f = k.m.domain.feature();
        quote! {
            #[cfg(feature = #f)]
            Event::#v(body) => ::serde::Serialize::serialize(body, serializer),
        }
    });
    quote! {
        //! The kinds of message PayerMax POSTs to the merchant and the event
        //! each decodes into: one per inbound spec of `spec/` (notifications
        //! and synchronous callbacks; the browser's page return is not a
        //! message from PayerMax, see [`crate::page_return`]).

        /// What an endpoint receives: one kind per notification and
        /// synchronous callback of PayerMax's document (whatever the
        /// features; [`Kind::is_enabled`] says whether its body type is
        /// compiled in).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Kind {
            #(#kind_variants,)*
        }

        impl Kind {
            /// Every kind, in spec order.
            pub const ALL: &'static [Kind] = &[#(#all),*];

            /// The spec id (`collect_result_notify`), also the module of
            /// `payermax_types` holding its body type.
            pub const fn spec_id(self) -> &'static str {
                match self { #(#ids)* }
            }

            /// The title of PayerMax's doc page.
            pub const fn title(self) -> &'static str {
                match self { #(#titles)* }
            }

            /// The cargo feature (domain) compiling its body type.
            pub const fn feature(self) -> &'static str {
                match self { #(#features)* }
            }

            /// Whether its domain's feature is on: [`Event`] then has its
            /// variant; otherwise a message of this kind arrives as
            /// [`Event::Unknown`].
            pub const fn is_enabled(self) -> bool {
                match self { #(#enabled)* }
            }

            /// The API generation of the message.
            pub const fn api(self) -> ::payermax_types::ApiGeneration {
                match self { #(#apis)* }
            }

            /// The exact body that acknowledges a notification of this kind,
            /// as PayerMax documents it; `None` for a synchronous callback,
            /// whose answer the merchant builds.
            pub const fn acknowledgement(self) -> Option<&'static str> {
                match self { #(#acks)* }
            }

            /// The `notifyType` values PayerMax documents for this kind
            /// (none for the RFI notification, the legacy refund
            /// notification and the bill payment validation).
            pub const fn notify_types(self) -> &'static [&'static str] {
                match self { #(#nts)* }
            }

            /// The kind of the spec `id`.
            pub fn from_spec_id(id: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.spec_id() == id)
            }

            /// The kinds documenting the `notifyType` `value` (empty for a
            /// value PayerMax does not document; more than one where the
            /// value is shared, such as `PAYMENT`).
            pub fn by_notify_type(value: &str) -> &'static [Kind] {
                NOTIFY_TYPES
                    .iter()
                    .find(|(t, _)| *t == value)
                    .map_or(&[], |(_, kinds)| *kinds)
            }
        }

        /// Every documented `notifyType` value and the kinds using it, by value.
        const NOTIFY_TYPES: &[(&str, &[Kind])] = &[#(#type_rows),*];

        /// A verified message from PayerMax, decoded into the body type of
        /// its kind.
        ///
        /// A variant exists when its domain's feature is on; a message of a
        /// kind compiled out, or of a kind this version does not know, is
        /// [`Event::Unknown`] with the verified body as received.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum Event {
            #(#event_variants)*
            /// A verified message of a kind compiled out (`kind` is `Some`)
            /// or unknown to this version (`kind` is `None`: a `notifyType`
            /// PayerMax added later).
            Unknown {
                /// The kind the endpoint stands for, when known.
                kind: Option<Kind>,
                /// The body's `notifyType`, when it has one.
                notify_type: Option<String>,
                /// The verified body, exactly as received.
                body: String,
            },
        }

        impl Event {
            /// The kind of the event; `None` for an unknown kind.
            pub fn kind(&self) -> Option<Kind> {
                match self {
                    #(#kind_arms)*
                    Event::Unknown { kind, .. } => *kind,
                }
            }

            /// Decodes a verified `body` as `kind`; a kind compiled out is
            /// [`Event::Unknown`].
            #[allow(unreachable_patterns)]
            pub(crate) fn decode(
                kind: Kind,
                body: &str,
                notify_type: Option<&str>,
            ) -> Result<Event, ::serde_json::Error> {
                match kind {
                    #(#decode_arms)*
                    _ => Ok(Event::Unknown {
                        kind: Some(kind),
                        notify_type: notify_type.map(str::to_owned),
                        body: body.to_owned(),
                    }),
                }
            }
        }

        /// An event serializes as its body: the typed body of its kind
        /// (amounts exact, unknown fields and enum values kept), or the
        /// verified body exactly as received for [`Event::Unknown`].
        impl ::serde::Serialize for Event {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    Event::Unknown { body, .. } => {
                        let raw = ::serde_json::value::RawValue::from_string(body.clone())
                            .map_err(::serde::ser::Error::custom)?;
                        ::serde::Serialize::serialize(&raw, serializer)
                    }
                }
            }
        }
    }
}

/// The generated file and its contents, for `codegen::run`'s `wanted` list.
pub fn wanted(root: &Path, modules: &[Module]) -> Result<(PathBuf, String), String> {
    let kinds = inbound(root, modules)?;
    Ok((
        root.join("crates/payermax-webhook/src/generated/events.rs"),
        format_file(tokens(&kinds))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledgement_keeps_order_and_drops_data() {
        assert_eq!(
            acknowledgement(r#"{"msg":"Success","code":"SUCCESS"}"#, "x").unwrap(),
            r#"{"msg":"Success","code":"SUCCESS"}"#
        );
        assert_eq!(
            acknowledgement(r#"{"code":"SUCCESS","msg":"Success","data":{"a":1}}"#, "x").unwrap(),
            r#"{"code":"SUCCESS","msg":"Success"}"#
        );
        assert!(acknowledgement("[]", "x").is_err());
    }
}
