//! Placement strategies and constraints, validated against ECS's limits, and the seeded
//! random numbers that strategies and tie-breaks use.
//!
//! Validation errors name the JSON field (`placementStrategy[1].field`,
//! `placementConstraints[0].expression`, `taskDefinition.placementConstraints[0].type`).

use super::cql::{self, Expr};
use crate::ecs::{PlacementConstraint, PlacementStrategy};
use crate::input::InputError;

/// Most strategy rules per RunTask / service (docs/ECS-MODEL.md §2.1, current API).
pub const MAX_STRATEGIES: usize = 5;
/// Most constraints per task, task definition and request together (§3.1).
pub const MAX_CONSTRAINTS: usize = 10;
/// Longest strategy `field`.
pub const MAX_FIELD_LENGTH: usize = 255;

/// The resource a binpack strategy packs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PackedResource {
    Cpu,
    Memory,
}

/// What a spread strategy balances over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SpreadField {
    /// `instanceId` / `host`.
    Instance,
    /// `attribute:NAME`.
    Attribute(String),
}

/// A validated strategy rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    Binpack(PackedResource),
    Spread(SpreadField),
    Random,
}

/// Validates `strategies` (the JSON array at `field`).
pub(crate) fn validate_strategies(
    strategies: &[PlacementStrategy],
    field: &str,
) -> Result<Vec<Rule>, InputError> {
    if strategies.len() > MAX_STRATEGIES {
        return Err(InputError::new(
            field,
            format!(
                "at most {MAX_STRATEGIES} strategy rules are allowed, got {}",
                strategies.len()
            ),
        ));
    }
    strategies
        .iter()
        .enumerate()
        .map(|(index, strategy)| {
            let at = |name: &str| format!("{field}[{index}].{name}");
            let value = strategy.field.as_deref().map(str::trim);
            if value.is_some_and(|v| v.len() > MAX_FIELD_LENGTH) {
                return Err(InputError::new(
                    at("field"),
                    format!("must be at most {MAX_FIELD_LENGTH} characters"),
                ));
            }
            match strategy.kind.as_str() {
                "binpack" => match value.map(str::to_ascii_lowercase).as_deref() {
                    Some("cpu") => Ok(Rule::Binpack(PackedResource::Cpu)),
                    Some("memory") => Ok(Rule::Binpack(PackedResource::Memory)),
                    Some(_) => Err(InputError::new(at("field"), "binpack packs cpu or memory")),
                    None => Err(InputError::new(
                        at("field"),
                        "binpack needs a field: cpu or memory",
                    )),
                },
                "spread" => match value {
                    Some("instanceId" | "host") => Ok(Rule::Spread(SpreadField::Instance)),
                    Some(text) => match text.strip_prefix("attribute:") {
                        Some(name) if cql::is_valid_attribute_name(name) => {
                            Ok(Rule::Spread(SpreadField::Attribute(name.to_owned())))
                        }
                        _ => Err(InputError::new(
                            at("field"),
                            format!(
                                "spread takes instanceId, host or attribute:NAME, got {text:?}"
                            ),
                        )),
                    },
                    None => Err(InputError::new(
                        at("field"),
                        "spread needs a field: instanceId, host or attribute:NAME",
                    )),
                },
                "random" => match value {
                    None => Ok(Rule::Random),
                    Some(_) => Err(InputError::new(at("field"), "random takes no field")),
                },
                other => Err(InputError::new(
                    at("type"),
                    format!("unknown strategy type {other:?}; expected binpack, spread or random"),
                )),
            }
        })
        .collect()
}

/// The strategy a rule came from, in AWS's shape.
pub(crate) fn rule_to_strategy(rule: &Rule) -> PlacementStrategy {
    let (kind, field) = match rule {
        Rule::Binpack(PackedResource::Cpu) => ("binpack", Some("cpu".to_owned())),
        Rule::Binpack(PackedResource::Memory) => ("binpack", Some("memory".to_owned())),
        Rule::Spread(SpreadField::Instance) => ("spread", Some("instanceId".to_owned())),
        Rule::Spread(SpreadField::Attribute(name)) => ("spread", Some(format!("attribute:{name}"))),
        Rule::Random => ("random", None),
    };
    PlacementStrategy {
        kind: kind.to_owned(),
        field,
    }
}

/// A validated constraint.
#[derive(Debug, Clone)]
pub(crate) enum Constraint {
    DistinctInstance,
    MemberOf(Expr),
}

/// Checks a request's placement strategies (the JSON array at `field`) against ECS's rules.
pub fn check_strategies(strategies: &[PlacementStrategy], field: &str) -> Result<(), InputError> {
    validate_strategies(strategies, field).map(drop)
}

/// Checks a request's placement constraints (the JSON array at `field`): their types and CQL.
pub fn check_constraints(
    constraints: &[PlacementConstraint],
    field: &str,
) -> Result<(), InputError> {
    validate_constraints(constraints, field, true).map(drop)
}

