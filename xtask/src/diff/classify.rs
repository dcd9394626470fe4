//! The rules: each difference between two flattened spec trees, classed by
//! what it does to a user's code and integration. The table of these rules
//! is in spec/README.md ("What `cargo xtask diff` calls breaking").

use std::collections::{BTreeMap, BTreeSet};

use super::flatten::{Flat, Node, Side};
use crate::codegen::model::{Checks, Wire};
use crate::codegen::naming;

/// What a change does to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Code that compiled may not compile, or means something else.
    Breaking,
    /// Compiles, but can break a running integration.
    Dangerous,
    /// New things; existing code compiles and behaves as before.
    Additive,
    /// Only the generated documentation changes (bounds of what PayerMax
    /// sends, which nothing checks).
    Docs,
}

/// One line of the changelog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub class: Class,
    /// The spec id (the module of payermax-types).
    pub id: String,
    /// The side and wire path of a field change; `None` for the operation.
    pub at: Option<(Side, String)>,
    pub text: String,
}

impl Change {
    /// The changelog line: ``- `refund` request `data.reason`: ...``.
    pub fn line(&self) -> String {
        match &self.at {
            None => format!("- `{}`: {}", self.id, self.text),
            Some((side, path)) => {
                format!("- `{}` {} `{path}`: {}", self.id, side.label(), self.text)
            }
        }
    }
}

/// Every change from `old` to `new` (one entry per spec in each), sorted by
/// class, then spec id and path.
pub fn changes(old: &[Flat], new: &[Flat]) -> Vec<Change> {
    let mut out = Vec::new();
    let old_ids: BTreeSet<&str> = old.iter().map(|f| f.id.as_str()).collect();
    let new_ids: BTreeSet<&str> = new.iter().map(|f| f.id.as_str()).collect();
    let mut removed: Vec<&Flat> = old
        .iter()
        .filter(|f| !new_ids.contains(f.id.as_str()))
        .collect();
    let mut added: Vec<&Flat> = new
        .iter()
        .filter(|f| !old_ids.contains(f.id.as_str()))
        .collect();
    // A renamed operation: one removed and one added with the same fields.
    let mut renamed = Vec::new();
    for r in &removed {
        let same: Vec<&Flat> = added.iter().copied().filter(|a| same_shape(r, a)).collect();
        if let [a] = same.as_slice()
            && removed.iter().filter(|x| same_shape(x, a)).count() == 1
        {
            renamed.push((r.id.clone(), a.id.clone()));
        }
    }
    for (from, to) in &renamed {
        removed.retain(|f| f.id != *from);
        added.retain(|f| f.id != *to);
        let o = old
            .iter()
            .find(|f| f.id == *from)
            .unwrap_or_else(|| unreachable!());
        let n = new
            .iter()
            .find(|f| f.id == *to)
            .unwrap_or_else(|| unreachable!());
        out.push(Change {
            class: Class::Breaking,
            id: from.clone(),
            at: None,
            text: format!(
                "renamed to `{to}` (`{}` -> `{}`): the module and its types are renamed",
                o.operation, n.operation
            ),
        });
        operation(&as_renamed(o, n), n, &mut out);
    }
    for r in removed {
        out.push(Change {
            class: Class::Breaking,
            id: r.id.clone(),
            at: None,
            text: format!("{} `{}` removed", r.kind, r.operation),
        });
    }
    for a in added {
        out.push(Change {
            class: Class::Additive,
            id: a.id.clone(),
            at: None,
            text: format!("new {} `{}` (feature `{}`)", a.kind, a.operation, a.domain),
        });
    }
    for o in old {
        if let Some(n) = new.iter().find(|n| n.id == o.id) {
            operation(o, n, &mut out);
        }
    }
    out.sort();
    out
}

/// `o` under the name of `n`: its types renamed as the generator renames
/// them (the rename line says so once), its PayerMax name and path `n`'s.
fn as_renamed(o: &Flat, n: &Flat) -> Flat {
    let (from, to) = (naming::pascal(&o.id), naming::pascal(&n.id));
    let rename = |t: &str| t.replace(&from, &to);
    let mut r = o.clone();
    r.id = n.id.clone();
    r.operation = n.operation.clone();
    r.path = n.path.clone();
    r.reply_type = o.reply_type.as_deref().map(rename);
    for node in r.fields.values_mut() {
        node.owner = rename(&node.owner);
        node.ty = rename(&node.ty);
        node.one_of = node.one_of.as_deref().map(rename);
        if let Some(e) = &mut node.enumeration {
            e.name = rename(&e.name);
        }
    }
    r
}

