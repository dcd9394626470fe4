//! Code for the operation descriptor: a marker type implementing
//! `Operation` (outbound) or `Notification` (inbound).

use proc_macro2::TokenStream;
use quote::quote;

use crate::codegen::model::{Descriptor, Module};
use crate::codegen::spec::Api;
use crate::codegen::types::{doc, ident};

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

pub fn descriptor(m: &Module) -> TokenStream {
    let name = ident(&m.descriptor_name);
    match &m.descriptor {
        Descriptor::Operation {
            name: op,
            api,
            path,
            version,
            key_version,
            biz_type,
            request,
            response,
        } => {
            let d = doc(&format!(
                "{}: the operation `{op}`, `POST {path}`.\n\nA marker type: payermax-http sends a [`{request}`] with it and decodes a [`{response}`].",
                m.title
            ));
            let api = api_tokens(*api);
            let kv = opt_str(key_version);
            let bt = opt_str(biz_type);
            let req = ident(request);
            let resp = ident(response);
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
                "{}: the notification `{id}` PayerMax POSTs to the merchant.\n\nA marker type: its body is a [`{body}`]; the merchant answers `{}`.",
                m.title,
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
                    const API: ::payermax_types::ApiGeneration = #api;
                    type Body = #b;
                    const ACKNOWLEDGEMENT: &'static str = #acknowledgement;
                }
            }
        }
    }
}
