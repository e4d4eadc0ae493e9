//! Capacity provider strategy: how N tasks of a service are split over its providers.
//!
//! Rule (docs/ECS-MODEL.md §6.3): the provider with a `base` gets the first `base` tasks (all of
//! them when N ≤ base); the rest are split in proportion to the weights. AWS does not publish
//! how it rounds non-divisible counts (UNCONFIRMED), so the split is sequential and
//! deterministic (MODEL): each further task goes to the provider with the smallest
//! `(weighted_i + 1) / weight_i` among providers with weight > 0, where `weighted_i` counts
//! only the tasks it got by weight (not its base); ties go to the provider listed first.
//! This is the D'Hondt divisor method. The spec sketches `weighted_i / weight_i`, which gives
//! the same answers on its examples (9 tasks over FARGATE base 2 weight 1 and FARGATE_SPOT
//! weight 3 ⇒ FARGATE 4, FARGATE_SPOT 5; 10 tasks ⇒ 4 and 6) but hands every provider one
//! task before any gets a second (3 tasks over weights 1:1:5 ⇒ 1, 1, 1); the `+ 1` form gives
//! 0, 0, 3. Both are sequential, so adding a task never takes one away from a provider, and
//! no provider ever gets fewer than the whole part of its exact share.
//!
//! Input checks follow the API: 1–20 providers (the current limit; older docs said 6), no
//! provider twice, `base` 0–100000 on at most one provider, `weight` 0–1000 with at least one
//! weight above 0, and Fargate providers not mixed with Auto Scaling group providers.

use serde::{Deserialize, Serialize};

use crate::ecs::CapacityProviderStrategyItem;
use crate::input::InputError;

/// Most providers one strategy may list (current API; DG23 said 6).
pub const MAX_PROVIDERS: usize = 20;
/// Largest `base`.
pub const MAX_BASE: i64 = 100_000;
/// Largest `weight`.
pub const MAX_WEIGHT: i64 = 1000;
/// Most tasks one split may hold.
pub const MAX_TASKS: i64 = 1_000_000;

/// How many tasks to split, and over which strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyInput {
    /// Tasks to place (a service's desired count).
    pub tasks: i64,
    /// The strategy, as in `CreateService`.
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
}

/// Tasks assigned to one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderShare {
    /// Capacity provider name.
    pub capacity_provider: String,
    /// Tasks it got from its `base`.
    pub base_tasks: i64,
    /// Tasks it got by weight.
    pub weighted_tasks: i64,
    /// `base_tasks + weighted_tasks`.
    pub tasks: i64,
}

/// The split, one entry per provider in strategy order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyOutput {
    /// Shares in the order of the strategy.
    pub providers: Vec<ProviderShare>,
}

/// Splits `input.tasks` over the strategy's providers.
pub fn split_tasks(input: &StrategyInput) -> Result<StrategyOutput, InputError> {
    if !(0..=MAX_TASKS).contains(&input.tasks) {
        return Err(InputError::new(
            "tasks",
            format!("The number of tasks must be between 0 and {MAX_TASKS}."),
        ));
    }
    check_strategy(
        &input.capacity_provider_strategy,
        "capacityProviderStrategy",
    )?;
    Ok(split_checked(
        input.tasks,
        &input.capacity_provider_strategy,
    ))
}

