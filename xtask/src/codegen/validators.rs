//! Code for `impl Validate`: every constraint of the spec, checked with the
//! field path as on the wire.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::codegen::model::{Checks, Member, Role, StructDef, Ty};
use crate::codegen::naming;
use crate::codegen::types::{field_ident, ident, variant_ident};

/// The name of the static holding a field's compiled pattern.
fn pattern_static(owner: &str, rust: &str) -> proc_macro2::Ident {
    format_ident!(
        "{}_{}_PATTERN",
        naming::snake(owner).to_uppercase(),
        naming::snake(rust).to_uppercase()
    )
}

/// Whether a value of this type, with these checks, needs any code.
fn needs_check(ty: &Ty, checks: &Checks) -> bool {
    match ty {
        Ty::Named(_) => true,
        Ty::Vec(inner) => checks.on_container() || needs_check(inner, checks),
        Ty::Map => checks.on_container(),
        Ty::String | Ty::Uri | Ty::Text | Ty::Amount(_) => checks.on_text(),
        Ty::Integer | Ty::Boolean | Ty::Timestamp | Ty::Number | Ty::Json => false,
    }
}

/// `Some(n)` / `None` as tokens.
fn opt_count(n: Option<u64>) -> TokenStream {
    match n {
        Some(n) => {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}

/// Statements checking `value` (an expression of type `&T`) at `path` (an
/// expression of type `&str`).
fn check(
    owner: &str,
    rust: &str,
    ty: &Ty,
    checks: &Checks,
    value: TokenStream,
    path: TokenStream,
) -> TokenStream {
    let v = quote!(::payermax_types);
    match ty {
        Ty::Named(_) => quote!(#v::Validate::validate_into(#value, #path, out);),
        Ty::Vec(inner) => {
            let mut out = vec![quote! {
                let field: &str = #path;
                let items: &[_] = #value;
            }];
            if checks.min_items.is_some() || checks.max_items.is_some() {
                let min = opt_count(checks.min_items);
                let max = opt_count(checks.max_items);
                out.push(quote!(#v::validate::check_items(field, items.len(), #min, #max, out);));
            }
            if checks.unique_items {
                out.push(quote!(#v::validate::check_unique(field, items, out);));
            }
            if needs_check(
                inner,
                &Checks {
                    min_items: None,
                    max_items: None,
                    unique_items: false,
                    ..checks.clone()
                },
            ) {
                let each = check(owner, rust, inner, checks, quote!(item), quote!(&item_path));
                out.push(quote! {
                    for (i, item) in items.iter().enumerate() {
                        let item_path = #v::validate::index_path(field, i);
                        #each
                    }
                });
            }
            quote!(#(#out)*)
        }
        Ty::Map => {
            let min = opt_count(checks.min_properties);
            let max = opt_count(checks.max_properties);
            quote! {
                let map: &::serde_json::Map<String, ::serde_json::Value> = #value;
                #v::validate::check_properties(#path, map.len(), #min, #max, out);
            }
        }
        Ty::String | Ty::Uri | Ty::Text | Ty::Amount(_) => {
            let is_amount = matches!(ty, Ty::Amount(_));
            let text = if is_amount {
                quote!(&text)
            } else if matches!(ty, Ty::Text) {
                quote!(#value.as_str())
            } else {
                quote!(#value)
            };
            let mut out = Vec::new();
            if checks.max_length.is_some() || checks.min_length.is_some() {
                let opt = |n: Option<u64>| match n {
                    Some(n) => {
                        let n = proc_macro2::Literal::u64_unsuffixed(n);
                        quote!(Some(#n))
                    }
                    None => quote!(None),
                };
                let min = opt(checks.min_length);
                let max = opt(checks.max_length);
                out.push(quote!(#v::validate::check_length(field, #text, #min, #max, out);));
            }
            if checks.pattern.is_some() {
                let p = pattern_static(owner, rust);
                out.push(quote!(#v::validate::check_pattern(field, #text, &#p, out);));
            }
            let text_binding =
                is_amount.then(|| quote!(let text = ::std::string::ToString::to_string(#value);));
            quote! {
                let field: &str = #path;
                #text_binding
                #(#out)*
            }
        }
        Ty::Integer | Ty::Boolean | Ty::Timestamp | Ty::Number | Ty::Json => quote!(),
    }
}

/// The pattern statics a struct needs.
pub fn pattern_statics(s: &StructDef) -> TokenStream {
    let mut out = Vec::new();
    for f in s.fields() {
        if let Some(p) = &f.checks.pattern {
            let name = pattern_static(&s.name, &f.rust);
            let d = format!(" The pattern of `{}.{}`.", s.name, f.wire);
            out.push(quote! {
                #[doc = #d]
                static #name: ::payermax_types::validate::Pattern =
                    ::payermax_types::validate::Pattern::new(#p);
            });
        }
    }
    quote!(#(#out)*)
}

pub fn validate_impl(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let mut body = Vec::new();
    for m in &s.members {
        match m {
            Member::Field(f) => {
                if !needs_check(&f.ty, &f.checks) {
                    continue;
                }
                let id = field_ident(&f.rust);
                let wire = &f.wire;
                let path = quote!(&::payermax_types::validate::field_path(path, #wire));
                if f.required {
                    let c = check(&s.name, &f.rust, &f.ty, &f.checks, quote!(&self.#id), path);
                    body.push(quote!({ #c }));
                } else {
                    let c = check(&s.name, &f.rust, &f.ty, &f.checks, quote!(value), path);
                    body.push(quote! {
                        if let Some(value) = &self.#id {
                            #c
                        }
                    });
                }
            }
            Member::OneOf(o) => {
                if !o.variants.iter().any(|f| needs_check(&f.ty, &f.checks)) {
                    continue;
                }
                let gid = field_ident(&o.field);
                let gty = ident(&o.name);
                let arms = o.variants.iter().map(|f| {
                    let var = variant_ident(&f.rust);
                    let wire = &f.wire;
                    let path = quote!(&::payermax_types::validate::field_path(path, #wire));
                    let c = check(&s.name, &f.rust, &f.ty, &f.checks, quote!(value), path);
                    if needs_check(&f.ty, &f.checks) {
                        quote!(#gty::#var(value) => { #c })
                    } else {
                        quote!(#gty::#var(_) => {})
                    }
                });
                body.push(quote! {
                    match &self.#gid {
                        #(#arms)*
                    }
                });
            }
        }
    }
    let (path_arg, out_arg) = if body.is_empty() {
        (quote!(_path), quote!(_out))
    } else {
        (quote!(path), quote!(out))
    };
    let prefix = (s.role == Role::GatewayRequest && !body.is_empty())
        .then(|| quote!(let path: &str = &::payermax_types::validate::field_path(path, "data");));
    quote! {
        impl ::payermax_types::Validate for #name {
            fn validate_into(&self, #path_arg: &str, #out_arg: &mut Vec<::payermax_types::Violation>) {
                #prefix
                #(#body)*
            }
        }
    }
}
