//! The rules that the fixture documents cannot reach without overlays
//! (retry class, aliases, one-of groups, nullability, enum names), checked
//! on the flattened model of the base fixture, edited.

use super::cases::{base, fixtures};
use super::classify::{Class, changes};
use super::flatten::{Flat, Node, Side};
use super::{NewSource, import_into, load_tree};

use Class::{Additive, Breaking, Dangerous};

fn flats() -> Vec<Flat> {
    let text = base().to_pretty();
    let tree = import_into(
        &fixtures().join("spec"),
        &NewSource::Document(text.as_bytes()),
    )
    .unwrap();
    load_tree(tree.path()).unwrap()
}

fn op<'a>(flats: &'a mut [Flat], id: &str) -> &'a mut Flat {
    flats.iter_mut().find(|f| f.id == id).unwrap()
}

fn node<'a>(flats: &'a mut [Flat], id: &str, side: Side, path: &str) -> &'a mut Node {
    op(flats, id)
        .fields
        .get_mut(&(side, path.to_owned()))
        .unwrap()
}

/// The lines from the base edited by `old` to the base edited by `new`.
fn lines(
    old: impl FnOnce(&mut Vec<Flat>),
    new: impl FnOnce(&mut Vec<Flat>),
) -> Vec<(Class, String)> {
    let (mut o, mut n) = (flats(), flats());
    old(&mut o);
    new(&mut n);
    changes(&o, &n)
        .into_iter()
        .map(|c| (c.class, c.line()))
        .collect()
}

fn expect(got: Vec<(Class, String)>, want: &[(Class, &str)]) {
    let want: Vec<(Class, String)> = want.iter().map(|(c, l)| (*c, (*l).to_owned())).collect();
    assert_eq!(got, want);
}

#[test]
fn retry_class_changes() {
    expect(
        lines(|_| {}, |n| op(n, "refund").write = Some(false)),
        &[(
            Dangerous,
            "- `refund`: now a read: sent again after an ambiguous failure when the RetryPolicy allows",
        )],
    );
    expect(
        lines(|o| op(o, "refund_query").write = Some(false), |_| {}),
        &[(
            Additive,
            "- `refund_query`: now a write: never sent again after an ambiguous failure (`Error::Ambiguous`)",
        )],
    );
}

#[test]
fn operation_moves_and_reply_types() {
    expect(
        lines(|_| {}, |n| op(n, "refund").domain = "payments"),
        &[(
            Breaking,
            "- `refund`: moved from feature `refunds` to `payments`: builds with only `refunds` lose it",
        )],
    );
    expect(
        lines(
            |_| {},
            |n| op(n, "refund").reply_type = Some("Option<RefundResponse>".into()),
        ),
        &[(
            Breaking,
            "- `refund`: reply `data` type `RefundResponse` -> `Option<RefundResponse>`",
        )],
    );
}

#[test]
fn spellings_no_longer_read_are_dangerous_on_the_payermax_side() {
    let alias = |f: &mut Vec<Flat>| {
        node(f, "refund", Side::Reply, "data.refundTradeNo").aliases = vec!["refundNo".into()];
        node(f, "refund", Side::Request, "data.comments").aliases = vec!["comment".into()];
    };
    expect(
        lines(alias, |_| {}),
        &[
            (
                Dangerous,
                "- `refund` reply `data.refundTradeNo`: spelling `refundNo` no longer read",
            ),
            (
                Class::Docs,
                "- `refund` request `data.comments`: spelling `comment` no longer read",
            ),
        ],
    );
    expect(
        lines(|_| {}, alias),
        &[
            (
                Additive,
                "- `refund` request `data.comments`: spelling `comment` now read too",
            ),
            (
                Additive,
                "- `refund` reply `data.refundTradeNo`: spelling `refundNo` now read too",
            ),
        ],
    );
}

#[test]
fn one_of_groups() {
    let group = |f: &mut Vec<Flat>| {
        let n = node(f, "refund", Side::Request, "data.comments");
        n.one_of = Some("RefundNote".into());
        n.required = false;
    };
    expect(
        lines(|_| {}, group),
        &[(
            Breaking,
            "- `refund` request `data.comments`: now a choice of one-of `RefundNote` (was a plain field)",
        )],
    );
    let choice = |f: &mut Vec<Flat>| {
        let mut n = node(f, "refund", Side::Request, "data.comments").clone();
        n.one_of = Some("RefundNote".into());
        n.rust = "remark".into();
        let fields = &mut op(f, "refund").fields;
        fields.insert((Side::Request, "data.remark".into()), n);
    };
    expect(
        lines(|_| {}, choice),
        &[(
            Breaking,
            "- `refund` request `data.remark`: new one-of choice (`RefundNote::Remark`: exhaustive matches stop compiling)",
        )],
    );
}

#[test]
fn nullable_required_request_fields_and_enum_names() {
    expect(
        lines(
            |_| {},
            |n| node(n, "refund", Side::Request, "data.comments").write_null = true,
        ),
        &[(
            Dangerous,
            "- `refund` request `data.comments`: now nullable and required: an unset value is sent as `null`",
        )],
    );
    expect(
        lines(
            |_| {},
            |n| {
                let e = node(n, "refund", Side::Reply, "data.status");
                let info = e.enumeration.as_mut().unwrap();
                info.values[0].0 = "Pending".into();
            },
        ),
        &[(
            Breaking,
            "- `refund` reply `data.status`: enum value `REFUND_PENDING` renamed `RefundStatus::RefundPending` -> `RefundStatus::Pending`",
        )],
    );
}
