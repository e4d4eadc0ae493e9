//! ECS settings in plain words: every sentence the console writes about how a service places,
//! launches, deploys and scales, used wherever that setting is shown (the cluster page's tables
//! and the service page read the same).
//!
//! ECS describes placement and capacity as lists of terse items (`spread` on
//! `attribute:ecs.availability-zone`, `memberOf` with a cluster query, weights and bases). The
//! functions here turn them into sentences a person can check at a glance:
//!
//! - [`placement`]: how a service's tasks are placed (daemon, strategies in order, constraints).
//! - [`launch`]: a service's launch type, or its capacity providers with weights and bases.
//! - [`capacity_strategy`]: how tasks are split between capacity providers.
//! - [`deployment_configuration`]: how far a rolling deployment may go above and below the
//!   desired count, and what the circuit breaker does.
//! - [`scalable_target`], [`scaling_policy`], [`scheduled_action`]: how Application Auto
//!   Scaling changes the desired count.
//!
//! Everything is pure: the same service gives the same words.

use berth_shared::{
    autoscaling::{ScalableTarget, ScalingPolicy, ScheduledAction},
    ecs::{CapacityProviderStrategyItem, PlacementConstraint, PlacementStrategy, Service},
    ops::{
        requests::Scheduling,
        scaling::{
            DEFAULT_COOLDOWN_SECONDS, StepAdjustment, StepScalingConfiguration,
            TargetTrackingConfiguration,
        },
    },
    placement::uses_fargate,
};

/// One placement strategy as a phrase and, for binpack, what it does.
fn strategy(item: &PlacementStrategy) -> (String, Option<&'static str>) {
    let field = item.field.as_deref().unwrap_or("");
    match item.kind.as_str() {
        "spread" => {
            let across = match field {
                "attribute:ecs.availability-zone" => "Availability Zones".to_owned(),
                "instanceId" | "host" => "instances".to_owned(),
                other => format!(
                    "values of {}",
                    other.strip_prefix("attribute:").unwrap_or(other)
                ),
            };
            (format!("spread tasks evenly across {across}"), None)
        }
        "binpack" => {
            let cpu = field.eq_ignore_ascii_case("cpu");
            (
                format!("binpack on {}", if cpu { "CPU" } else { "memory" }),
                Some(if cpu {
                    "each task goes to the instance with the least CPU left that still fits it, \
                     so fewer instances are used"
                } else {
                    "each task goes to the instance with the least memory left that still fits \
                     it, so fewer instances are used"
                }),
            )
        }
        "random" => (
            "place tasks on a random instance that fits".to_owned(),
            None,
        ),
        other => (format!("use the {other} strategy"), None),
    }
}

/// One placement constraint as a sentence.
pub fn constraint(item: &PlacementConstraint) -> String {
    match item.kind.as_str() {
        "distinctInstance" => "Each task runs on a different instance.".to_owned(),
        "memberOf" => match item.expression.as_deref() {
            Some(expression) => format!("Only instances where {expression}."),
            None => "Only instances matching an empty expression.".to_owned(),
        },
        other => format!("Constraint {other}."),
    }
}

/// Upper-cases the first letter.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// How `service` places its tasks, as sentences: daemon services first say so; otherwise the
/// strategies in order (`Spread tasks evenly across Availability Zones, then binpack on
/// memory: …`), then each constraint.
pub fn placement(service: &Service) -> String {
    let mut text = if service.scheduling_strategy == "DAEMON" {
        "One task on every active container instance (daemon service).".to_owned()
    } else if service.placement_strategy.is_empty() {
        if uses_fargate(
            service.launch_type.as_deref(),
            &service.capacity_provider_strategy,
        ) {
            "Fargate spreads tasks across the Availability Zones of the service's subnets."
                .to_owned()
        } else {
            "No placement strategy: ECS spreads tasks across Availability Zones.".to_owned()
        }
    } else {
        let parts: Vec<_> = service.placement_strategy.iter().map(strategy).collect();
        let phrases: Vec<&str> = parts.iter().map(|(p, _)| p.as_str()).collect();
        let mut text = sentence(&phrases.join(", then "));
        let details: Vec<&str> = parts.iter().filter_map(|(_, d)| *d).collect();
        if !details.is_empty() {
            text.push_str(": ");
            text.push_str(&details.join("; "));
        }
        text.push('.');
        text
    };
    for item in &service.placement_constraints {
        text.push(' ');
        text.push_str(&constraint(item));
    }
    text
}