/// Checks a strategy against the API's rules; `path` names the list in errors.
pub fn check_strategy(
    strategy: &[CapacityProviderStrategyItem],
    path: &str,
) -> Result<(), InputError> {
    if strategy.is_empty() {
        return Err(InputError::new(
            path,
            "A capacity provider strategy needs at least one provider.",
        ));
    }
    if strategy.len() > MAX_PROVIDERS {
        return Err(InputError::new(
            path,
            format!(
                "A strategy may list at most {MAX_PROVIDERS} providers; this one lists {}.",
                strategy.len()
            ),
        ));
    }
    let mut with_base = None;
    for (position, item) in strategy.iter().enumerate() {
        let item_path = format!("{path}[{position}]");
        if item.capacity_provider.is_empty() {
            return Err(InputError::new(
                format!("{item_path}.capacityProvider"),
                "The capacity provider name is empty.",
            ));
        }
        if strategy[..position]
            .iter()
            .any(|earlier| earlier.capacity_provider == item.capacity_provider)
        {
            return Err(InputError::new(
                format!("{item_path}.capacityProvider"),
                format!(
                    "{:?} appears twice in the strategy.",
                    item.capacity_provider
                ),
            ));
        }
        if !(0..=MAX_WEIGHT).contains(&item.weight) {
            return Err(InputError::new(
                format!("{item_path}.weight"),
                format!(
                    "weight must be between 0 and {MAX_WEIGHT}; it is {}.",
                    item.weight
                ),
            ));
        }
        if !(0..=MAX_BASE).contains(&item.base) {
            return Err(InputError::new(
                format!("{item_path}.base"),
                format!(
                    "base must be between 0 and {MAX_BASE}; it is {}.",
                    item.base
                ),
            ));
        }
        if item.base > 0 {
            if let Some(first) = with_base {
                return Err(InputError::new(
                    format!("{item_path}.base"),
                    format!("Only one provider may set a base, and {path}[{first}] already does."),
                ));
            }
            with_base = Some(position);
        }
    }
    if strategy.iter().all(|item| item.weight == 0) {
        return Err(InputError::new(
            path,
            "At least one provider needs a weight above 0.",
        ));
    }
    let is_fargate =
        |item: &CapacityProviderStrategyItem| item.capacity_provider.starts_with("FARGATE");
    if strategy.iter().any(is_fargate) && !strategy.iter().all(is_fargate) {
        return Err(InputError::new(
            path,
            "A strategy cannot mix Fargate providers with Auto Scaling group providers.",
        ));
    }
    Ok(())
}

