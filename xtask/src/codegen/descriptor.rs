//! Code for the descriptor: a marker type implementing `Operation`
//! (outbound), `Notification`, `SyncCallback` or `Redirect` (inbound).

use proc_macro2::TokenStream;
use quote::quote;

use crate::codegen::model::{Descriptor, Module, Reply, Ty};
use crate::codegen::naming;
use crate::codegen::spec::{Api, RetryClass};
use crate::codegen::types::{doc, ident, ty_tokens};

fn api_tokens(api: Api) -> TokenStream {
    match api {
        Api::Gateway => quote!(::payermax_types::ApiGeneration::Gateway),
        Api::LegacyV21 => quote!(::payermax_types::ApiGeneration::LegacyV21),
    }
}

fn opt_str(v: &Option<String>) -> TokenStream {
    match v {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

/// The Rust type of a reply's `data`.
pub fn reply_tokens(r: &Reply) -> TokenStream {
    let t = ty_tokens(&r.ty);
    if r.optional { quote!(Option<#t>) } else { t }
}

/// How the descriptor's doc names the reply type.
fn reply_doc(r: &Reply) -> String {
    match (&r.ty, r.optional) {
        (Ty::Named(n), false) => format!("a [`{n}`]"),
        (Ty::Named(n), true) => {
            format!("an `Option` of [`{n}`] (`None` when the reply has no `data`)")
        }
        _ => format!("`{}`", reply_tokens(r).to_string().replace(' ', "")),
    }
}

/// The doc text of the documentation variant, if any.
fn variant_doc(m: &Module) -> String {
    match &m.variant {
        None => String::new(),
        Some((name, title, description)) => {
            let mut text = format!("\n\nDocumentation variant `{name}`");
            if let Some(t) = title {
                text.push_str(&format!(": {}", naming::doc_text(t)));
            }
            text.push('.');
            if let Some(d) = description.as_deref().filter(|d| !d.trim().is_empty()) {
                text.push_str(&format!(" {}", naming::doc_text(d)));
            }
            text.push_str(" Other specs may share this endpoint (same `NAME` and `PATH`).");
            text
        }
    }
}

pub fn descriptor(m: &Module) -> TokenStream {
    let name = ident(&m.descriptor_name);
    let payermax_name = &m.operation;
    let title = naming::doc_text(&m.title);
    match &m.descriptor {
        Descriptor::Operation {
            name: op,
            api,
            path,
            version,
            key_version,
            biz_type,
            app_id_field,
            request,
            response,
            retry,
            settled_by,
            echo,
            ..
        } => {
            let retry_doc = match (retry, settled_by) {
                (RetryClass::Read, _) => "A read: payermax-http may send it again after a failure, as its `RetryPolicy` allows.".to_owned(),
                (RetryClass::Write, None) => "A write: payermax-http never sends it again after a failure where the request may have reached PayerMax; no query settles such an outcome.".to_owned(),
                (RetryClass::Write, Some(s)) => format!(
                    "A write: payermax-http never sends it again after a failure where the request may have reached PayerMax; the query `{}` (`{}`) settles such an outcome.",
                    s.spec,
                    s.resolved.as_ref().map_or("", |(n, _)| n.as_str())
                ),
            };
            let d = doc(&format!(
                "{title}: the operation `{op}`, `POST {path}`.{}\n\nA marker type: payermax-http sends a [`{request}`] with it and decodes the reply's `data` as {}.\n\n{retry_doc}",
                variant_doc(m),
                reply_doc(response)
            ));
            let retry_tokens = match retry {
                RetryClass::Read => quote!(::payermax_types::RetryClass::Read),
                RetryClass::Write => quote!(::payermax_types::RetryClass::Write),
            };
            let settled = match settled_by {
                None => quote!(),
                Some(s) => {
                    let (q_name, q_path) = match &s.resolved {
                        Some((n, p)) => (n.as_str(), p.as_str()),
                        None => {
                            panic!("spec {}: settledBy not resolved", m.id)
                        }
                    };
                    let spec_id = &s.spec;
                    let keys = s.by.iter().map(|(q, r)| {
                        quote!(::payermax_types::SettleKey { query_field: #q, request_field: #r })
                    });
                    quote! {
                        const SETTLED_BY: Option<::payermax_types::SettledBy> = Some(::payermax_types::SettledBy {
                            spec: #spec_id,
                            operation: #q_name,
                            path: #q_path,
                            by: &[#(#keys),*],
                        });
                    }
                }
            };
            let echo = (!echo.is_empty()).then(|| {
                let fields = echo.iter().map(|(req, reply)| {
                    quote!(::payermax_types::Echo { request_field: #req, reply_field: #reply })
                });
                quote!(const ECHO: &'static [::payermax_types::Echo] = &[#(#fields),*];)
            });
            let api = api_tokens(*api);
            let kv = opt_str(key_version);
            let bt = opt_str(biz_type);
            let app_id = app_id_field
                .as_ref()
                .map(|f| quote!(const APP_ID_FIELD: &'static str = #f;));
            let req = ident(request);
            let resp = reply_tokens(response);
            quote! {
                #d
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct #name;

                impl ::payermax_types::Operation for #name {
                    const NAME: &'static str = #op;
                    const API: ::payermax_types::ApiGeneration = #api;
                    const PATH: &'static str = #path;
                    const DEFAULT_VERSION: &'static str = #version;
                    const KEY_VERSION: Option<&'static str> = #kv;
                    const BIZ_TYPE: Option<&'static str> = #bt;
                    #app_id
                    const RETRY: ::payermax_types::RetryClass = #retry_tokens;
                    #settled
                    #echo
                    type Request = #req;
                    type Response = #resp;
                }

                impl ::payermax_types::OperationRequest for #req {
                    type Operation = #name;
                }
            }
        }
        Descriptor::Notification {
            name: id,
            api,
            body,
            acknowledgement,
        } => {
            let d = doc(&format!(
                "{title}: the notification `{id}` PayerMax POSTs to the merchant.\n\nA marker type: its body is a [`{body}`]; the merchant answers `{}`.",
                acknowledgement.replace('`', "\\`")
            ));
            let api = api_tokens(*api);
            let b = ident(body);
            quote! {
                #d
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct #name;

                impl ::payermax_types::Notification for #name {
                    const NAME: &'static str = #id;
                    const PAYERMAX_NAME: &'static str = #payermax_name;
                    const API: ::payermax_types::ApiGeneration = #api;
                    type Body = #b;
                    const ACKNOWLEDGEMENT: &'static str = #acknowledgement;
                }
            }
        }
        Descriptor::SyncCallback {
            name: id,
            api,
            body,
            answer,
        } => {
            let d = doc(&format!(
                "{title}: the synchronous callback `{id}`: PayerMax POSTs a [`{body}`] to the merchant and reads the [`{answer}`] the merchant answers with."
            ));
            let api = api_tokens(*api);
            let b = ident(body);
            let a = ident(answer);
            quote! {
                #d
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct #name;

                impl ::payermax_types::SyncCallback for #name {
                    const NAME: &'static str = #id;
                    const PAYERMAX_NAME: &'static str = #payermax_name;
                    const API: ::payermax_types::ApiGeneration = #api;
                    type Body = #b;
                    type Answer = #a;
                }
            }
        }
        Descriptor::Redirect { name: id, api } => {
            let d = doc(&format!(
                "{title}: the redirect `{id}`: PayerMax sends the payer's browser back to the merchant.\n\nA marker type: the request is `text/plain`, which the webhook layer parses; there is no body type."
            ));
            let api = api_tokens(*api);
            quote! {
                #d
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct #name;

                impl ::payermax_types::Redirect for #name {
                    const NAME: &'static str = #id;
                    const PAYERMAX_NAME: &'static str = #payermax_name;
                    const API: ::payermax_types::ApiGeneration = #api;
                }
            }
        }
    }
}
