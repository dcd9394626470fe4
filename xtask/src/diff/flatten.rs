//! The generator's model of one spec (`codegen::model::Module`) seen as
//! what a user touches: for each side (request, reply, notification, ...)
//! every field by its wire path, with its Rust type, whether it is required,
//! its checks and its enum values. Diffing two of these is diffing what the
//! generated Rust offers.

use std::collections::BTreeMap;

use crate::codegen::model::{Checks, Def, Descriptor, EnumValues, Member, Module, Ty, Wire, named};
use crate::codegen::spec::Api;

/// Who builds the values of a side: the merchant (validated before sending)
/// or PayerMax (decoded, never validated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// An outbound operation's request payload.
    Request,
    /// An outbound operation's reply `data`.
    Reply,
    /// The body PayerMax sends to the merchant (notification, sync callback).
    Body,
    /// The answer the merchant builds for a sync callback.
    Answer,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Reply => "reply",
            Side::Body => "body",
            Side::Answer => "answer",
        }
    }

    /// Whether the merchant builds it (and `validate()` checks it).
    pub fn merchant_sends(self) -> bool {
        matches!(self, Side::Request | Side::Answer)
    }
}

/// An enum's values as the generated code has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumInfo {
    pub name: String,
    /// `(variant, wire value)`.
    pub values: Vec<(String, String)>,
    /// `(variant, other spelling)`.
    pub aliases: Vec<(String, String)>,
}

/// One field (or one-of variant) of a generated struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The struct holding it.
    pub owner: String,
    /// The Rust field (or one-of variant) name.
    pub rust: String,
    /// The Rust type as a user writes it (`String`, `Amount`, `Vec<RefundItem>`).
    pub ty: String,
    /// The money wire form, when it is an `Amount`.
    pub money: Option<Wire>,
    pub required: bool,
    /// Required but nullable: the merchant's `None` is sent as `null`.
    pub write_null: bool,
    /// The one-of enum it is a variant of.
    pub one_of: Option<String>,
    pub checks: Checks,
    pub aliases: Vec<String>,
    pub enumeration: Option<EnumInfo>,
}

/// One spec, flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flat {
    pub id: String,
    /// PayerMax's name (`refundQuery`, `collectResultNotifyUrl`).
    pub operation: String,
    pub variant: Option<String>,
    pub domain: &'static str,
    /// `operation`, `notification`, `sync callback`, `redirect`.
    pub kind: &'static str,
    pub api: Api,
    pub path: Option<String>,
    pub version: Option<String>,
    pub write: Option<bool>,
    pub settled_by: Option<String>,
    /// The Rust type of the reply's `data` (`Option<..>` included).
    pub reply_type: Option<String>,
    pub fields: BTreeMap<(Side, String), Node>,
}

/// `Vec<RefundItem>`, `Amount`, `Map<String, Value>`.
pub fn rust_type(ty: &Ty) -> String {
    match ty {
        Ty::String | Ty::Uri => "String".into(),
        Ty::Text => "Text".into(),
        Ty::Integer => "i64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Number => "Number".into(),
        Ty::Amount(_) => "Amount".into(),
        Ty::Timestamp => "Timestamp".into(),
        Ty::Map => "Map<String, Value>".into(),
        Ty::Json => "Value".into(),
        Ty::Named(n) => n.clone(),
        Ty::Vec(inner) => format!("Vec<{}>", rust_type(inner)),
    }
}

fn money(ty: &Ty) -> Option<Wire> {
    match ty {
        Ty::Amount(w) => Some(*w),
        Ty::Vec(inner) => money(inner),
        _ => None,
    }
}

pub fn flatten(m: &Module) -> Flat {
    let mut f = Flat {
        id: m.id.clone(),
        operation: m.operation.clone(),
        variant: m.variant.as_ref().map(|(n, _, _)| n.clone()),
        domain: m.domain.feature(),
        kind: "operation",
        api: m.api,
        path: None,
        version: None,
        write: None,
        settled_by: None,
        reply_type: None,
        fields: BTreeMap::new(),
    };
    let mut roots: Vec<(Side, &str, &str)> = Vec::new();
    match &m.descriptor {
        Descriptor::Operation {
            path,
            version,
            request,
            response,
            retry,
            settled_by,
            ..
        } => {
            f.path = Some(path.clone());
            f.version = Some(version.clone());
            f.write = Some(*retry == crate::codegen::spec::RetryClass::Write);
            f.settled_by = settled_by.as_ref().map(|s| s.spec.clone());
            let t = rust_type(&response.ty);
            f.reply_type = Some(if response.optional {
                format!("Option<{t}>")
            } else {
                t
            });
            let prefix = if m.api == Api::Gateway { "data." } else { "" };
            roots.push((Side::Request, request, prefix));
            if let Some(n) = named(&response.ty) {
                let prefix = if matches!(response.ty, Ty::Vec(_)) {
                    "data[]."
                } else {
                    "data."
                };
                roots.push((Side::Reply, n, prefix));
            }
        }
        Descriptor::Notification { body, .. } => {
            f.kind = "notification";
            roots.push((Side::Body, body, ""));
        }
        Descriptor::SyncCallback { body, answer, .. } => {
            f.kind = "sync callback";
            roots.push((Side::Body, body, ""));
            roots.push((Side::Answer, answer, ""));
        }
        Descriptor::Redirect { .. } => f.kind = "redirect",
    }
    for (side, root, prefix) in roots {
        walk(m, side, root, prefix, &mut f.fields, &mut Vec::new());
    }
    f
}

fn def<'a>(m: &'a Module, name: &str) -> Option<&'a Def> {
    m.defs.iter().find(|d| d.name() == name)
}

fn walk(
    m: &Module,
    side: Side,
    name: &str,
    prefix: &str,
    out: &mut BTreeMap<(Side, String), Node>,
    seen: &mut Vec<String>,
) {
    let Some(Def::Struct(s)) = def(m, name) else {
        return;
    };
    if seen.iter().any(|n| n == name) {
        return;
    }
    seen.push(name.to_owned());
    for member in &s.members {
        let (fields, group) = match member {
            Member::Field(f) => (std::slice::from_ref(f), None),
            Member::OneOf(o) => (o.variants.as_slice(), Some(o.name.clone())),
        };
        for field in fields {
            let path = format!("{prefix}{}", field.wire);
            let enumeration = match named(&field.ty).and_then(|n| def(m, n)) {
                Some(Def::Enum(e)) => Some(EnumInfo {
                    name: e.name.clone(),
                    values: match &e.values {
                        EnumValues::Str(v) => v.clone(),
                        EnumValues::Int(v) => {
                            v.iter().map(|(n, x)| (n.clone(), x.to_string())).collect()
                        }
                    },
                    aliases: e.aliases.clone(),
                }),
                _ => None,
            };
            out.insert(
                (side, path.clone()),
                Node {
                    owner: s.name.clone(),
                    rust: field.rust.clone(),
                    ty: rust_type(&field.ty),
                    money: money(&field.ty),
                    required: field.required && group.is_none(),
                    write_null: field.write_null,
                    one_of: group.clone(),
                    checks: field.checks.clone(),
                    aliases: field.aliases.clone(),
                    enumeration,
                },
            );
            if let Some(inner) = named(&field.ty) {
                let nested = if matches!(field.ty, Ty::Vec(_)) {
                    format!("{path}[].")
                } else {
                    format!("{path}.")
                };
                walk(m, side, inner, &nested, out, seen);
            }
        }
    }
    seen.pop();
}