/// The split of a strategy already checked with [`check_strategy`].
pub(crate) fn split_checked(
    tasks: i64,
    strategy: &[CapacityProviderStrategyItem],
) -> StrategyOutput {
    let mut shares: Vec<ProviderShare> = strategy
        .iter()
        .map(|item| ProviderShare {
            capacity_provider: item.capacity_provider.clone(),
            base_tasks: 0,
            weighted_tasks: 0,
            tasks: 0,
        })
        .collect();
    let mut remaining = tasks;
    if let Some(position) = strategy.iter().position(|item| item.base > 0) {
        let base = strategy[position].base.min(remaining);
        shares[position].base_tasks = base;
        remaining -= base;
    }
    for _ in 0..remaining {
        // Smallest (weighted + 1) / weight, compared exactly by cross-multiplication; the first
        // provider wins ties.
        let mut best: Option<usize> = None;
        for (position, item) in strategy.iter().enumerate() {
            if item.weight == 0 {
                continue;
            }
            let better = best.is_none_or(|current| {
                (shares[position].weighted_tasks + 1) * strategy[current].weight
                    < (shares[current].weighted_tasks + 1) * item.weight
            });
            if better {
                best = Some(position);
            }
        }
        if let Some(position) = best {
            shares[position].weighted_tasks += 1;
        }
    }
    for share in &mut shares {
        share.tasks = share.base_tasks + share.weighted_tasks;
    }
    StrategyOutput { providers: shares }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn item(name: &str, base: i64, weight: i64) -> CapacityProviderStrategyItem {
        CapacityProviderStrategyItem {
            capacity_provider: name.to_owned(),
            weight,
            base,
        }
    }

    fn counts(tasks: i64, strategy: Vec<CapacityProviderStrategyItem>) -> Vec<i64> {
        let output = split_tasks(&StrategyInput {
            tasks,
            capacity_provider_strategy: strategy,
        })
        .unwrap();
        output.providers.iter().map(|share| share.tasks).collect()
    }

    #[test]
    fn matches_the_spec_examples() {
        let fargate = || vec![item("FARGATE", 2, 1), item("FARGATE_SPOT", 0, 3)];
        let cases = [
            (10, vec![4, 6]), // base 2, then 8 in 1:3
            (9, vec![4, 5]),  // base 2, then S,S,F,S,S,S,F
            (2, vec![2, 0]),
            (1, vec![1, 0]), // fewer tasks than the base
            (0, vec![0, 0]),
            (3, vec![2, 1]), // the first weighted task goes to the heavier provider
            (6, vec![3, 3]),
        ];
        for (tasks, expected) in cases {
            assert_eq!(counts(tasks, fargate()), expected, "{tasks} tasks");
        }
        assert_eq!(
            counts(7, vec![item("a", 0, 1), item("b", 0, 1), item("c", 0, 1)]),
            vec![3, 2, 2]
        );
        assert_eq!(
            counts(5, vec![item("a", 0, 0), item("b", 0, 2)]),
            vec![0, 5]
        );
        assert_eq!(
            counts(5, vec![item("a", 3, 0), item("b", 0, 2)]),
            vec![3, 2]
        );
    }

    #[test]
    fn rejects_strategies_the_api_rejects() {
        let cases = [
            (vec![], "capacityProviderStrategy"),
            (
                vec![item("a", 1, 1), item("b", 1, 1)],
                "capacityProviderStrategy[1].base",
            ),
            (vec![item("a", 0, 0)], "capacityProviderStrategy"),
            (
                vec![item("a", 0, 1001)],
                "capacityProviderStrategy[0].weight",
            ),
            (vec![item("a", -1, 1)], "capacityProviderStrategy[0].base"),
            (
                vec![item("a", 0, 1), item("a", 0, 1)],
                "capacityProviderStrategy[1].capacityProvider",
            ),
            (
                vec![item("FARGATE", 0, 1), item("asg-on-demand", 0, 1)],
                "capacityProviderStrategy",
            ),
        ];
        for (strategy, field) in cases {
            let error = split_tasks(&StrategyInput {
                tasks: 3,
                capacity_provider_strategy: strategy,
            })
            .unwrap_err();
            assert_eq!(error.field, field, "{}", error.message);
        }
        let error = split_tasks(&StrategyInput {
            tasks: -1,
            capacity_provider_strategy: vec![item("a", 0, 1)],
        })
        .unwrap_err();
        assert_eq!(error.field, "tasks");
    }

    fn strategy() -> impl Strategy<Value = Vec<CapacityProviderStrategyItem>> {
        (
            prop::collection::vec(0i64..20, 1..6),
            any::<prop::sample::Index>(),
            0i64..30,
        )
            .prop_map(|(weights, base_at, base)| {
                let count = weights.len();
                let mut items: Vec<_> = weights
                    .into_iter()
                    .enumerate()
                    .map(|(n, weight)| item(&format!("cp{n}"), 0, weight))
                    .collect();
                if items.iter().all(|i| i.weight == 0) {
                    items[0].weight = 1;
                }
                items[base_at.index(count)].base = base;
                items
            })
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn sums_to_n_and_honours_base(tasks in 0i64..500, strategy in strategy()) {
            let output = split_tasks(&StrategyInput { tasks, capacity_provider_strategy: strategy.clone() }).unwrap();
            prop_assert_eq!(output.providers.iter().map(|s| s.tasks).sum::<i64>(), tasks);
            let weighted: i64 = output.providers.iter().map(|s| s.weighted_tasks).sum();
            for (share, item) in output.providers.iter().zip(&strategy) {
                prop_assert_eq!(share.base_tasks, item.base.min(tasks));
                if item.weight == 0 {
                    prop_assert_eq!(share.weighted_tasks, 0);
                }
                // D'Hondt never goes below the whole part of the exact share.
                let total_weight: i64 = strategy.iter().map(|i| i.weight).sum();
                let exact = weighted as f64 * item.weight as f64 / total_weight as f64;
                prop_assert!(share.weighted_tasks as f64 >= exact.floor() - 1e-9);
            }
        }

        #[test]
        fn one_more_task_takes_nothing_away(tasks in 0i64..300, strategy in strategy()) {
            let before = split_tasks(&StrategyInput { tasks, capacity_provider_strategy: strategy.clone() }).unwrap();
            let after = split_tasks(&StrategyInput { tasks: tasks + 1, capacity_provider_strategy: strategy }).unwrap();
            for (old, new) in before.providers.iter().zip(&after.providers) {
                prop_assert!(new.tasks >= old.tasks);
            }
        }
    }
}
