//! Any text given as a cluster query language expression is parsed or refused with an error,
//! never a panic, and what parses prints back to an expression that parses the same.

#![no_main]

use berth_shared::placement::cql::Expr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(expression) = Expr::parse(text) {
        assert_eq!(Expr::parse(&expression.to_string()), Ok(expression));
    }
});
