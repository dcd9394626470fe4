//! Generator tests: the committed output is current, and bad specs are refused.

use super::*;

#[test]
fn generated_code_is_up_to_date() {
    if let Err(e) = run(&workspace_root(), true) {
        panic!("{e}");
    }
}
