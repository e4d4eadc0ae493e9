//! The rules a change request must meet before any source sees it: `CreateService`,
//! `UpdateService`, `RunTask` and a service's deployment configuration.
//!
//! The server checks every request with these functions before calling either source (the
//! sandbox or AWS), and the console's forms check what the user types with the same ones, so a
//! number out of ECS's range is refused the same way everywhere: an [`InputError`] naming the
//! field, never a value clamped or dropped on its way to AWS. Rules that need the account
//! (does the service exist, is it a daemon, is the definition active) belong to the source.
//!
//! Limits (docs/ECS-MODEL.md §1.10, §4.2, §4.8): a service runs at most
//! [`MAX_DESIRED_COUNT`] tasks (ECS's "Tasks per service" quota); RunTask starts 1 to
//! [`MAX_RUN_TASK_COUNT`] tasks; `minimumHealthyPercent` is 0–100 and `maximumPercent` at
//! least `minimumHealthyPercent` (and at least 100 for a REPLICA service), both within the
//! API's 32-bit integers.

use crate::{
    api::{CreateService, RunTask, ScalingBounds, ServiceUpdate},
    ecs::{CapacityProviderStrategyItem, DeploymentConfiguration, LoadBalancer, ServiceRegistry},
    input::InputError,
    ops::strategy::check_strategy,
    placement::{check_constraints, check_strategies, uses_fargate},
};

/// ECS's "Tasks per service" quota: the most tasks one service may run.
pub const MAX_DESIRED_COUNT: i64 = 5_000;
/// RunTask starts at most this many tasks per call.
pub const MAX_RUN_TASK_COUNT: i64 = 10;
/// The largest number ECS's API takes for a count or percent (a 32-bit `Integer`).
pub const MAX_API_INTEGER: i64 = i32::MAX as i64;
/// Longest service name.
pub const MAX_SERVICE_NAME: usize = 255;
/// Longest `startedBy` tag of RunTask.
pub const MAX_STARTED_BY: usize = 128;
/// Longest reason StopTask keeps.
pub const MAX_STOP_REASON: usize = 255;
/// Longest client token (a Deploy's Apply, a run).
pub const MAX_CLIENT_TOKEN: usize = 64;

/// A client token: 1 to [`MAX_CLIENT_TOKEN`] letters, digits, `-` or `_` (what AWS's RunTask
/// takes as its idempotency token, and what Berth keys an Apply's replay on).
pub fn check_client_token(token: Option<&str>) -> Result<(), InputError> {
    match token {
        Some(token)
            if token.is_empty()
                || token.len() > MAX_CLIENT_TOKEN
                || !token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Err(InputError::new(
                "clientToken",
                format!("A client token is 1 to {MAX_CLIENT_TOKEN} letters, digits, '-' or '_'."),
            ))
        }
        _ => Ok(()),
    }
}

/// The `startedBy` of tasks a person runs through Berth: `berth-<who>`, each character
/// `startedBy` does not allow replaced by `_`, cut to [`MAX_STARTED_BY`]. Who ran a task is
/// then visible in ECS itself, whoever looks.
pub fn started_by(who: &str) -> String {
    std::iter::once("berth-")
        .flat_map(str::chars)
        .chain(who.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        }))
        .take(MAX_STARTED_BY)
        .collect()
}

/// The stopped reason of a task a person stops through Berth: their reason, if any, then who
/// stopped it, within StopTask's [`MAX_STOP_REASON`] characters (their reason is cut to fit).
pub fn stop_reason(reason: Option<&str>, who: &str) -> String {
    let signature = format!("stopped by {who} through Berth");
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let Some(reason) = reason else {
        return capitalised(&signature)
            .chars()
            .take(MAX_STOP_REASON)
            .collect();
    };
    let room = MAX_STOP_REASON.saturating_sub(signature.chars().count() + 3);
    let kept: String = reason.chars().take(room).collect();
    let text = format!("{kept} ({signature})");
    text.chars().take(MAX_STOP_REASON).collect()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// How a service schedules its tasks: the percents' defaults and limits differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduling {
    /// `REPLICA`: keeps `desiredCount` tasks.
    Replica,
    /// `DAEMON`: one task per instance.
    Daemon,
}

