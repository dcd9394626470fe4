//! The doc issues an import finds: each a disagreement or error in PayerMax's
//! document with the decision taken, written into the spec's `docIssues`.

use crate::json::J;

/// Doc issues of one spec, in the order found, without repeats.
#[derive(Debug, Default, Clone)]
pub struct Issues(pub Vec<Issue>);

#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// `<kind>@<where>`: unique within a spec, stable across imports.
    pub id: String,
    pub kind: String,
    pub description: String,
    pub decision: String,
}

impl Issues {
    /// Records an issue of `kind` at `at` (`request:data.x`), once.
    pub fn add(&mut self, kind: &str, at: &str, description: &str, decision: &str) {
        let id = format!("{kind}@{at}");
        if self.0.iter().any(|i| i.id == id) {
            return;
        }
        self.0.push(Issue {
            id,
            kind: kind.to_owned(),
            description: description.to_owned(),
            decision: decision.to_owned(),
        });
    }

    pub fn to_json(&self) -> Vec<J> {
        self.0
            .iter()
            .map(|i| {
                let mut o = J::obj();
                o.set("id", J::str(&i.id));
                o.set("description", J::str(&i.description));
                o.set("decision", J::str(&i.decision));
                o.set("kind", J::str(&i.kind));
                o
            })
            .collect()
    }
}
