//! The generator's model of one operation: the spec's schemas turned into
//! structs, one-of enums and value enums, each with a Rust name, before any
//! code is written.

use std::collections::BTreeMap;

use crate::codegen::naming;
use crate::codegen::spec::{Api, Direction, Domain, InboundKind, RetryClass, Schema, Spec};

/// How a money amount travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Number,
    String,
}

/// The Rust type of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    String,
    /// A string with `format: uri` (not checked; the schema says so).
    Uri,
    /// A string PayerMax may also send as a number or boolean (`x-accept`).
    Text,
    Integer,
    Boolean,
    /// An exact non-money number (`number` without `format`).
    Number,
    Amount(Wire),
    Timestamp,
    /// A free-form object.
    Map,
    /// Any JSON value (a reply without a `data` schema).
    Json,
    /// A generated struct or enum, by name.
    Named(String),
    Vec(Box<Ty>),
}

/// Constraints checked by `validate()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// On the string (on each item, for arrays).
    pub max_length: Option<u64>,
    pub min_length: Option<u64>,
    pub pattern: Option<String>,
    /// On the array itself.
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    /// On a free-form object.
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
}

impl Checks {
    /// Whether any constraint applies to the array or map itself.
    pub fn on_container(&self) -> bool {
        self.min_items.is_some()
            || self.max_items.is_some()
            || self.unique_items
            || self.min_properties.is_some()
            || self.max_properties.is_some()
    }

    /// Whether any constraint applies to a string value.
    pub fn on_text(&self) -> bool {
        self.max_length.is_some() || self.min_length.is_some() || self.pattern.is_some()
    }
}

/// A value in a struct or a one-of variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub wire: String,
    /// Required but nullable: `None` is written as `null`, never left out.
    pub write_null: bool,
    /// The Rust field name (`x-rust-name`, or the wire name in snake_case).
    pub rust: String,
    pub doc: Option<String>,
    pub ty: Ty,
    pub required: bool,
    pub aliases: Vec<String>,
    /// Constraints on the value itself (on each item for arrays).
    pub checks: Checks,
    /// The schema's `examples`, as compact JSON.
    pub examples: Vec<String>,
}