/// Validates constraints at `field`; `allow_distinct` is false for task definitions, whose
/// constraint type can only be `memberOf`.
pub(crate) fn validate_constraints(
    constraints: &[PlacementConstraint],
    field: &str,
    allow_distinct: bool,
) -> Result<Vec<Constraint>, InputError> {
    constraints
        .iter()
        .enumerate()
        .map(|(index, constraint)| {
            let at = |name: &str| format!("{field}[{index}].{name}");
            match constraint.kind.as_str() {
                "distinctInstance" if allow_distinct => match &constraint.expression {
                    None => Ok(Constraint::DistinctInstance),
                    Some(_) => Err(InputError::new(
                        at("expression"),
                        "distinctInstance takes no expression",
                    )),
                },
                "memberOf" => {
                    let Some(expression) = &constraint.expression else {
                        return Err(InputError::new(
                            at("expression"),
                            "memberOf needs a Cluster Query Language expression",
                        ));
                    };
                    Expr::parse(expression)
                        .map(Constraint::MemberOf)
                        .map_err(|error| InputError::new(at("expression"), error.to_string()))
                }
                other => Err(InputError::new(
                    at("type"),
                    if allow_distinct {
                        format!("unknown constraint type {other:?}; expected distinctInstance or memberOf")
                    } else {
                        format!("task definitions only take memberOf constraints, got {other:?}")
                    },
                )),
            }
        })
        .collect()
}

/// SplitMix64's output function: a counter-based, seeded pseudo-random number generator
/// (no state, so results do not depend on evaluation order).
pub(crate) fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The pseudo-random draw number `index` of `stream` for `seed`.
pub(crate) fn draw(seed: u64, stream: u64, index: u64) -> u64 {
    mix(mix(mix(seed) ^ stream) ^ index)
}

/// A random strategy score: 31 bits of [`draw`], small enough for JSON numbers.
pub(crate) fn random_score(seed: u64, stream: u64, index: u64) -> i64 {
    (draw(seed, stream, index) >> 33) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategy(kind: &str, field: Option<&str>) -> PlacementStrategy {
        PlacementStrategy {
            kind: kind.to_owned(),
            field: field.map(str::to_owned),
        }
    }

    #[test]
    fn validates_strategies_with_located_errors() {
        let ok = validate_strategies(
            &[
                strategy("spread", Some("attribute:ecs.availability-zone")),
                strategy("binpack", Some("MEMORY")),
                strategy("spread", Some("host")),
                strategy("random", None),
            ],
            "placementStrategy",
        )
        .unwrap();
        assert_eq!(
            ok,
            vec![
                Rule::Spread(SpreadField::Attribute("ecs.availability-zone".to_owned())),
                Rule::Binpack(PackedResource::Memory),
                Rule::Spread(SpreadField::Instance),
                Rule::Random,
            ]
        );
        let cases = [
            (vec![strategy("pack", None)], "placementStrategy[0].type"),
            (
                vec![strategy("random", None), strategy("binpack", Some("disk"))],
                "placementStrategy[1].field",
            ),
            (
                vec![strategy("binpack", None)],
                "placementStrategy[0].field",
            ),
            (vec![strategy("spread", None)], "placementStrategy[0].field"),
            (
                vec![strategy("spread", Some("attribute:"))],
                "placementStrategy[0].field",
            ),
            (
                vec![strategy("spread", Some("zone"))],
                "placementStrategy[0].field",
            ),
            (
                vec![strategy("random", Some("cpu"))],
                "placementStrategy[0].field",
            ),
            (vec![strategy("random", None); 6], "placementStrategy"),
        ];
        for (strategies, field) in cases {
            let error = validate_strategies(&strategies, "placementStrategy").unwrap_err();
            assert_eq!(error.field, field, "{error}");
        }
    }

    #[test]
    fn validates_constraints_with_located_errors() {
        let constraint = |kind: &str, expression: Option<&str>| PlacementConstraint {
            kind: kind.to_owned(),
            expression: expression.map(str::to_owned),
        };
        let ok = validate_constraints(
            &[
                constraint("distinctInstance", None),
                constraint("memberOf", Some("attribute:a exists")),
            ],
            "placementConstraints",
            true,
        )
        .unwrap();
        assert!(matches!(
            ok[..],
            [Constraint::DistinctInstance, Constraint::MemberOf(_)]
        ));

        let error = validate_constraints(
            &[constraint("memberOf", Some("attribute:a == b or"))],
            "placementConstraints",
            true,
        )
        .unwrap_err();
        assert_eq!(error.field, "placementConstraints[0].expression");
        assert!(
            error.message.contains("at byte 19: expected a subject"),
            "{error}"
        );

        let cases = [
            (
                constraint("distinctInstance", Some("x")),
                true,
                "placementConstraints[0].expression",
            ),
            (
                constraint("memberOf", None),
                true,
                "placementConstraints[0].expression",
            ),
            (
                constraint("sameHost", None),
                true,
                "placementConstraints[0].type",
            ),
            (
                constraint("distinctInstance", None),
                false,
                "placementConstraints[0].type",
            ),
        ];
        for (c, allow, field) in cases {
            let error = validate_constraints(&[c], "placementConstraints", allow).unwrap_err();
            assert_eq!(error.field, field, "{error}");
        }
    }

    #[test]
    fn draws_are_deterministic_and_spread_out() {
        assert_eq!(draw(1, 2, 3), draw(1, 2, 3));
        assert_ne!(draw(1, 2, 3), draw(2, 2, 3));
        let below_half = (0..1000).filter(|i| draw(7, 0, *i) < u64::MAX / 2).count();
        assert!((400..600).contains(&below_half), "{below_half}");
        assert!((0..100).all(|i| random_score(3, 4, i) < (1 << 31)));
    }
}