impl Scheduling {
    /// Reads a `schedulingStrategy` (absent means `REPLICA`), at `field`.
    pub fn parse(value: Option<&str>, field: &str) -> Result<Self, InputError> {
        match value {
            None | Some("REPLICA") => Ok(Self::Replica),
            Some("DAEMON") => Ok(Self::Daemon),
            Some(other) => Err(InputError::new(
                field,
                format!("{other:?} is not a scheduling strategy; use \"REPLICA\" or \"DAEMON\"."),
            )),
        }
    }

    /// The strategy of a service's `schedulingStrategy` as ECS reports it (anything but
    /// `DAEMON` schedules replicas).
    pub fn of_service(scheduling_strategy: &str) -> Self {
        if scheduling_strategy == "DAEMON" {
            Self::Daemon
        } else {
            Self::Replica
        }
    }

    /// The `(minimumHealthyPercent, maximumPercent)` ECS uses when a configuration omits them.
    pub fn default_percents(self) -> (i64, i64) {
        match self {
            Self::Replica => (100, 200),
            Self::Daemon => (0, 100),
        }
    }
}

/// A desired count at `field`: 0 to [`MAX_DESIRED_COUNT`].
pub fn check_desired_count(count: i64, field: &str) -> Result<(), InputError> {
    if (0..=MAX_DESIRED_COUNT).contains(&count) {
        Ok(())
    } else {
        Err(InputError::new(
            field,
            format!(
                "Must be between 0 and {MAX_DESIRED_COUNT} (ECS runs at most {MAX_DESIRED_COUNT} tasks per service); it is {count}."
            ),
        ))
    }
}

/// The effective `(minimumHealthyPercent, maximumPercent)` of `configuration` (defaults filled
/// in), checked; `path` names the configuration in errors. With `scheduling` unknown (an
/// update of a service the caller has not read), only the rules common to both apply.
pub fn deployment_percents(
    configuration: &DeploymentConfiguration,
    scheduling: Option<Scheduling>,
    path: &str,
) -> Result<(i64, i64), InputError> {
    let (default_minimum, default_maximum) =
        scheduling.unwrap_or(Scheduling::Replica).default_percents();
    let minimum = configuration
        .minimum_healthy_percent
        .unwrap_or(default_minimum);
    let maximum = configuration.maximum_percent.unwrap_or(default_maximum);
    let minimum_field = format!("{path}.minimumHealthyPercent");
    let maximum_field = format!("{path}.maximumPercent");
    if !(0..=100).contains(&minimum) {
        return Err(InputError::new(
            minimum_field,
            format!("Must be between 0 and 100; it is {minimum}."),
        ));
    }
    if !(0..=MAX_API_INTEGER).contains(&maximum) {
        return Err(InputError::new(
            maximum_field,
            format!("Must be between 0 and {MAX_API_INTEGER}; it is {maximum}."),
        ));
    }
    if scheduling == Some(Scheduling::Replica) && maximum < 100 {
        return Err(InputError::new(
            maximum_field,
            format!(
                "Must be at least 100 for a REPLICA service, or it could never run all its desired tasks; it is {maximum}."
            ),
        ));
    }
    if maximum < minimum {
        return Err(InputError::new(
            maximum_field,
            format!("Must not be below minimumHealthyPercent ({minimum}); it is {maximum}."),
        ));
    }
    Ok((minimum, maximum))
}