/// Same kind, domain and fields (wire paths and Rust types).
fn same_shape(a: &Flat, b: &Flat) -> bool {
    a.kind == b.kind
        && a.domain == b.domain
        && a.fields.len() == b.fields.len()
        && a.fields
            .iter()
            .zip(&b.fields)
            .all(|((ka, na), (kb, nb))| ka == kb && na.required == nb.required)
}

fn op_change(out: &mut Vec<Change>, class: Class, f: &Flat, text: String) {
    out.push(Change {
        class,
        id: f.id.clone(),
        at: None,
        text,
    });
}

/// The changes of one spec present in both trees.
fn operation(o: &Flat, n: &Flat, out: &mut Vec<Change>) {
    if o.kind != n.kind {
        op_change(
            out,
            Class::Breaking,
            n,
            format!(
                "now a {} (was a {}): its descriptor type changes",
                n.kind, o.kind
            ),
        );
    }
    if o.domain != n.domain {
        op_change(
            out,
            Class::Breaking,
            n,
            format!(
                "moved from feature `{}` to `{}`: builds with only `{}` lose it",
                o.domain, n.domain, o.domain
            ),
        );
    }
    if o.api != n.api {
        op_change(
            out,
            Class::Breaking,
            n,
            "moved to another API generation: its envelope changes".into(),
        );
    }
    if o.reply_type != n.reply_type
        && let (Some(a), Some(b)) = (&o.reply_type, &n.reply_type)
    {
        op_change(
            out,
            Class::Breaking,
            n,
            format!("reply `data` type `{a}` -> `{b}`"),
        );
    }
    if o.path != n.path || o.operation != n.operation {
        op_change(
            out,
            Class::Dangerous,
            n,
            format!(
                "PayerMax's name or path changed: `{}` {} -> `{}` {}: the SDK now calls the new one",
                o.operation,
                o.path.as_deref().unwrap_or("(inbound)"),
                n.operation,
                n.path.as_deref().unwrap_or("(inbound)")
            ),
        );
    }
    if o.version != n.version
        && let (Some(a), Some(b)) = (&o.version, &n.version)
    {
        op_change(
            out,
            Class::Dangerous,
            n,
            format!("default `version` {a} -> {b}: every request now sends {b}"),
        );
    }
    match (o.write, n.write) {
        (Some(true), Some(false)) => op_change(
            out,
            Class::Dangerous,
            n,
            "now a read: sent again after an ambiguous failure when the RetryPolicy allows".into(),
        ),
        (Some(false), Some(true)) => op_change(
            out,
            Class::Additive,
            n,
            "now a write: never sent again after an ambiguous failure (`Error::Ambiguous`)".into(),
        ),
        _ => {}
    }
    if o.settled_by != n.settled_by {
        op_change(
            out,
            Class::Dangerous,
            n,
            format!(
                "settled by `{}` (was `{}`)",
                n.settled_by.as_deref().unwrap_or("nothing"),
                o.settled_by.as_deref().unwrap_or("nothing")
            ),
        );
    }
    fields(o, n, out);
}

/// Whether `path` lies under one of `parents` (a parent added or removed as
/// a whole says it all).
fn under(path: &(Side, String), parents: &[(Side, String)]) -> bool {
    parents.iter().any(|(s, p)| {
        *s == path.0
            && (path.1.starts_with(&format!("{p}.")) || path.1.starts_with(&format!("{p}[].")))
    })
}

