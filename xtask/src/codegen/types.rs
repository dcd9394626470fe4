//! Code for the data types: structs (with constructor, setters and, for
//! structs holding a one-of group, a checked wire form), one-of enums and
//! value enums.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::codegen::model::{EnumDef, EnumValues, Field, Member, OneOfDef, StructDef, Ty, Wire};
use crate::codegen::naming;

/// `#[doc = "..."]` lines for a text (one attribute per line, so
/// prettyplease prints `///` comments).
pub fn doc(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|l| {
        let l = l.trim_end();
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The identifier of a field from its Rust name ([`Field::rust`]).
pub fn field_ident(rust: &str) -> Ident {
    naming::field_ident(rust).unwrap_or_else(|e| panic!("checked by the model: {e}"))
}

/// The setter of an optional field: the field's name, or `with_<name>`
/// where that would hide `new` or `Validate`'s methods.
pub fn setter_ident(rust: &str) -> Ident {
    let id = field_ident(rust);
    match id.to_string().as_str() {
        "new" | "validate" | "validate_into" => format_ident!("with_{}", id),
        _ => id,
    }
}

/// A one-of variant or enum value identifier.
pub fn variant_ident(name: &str) -> Ident {
    naming::type_ident(name, "Value").unwrap_or_else(|e| panic!("checked by the model: {e}"))
}

/// An unsuffixed integer literal (`-1`, not `-1i64`).
pub fn int_lit(n: i64) -> TokenStream {
    let lit = proc_macro2::Literal::u64_unsuffixed(n.unsigned_abs());
    if n < 0 { quote!(-#lit) } else { quote!(#lit) }
}

pub fn ty_tokens(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String | Ty::Uri => quote!(String),
        Ty::Text => quote!(::payermax_types::Text),
        Ty::Integer => quote!(i64),
        Ty::Boolean => quote!(bool),
        Ty::Number => quote!(::payermax_types::Number),
        Ty::Map => quote!(::serde_json::Map<String, ::serde_json::Value>),
        Ty::Json => quote!(::serde_json::Value),
        Ty::Amount(_) => quote!(::payermax_types::Amount),
        Ty::Timestamp => quote!(::payermax_types::Timestamp),
        Ty::Named(n) => {
            let i = ident(n);
            quote!(#i)
        }
        Ty::Vec(inner) => {
            let i = ty_tokens(inner);
            quote!(Vec<#i>)
        }
    }
}

fn field_doc(f: &Field) -> String {
    let mut text = match &f.doc {
        Some(d) if !d.trim().is_empty() => format!("`{}`: {}", f.wire, naming::doc_text(d)),
        _ => format!("`{}`.", f.wire),
    };
    for e in &f.examples {
        text.push_str(&format!("\n\nExample: `{}`", e.replace('`', "'")));
    }
    text
}

/// The serde (and schemars) attributes of a field: name, aliases, optional
/// handling, and the amount wire form.
fn field_attrs(f: &Field, optional: bool) -> TokenStream {
    let wire = &f.wire;
    let aliases = &f.aliases;
    let opt = match (optional, f.write_null) {
        (false, _) => None,
        // Required but nullable: the key is always written, `None` as `null`.
        (true, true) => Some(quote!(#[serde(default)])),
        (true, false) => Some(quote!(#[serde(default, skip_serializing_if = "Option::is_none")])),
    };
    let amount = match &f.ty {
        Ty::Amount(w) => {
            let (with, schema) = match (w, optional) {
                (Wire::Number, false) => ("as_number", "number_schema"),
                (Wire::Number, true) => ("option_as_number", "number_schema"),
                (Wire::String, false) => ("as_string", "string_schema"),
                (Wire::String, true) => ("option_as_string", "string_schema"),
            };
            let with = format!("::payermax_types::amount::{with}");
            let schema = format!("::payermax_types::amount::{schema}");
            Some(quote! {
                #[serde(with = #with)]
                #[cfg_attr(feature = "schemars", schemars(schema_with = #schema))]
            })
        }
        _ => None,
    };
    let schema = schemars_checks(f);
    let uri = matches!(f.ty, Ty::Uri)
        .then(|| quote!(#[cfg_attr(feature = "schemars", schemars(extend("format" = "uri")))]));
    quote! {
        #[serde(rename = #wire #(, alias = #aliases)*)]
        #opt
        #amount
        #schema
        #uri
    }
}

/// `#[schemars(length(..), regex(..))]` so the derived JSON Schema carries
/// the spec's constraints (on the items, for arrays).
fn schemars_checks(f: &Field) -> Option<TokenStream> {
    let c = &f.checks;
    let mut parts = Vec::new();
    if c.min_length.is_some() || c.max_length.is_some() {
        let min = c.min_length.map(|n| {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            quote!(min = #n)
        });
        let max = c.max_length.map(|n| {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            quote!(max = #n)
        });
        let args = min.into_iter().chain(max);
        parts.push(quote!(length(#(#args),*)));
    }
    if let Some(p) = &c.pattern {
        parts.push(quote!(regex(pattern = #p)));
    }
    if parts.is_empty() || matches!(&f.ty, Ty::Named(_)) {
        return None;
    }
    Some(if matches!(f.ty, Ty::Vec(_)) {
        quote!(#[cfg_attr(feature = "schemars", schemars(inner(#(#parts),*)))])
    } else {
        quote!(#[cfg_attr(feature = "schemars", schemars(#(#parts),*))])
    })
}

pub fn check_supported(f: &Field) -> Result<(), String> {
    if matches!(&f.ty, Ty::Vec(inner) if matches!(**inner, Ty::Amount(_) | Ty::Vec(_))) {
        return Err(format!(
            "{}: arrays of amounts and nested arrays are not generated",
            f.wire
        ));
    }
    Ok(())
}

fn wire_struct_name(s: &StructDef) -> Ident {
    format_ident!("{}Wire", s.name)
}

pub fn struct_def(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc(&s.doc);
    let has_one_of = s.members.iter().any(|m| matches!(m, Member::OneOf(_)));
    let has_required = s.has_required();
    let default = (!has_required).then(|| quote!(Default,));
    let try_from = has_one_of.then(|| {
        let w = wire_struct_name(s).to_string();
        quote!(#[serde(try_from = #w)])
    });
    let mut fields = Vec::new();
    let mut required_fields = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for m in &s.members {
        match m {
            Member::Field(f) => {
                let id = field_ident(&f.rust);
                let ty = ty_tokens(&f.ty);
                let d = doc(&field_doc(f));
                let attrs = field_attrs(f, !f.required);
                if f.required {
                    fields.push(quote! { #d #attrs pub #id: #ty, });
                    required_fields.push(quote! { #d pub #id: #ty, });
                    inits.push(quote!(#id: required.#id));
                } else {
                    fields.push(quote! { #d #attrs pub #id: Option<#ty>, });
                    inits.push(quote!(#id: None));
                    let sd = doc(&format!("Sets {}", field_doc(f)));
                    let setter = setter_ident(&f.rust);
                    let (param, value) = match f.ty {
                        Ty::String | Ty::Uri => (quote!(impl Into<String>), quote!(#id.into())),
                        Ty::Text => (
                            quote!(impl Into<::payermax_types::Text>),
                            quote!(#id.into()),
                        ),
                        _ => (ty.clone(), quote!(#id)),
                    };
                    setters.push(quote! {
                        #sd
                        pub fn #setter(mut self, #id: #param) -> Self {
                            self.#id = Some(#value);
                            self
                        }
                    });
                }
            }
            Member::OneOf(o) => {
                let id = field_ident(&o.field);
                let ty = ident(&o.name);
                let wires: Vec<String> =
                    o.variants.iter().map(|v| format!("`{}`", v.wire)).collect();
                let d = doc(&format!(
                    "Exactly one of {}: see [`{}`].",
                    wires.join(", "),
                    o.name
                ));
                fields.push(quote! { #d #[serde(flatten)] pub #id: #ty, });
                required_fields.push(quote! { #d pub #id: #ty, });
                inits.push(quote!(#id: required.#id));
            }
        }
    }
    let wire = has_one_of.then(|| wire_struct(s));
    let constructors = if has_required {
        let rname = required_name(s);
        let rdoc = doc(&format!(
            "The required members of [`{}`], named at the call site: `{}::new({} {{ .. }})`. A struct literal must name every field, so the compiler proves none is missing.",
            s.name, s.name, rname
        ));
        let new_doc = doc(&format!(
            "A `{}` from its required members; optional fields start empty and are set with the methods named after them.",
            s.name
        ));
        quote! {
            #rdoc
            #[derive(Debug, Clone, PartialEq)]
            pub struct #rname {
                #(#required_fields)*
            }

            impl From<#rname> for #name {
                fn from(required: #rname) -> Self {
                    #name { #(#inits),* }
                }
            }

            impl #name {
                #new_doc
                pub fn new(required: #rname) -> Self {
                    Self::from(required)
                }

                #(#setters)*
            }
        }
    } else {
        let new_doc = doc(&format!(
            "An empty `{}`: every field is optional and set with the methods named after it.",
            s.name
        ));
        quote! {
            impl #name {
                #new_doc
                pub fn new() -> Self {
                    Self::default()
                }

                #(#setters)*
            }
        }
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        #try_from
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #constructors

        #wire
    }
}

/// `<Name>Required`: the struct of a struct's required members.
pub fn required_name(s: &StructDef) -> Ident {
    format_ident!("{}Required", s.name)
}

/// The private form a struct with one-of groups is read through, so that
/// exactly one member of each group is enforced on read.
fn wire_struct(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let wname = wire_struct_name(s);
    let sname = s.name.as_str();
    let mut fields = Vec::new();
    let mut moves = Vec::new();
    let mut picks = Vec::new();
    for m in &s.members {
        match m {
            Member::Field(f) => {
                let id = field_ident(&f.rust);
                let ty = ty_tokens(&f.ty);
                let attrs = field_attrs(f, !f.required);
                let ty = if f.required { ty } else { quote!(Option<#ty>) };
                fields.push(quote! { #attrs #id: #ty, });
                moves.push(quote!(#id: w.#id));
            }
            Member::OneOf(o) => {
                let gid = field_ident(&o.field);
                let gty = ident(&o.name);
                let gname = &o.name;
                let mut ids = Vec::new();
                for v in &o.variants {
                    let id = field_ident(&v.rust);
                    let ty = ty_tokens(&v.ty);
                    let attrs = field_attrs(v, true);
                    fields.push(quote! { #attrs #id: Option<#ty>, });
                    ids.push(id);
                }
                let wires: Vec<&str> = o.variants.iter().map(|v| v.wire.as_str()).collect();
                let arms = o.variants.iter().enumerate().map(|(i, v)| {
                    let var = variant_ident(&v.rust);
                    let pats = (0..o.variants.len()).map(|j| {
                        if i == j {
                            quote!(Some(v))
                        } else {
                            quote!(None)
                        }
                    });
                    quote! { (#(#pats),*) => #gty::#var(v), }
                });
                let ors = ids.iter().map(|id| quote!(usize::from(#id.is_some())));
                let binds = ids.clone();
                picks.push(quote! {
                    let #gid = match (#(w.#ids),*) {
                        #(#arms)*
                        (#(#binds),*) => {
                            return Err(::payermax_types::validate::OneOfError {
                                group: #gname,
                                fields: &[#(#wires),*],
                                present: #(#ors)+*,
                            })
                        }
                    };
                });
                moves.push(quote!(#gid));
            }
        }
    }
    quote! {
        #[derive(::serde::Deserialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema), schemars(rename = #sname))]
        struct #wname {
            #(#fields)*
        }

        impl TryFrom<#wname> for #name {
            type Error = ::payermax_types::validate::OneOfError;

            fn try_from(w: #wname) -> Result<Self, Self::Error> {
                #(#picks)*
                Ok(#name { #(#moves),* })
            }
        }
    }
}

pub fn one_of_def(o: &OneOfDef) -> TokenStream {
    let name = ident(&o.name);
    let wires: Vec<String> = o.variants.iter().map(|v| format!("`{}`", v.wire)).collect();
    let mut text = format!(
        "Exactly one of {}, written as that one field.",
        wires.join(", ")
    );
    if let Some(d) = &o.doc {
        text = format!("{}\n\n{text}", naming::doc_text(d));
    }
    let docs = doc(&text);
    let variants = o.variants.iter().map(|v| {
        let var = variant_ident(&v.rust);
        let ty = ty_tokens(&v.ty);
        let wire = &v.wire;
        let d = doc(&field_doc(v));
        let with = match &v.ty {
            Ty::Amount(Wire::Number) => {
                Some(quote!(#[serde(serialize_with = "::payermax_types::amount::as_number::serialize")]
                    #[cfg_attr(feature = "schemars", schemars(schema_with = "::payermax_types::amount::number_schema"))]))
            }
            Ty::Amount(Wire::String) => {
                Some(quote!(#[serde(serialize_with = "::payermax_types::amount::as_string::serialize")]
                    #[cfg_attr(feature = "schemars", schemars(schema_with = "::payermax_types::amount::string_schema"))]))
            }
            _ => None,
        };
        quote! { #d #[serde(rename = #wire)] #with #var(#ty), }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        #[allow(clippy::enum_variant_names)] // named after the wire names
        pub enum #name {
            #(#variants)*
        }
    }
}

/// `impl Validate` of a value enum reachable from what the merchant sends:
/// an `Unknown` value breaks `Rule::Enum`, listing the const `allowed`.
fn enum_validate(e: &EnumDef, allowed: &str) -> Option<TokenStream> {
    let name = ident(&e.name);
    let allowed = ident(allowed);
    e.validated.then(|| {
        quote! {
            impl ::payermax_types::Validate for #name {
                fn validate_into(&self, path: &str, out: &mut Vec<::payermax_types::Violation>) {
                    if let #name::Unknown(_) = self {
                        out.push(::payermax_types::Violation {
                            path: path.to_owned(),
                            rule: ::payermax_types::Rule::Enum { allowed: #name::#allowed },
                        });
                    }
                }
            }
        }
    })
}

pub fn enum_def(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc(&format!(
        "{}\n\nValues this version does not know are kept in `Unknown` and written back unchanged.",
        e.doc
    ));
    match &e.values {
        EnumValues::Str(values) => {
            let vars: Vec<Ident> = values.iter().map(|(n, _)| ident(n)).collect();
            let vals: Vec<&String> = values.iter().map(|(_, v)| v).collect();
            let alias_vars: Vec<Ident> = e.aliases.iter().map(|(n, _)| ident(n)).collect();
            let alias_vals: Vec<&String> = e.aliases.iter().map(|(_, a)| a).collect();
            let read = if e.accept {
                quote!(<::payermax_types::Text as ::serde::Deserialize>::deserialize(d).map(|t| #name::from(t.into_string())))
            } else {
                quote!(<String as ::serde::Deserialize>::deserialize(d).map(#name::from))
            };
            let validate = enum_validate(e, "VALUES");
            let mut accepts = String::new();
            if !e.aliases.is_empty() {
                let list: Vec<String> = e
                    .aliases
                    .iter()
                    .map(|(_, a)| format!("`{}`", a.escape_debug().to_string().replace('`', "'")))
                    .collect();
                accepts.push_str(&format!(" Also read: {}.", list.join(", ")));
            }
            if e.accept {
                accepts.push_str(" JSON numbers and booleans are read as their text.");
            }
            let from_doc = doc(&format!(
                "The value for its wire text; unknown text is kept in `Unknown`.{accepts}"
            ));
            let vdocs = vals
                .iter()
                .map(|v| doc(&format!("`{}`", v.replace('`', "'"))));
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                #[allow(clippy::enum_variant_names)] // named after the wire values
                pub enum #name {
                    #( #vdocs #vars, )*
                    /// A value not documented when this code was generated, as received.
                    Unknown(String),
                }

                impl #name {
                    /// The documented values, in the spec's order.
                    pub const VALUES: &'static [&'static str] = &[#(#vals),*];

                    /// The value as written on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #( #name::#vars => #vals, )*
                            #name::Unknown(v) => v,
                        }
                    }
                }

                impl From<&str> for #name {
                    #from_doc
                    fn from(v: &str) -> Self {
                        match v {
                            #( #vals => #name::#vars, )*
                            #( #alias_vals => #name::#alias_vars, )*
                            other => #name::Unknown(other.to_owned()),
                        }
                    }
                }

                impl From<String> for #name {
                    fn from(v: String) -> Self {
                        match #name::from(v.as_str()) {
                            #name::Unknown(_) => #name::Unknown(v),
                            known => known,
                        }
                    }
                }

                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }

                impl ::serde::Serialize for #name {
                    fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        s.serialize_str(self.as_str())
                    }
                }

                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        #read
                    }
                }

                #[cfg(feature = "schemars")]
                impl ::schemars::JsonSchema for #name {
                    fn schema_name() -> ::std::borrow::Cow<'static, str> {
                        ::std::borrow::Cow::Borrowed(stringify!(#name))
                    }

                    fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                        ::schemars::json_schema!({ "type": "string", "enum": [#(#vals),*] })
                    }
                }

                #validate
            }
        }
        EnumValues::Int(values) => {
            let vars: Vec<Ident> = values.iter().map(|(n, _)| ident(n)).collect();
            let texts: Vec<String> = values.iter().map(|(_, v)| v.to_string()).collect();
            let nums: Vec<TokenStream> = values.iter().map(|(_, v)| int_lit(*v)).collect();
            let json_type = &e.json_type;
            let vdocs = texts.iter().map(|v| doc(&format!("`{v}`")));
            let validate = enum_validate(e, "VALUE_NAMES");
            quote! {
                #docs
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                #[allow(clippy::enum_variant_names)] // named after the wire values
                pub enum #name {
                    #( #vdocs #vars, )*
                    /// A value not documented when this code was generated, as received.
                    Unknown(i64),
                }

                impl #name {
                    /// The documented values, in the spec's order.
                    pub const VALUES: &'static [i64] = &[#(#nums),*];
                    /// The documented values as text, for [`Rule::Enum`](::payermax_types::Rule::Enum).
                    pub const VALUE_NAMES: &'static [&'static str] = &[#(#texts),*];

                    /// The value as written on the wire.
                    pub fn value(&self) -> i64 {
                        match self {
                            #( #name::#vars => #nums, )*
                            #name::Unknown(v) => *v,
                        }
                    }
                }

                impl From<i64> for #name {
                    fn from(v: i64) -> Self {
                        match v {
                            #( #nums => #name::#vars, )*
                            other => #name::Unknown(other),
                        }
                    }
                }

                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        ::std::fmt::Display::fmt(&self.value(), f)
                    }
                }

                impl ::serde::Serialize for #name {
                    fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        s.serialize_i64(self.value())
                    }
                }

                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        <i64 as ::serde::Deserialize>::deserialize(d).map(#name::from)
                    }
                }

                #[cfg(feature = "schemars")]
                impl ::schemars::JsonSchema for #name {
                    fn schema_name() -> ::std::borrow::Cow<'static, str> {
                        ::std::borrow::Cow::Borrowed(stringify!(#name))
                    }

                    fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                        ::schemars::json_schema!({ "type": #json_type, "enum": [#(#nums),*] })
                    }
                }

                #validate
            }
        }
    }
}