/// Checks a `CreateService` request.
pub fn check_create_service(request: &CreateService) -> Result<(), InputError> {
    check_service_name(&request.service_name)?;
    check_reference(&request.task_definition, "taskDefinition")?;
    let scheduling =
        Scheduling::parse(request.scheduling_strategy.as_deref(), "schedulingStrategy")?;
    check_desired_count(request.desired_count, "desiredCount")?;
    check_launch(
        request.launch_type.as_deref(),
        &request.capacity_provider_strategy,
    )?;
    check_strategies(&request.placement_strategy, "placementStrategy")?;
    check_constraints(&request.placement_constraints, "placementConstraints")?;
    if let Some(configuration) = &request.deployment_configuration {
        deployment_percents(configuration, Some(scheduling), "deploymentConfiguration")?;
    }
    if scheduling == Scheduling::Daemon
        && uses_fargate(
            request.launch_type.as_deref(),
            &request.capacity_provider_strategy,
        )
    {
        return Err(InputError::new(
            "schedulingStrategy",
            "Fargate has no instances to run a daemon on: use REPLICA, or EC2.",
        ));
    }
    if scheduling == Scheduling::Daemon && !request.placement_strategy.is_empty() {
        return Err(InputError::new(
            "placementStrategy",
            "A daemon service places one task on every instance: leave out placement strategies.",
        ));
    }
    check_load_balancers(&request.load_balancers)?;
    check_service_registries(&request.service_registries)?;
    check_client_token(request.client_token.as_deref())
}

/// Checks an `UpdateService` request.
pub fn check_service_update(update: &ServiceUpdate) -> Result<(), InputError> {
    if let Some(count) = update.desired_count {
        check_desired_count(count, "desiredCount")?;
    }
    if let Some(definition) = &update.task_definition {
        check_reference(definition, "taskDefinition")?;
    }
    if let Some(configuration) = &update.deployment_configuration {
        deployment_percents(configuration, None, "deploymentConfiguration")?;
    }
    if let Some(strategy) = &update.capacity_provider_strategy {
        if strategy.is_empty() {
            return Err(InputError::new(
                "capacityProviderStrategy",
                "Name at least one capacity provider: a service with its own strategy cannot go back to the cluster's default.",
            ));
        }
        check_strategy(strategy, "capacityProviderStrategy")?;
        if !update.force_new_deployment {
            return Err(InputError::new(
                "forceNewDeployment",
                "Changing the capacity provider strategy replaces the tasks: set forceNewDeployment.",
            ));
        }
    }
    Ok(())
}

/// Checks new bounds of a service's auto scaling: 0 ≤ min ≤ max ≤ [`MAX_DESIRED_COUNT`].
pub fn check_scaling_bounds(bounds: &ScalingBounds) -> Result<(), InputError> {
    check_desired_count(bounds.min_capacity, "scalableTarget.minCapacity")?;
    check_desired_count(bounds.max_capacity, "scalableTarget.maxCapacity")?;
    if bounds.max_capacity < bounds.min_capacity {
        return Err(InputError::new(
            "scalableTarget.maxCapacity",
            format!(
                "The maximum ({}) is below the minimum ({}).",
                bounds.max_capacity, bounds.min_capacity
            ),
        ));
    }
    Ok(())
}

/// Checks a `RunTask` request.
pub fn check_run_task(request: &RunTask) -> Result<(), InputError> {
    check_reference(&request.task_definition, "taskDefinition")?;
    if !(1..=MAX_RUN_TASK_COUNT).contains(&request.count) {
        return Err(InputError::new(
            "count",
            format!(
                "RunTask starts 1 to {MAX_RUN_TASK_COUNT} tasks; it is {}.",
                request.count
            ),
        ));
    }
    check_launch(
        request.launch_type.as_deref(),
        &request.capacity_provider_strategy,
    )?;
    check_strategies(&request.placement_strategy, "placementStrategy")?;
    check_constraints(&request.placement_constraints, "placementConstraints")?;
    if let Some(started_by) = &request.started_by
        && (started_by.len() > MAX_STARTED_BY
            || !started_by
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(InputError::new(
            "startedBy",
            format!("Use up to {MAX_STARTED_BY} letters, numbers, hyphens and underscores."),
        ));
    }
    check_client_token(request.client_token.as_deref())
}

/// A service name: 1–255 letters, numbers, hyphens and underscores.
fn check_service_name(name: &str) -> Result<(), InputError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_SERVICE_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(InputError::new(
            "serviceName",
            format!(
                "{name:?} is not a service name: use 1 to {MAX_SERVICE_NAME} letters, numbers, hyphens and underscores."
            ),
        ))
    }
}