fn parent(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

fn fields(o: &Flat, n: &Flat, out: &mut Vec<Change>) {
    let push = |out: &mut Vec<Change>, class, at: &(Side, String), text: String| {
        out.push(Change {
            class,
            id: n.id.clone(),
            at: Some(at.clone()),
            text,
        });
    };
    let gone: Vec<(Side, String)> = o
        .fields
        .keys()
        .filter(|k| !n.fields.contains_key(*k))
        .cloned()
        .collect();
    let new: Vec<(Side, String)> = n
        .fields
        .keys()
        .filter(|k| !o.fields.contains_key(*k))
        .cloned()
        .collect();
    let gone_top: Vec<(Side, String)> = gone.iter().filter(|k| !under(k, &gone)).cloned().collect();
    let new_top: Vec<(Side, String)> = new.iter().filter(|k| !under(k, &new)).cloned().collect();
    // A renamed field: the only one gone and the only one new under the
    // same parent, with the same Rust type and requiredness.
    let mut renamed: Vec<((Side, String), (Side, String))> = Vec::new();
    for g in &gone_top {
        let gn = &o.fields[g];
        let like = |k: &(Side, String), node: &Node| {
            k.0 == g.0
                && parent(&k.1) == parent(&g.1)
                && node.ty == gn.ty
                && node.required == gn.required
                && node.one_of == gn.one_of
        };
        let news: Vec<&(Side, String)> =
            new_top.iter().filter(|k| like(k, &n.fields[*k])).collect();
        let olds = gone_top.iter().filter(|k| like(k, &o.fields[*k])).count();
        if news.len() == 1 && olds == 1 {
            renamed.push((g.clone(), news[0].clone()));
        }
    }
    for (g, a) in &renamed {
        let (gn, an) = (&o.fields[g], &n.fields[a]);
        let wire = a.1.rsplit('.').next().unwrap_or_default();
        push(
            out,
            Class::Breaking,
            g,
            format!(
                "renamed to `{wire}` (`{}.{}` -> `{}.{}`)",
                gn.owner, gn.rust, an.owner, an.rust
            ),
        );
    }
    for g in &gone_top {
        if renamed.iter().any(|(x, _)| x == g) {
            continue;
        }
        let node = &o.fields[g];
        let what = match &node.one_of {
            Some(group) => format!(
                "one-of `{group}` loses its variant `{}`",
                naming::pascal(&node.rust)
            ),
            None => format!("`{}.{}` is gone", node.owner, node.rust),
        };
        push(out, Class::Breaking, g, format!("removed ({what})"));
    }
    for a in &new_top {
        if renamed.iter().any(|(_, x)| x == a) {
            continue;
        }
        let node = &n.fields[a];
        let (class, text) = if let Some(group) = &node.one_of {
            (
                Class::Breaking,
                format!(
                    "new one-of choice (`{group}::{}`: exhaustive matches stop compiling)",
                    naming::pascal(&node.rust)
                ),
            )
        } else if node.required {
            (
                Class::Breaking,
                format!(
                    "new required field (`{}Required` gains `{}`, a literal without it stops compiling)",
                    node.owner, node.rust
                ),
            )
        } else {
            (
                Class::Additive,
                format!("new optional field `{}` ({})", node.rust, node.ty),
            )
        };
        push(out, class, a, text);
    }
    for (k, on) in &o.fields {
        if let Some(nn) = n.fields.get(k) {
            field(k, on, nn, &mut |class, text| push(out, class, k, text));
        }
    }
}

/// The changes of one field present in both.
fn field(at: &(Side, String), o: &Node, n: &Node, push: &mut dyn FnMut(Class, String)) {
    let merchant = at.0.merchant_sends();
    if o.one_of != n.one_of {
        let say = |g: &Option<String>| match g {
            Some(g) => format!("a choice of one-of `{g}`"),
            None => "a plain field".to_owned(),
        };
        push(
            Class::Breaking,
            format!("now {} (was {})", say(&n.one_of), say(&o.one_of)),
        );
    } else if o.required != n.required {
        let text = if n.required {
            format!(
                "now required: `Option<{}>` -> `{}`, and `{}Required` gains `{}`",
                o.ty, n.ty, n.owner, n.rust
            )
        } else if merchant {
            format!(
                "now optional: `{}` -> `Option<{}>`, and `{}Required` loses `{}`",
                o.ty, n.ty, n.owner, n.rust
            )
        } else {
            format!(
                "now optional: `{}` -> `Option<{}>` (PayerMax may leave it out)",
                o.ty, n.ty
            )
        };
        push(Class::Breaking, text);
    }
    if o.ty != n.ty {
        push(Class::Breaking, format!("type `{}` -> `{}`", o.ty, n.ty));
    } else if o.money != n.money
        && let (Some(a), Some(b)) = (o.money, n.money)
    {
        let form = |w: Wire| match w {
            Wire::Number => "a JSON number",
            Wire::String => "a JSON string",
        };
        let effect = if merchant {
            format!("the SDK now sends it as {}", form(b))
        } else {
            format!("both forms are read; written back as {}", form(b))
        };
        push(
            Class::Dangerous,
            format!("money wire form {} -> {}: {effect}", form(a), form(b)),
        );
    }
    if merchant && o.write_null != n.write_null && o.one_of == n.one_of {
        push(
            Class::Dangerous,
            if n.write_null {
                "now nullable and required: an unset value is sent as `null`".into()
            } else {
                "an unset value is now left out (was sent as `null`)".into()
            },
        );
    }
    bounds(&o.checks, &n.checks, merchant, push);
    aliases(&o.aliases, &n.aliases, merchant, "spelling", push);
    if let (Some(a), Some(b)) = (&o.enumeration, &n.enumeration)
        && a.name == b.name
    {
        for (var, value) in &a.values {
            match b.values.iter().find(|(_, v)| v == value) {
                None => push(
                    Class::Breaking,
                    format!(
                        "enum value `{value}` removed (`{}::{var}` is gone; the value would arrive as `Unknown`)",
                        a.name
                    ),
                ),
                Some((nv, _)) if nv != var => push(
                    Class::Breaking,
                    format!(
                        "enum value `{value}` renamed `{}::{var}` -> `{}::{nv}`",
                        a.name, b.name
                    ),
                ),
                Some(_) => {}
            }
        }
        for (var, value) in &b.values {
            if !a.values.iter().any(|(_, v)| v == value) {
                push(
                    Class::Additive,
                    format!(
                        "enum value `{value}` added (`{}::{var}`, before: `Unknown(\"{value}\")`)",
                        b.name
                    ),
                );
            }
        }
        let spellings = |e: &super::flatten::EnumInfo| -> Vec<String> {
            e.aliases.iter().map(|(_, s)| s.clone()).collect()
        };
        aliases(
            &spellings(a),
            &spellings(b),
            merchant,
            "enum spelling",
            push,
        );
    }
}

/// A bound: `(name, old, new, tighter when the new value is smaller)`.
fn bounds(o: &Checks, n: &Checks, merchant: bool, push: &mut dyn FnMut(Class, String)) {
    let nums: [(&str, Option<u64>, Option<u64>, bool); 6] = [
        ("maxLength", o.max_length, n.max_length, true),
        ("minLength", o.min_length, n.min_length, false),
        ("maxItems", o.max_items, n.max_items, true),
        ("minItems", o.min_items, n.min_items, false),
        ("maxProperties", o.max_properties, n.max_properties, true),
        ("minProperties", o.min_properties, n.min_properties, false),
    ];
    let show = |v: Option<u64>| v.map_or("none".to_owned(), |v| v.to_string());
    let mut report = |tighter: bool, text: String| {
        let (class, effect) = match (merchant, tighter) {
            (true, true) => (
                Class::Dangerous,
                "`validate()` now refuses values it accepted",
            ),
            (true, false) => (Class::Additive, "`validate()` accepts more"),
            (false, _) => (Class::Docs, "not checked in what PayerMax sends"),
        };
        push(class, format!("{text}: {effect}"));
    };
    for (name, a, b, max) in nums {
        if a == b {
            continue;
        }
        let tighter = match (a, b) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => (b < a) == max,
            (None, None) => unreachable!(),
        };
        report(tighter, format!("{name} {} -> {}", show(a), show(b)));
    }
    if o.pattern != n.pattern {
        let show = |p: &Option<String>| p.as_deref().map_or("none".into(), |p| format!("`{p}`"));
        report(
            n.pattern.is_some(),
            format!("pattern {} -> {}", show(&o.pattern), show(&n.pattern)),
        );
    }
    if o.unique_items != n.unique_items {
        report(
            n.unique_items,
            format!("uniqueItems {} -> {}", o.unique_items, n.unique_items),
        );
    }
}

/// Other spellings PayerMax may send (field aliases, enum aliases): one it
/// no longer reads is dangerous in what PayerMax sends.
fn aliases(
    o: &[String],
    n: &[String],
    merchant: bool,
    what: &str,
    push: &mut dyn FnMut(Class, String),
) {
    for a in o.iter().filter(|a| !n.contains(a)) {
        let class = if merchant {
            Class::Docs
        } else {
            Class::Dangerous
        };
        push(class, format!("{what} `{a}` no longer read"));
    }
    for a in n.iter().filter(|a| !o.contains(a)) {
        push(Class::Additive, format!("{what} `{a}` now read too"));
    }
}

/// The changes grouped by class, each group in order.
pub fn by_class(changes: &[Change]) -> BTreeMap<Class, Vec<&Change>> {
    let mut m: BTreeMap<Class, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        m.entry(c.class).or_default().push(c);
    }
    m
}
