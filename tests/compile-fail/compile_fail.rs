//! Requests that must not compile: a `Required` literal missing a required
//! member, both or neither side of a one-of group, a float where money goes,
//! a struct literal that skips the constructor.

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("cases/*.rs");
}