/// A task-definition reference (`family`, `family:revision` or ARN) is not blank.
fn check_reference(reference: &str, field: &str) -> Result<(), InputError> {
    if reference.trim().is_empty() {
        Err(InputError::new(
            field,
            "Name a task definition: family, family:revision or ARN.",
        ))
    } else {
        Ok(())
    }
}

/// A launch type (EC2, FARGATE or EXTERNAL) or a capacity provider strategy, not both.
fn check_launch(
    launch_type: Option<&str>,
    strategy: &[CapacityProviderStrategyItem],
) -> Result<(), InputError> {
    match launch_type {
        Some("EC2" | "FARGATE" | "EXTERNAL") if !strategy.is_empty() => Err(InputError::new(
            "capacityProviderStrategy",
            "Give a launch type or a capacity provider strategy, not both.",
        )),
        Some("EC2" | "FARGATE" | "EXTERNAL") => Ok(()),
        Some(other) => Err(InputError::new(
            "launchType",
            format!("{other:?} is not a launch type; use EC2, FARGATE or EXTERNAL."),
        )),
        None if strategy.is_empty() => Ok(()),
        None => check_strategy(strategy, "capacityProviderStrategy"),
    }
}

/// The target groups one service may send traffic from, at most.
pub const MAX_LOAD_BALANCERS: usize = 5;
/// The service registries one service may register in (ECS takes one).
pub const MAX_SERVICE_REGISTRIES: usize = 1;

/// A service's load balancers: at most [`MAX_LOAD_BALANCERS`], each a target group ARN (or a
/// Classic Load Balancer's name) with the container and port that receive the traffic.
fn check_load_balancers(load_balancers: &[LoadBalancer]) -> Result<(), InputError> {
    if load_balancers.len() > MAX_LOAD_BALANCERS {
        return Err(InputError::new(
            "loadBalancers",
            format!(
                "A service takes at most {MAX_LOAD_BALANCERS} target groups; {} given.",
                load_balancers.len()
            ),
        ));
    }
    for (index, target) in load_balancers.iter().enumerate() {
        let path = format!("loadBalancers[{index}]");
        match (&target.target_group_arn, &target.load_balancer_name) {
            (Some(_), Some(_)) => {
                return Err(InputError::new(
                    format!("{path}.loadBalancerName"),
                    "Give a target group ARN or a Classic Load Balancer's name, not both.",
                ));
            }
            (Some(arn), None) => check_arn(
                arn,
                "elasticloadbalancing",
                "targetgroup/",
                &format!("{path}.targetGroupArn"),
            )?,
            (None, Some(name)) if !name.trim().is_empty() => {}
            _ => {
                return Err(InputError::new(
                    format!("{path}.targetGroupArn"),
                    "Name the target group: arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>.",
                ));
            }
        }
        if target
            .container_name
            .as_deref()
            .is_none_or(|name| name.trim().is_empty())
        {
            return Err(InputError::new(
                format!("{path}.containerName"),
                "Name the container that receives the traffic.",
            ));
        }
        check_port(
            target.container_port,
            &format!("{path}.containerPort"),
            true,
        )?;
    }
    Ok(())
}

/// A service's Cloud Map registries: at most [`MAX_SERVICE_REGISTRIES`], each a service
/// discovery service ARN, with optional ports.
fn check_service_registries(registries: &[ServiceRegistry]) -> Result<(), InputError> {
    if registries.len() > MAX_SERVICE_REGISTRIES {
        return Err(InputError::new(
            "serviceRegistries",
            format!(
                "A service registers in at most {MAX_SERVICE_REGISTRIES} registry; {} given.",
                registries.len()
            ),
        ));
    }
    for (index, registry) in registries.iter().enumerate() {
        let path = format!("serviceRegistries[{index}]");
        check_arn(
            registry.registry_arn.as_deref().unwrap_or_default(),
            "servicediscovery",
            "service/",
            &format!("{path}.registryArn"),
        )?;
        check_port(registry.port, &format!("{path}.port"), false)?;
        check_port(
            registry.container_port,
            &format!("{path}.containerPort"),
            false,
        )?;
        if registry.container_port.is_some() && registry.container_name.is_none() {
            return Err(InputError::new(
                format!("{path}.containerName"),
                "Name the container whose port the registry's SRV records point to.",
            ));
        }
    }
    Ok(())
}

