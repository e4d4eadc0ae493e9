//! Any text given as a cluster query language expression is parsed or refused with an error,
//! never a panic, and what parses prints back to an expression that parses the same (when the
//! printed form, which quotes and spaces values canonically, still fits ECS's length limit).

#![no_main]

use berth_shared::placement::cql::{Expr, MAX_EXPRESSION_LENGTH};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(expression) = Expr::parse(text) {
        let printed = expression.to_string();
        if printed.chars().count() <= MAX_EXPRESSION_LENGTH {
            assert_eq!(Expr::parse(&printed), Ok(expression), "{printed}");
        }
    }
});
