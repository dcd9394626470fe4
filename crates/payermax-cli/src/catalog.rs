//! `payermax operations`, and finding an operation by name in the
//! registry (`payermax_types::registry`).

use std::io::Write as _;

use payermax_types::registry::OPERATIONS;
use payermax_types::{ApiGeneration, Direction, Kind, OperationInfo};
use serde_json::{Value, json};

use crate::failure::{Failure, output};

/// The registry entry named `name`: a spec id, or PayerMax's name when
/// one spec only has it. `outbound` restricts the search to operations
/// the merchant calls.
pub fn find(name: &str, outbound: bool) -> Result<&'static OperationInfo, Failure> {
    let eligible = |i: &&OperationInfo| !outbound || i.kind == Kind::Operation;
    if let Some(info) = OPERATIONS.iter().filter(eligible).find(|i| i.id == name) {
        return Ok(info);
    }
    let by_name: Vec<&OperationInfo> = OPERATIONS
        .iter()
        .filter(eligible)
        .filter(|i| i.name == name)
        .collect();
    match by_name.as_slice() {
        [one] => Ok(one),
        [] => {
            let what = if outbound {
                "operation"
            } else {
                "operation or notification"
            };
            let close: Vec<&str> = OPERATIONS
                .iter()
                .filter(eligible)
                .filter(|i| i.id.eq_ignore_ascii_case(name) || i.name.eq_ignore_ascii_case(name))
                .map(|i| i.id)
                .collect();
            let hint = match close.as_slice() {
                [] => String::new(),
                some => format!(" (did you mean {}?)", some.join(", ")),
            };
            Err(Failure::usage(format!(
                "unknown {what} {name:?}{hint}; `payermax operations` lists them"
            )))
        }
        several => Err(Failure::usage(format!(
            "{name} is documented in {} variants; name one: {}",
            several.len(),
            several.iter().map(|i| i.id).collect::<Vec<_>>().join(", ")
        ))),
    }
}

pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Operation => "operation",
        Kind::Notification => "notification",
        Kind::SyncCallback => "sync-callback",
        Kind::Redirect => "redirect",
        _ => "other",
    }
}

pub fn api_name(api: ApiGeneration) -> &'static str {
    match api {
        ApiGeneration::Gateway => "gateway",
        ApiGeneration::LegacyV21 => "legacy-v2.1",
        _ => "other",
    }
}

/// Runs `operations`: every registry entry as a JSON array.
pub fn operations() -> Result<(), Failure> {
    let list: Vec<Value> = OPERATIONS
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "name": i.name,
                "domain": i.domain.feature(),
                "kind": kind_name(i.kind),
                "direction": if i.direction == Direction::Outbound { "outbound" } else { "inbound" },
                "api": api_name(i.api),
                "title": i.title,
            })
        })
        .collect();
    print_json(&Value::Array(list))
}

/// Pretty JSON and a newline on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(|e| output(e.into()))
        .and_then(|()| writeln!(stdout).map_err(output))
}