/// An ARN of an AWS `service` whose resource starts with `resource`
/// (`arn:<partition>:<service>:<region>:<account>:<resource>…`), at `field`.
fn check_arn(arn: &str, service: &str, resource: &str, field: &str) -> Result<(), InputError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let valid = matches!(
        parts.as_slice(),
        ["arn", partition, s, region, account, rest]
            if partition.starts_with("aws")
                && *s == service
                && !region.is_empty()
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && rest.len() > resource.len()
                && rest.starts_with(resource)
    );
    if valid {
        Ok(())
    } else {
        Err(InputError::new(
            field,
            format!(
                "{arn:?} is not a {service} ARN: arn:aws:{service}:<region>:<account>:{resource}…"
            ),
        ))
    }
}

/// A port at `field`: 1 to 65535, and present when `required`.
fn check_port(port: Option<i64>, field: &str, required: bool) -> Result<(), InputError> {
    match port {
        Some(port) if !(1..=65_535).contains(&port) => Err(InputError::new(
            field,
            format!("A port is 1 to 65535; it is {port}."),
        )),
        None if required => Err(InputError::new(field, "Give the container port.")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::from_json;

    /// The field named by the first problem of each request, or `None` when it passes.
    fn field_of<T: serde::de::DeserializeOwned>(
        json: &str,
        check: fn(&T) -> Result<(), InputError>,
    ) -> Option<String> {
        let request: T = from_json(json).unwrap();
        check(&request).err().map(|e| e.field)
    }

    #[test]
    fn updates_name_the_field_out_of_range() {
        let cases = [
            (r#"{"desiredCount": 3}"#, None),
            (r#"{"desiredCount": 5000}"#, None),
            (r#"{"desiredCount": 5001}"#, Some("desiredCount")),
            (r#"{"desiredCount": -1}"#, Some("desiredCount")),
            (r#"{"taskDefinition": " "}"#, Some("taskDefinition")),
            (
                r#"{"forceNewDeployment": true, "deploymentConfiguration": {"maximumPercent": 9223372036854775807}}"#,
                Some("deploymentConfiguration.maximumPercent"),
            ),
            (
                r#"{"deploymentConfiguration": {"minimumHealthyPercent": 101}}"#,
                Some("deploymentConfiguration.minimumHealthyPercent"),
            ),
            (
                r#"{"deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 40}}"#,
                Some("deploymentConfiguration.maximumPercent"),
            ),
            (
                r#"{"deploymentConfiguration": {"minimumHealthyPercent": 0, "maximumPercent": 100}}"#,
                None,
            ),
            (
                r#"{"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}"#,
                Some("forceNewDeployment"),
            ),
            (
                r#"{"forceNewDeployment": true, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}"#,
                None,
            ),
            (
                r#"{"forceNewDeployment": true, "capacityProviderStrategy": []}"#,
                Some("capacityProviderStrategy"),
            ),
        ];
        for (json, field) in cases {
            assert_eq!(
                field_of(json, check_service_update).as_deref(),
                field,
                "{json}"
            );
        }
    }

    #[test]
    fn new_services_are_checked_field_by_field() {
        let cases = [
            (r#"{"serviceName": "web", "taskDefinition": "web"}"#, None),
            (
                r#"{"serviceName": "a b", "taskDefinition": "web"}"#,
                Some("serviceName"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "desiredCount": 10000}"#,
                Some("desiredCount"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "schedulingStrategy": "ONCE"}"#,
                Some("schedulingStrategy"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "launchType": "MOON"}"#,
                Some("launchType"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "launchType": "EC2",
                    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}"#,
                Some("capacityProviderStrategy"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web",
                    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 5000}]}"#,
                Some("capacityProviderStrategy[0].weight"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web",
                    "placementConstraints": [{"type": "memberOf", "expression": "attribute:x =="}]}"#,
                Some("placementConstraints[0].expression"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web",
                    "deploymentConfiguration": {"maximumPercent": 50}}"#,
                Some("deploymentConfiguration.maximumPercent"),
            ),
            (
                r#"{"serviceName": "agent", "taskDefinition": "agent", "schedulingStrategy": "DAEMON",
                    "deploymentConfiguration": {"minimumHealthyPercent": 0, "maximumPercent": 100}}"#,
                None,
            ),
            (
                r#"{"serviceName": "agent", "taskDefinition": "agent", "schedulingStrategy": "DAEMON",
                    "launchType": "FARGATE"}"#,
                Some("schedulingStrategy"),
            ),
            (
                r#"{"serviceName": "agent", "taskDefinition": "agent", "schedulingStrategy": "DAEMON",
                    "placementStrategy": [{"type": "binpack", "field": "memory"}]}"#,
                Some("placementStrategy"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "loadBalancers": [{
                    "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
                    "containerName": "web", "containerPort": 80}]}"#,
                None,
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "loadBalancers": [{
                    "targetGroupArn": "arn:aws:s3:::bucket", "containerName": "web", "containerPort": 80}]}"#,
                Some("loadBalancers[0].targetGroupArn"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "loadBalancers": [{
                    "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1",
                    "containerPort": 80}]}"#,
                Some("loadBalancers[0].containerName"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "loadBalancers": [{
                    "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1",
                    "containerName": "web", "containerPort": 70000}]}"#,
                Some("loadBalancers[0].containerPort"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "loadBalancers": [{
                    "loadBalancerName": "classic", "containerName": "web", "containerPort": 80}]}"#,
                None,
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "serviceRegistries": [{
                    "registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc"}]}"#,
                None,
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "serviceRegistries": [
                    {"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-a"},
                    {"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-b"}]}"#,
                Some("serviceRegistries"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "serviceRegistries": [{
                    "registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-a",
                    "containerPort": 80}]}"#,
                Some("serviceRegistries[0].containerName"),
            ),
            (
                r#"{"serviceName": "web", "taskDefinition": "web", "clientToken": "a b"}"#,
                Some("clientToken"),
            ),
        ];
        for (json, field) in cases {
            assert_eq!(
                field_of(json, check_create_service).as_deref(),
                field,
                "{json}"
            );
        }
    }

    #[test]
    fn run_task_counts_and_tags_are_checked() {
        let cases = [
            (r#"{"taskDefinition": "web", "count": 10}"#, None),
            (r#"{"taskDefinition": "web", "count": 0}"#, Some("count")),
            (r#"{"taskDefinition": "web", "count": 11}"#, Some("count")),
            (
                r#"{"taskDefinition": "web", "startedBy": "me; rm -rf"}"#,
                Some("startedBy"),
            ),
            (
                r#"{"taskDefinition": "web", "placementStrategy": [{"type": "binpack", "field": "disk"}]}"#,
                Some("placementStrategy[0].field"),
            ),
        ];
        for (json, field) in cases {
            assert_eq!(field_of(json, check_run_task).as_deref(), field, "{json}");
        }
    }

    #[test]
    fn defaults_depend_on_the_scheduling_strategy() {
        let empty = DeploymentConfiguration::default();
        assert_eq!(
            deployment_percents(&empty, Some(Scheduling::Replica), "d"),
            Ok((100, 200))
        );
        assert_eq!(
            deployment_percents(&empty, Some(Scheduling::Daemon), "d"),
            Ok((0, 100))
        );
    }

    /// Every message the request rules write, for a set of requests that breaks each rule once:
    /// a change of wording shows up as a snapshot diff to review.
    #[test]
    fn messages() {
        let updates = [
            r#"{"desiredCount": 5001}"#,
            r#"{"taskDefinition": ""}"#,
            r#"{"deploymentConfiguration": {"maximumPercent": 9223372036854775807}}"#,
            r#"{"deploymentConfiguration": {"minimumHealthyPercent": -1}}"#,
            r#"{"deploymentConfiguration": {"minimumHealthyPercent": 80, "maximumPercent": 60}}"#,
        ];
        let creates = [
            r#"{"serviceName": "", "taskDefinition": "web"}"#,
            r#"{"serviceName": "web", "taskDefinition": "web", "schedulingStrategy": "ONCE"}"#,
            r#"{"serviceName": "web", "taskDefinition": "web", "launchType": "MOON"}"#,
            r#"{"serviceName": "web", "taskDefinition": "web", "launchType": "EC2",
                "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}"#,
            r#"{"serviceName": "web", "taskDefinition": "web",
                "deploymentConfiguration": {"maximumPercent": 90}}"#,
        ];
        let runs = [
            r#"{"taskDefinition": "web", "count": 0}"#,
            r#"{"taskDefinition": "web", "startedBy": "a b"}"#,
        ];
        let mut lines = Vec::new();
        let mut describe = |json: &str, result: Result<(), InputError>| {
            let error = result.expect_err(json);
            lines.push(format!("{}: {}", error.field, error.message));
        };
        for json in updates {
            describe(json, check_service_update(&from_json(json).unwrap()));
        }
        for json in creates {
            describe(json, check_create_service(&from_json(json).unwrap()));
        }
        for json in runs {
            describe(json, check_run_task(&from_json(json).unwrap()));
        }
        insta::assert_snapshot!(lines.join("\n"));
    }

    /// Mostly numbers near the limits (from a little below zero to `near`), sometimes any.
    fn number(near: i64) -> impl proptest::strategy::Strategy<Value = i64> {
        proptest::prop_oneof![3 => -5..near, 1 => proptest::num::i64::ANY]
    }

    proptest::proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        /// Whatever numbers a request carries, the rules answer without panicking, and a
        /// request they accept has every number within ECS's ranges.
        #[test]
        fn accepted_requests_are_within_range(
            desired in number(6_000),
            minimum in proptest::option::of(number(300)),
            maximum in proptest::option::of(number(300)),
            count in number(20),
            weight in number(2_000),
            base in number(200_000),
        ) {
            let configuration = DeploymentConfiguration {
                deployment_circuit_breaker: None,
                maximum_percent: maximum,
                minimum_healthy_percent: minimum,
            };
            let update = ServiceUpdate {
                desired_count: Some(desired),
                deployment_configuration: Some(configuration.clone()),
                ..ServiceUpdate::default()
            };
            if check_service_update(&update).is_ok() {
                proptest::prop_assert!((0..=MAX_DESIRED_COUNT).contains(&desired));
                let (min, max) = deployment_percents(&configuration, None, "d").unwrap();
                proptest::prop_assert!((0..=100).contains(&min));
                proptest::prop_assert!((min..=MAX_API_INTEGER).contains(&max));
            }
            let run: RunTask = from_json(&format!(
                r#"{{"taskDefinition": "web", "count": {count},
                    "capacityProviderStrategy": [{{"capacityProvider": "FARGATE", "weight": {weight}, "base": {base}}}]}}"#
            )).unwrap();
            if check_run_task(&run).is_ok() {
                proptest::prop_assert!((1..=MAX_RUN_TASK_COUNT).contains(&count));
                proptest::prop_assert!(i32::try_from(weight).is_ok() && i32::try_from(base).is_ok());
            }
        }
    }

    #[test]
    fn tasks_name_who_ran_and_stopped_them_within_ecs_limits() {
        assert_eq!(started_by("ana@example.com"), "berth-ana_example_com");
        assert_eq!(started_by(&"x".repeat(300)).len(), MAX_STARTED_BY);
        let run = RunTask {
            started_by: Some(started_by("ops.team/é")),
            ..serde_json::from_value(serde_json::json!({"taskDefinition": "web"})).unwrap()
        };
        assert_eq!(check_run_task(&run), Ok(()));
        assert_eq!(stop_reason(None, "ana"), "Stopped by ana through Berth");
        assert_eq!(
            stop_reason(Some(" stuck "), "ana"),
            "stuck (stopped by ana through Berth)"
        );
        let long = stop_reason(Some(&"r".repeat(400)), "ana");
        assert_eq!(long.chars().count(), MAX_STOP_REASON);
        assert!(long.ends_with("(stopped by ana through Berth)"));
    }
}