/// A service's launch type, or its capacity providers with weights and bases
/// (`FARGATE (weight 1, base 2), FARGATE_SPOT (weight 3)`).
pub fn launch(service: &Service) -> String {
    if let Some(kind) = &service.launch_type {
        return kind.clone();
    }
    if service.capacity_provider_strategy.is_empty() {
        return "default capacity provider".to_owned();
    }
    service
        .capacity_provider_strategy
        .iter()
        .map(|i| {
            if i.base > 0 {
                format!(
                    "{} (weight {}, base {})",
                    i.capacity_provider, i.weight, i.base
                )
            } else {
                format!("{} (weight {})", i.capacity_provider, i.weight)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How tasks are split between capacity providers: `FARGATE runs the first 2 tasks; the rest
/// are split FARGATE 1 : FARGATE_SPOT 3.` An empty strategy uses the cluster's default.
pub fn capacity_strategy(items: &[CapacityProviderStrategyItem]) -> String {
    if items.is_empty() {
        return "The cluster's default capacity provider strategy.".to_owned();
    }
    let mut text = String::new();
    for item in items.iter().filter(|i| i.base > 0) {
        let noun = if item.base == 1 { "task" } else { "tasks" };
        text.push_str(&format!(
            "{} runs the first {} {noun}; ",
            item.capacity_provider, item.base
        ));
    }
    let weighted: Vec<_> = items.iter().filter(|i| i.weight > 0).collect();
    match weighted.as_slice() {
        [] => text.push_str("no provider has a weight, so no more tasks are placed."),
        [only] => text.push_str(&format!(
            "{} tasks run on {}.",
            if text.is_empty() { "All" } else { "the other" },
            only.capacity_provider
        )),
        many => text.push_str(&format!(
            "{} are split {}.",
            if text.is_empty() { "Tasks" } else { "the rest" },
            many.iter()
                .map(|i| format!("{} {}", i.capacity_provider, i.weight))
                .collect::<Vec<_>>()
                .join(" : ")
        )),
    }
    text
}

/// A rolling deployment's limits in words: `Keeps at least 100% of the desired count running
/// and starts at most 200% during a deployment; failed deployments roll back.`
pub fn deployment_configuration(service: &Service) -> String {
    let config = service.deployment_configuration.as_ref();
    let (default_minimum, default_maximum) =
        Scheduling::of_service(&service.scheduling_strategy).default_percents();
    let minimum = config
        .and_then(|c| c.minimum_healthy_percent)
        .unwrap_or(default_minimum);
    let maximum = config
        .and_then(|c| c.maximum_percent)
        .unwrap_or(default_maximum);
    let mut text = format!(
        "Keeps at least {minimum}% of the desired count running and runs at most {maximum}% \
         during a deployment"
    );
    match config.and_then(|c| c.deployment_circuit_breaker.as_ref()) {
        Some(breaker) if breaker.enable && breaker.rollback => {
            text.push_str("; the circuit breaker stops failing deployments and rolls back.");
        }
        Some(breaker) if breaker.enable => {
            text.push_str("; the circuit breaker stops failing deployments (no rollback).");
        }
        _ => text.push_str("; no circuit breaker, so a failing deployment keeps retrying."),
    }
    text
}

/// A scalable target's bounds and suspensions: `Auto scaling keeps the desired count between
/// 3 and 12.`
pub fn scalable_target(target: &ScalableTarget) -> String {
    let mut text = format!(
        "Auto scaling keeps the desired count between {} and {}.",
        target.min_capacity, target.max_capacity
    );
    let suspended = &target.suspended_state;
    let off: Vec<&str> = [
        (suspended.dynamic_scaling_out_suspended, "scaling out"),
        (suspended.dynamic_scaling_in_suspended, "scaling in"),
        (suspended.scheduled_scaling_suspended, "scheduled actions"),
    ]
    .into_iter()
    .filter_map(|(on, what)| on.then_some(what))
    .collect();
    if !off.is_empty() {
        text.push_str(&format!(" Suspended: {}.", off.join(", ")));
    }
    text
}

/// A scaling policy in words.
pub fn scaling_policy(policy: &ScalingPolicy) -> String {
    if let Some(config) = &policy.target_tracking_scaling_policy_configuration {
        return target_tracking(config);
    }
    if let Some(config) = &policy.step_scaling_policy_configuration {
        let alarm = policy
            .alarms
            .first()
            .map_or_else(|| "its alarm".to_owned(), |a| a.alarm_name.clone());
        return step_scaling(config, &alarm);
    }
    format!("A {} policy.", policy.policy_type)
}

fn target_tracking(config: &TargetTrackingConfiguration) -> String {
    let target = trim_number(config.target_value);
    let metric = match (
        &config.predefined_metric_specification,
        &config.customized_metric_specification,
    ) {
        (Some(spec), _) => match spec.predefined_metric_type.as_str() {
            "ECSServiceAverageCPUUtilization" => {
                format!("the tasks' average CPU use near {target}%")
            }
            "ECSServiceAverageMemoryUtilization" => {
                format!("the tasks' average memory use near {target}%")
            }
            "ALBRequestCountPerTarget" => format!("about {target} load balancer requests per task"),
            other => format!("{other} near {target}"),
        },
        (None, Some(custom)) => format!(
            "{}/{} ({}) near {target}",
            custom.namespace.as_deref().unwrap_or("?"),
            custom.metric_name.as_deref().unwrap_or("?"),
            custom.statistic.as_deref().unwrap_or("Average")
        ),
        (None, None) => format!("its metric near {target}"),
    };
    let action = if config.disable_scale_in {
        "Adds tasks (never removes them) to keep"
    } else {
        "Adds or removes tasks to keep"
    };
    let out = config
        .scale_out_cooldown
        .unwrap_or(DEFAULT_COOLDOWN_SECONDS);
    let cooldowns = if config.disable_scale_in {
        format!("waits {out} s after scaling out")
    } else {
        let scale_in = config.scale_in_cooldown.unwrap_or(DEFAULT_COOLDOWN_SECONDS);
        format!("waits {out} s after scaling out and {scale_in} s after scaling in")
    };
    format!("{action} {metric}; {cooldowns}.")
}

fn step_scaling(config: &StepScalingConfiguration, alarm: &str) -> String {
    let steps: Vec<String> = config
        .step_adjustments
        .iter()
        .map(|step| {
            format!(
                "{} when the metric is {}",
                adjustment(&config.adjustment_type, step.scaling_adjustment),
                step_range(step)
            )
        })
        .collect();
    let cooldown = config.cooldown.unwrap_or(DEFAULT_COOLDOWN_SECONDS);
    format!(
        "While the alarm {alarm} fires: {}; then waits {cooldown} s.",
        steps.join("; ")
    )
}

fn adjustment(kind: &str, amount: i64) -> String {
    let tasks = |n: i64| {
        if n == 1 {
            "1 task".to_owned()
        } else {
            format!("{n} tasks")
        }
    };
    match kind {
        "ExactCapacity" => format!("set the desired count to {amount}"),
        "PercentChangeInCapacity" if amount >= 0 => format!("add {amount}% more tasks"),
        "PercentChangeInCapacity" => format!("remove {}% of the tasks", amount.abs()),
        _ if amount >= 0 => format!("add {}", tasks(amount)),
        _ => format!("remove {}", tasks(amount.abs())),
    }
}

/// A step's bounds, which are offsets from the alarm threshold.
fn step_range(step: &StepAdjustment) -> String {
    let at = |offset: f64| match offset {
        x if x > 0.0 => format!("threshold + {}", trim_number(x)),
        x if x < 0.0 => format!("threshold − {}", trim_number(-x)),
        _ => "the threshold".to_owned(),
    };
    match (
        step.metric_interval_lower_bound,
        step.metric_interval_upper_bound,
    ) {
        (Some(low), Some(high)) => format!("from {} up to {}", at(low), at(high)),
        (Some(low), None) => format!("at {} or above", at(low)),
        (None, Some(high)) => format!("below {}", at(high)),
        (None, None) => "anywhere".to_owned(),
    }
}

/// A scheduled action in words: `cron(0 8 ? * MON-FRI *) (UTC): minimum 6.`
pub fn scheduled_action(action: &ScheduledAction) -> String {
    let bounds: Vec<String> = [
        ("minimum", action.scalable_target_action.min_capacity),
        ("maximum", action.scalable_target_action.max_capacity),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| format!("{name} {v}")))
    .collect();
    let zone = action.timezone.as_deref().unwrap_or("UTC");
    let bounds = if bounds.is_empty() {
        "changes nothing".to_owned()
    } else {
        format!("sets the {}", bounds.join(" and the "))
    };
    format!("At {} ({zone}), {bounds}.", action.schedule)
}

/// `60` for 60.0, `0.5` for 0.5.
fn trim_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_shared::ecs::{DeploymentCircuitBreaker, DeploymentConfiguration};

    #[test]
    fn scaling_in_words() {
        let policy: ScalingPolicy = serde_json::from_value(serde_json::json!({
            "policyARN": "arn:p", "policyName": "cpu60", "resourceId": "service/demo/web",
            "policyType": "TargetTrackingScaling",
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 60.0, "scaleOutCooldown": 60,
                "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}
            }
        }))
        .unwrap();
        assert_eq!(
            scaling_policy(&policy),
            "Adds or removes tasks to keep the tasks' average CPU use near 60%; waits 60 s after \
             scaling out and 300 s after scaling in."
        );
        let step: ScalingPolicy = serde_json::from_value(serde_json::json!({
            "policyARN": "arn:s", "policyName": "queue", "resourceId": "service/demo/worker",
            "policyType": "StepScaling",
            "stepScalingPolicyConfiguration": {
                "adjustmentType": "ChangeInCapacity", "cooldown": 120,
                "stepAdjustments": [
                    {"metricIntervalLowerBound": 0.0, "metricIntervalUpperBound": 500.0, "scalingAdjustment": 2},
                    {"metricIntervalLowerBound": 500.0, "scalingAdjustment": 5},
                    {"metricIntervalUpperBound": -10.0, "scalingAdjustment": -1}
                ]
            },
            "alarms": [{"alarmName": "queue-high", "alarmARN": "arn:a"}]
        }))
        .unwrap();
        assert_eq!(
            scaling_policy(&step),
            "While the alarm queue-high fires: add 2 tasks when the metric is from the threshold \
             up to threshold + 500; add 5 tasks when the metric is at threshold + 500 or above; \
             remove 1 task when the metric is below threshold − 10; then waits 120 s."
        );
        let target: ScalableTarget = serde_json::from_value(serde_json::json!({
            "serviceNamespace": "ecs", "resourceId": "service/demo/web",
            "scalableDimension": "ecs:service:DesiredCount", "minCapacity": 3, "maxCapacity": 12,
            "suspendedState": {"dynamicScalingInSuspended": true}
        }))
        .unwrap();
        assert_eq!(
            scalable_target(&target),
            "Auto scaling keeps the desired count between 3 and 12. Suspended: scaling in."
        );
        let action: ScheduledAction = serde_json::from_value(serde_json::json!({
            "scheduledActionName": "mornings", "scheduledActionARN": "arn:x",
            "schedule": "cron(0 8 ? * MON-FRI *)", "resourceId": "service/demo/web",
            "scalableTargetAction": {"minCapacity": 6, "maxCapacity": 20}
        }))
        .unwrap();
        assert_eq!(
            scheduled_action(&action),
            "At cron(0 8 ? * MON-FRI *) (UTC), sets the minimum 6 and the maximum 20."
        );
    }

    fn service(json: serde_json::Value) -> Service {
        let mut base = serde_json::json!({
            "serviceArn": "arn:aws:ecs:eu-west-1:1:service/demo/api",
            "serviceName": "api",
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "taskDefinition": "api:3",
            "schedulingStrategy": "REPLICA",
        });
        if let (Some(base), Some(extra)) = (base.as_object_mut(), json.as_object()) {
            base.extend(extra.clone());
        }
        serde_json::from_value(base).expect("service")
    }

    #[test]
    fn spread_then_binpack_reads_as_one_sentence() {
        let s = service(serde_json::json!({
            "launchType": "EC2",
            "placementStrategy": [
                {"type": "spread", "field": "attribute:ecs.availability-zone"},
                {"type": "binpack", "field": "memory"},
            ],
        }));
        assert_eq!(
            placement(&s),
            "Spread tasks evenly across Availability Zones, then binpack on memory: each task \
             goes to the instance with the least memory left that still fits it, so fewer \
             instances are used."
        );
    }

    #[test]
    fn constraints_follow_the_strategies() {
        let s = service(serde_json::json!({
            "launchType": "EC2",
            "placementStrategy": [{"type": "spread", "field": "instanceId"}],
            "placementConstraints": [
                {"type": "distinctInstance"},
                {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"},
            ],
        }));
        assert_eq!(
            placement(&s),
            "Spread tasks evenly across instances. Each task runs on a different instance. \
             Only instances where attribute:ecs.instance-type =~ m5.*."
        );
    }

    #[test]
    fn daemon_fargate_and_default_placement() {
        let daemon = service(serde_json::json!({"schedulingStrategy": "DAEMON"}));
        assert!(placement(&daemon).starts_with("One task on every active container instance"));
        let fargate = service(serde_json::json!({"launchType": "FARGATE"}));
        assert!(placement(&fargate).starts_with("Fargate spreads"));
        let plain = service(serde_json::json!({"launchType": "EC2"}));
        assert!(placement(&plain).starts_with("No placement strategy"));
        let custom = service(serde_json::json!({
            "placementStrategy": [{"type": "spread", "field": "attribute:rack"}, {"type": "random"}],
        }));
        assert_eq!(
            placement(&custom),
            "Spread tasks evenly across values of rack, then place tasks on a random instance \
             that fits."
        );
    }

    fn item(name: &str, weight: i64, base: i64) -> CapacityProviderStrategyItem {
        CapacityProviderStrategyItem {
            capacity_provider: name.to_owned(),
            weight,
            base,
        }
    }

    #[test]
    fn capacity_strategy_in_words() {
        assert_eq!(
            capacity_strategy(&[item("FARGATE", 1, 2), item("FARGATE_SPOT", 3, 0)]),
            "FARGATE runs the first 2 tasks; the rest are split FARGATE 1 : FARGATE_SPOT 3."
        );
        assert_eq!(
            capacity_strategy(&[item("FARGATE", 1, 0)]),
            "All tasks run on FARGATE."
        );
        assert_eq!(
            capacity_strategy(&[]),
            "The cluster's default capacity provider strategy."
        );
        assert_eq!(
            capacity_strategy(&[item("asg", 0, 1)]),
            "asg runs the first 1 task; no provider has a weight, so no more tasks are placed."
        );
    }

    #[test]
    fn deployment_limits_in_words() {
        let mut s = service(serde_json::json!({}));
        assert_eq!(
            deployment_configuration(&s),
            "Keeps at least 100% of the desired count running and runs at most 200% during a \
             deployment; no circuit breaker, so a failing deployment keeps retrying."
        );
        let config = DeploymentConfiguration {
            deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                enable: true,
                rollback: true,
            }),
            maximum_percent: Some(150),
            minimum_healthy_percent: Some(50),
        };
        s.deployment_configuration = Some(config);
        assert_eq!(
            deployment_configuration(&s),
            "Keeps at least 50% of the desired count running and runs at most 150% during a \
             deployment; the circuit breaker stops failing deployments and rolls back."
        );
    }

    #[test]
    fn a_fargate_capacity_provider_service_reads_as_fargate() {
        let on_provider = service(serde_json::json!({
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        }));
        let on_launch_type = service(serde_json::json!({"launchType": "FARGATE"}));
        assert_eq!(placement(&on_provider), placement(&on_launch_type));
        assert!(placement(&on_provider).starts_with("Fargate spreads"));
    }

    /// Every sentence about a service, for a set of services that covers each branch: a change
    /// of wording shows up as a snapshot diff to review.
    #[test]
    fn services_in_words() {
        let services = [
            serde_json::json!({"launchType": "EC2"}),
            serde_json::json!({"launchType": "FARGATE",
                "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 150,
                    "deploymentCircuitBreaker": {"enable": true, "rollback": true}}}),
            serde_json::json!({"capacityProviderStrategy": [
                {"capacityProvider": "FARGATE", "weight": 1, "base": 2},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}]}),
            serde_json::json!({"launchType": "EC2", "placementStrategy": [
                {"type": "spread", "field": "attribute:ecs.availability-zone"},
                {"type": "binpack", "field": "cpu"}],
                "placementConstraints": [{"type": "distinctInstance"},
                    {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}]}),
            serde_json::json!({"launchType": "EC2", "placementStrategy": [
                {"type": "spread", "field": "instanceId"}, {"type": "random"}],
                "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": false}}}),
            serde_json::json!({"launchType": "EC2", "schedulingStrategy": "DAEMON",
                "placementConstraints": [{"type": "memberOf", "expression": "attribute:team == platform"}]}),
        ];
        let text: Vec<String> = services
            .into_iter()
            .map(|json| {
                let s = service(json);
                format!(
                    "launch: {}\nplacement: {}\ncapacity: {}\ndeployment: {}\n",
                    launch(&s),
                    placement(&s),
                    capacity_strategy(&s.capacity_provider_strategy),
                    deployment_configuration(&s)
                )
            })
            .collect();
        insta::assert_snapshot!(text.join("\n"));
    }
}