/// A member of a struct: a plain field or a one-of group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Field(Field),
    OneOf(OneOfDef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOfDef {
    pub name: String,
    pub doc: Option<String>,
    /// The field of the struct that holds it (`refund_ref`).
    pub field: String,
    pub variants: Vec<Field>,
}

/// What a struct is for; decides the validation path prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The gateway request payload: validation paths start with `data.`.
    GatewayRequest,
    /// Any other struct.
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructDef {
    pub name: String,
    pub doc: String,
    pub role: Role,
    pub members: Vec<Member>,
    /// Whether it gets `Validate`: reachable from what the merchant sends
    /// (an outbound request payload or a sync-callback answer).
    pub validated: bool,
}

impl StructDef {
    /// Whether `new` takes a `<Name>Required`.
    pub fn has_required(&self) -> bool {
        self.members.iter().any(|m| match m {
            Member::Field(f) => f.required,
            Member::OneOf(_) => true,
        })
    }

    /// Every field, one-of variants included.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.members.iter().flat_map(|m| match m {
            Member::Field(f) => std::slice::from_ref(f).iter(),
            Member::OneOf(o) => o.variants.iter(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValues {
    /// `(variant name, value)`.
    Str(Vec<(String, String)>),
    Int(Vec<(String, i64)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    pub name: String,
    /// The spec's `type` (`string`, `integer` or `number`).
    pub json_type: String,
    pub doc: String,
    pub values: EnumValues,
    /// `(variant name, other spelling)` from `x-enum-aliases`.
    pub aliases: Vec<(String, String)>,
    /// Read through `Text` (`x-accept`): numbers and booleans become their text.
    pub accept: bool,
    /// Whether it gets `Validate` (see [`StructDef::validated`]).
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Def {
    Struct(StructDef),
    Enum(EnumDef),
}

impl Def {
    pub fn name(&self) -> &str {
        match self {
            Def::Struct(s) => &s.name,
            Def::Enum(e) => &e.name,
        }
    }
}

/// The Rust type of a reply's `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub ty: Ty,
    /// `Option<..>`: `data` may be absent or `null`.
    pub optional: bool,
}

/// A write's settling query.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// The query's spec id.
    pub spec: String,
    /// `(query field, request field)` pairs.
    pub by: Vec<(String, String)>,
    /// The query's `NAME` and `PATH`, once resolved.
    pub resolved: Option<(String, String)>,
}

/// The spec's `echo`, checked: each request field a top-level field of the
/// payload, each reply path a field of the 200 reply's `data` reached
/// through objects, both strings, no request field twice.
fn echo_fields(spec: &Spec, payload: &Schema) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in &spec.echo {
        let bad = |why: String| Err(format!("echo {} -> {}: {why}", e.request, e.reply));
        let Some(sent) = payload.properties.as_ref().and_then(|p| p.get(&e.request)) else {
            return bad("not a top-level field of the request payload".into());
        };
        let mut here = spec
            .responses
            .get("200")
            .and_then(|r| r.schema.properties.as_ref())
            .and_then(|p| p.get("data"));
        for name in e.reply.split('.') {
            here = here
                .and_then(|s| s.properties.as_ref())
                .and_then(|p| p.get(name));
        }
        let Some(back) = here else {
            return bad("not a field of the reply's `data`".into());
        };
        for (what, s) in [("request", sent), ("reply", back)] {
            if !matches!(s.base_type()?, Some(("string", _))) {
                return bad(format!("the {what} field is not a string"));
            }
        }
        if out.iter().any(|(r, _)| *r == e.request) {
            return bad("the request field is echoed twice".into());
        }
        out.push((e.request.clone(), e.reply.clone()));
    }
    Ok(out)
}

/// Resolves every write's `settledBy` against the spec it names: the query
/// must be an outbound read taking the named fields.
pub fn resolve_settlements(modules: &mut [Module]) -> Result<(), String> {
    let mut found = Vec::new();
    for (i, m) in modules.iter().enumerate() {
        let Descriptor::Operation {
            settled_by: Some(s),
            ..
        } = &m.descriptor
        else {
            continue;
        };
        let ctx = |e: String| format!("spec {}: settledBy: {e}", m.id);
        let q = modules
            .iter()
            .find(|q| q.id == s.spec)
            .ok_or_else(|| ctx(format!("no spec `{}`", s.spec)))?;
        let Descriptor::Operation {
            name,
            path,
            retry,
            request_fields,
            ..
        } = &q.descriptor
        else {
            return Err(ctx(format!("`{}` is not an outbound operation", s.spec)));
        };
        if *retry != RetryClass::Read {
            return Err(ctx(format!("`{}` is not a read (`retry: read`)", s.spec)));
        }
        for (query_field, _) in &s.by {
            if !request_fields.contains(query_field) {
                return Err(ctx(format!(
                    "`{}` has no request field `{query_field}`",
                    s.spec
                )));
            }
        }
        found.push((i, (name.clone(), path.clone())));
    }
    for (i, resolved) in found {
        if let Descriptor::Operation {
            settled_by: Some(s),
            ..
        } = &mut modules[i].descriptor
        {
            s.resolved = Some(resolved);
        }
    }
    Ok(())
}

/// The descriptor facts.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per spec, built once: size does not matter
pub enum Descriptor {
    Operation {
        name: String,
        api: Api,
        path: String,
        version: String,
        key_version: Option<String>,
        biz_type: Option<String>,
        /// The envelope's name for the app id when it is not `appId`.
        app_id_field: Option<String>,
        request: String,
        response: Reply,
        /// The spec's `retry` (absent: write).
        retry: RetryClass,
        /// The spec's `settledBy`, resolved against the query's spec by
        /// [`resolve_settlements`].
        settled_by: Option<Settlement>,
        /// Top-level wire names of the request payload.
        request_fields: Vec<String>,
        /// The spec's `echo`: (request field, reply `data` path).
        echo: Vec<(String, String)>,
    },
    Notification {
        name: String,
        api: Api,
        body: String,
        acknowledgement: String,
    },
    SyncCallback {
        name: String,
        api: Api,
        body: String,
        answer: String,
    },
    Redirect {
        name: String,
        api: Api,
    },
}

/// Everything generated for one spec.
#[derive(Debug)]
pub struct Module {
    pub id: String,
    /// PayerMax's name: the path segment of its document (`collectResultNotifyUrl`),
    /// or the legacy `bizType` / page name.
    pub operation: String,
    pub title: String,
    pub description: Option<String>,
    pub domain: Domain,
    pub api: Api,
    /// `(name, title, description)` of the documentation variant.
    pub variant: Option<(String, Option<String>, Option<String>)>,
    pub descriptor_name: String,
    pub descriptor: Descriptor,
    pub defs: Vec<Def>,
    pub uses_patterns: bool,
}

struct Builder {
    base: String,
    defs: Vec<Def>,
    by_name: BTreeMap<String, usize>,
    /// Names taken by one-of enums (they are not `Def`s).
    one_of_names: Vec<String>,
}

/// Envelope fields of the legacy request (spec/README.md's table).
pub const LEGACY_ENVELOPE: &[&str] = &["merchantId", "bizType", "version"];
/// Envelope fields of the gateway request: the library fills them around `data`.
pub const GATEWAY_ENVELOPE: &[&str] = &[
    "version",
    "keyVersion",
    "requestTime",
    "appId",
    "merchantNo",
];

pub fn build(spec: &Spec) -> Result<Module, String> {
    let ctx = |e: String| format!("spec {}: {e}", spec.id);
    if !matches!(spec.format_version, 1 | 2) {
        return Err(ctx(format!(
            "unsupported formatVersion {}",
            spec.format_version
        )));
    }
    if spec.method.as_deref().unwrap_or("POST") != "POST" {
        return Err(ctx("only POST operations are generated".into()));
    }
    if naming::snake(&spec.id) != spec.id {
        return Err(ctx("id must be snake_case".into()));
    }
    if spec.direction == Direction::Outbound && spec.kind.is_some() {
        return Err(ctx("`kind` is for inbound specs".into()));
    }
    if spec.direction == Direction::Inbound && spec.variant.is_some() {
        return Err(ctx("`variant` is for outbound specs".into()));
    }
    let base = naming::type_ident(&spec.id, "Op").map_err(ctx)?.to_string();
    let mut b = Builder {
        base: base.clone(),
        defs: Vec::new(),
        by_name: BTreeMap::new(),
        one_of_names: Vec::new(),
    };
    let page = |title: &str| format!("{title} (`{}`).", spec.operation);
    let mut validated_roots = Vec::new();
    let descriptor = match spec.direction {
        Direction::Outbound => {
            let (payload, role) = match spec.api {
                Api::Gateway => (
                    spec.request
                        .schema
                        .properties
                        .as_ref()
                        .and_then(|p| p.get("data"))
                        .ok_or_else(|| ctx("gateway request has no `data` object".into()))?,
                    Role::GatewayRequest,
                ),
                Api::LegacyV21 => (&spec.request.schema, Role::Plain),
            };
            let skip: &[&str] = match spec.api {
                Api::Gateway => &[],
                Api::LegacyV21 => LEGACY_ENVELOPE,
            };
            let request = format!("{base}Request");
            b.object(
                &request,
                &format!(
                    "The request payload of {} {}",
                    page(&spec.title),
                    match spec.api {
                        Api::Gateway => "It is the body's `data` object; payermax-http adds the envelope (`version`, `keyVersion`, `requestTime`, `appId`, `merchantNo`).",
                        Api::LegacyV21 => "It is the body without `merchantId`, `bizType` and `version`, which payermax-http adds.",
                    }
                ),
                payload,
                role,
                skip,
            )
            .map_err(ctx)?;
            validated_roots.push(request.clone());
            let response = b.reply(spec, &page(&spec.title)).map_err(ctx)?;
            let mut version = None;
            let mut key_version = None;
            let mut biz_type = None;
            for (k, v) in &spec.constants.0 {
                match k.as_str() {
                    "version" => version = Some(v.clone()),
                    "keyVersion" => key_version = Some(v.clone()),
                    "bizType" => biz_type = Some(v.clone()),
                    other => return Err(ctx(format!("unknown constant {other:?}"))),
                }
            }
            match spec.api {
                Api::Gateway if key_version.is_none() || biz_type.is_some() => {
                    return Err(ctx(
                        "gateway constants need keyVersion and no bizType".into()
                    ));
                }
                Api::LegacyV21 if biz_type.as_deref() != Some(spec.operation.as_str()) => {
                    return Err(ctx("legacy bizType constant must equal `operation`".into()));
                }
                _ => {}
            }
            // The gateway envelope names the app id `appId`, except where the
            // document's envelope has `merchantAppId` instead.
            let envelope = spec.request.schema.properties.as_ref();
            let has = |f: &str| envelope.is_some_and(|p| p.get(f).is_some());
            let app_id_field = (spec.api == Api::Gateway && !has("appId") && has("merchantAppId"))
                .then(|| "merchantAppId".to_owned());
            let retry = spec.retry.unwrap_or(RetryClass::Write);
            let settled_by = match &spec.settled_by {
                None => None,
                Some(_) if retry != RetryClass::Write => {
                    return Err(ctx("settledBy is for writes (`retry: write`)".into()));
                }
                Some(s) => {
                    for (_, field) in &s.by.0 {
                        if payload
                            .properties
                            .as_ref()
                            .and_then(|p| p.get(field))
                            .is_none()
                        {
                            return Err(ctx(format!(
                                "settledBy names `{field}`, not a top-level field of the request payload"
                            )));
                        }
                    }
                    Some(Settlement {
                        spec: s.operation.clone(),
                        by: s.by.0.clone(),
                        resolved: None,
                    })
                }
            };
            let echo = echo_fields(spec, payload).map_err(ctx)?;
            let request_fields = payload
                .properties
                .as_ref()
                .map(|p| {
                    p.0.iter()
                        .map(|(k, _)| k.clone())
                        .filter(|k| !skip.contains(&k.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            Descriptor::Operation {
                retry,
                settled_by,
                request_fields,
                echo,
                app_id_field,
                name: spec.operation.clone(),
                api: spec.api,
                path: spec
                    .path
                    .clone()
                    .ok_or_else(|| ctx("outbound operation without path".into()))?,
                version: version.ok_or_else(|| ctx("no version constant".into()))?,
                key_version,
                biz_type,
                request,
                response,
            }
        }
        Direction::Inbound
            if spec.retry.is_some() || spec.settled_by.is_some() || !spec.echo.is_empty() =>
        {
            return Err(ctx(
                "retry, settledBy and echo are for outbound operations".into()
            ));
        }
        Direction::Inbound => match spec.kind.unwrap_or(InboundKind::Notification) {
            InboundKind::Notification => {
                let body = b.inbound_body(spec, &page(&spec.title)).map_err(ctx)?;
                let ack = spec
                    .responses
                    .get("200")
                    .and_then(|r| r.examples.first())
                    .ok_or_else(|| ctx("inbound spec without a 200 response example".into()))?;
                Descriptor::Notification {
                    name: spec.id.clone(),
                    api: spec.api,
                    body,
                    acknowledgement: crate::codegen::spec::compact_json(ack.get()),
                }
            }
            InboundKind::SyncCallback => {
                let body = b.inbound_body(spec, &page(&spec.title)).map_err(ctx)?;
                let answer = format!("{base}Answer");
                let schema = spec
                    .responses
                    .get("200")
                    .map(|r| &r.schema)
                    .ok_or_else(|| ctx("sync-callback spec without a 200 response".into()))?;
                b.object(
                    &answer,
                    &format!(
                        "The answer the merchant builds for {} It is the whole reply body.",
                        page(&spec.title)
                    ),
                    schema,
                    Role::Plain,
                    &[],
                )
                .map_err(ctx)?;
                validated_roots.push(answer.clone());
                Descriptor::SyncCallback {
                    name: spec.id.clone(),
                    api: spec.api,
                    body,
                    answer,
                }
            }
            InboundKind::Redirect => {
                let schema = &spec.request.schema;
                if schema.base_type().map_err(ctx)? != Some(("string", false))
                    || schema.properties.is_some()
                    || spec.request.content_type.as_deref() != Some("text/plain")
                {
                    return Err(ctx(
                        "a redirect's request is `text/plain` with schema `{\"type\": \"string\"}`"
                            .into(),
                    ));
                }
                Descriptor::Redirect {
                    name: spec.id.clone(),
                    api: spec.api,
                }
            }
        },
    };
    let names: Vec<String> = b.defs.iter().map(|d| d.name().to_string()).collect();
    for def in &b.defs {
        if let Def::Struct(s) = def {
            for suffix in ["Required", "Wire"] {
                let extra = format!("{}{suffix}", s.name);
                if names.contains(&extra) || b.one_of_names.contains(&extra) || extra == base {
                    return Err(ctx(format!(
                        "type name {extra} is taken (the helper type of {})",
                        s.name
                    )));
                }
            }
        }
    }
    mark_validated(&mut b.defs, &validated_roots);
    // `null` for a required nullable field is written only in what the
    // merchant sends; what PayerMax sends round-trips as it came.
    for def in &mut b.defs {
        if let Def::Struct(s) = def
            && !s.validated
        {
            for m in &mut s.members {
                if let Member::Field(f) = m {
                    f.write_null = false;
                }
            }
        }
    }
    let uses_patterns = b.defs.iter().any(|d| match d {
        Def::Struct(s) => s.validated && s.fields().any(|f| f.checks.pattern.is_some()),
        Def::Enum(_) => false,
    });
    Ok(Module {
        id: spec.id.clone(),
        operation: spec.operation.clone(),
        title: spec.title.clone(),
        description: spec.description.clone(),
        domain: spec.domain,
        api: spec.api,
        variant: spec
            .variant
            .as_ref()
            .map(|v| (v.name.clone(), v.title.clone(), v.description.clone())),
        descriptor_name: base,
        descriptor,
        defs: b.defs,
        uses_patterns,
    })
}

/// The generated type a value names, through arrays.
pub fn named(ty: &Ty) -> Option<&str> {
    match ty {
        Ty::Named(n) => Some(n),
        Ty::Vec(inner) => named(inner),
        _ => None,
    }
}

/// Marks every definition reachable from `roots` as validated.
fn mark_validated(defs: &mut [Def], roots: &[String]) {
    let mut todo: Vec<String> = roots.to_vec();
    let mut seen: Vec<String> = Vec::new();
    while let Some(name) = todo.pop() {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let Some(def) = defs.iter_mut().find(|d| d.name() == name) else {
            continue;
        };
        match def {
            Def::Struct(s) => {
                s.validated = true;
                todo.extend(s.fields().filter_map(|f| named(&f.ty)).map(String::from));
            }
            Def::Enum(e) => e.validated = true,
        }
    }
}

impl Builder {
    /// Adds a definition; an identical one under the same name is shared,
    /// a different one is an error.
    fn add(&mut self, def: Def) -> Result<(), String> {
        if let Some(&i) = self.by_name.get(def.name()) {
            if self.defs[i] == def {
                return Ok(());
            }
            return Err(format!("two different types would be named {}", def.name()));
        }
        if def.name() == self.base || self.one_of_names.iter().any(|n| n == def.name()) {
            return Err(format!(
                "type name {} is taken by the descriptor or a one-of enum",
                def.name()
            ));
        }
        self.by_name.insert(def.name().to_string(), self.defs.len());
        self.defs.push(def);
        Ok(())
    }

    /// Whether `name` is free or already holds exactly `def`.
    fn fits(&self, def: &Def) -> bool {
        self.by_name
            .get(def.name())
            .is_none_or(|&i| self.defs[i] == *def)
    }

    /// `<Base>Body`: the body of an inbound spec.
    fn inbound_body(&mut self, spec: &Spec, page: &str) -> Result<String, String> {
        let body = format!("{}Body", self.base);
        self.object(
            &body,
            &format!("The body PayerMax sends for {page}"),
            &spec.request.schema,
            Role::Plain,
            &[],
        )?;
        Ok(body)
    }

    /// The Rust type of a reply's `data`.
    fn reply(&mut self, spec: &Spec, page: &str) -> Result<Reply, String> {
        let schema = spec.responses.get("200").map(|r| &r.schema);
        let data = schema
            .and_then(|s| s.properties.as_ref())
            .and_then(|p| p.get("data"));
        let Some(data) = data else {
            return Ok(Reply {
                ty: Ty::Json,
                optional: true,
            });
        };
        let required = schema.is_some_and(|s| s.required.iter().any(|r| r == "data"));
        let (t, nullable) = data.base_type()?.ok_or("reply `data` has no `type`")?;
        let name = format!("{}Response", self.base);
        let ty = if t == "object" && !data.is_free_form() {
            self.object(
                &name,
                &format!("The reply `data` of {page}"),
                data,
                Role::Plain,
                &[],
            )?;
            Ty::Named(name)
        } else {
            let base = self.base.clone();
            self.ty(&name, &base, "Response", data, "")
                .map_err(|e| format!("reply data: {e}"))?
        };
        Ok(Reply {
            ty,
            optional: !required || nullable,
        })
    }

    fn object(
        &mut self,
        name: &str,
        doc: &str,
        schema: &Schema,
        role: Role,
        skip: &[&str],
    ) -> Result<(), String> {
        if let Some((t, _)) = schema.base_type()?.filter(|(t, _)| *t != "object") {
            return Err(format!("{name}: expected an object, found {t}"));
        }
        if schema.min_properties.is_some() || schema.max_properties.is_some() {
            return Err(format!(
                "{name}: minProperties/maxProperties belong on free-form objects"
            ));
        }
        let owner_base = ["Request", "Response", "Body", "Answer"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .filter(|b| *b == self.base)
            .unwrap_or(name)
            .to_string();
        let empty = crate::codegen::spec::Ordered::default();
        let props = schema.properties.as_ref().unwrap_or(&empty);
        for r in &schema.required {
            if props.get(r).is_none() {
                return Err(format!("{name}: required {r:?} is not a property"));
            }
        }
        let mut in_group: BTreeMap<&str, usize> = BTreeMap::new();
        for (gi, g) in schema.one_of.iter().enumerate() {
            if g.fields.len() < 2 {
                return Err(format!(
                    "{name}: one-of {} needs two fields or more",
                    g.name
                ));
            }
            for f in &g.fields {
                if props.get(f).is_none() || schema.required.contains(f) {
                    return Err(format!(
                        "{name}: one-of field {f:?} must be an optional property"
                    ));
                }
                if in_group.insert(f, gi).is_some() {
                    return Err(format!("{name}: {f:?} is in two one-of groups"));
                }
            }
        }
        let mut members = Vec::new();
        let mut groups_done = vec![false; schema.one_of.len()];
        for (wire, prop) in &props.0 {
            if skip.contains(&wire.as_str()) {
                continue;
            }
            let required = schema.required.contains(wire);
            let field = self
                .field(name, &owner_base, wire, prop, required)
                .map_err(|e| format!("{name}.{wire}: {e}"))?;
            match in_group.get(wire.as_str()) {
                None => members.push(Member::Field(field)),
                Some(&gi) => {
                    if !groups_done[gi] {
                        groups_done[gi] = true;
                        let g = &schema.one_of[gi];
                        if naming::type_ident(&g.name, "OneOf")? != g.name.as_str() {
                            return Err(format!(
                                "{name}: one-of name {:?} must be UpperCamelCase",
                                g.name
                            ));
                        }
                        if g.name == self.base
                            || self.by_name.contains_key(&g.name)
                            || self.one_of_names.contains(&g.name)
                        {
                            return Err(format!("{name}: one-of name {} is taken", g.name));
                        }
                        self.one_of_names.push(g.name.clone());
                        let mut variants = Vec::new();
                        for f in &g.fields {
                            let p = props.get(f).unwrap_or_else(|| unreachable!());
                            let mut v = self.field(name, &owner_base, f, p, true)?;
                            if p.base_type()?.is_some_and(|(_, nullable)| nullable) {
                                return Err(format!("{name}: one-of field {f:?} is nullable"));
                            }
                            v.required = true;
                            variants.push(v);
                        }
                        members.push(Member::OneOf(OneOfDef {
                            name: g.name.clone(),
                            doc: g.description.clone(),
                            field: naming::snake(&g.name),
                            variants,
                        }));
                    }
                }
            }
        }
        let mut rust_names: Vec<String> = Vec::new();
        for m in &members {
            let n = match m {
                Member::Field(f) => f.rust.clone(),
                Member::OneOf(o) => o.field.clone(),
            };
            if rust_names.contains(&n) {
                return Err(format!("{name}: two members would be named `{n}`"));
            }
            rust_names.push(n);
        }
        self.add(Def::Struct(StructDef {
            name: name.to_string(),
            doc: match &schema.description {
                Some(d) if !d.trim().is_empty() => format!("{doc}\n\n{}", naming::doc_text(d)),
                _ => doc.to_string(),
            },
            role,
            members,
            validated: false,
        }))
    }

    fn field(
        &mut self,
        owner: &str,
        owner_base: &str,
        wire: &str,
        s: &Schema,
        required: bool,
    ) -> Result<Field, String> {
        let rust = match &s.rust_name {
            Some(r) if naming::snake(r) != *r => {
                return Err(format!("x-rust-name {r:?} must be snake_case"));
            }
            Some(r) => r.clone(),
            None => naming::snake(wire),
        };
        naming::field_ident(&rust)?;
        let stem = naming::pascal(s.rust_name.as_deref().unwrap_or(wire));
        let nullable = s.base_type()?.is_some_and(|(_, n)| n);
        let ty = self.ty(owner, owner_base, &stem, s, "")?;
        let item_schema = match (&ty, &s.items) {
            (Ty::Vec(_), Some(items)) => items.as_ref(),
            _ => s,
        };
        if let Some(p) = &item_schema.pattern {
            regex_lite::Regex::new(p).map_err(|e| format!("bad pattern {p:?}: {e}"))?;
        }
        let array_checks = s.max_length.is_some() || s.min_length.is_some() || s.pattern.is_some();
        if matches!(ty, Ty::Vec(_)) && array_checks {
            return Err("length and pattern constraints belong on `items`".into());
        }
        Ok(Field {
            wire: wire.to_string(),
            write_null: required && nullable,
            rust,
            doc: if s.deprecated {
                Some(format!(
                    "Deprecated in PayerMax's document. {}",
                    s.description.as_deref().unwrap_or_default()
                ))
            } else {
                s.description.clone()
            },
            ty,
            required: required && !nullable,
            aliases: s.aliases.clone(),
            checks: Checks {
                max_length: item_schema.max_length,
                min_length: item_schema.min_length,
                pattern: item_schema.pattern.clone(),
                min_items: s.min_items,
                max_items: s.max_items,
                unique_items: s.unique_items == Some(true),
                min_properties: s.min_properties,
                max_properties: s.max_properties,
            },
            examples: s
                .examples
                .iter()
                .map(|e| crate::codegen::spec::compact_json(e.get()))
                .collect(),
        })
    }

    /// The type of schema `s`; generated types are named
    /// `<owner_base><stem><suffix>` (or after `owner` when that is taken).
    fn ty(
        &mut self,
        owner: &str,
        owner_base: &str,
        stem: &str,
        s: &Schema,
        suffix: &str,
    ) -> Result<Ty, String> {
        let (t, _) = s.base_type()?.ok_or("no `type`")?;
        if s.enum_names.is_some() && s.enumeration.is_none() {
            return Err("x-enum-names without enum".into());
        }
        if s.enum_aliases.is_some() && s.enumeration.is_none() {
            return Err("x-enum-aliases without enum".into());
        }
        if !s.one_of.is_empty() && t != "object" {
            return Err("x-one-of on a non-object".into());
        }
        if (s.min_items.is_some() || s.max_items.is_some() || s.unique_items.is_some())
            && t != "array"
        {
            return Err("minItems/maxItems/uniqueItems on a non-array".into());
        }
        if (s.min_properties.is_some() || s.max_properties.is_some())
            && !(t == "object" && s.is_free_form())
        {
            return Err("minProperties/maxProperties belong on free-form objects".into());
        }
        if !s.accept.is_empty() {
            if t != "string" {
                return Err(format!("x-accept on a {t}"));
            }
            if let Some(f) = &s.format {
                return Err(format!("x-accept with format {f:?}"));
            }
            for (i, a) in s.accept.iter().enumerate() {
                if !matches!(a.as_str(), "number" | "boolean") || s.accept[..i].contains(a) {
                    return Err(format!(
                        "x-accept {a:?}: only \"number\" and \"boolean\", once each"
                    ));
                }
            }
        }
        if let Some(values) = &s.enumeration {
            let def_for = |name: &str| -> Result<Def, String> { enum_def(name, s, t, values) };
            let first = format!("{owner_base}{stem}{suffix}");
            let probe = def_for(&first)?;
            let name = if self.fits(&probe) {
                first
            } else {
                format!("{owner}{stem}{suffix}")
            };
            let def = def_for(&name)?;
            self.add(def)?;
            return Ok(Ty::Named(name));
        }
        if s.format.is_some() && !matches!(t, "string" | "number") {
            return Err(format!("format on a {t}"));
        }
        match (t, s.format.as_deref()) {
            ("string", None) if s.accept.is_empty() => Ok(Ty::String),
            ("string", None) => Ok(Ty::Text),
            ("string", Some("uri")) => Ok(Ty::Uri),
            ("string", Some("decimal")) => Ok(Ty::Amount(Wire::String)),
            ("number", Some("decimal")) => Ok(Ty::Amount(Wire::Number)),
            ("string", Some("date-time")) => Ok(Ty::Timestamp),
            ("number", None) => Ok(Ty::Number),
            ("integer", None) => Ok(Ty::Integer),
            ("boolean", None) => Ok(Ty::Boolean),
            ("array", None) => {
                let items = s.items.as_ref().ok_or("array without items")?;
                if items.base_type()?.is_some_and(|(_, nullable)| nullable) {
                    return Err("nullable array items are not generated".into());
                }
                let inner = self.ty(owner, owner_base, stem, items, &format!("{suffix}Item"))?;
                Ok(Ty::Vec(Box::new(inner)))
            }
            ("object", None) if s.is_free_form() => Ok(Ty::Map),
            ("object", None) => {
                // The short name unless it is taken, then the owner's full name.
                let short = format!("{owner_base}{stem}{suffix}");
                let name = if self.by_name.contains_key(&short) {
                    format!("{owner}{stem}{suffix}")
                } else {
                    short
                };
                let doc = format!("A `{stem}` of [`{owner}`].");
                self.object(&name, &doc, s, Role::Plain, &[])?;
                Ok(Ty::Named(name))
            }
            (t, Some(f)) => Err(format!("unsupported format {f:?} on {t}")),
            (t, None) => Err(format!("unsupported type {t:?}")),
        }
    }
}

fn enum_def(name: &str, s: &Schema, t: &str, values: &[serde_json::Value]) -> Result<Def, String> {
    if values.is_empty() {
        return Err("empty enum".into());
    }
    if s.enum_names
        .as_ref()
        .is_some_and(|n| n.len() != values.len())
    {
        return Err("x-enum-names and enum differ in length".into());
    }
    let variant = |i: usize, fallback: &str| -> Result<String, String> {
        let raw = match &s.enum_names {
            Some(n) => n[i].clone(),
            None => fallback.to_string(),
        };
        let id = naming::type_ident(&raw, "Value")?.to_string();
        if id == "Unknown" {
            return Err("an enum value would be named Unknown".into());
        }
        Ok(id)
    };
    let values = match t {
        "string" => {
            let mut out = Vec::new();
            for (i, v) in values.iter().enumerate() {
                let v = v.as_str().ok_or("non-string value in a string enum")?;
                out.push((variant(i, v)?, v.to_string()));
            }
            EnumValues::Str(out)
        }
        "integer" | "number" => {
            let mut out = Vec::new();
            for (i, v) in values.iter().enumerate() {
                let n = v
                    .as_i64()
                    .ok_or("enum values of a number enum must be integers")?;
                let fallback = if n < 0 {
                    format!("Minus{}", -n)
                } else {
                    n.to_string()
                };
                out.push((variant(i, &fallback)?, n));
            }
            EnumValues::Int(out)
        }
        other => return Err(format!("enum of {other}")),
    };
    let names: Vec<&String> = match &values {
        EnumValues::Str(v) => v.iter().map(|(n, _)| n).collect(),
        EnumValues::Int(v) => v.iter().map(|(n, _)| n).collect(),
    };
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(format!("two enum values would be named {n}"));
        }
    }
    let mut aliases: Vec<(String, String)> = Vec::new();
    if let Some(map) = &s.enum_aliases {
        let EnumValues::Str(vals) = &values else {
            return Err("x-enum-aliases on a non-string enum".into());
        };
        for (value, spellings) in &map.0 {
            let (var, _) = vals
                .iter()
                .find(|(_, v)| v == value)
                .ok_or_else(|| format!("x-enum-aliases key {value:?} is not in enum"))?;
            for sp in spellings {
                if vals.iter().any(|(_, v)| v == sp) || aliases.iter().any(|(_, a)| a == sp) {
                    return Err(format!("enum alias {sp:?} is already a value or an alias"));
                }
                aliases.push((var.clone(), sp.clone()));
            }
        }
    }
    Ok(Def::Enum(EnumDef {
        name: name.to_string(),
        json_type: t.to_string(),
        doc: match &s.description {
            Some(d) if !d.trim().is_empty() => naming::doc_text(d),
            _ => format!("The values of `{name}`."),
        },
        values,
        aliases,
        accept: !s.accept.is_empty(),
        validated: false,
    }))
}
