//! The preview of creating a service: what a [`CreateService`] request would do before it is
//! sent, computed alike by the server (`POST /api/clusters/{cluster}/new-service/preview`) and
//! by the console's Create service page (in wasm, on every edit):
//!
//! - the problems of the request ([`super::requests`]), of its name (a service of that name
//!   that is not INACTIVE already exists), of the revision it names and its launch type and
//!   network ([`super::new_tasks`]), and of its load balancers and service registry (the
//!   container must be in the revision and the port one it maps); any error blocks creation;
//! - whether the first tasks fit on the cluster's instances now (a daemon service: one on each
//!   ACTIVE instance), with the per-instance reasons of the first that does not, and what
//!   managed scaling would add; on Fargate, nothing to fill;
//! - what the service costs an hour and a month (on EC2, the instances a scale-out would add);
//! - the `CreateService` call, as a request body and as an `aws ecs create-service` command
//!   line.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cost::CostOutput;
use super::new_tasks::{NewTasks, command_line, launch_problems, startable, unplaced_warning};
use super::preview::{PlannedCall, SurgePlacement, error, revision_name, shell_quote};
use super::requests::check_create_service;
use super::validate::{Problem, Severity};
use crate::api::{ClusterSnapshot, CreateService};
use crate::ecs::{PlacementStrategy, TaskDefinition};

/// What the first tasks of a new service are, in words.
const FIRST_TASKS: &str = "the service's first tasks";

/// Everything a create preview is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServicePreviewInput {
    /// The source's region (for the command line).
    pub region: String,
    /// The cluster as it is now.
    pub snapshot: ClusterSnapshot,
    /// The revision the request names, as the source describes it (none when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<TaskDefinition>,
    /// The revisions the cluster's tasks run (their reservations count).
    #[serde(default)]
    pub task_definitions: Vec<TaskDefinition>,
    /// The request.
    pub request: CreateService,
}

/// What creating the service would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServicePreview {
    /// The cluster.
    pub cluster: String,
    /// The new service's name.
    pub service: String,
    /// `family:revision` its tasks would run (what the request names when there is none).
    pub revision: String,
    /// How many tasks it starts: the desired count, or one per ACTIVE instance for a daemon.
    pub tasks: i64,
    /// Problems of the request; errors block creation.
    pub problems: Vec<Problem>,
    /// Whether an error blocks creation.
    pub blocked: bool,
    /// Whether the first tasks fit on the instances now (not on Fargate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<SurgePlacement>,
    /// What the service adds to the bill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostOutput>,
    /// The call creation makes.
    pub calls: Vec<PlannedCall>,
}

/// What creating `input.request` on `input.snapshot` would do.
pub fn preview_create_service(input: &CreateServicePreviewInput) -> CreateServicePreview {
    let request = &input.request;
    let snapshot = &input.snapshot;
    let cluster = snapshot.cluster.cluster_name.as_str();
    let mut problems: Vec<Problem> = Vec::new();
    if let Err(problem) = check_create_service(request) {
        problems.push(error(&problem.field, problem.message));
    }
    if let Some(existing) = snapshot
        .services
        .iter()
        .find(|s| s.service_name == request.service_name && s.status != "INACTIVE")
    {
        problems.push(error(
            "serviceName",
            format!(
                "{cluster} already has a service named {} ({}): choose another name, or deploy to that one",
                existing.service_name, existing.status
            ),
        ));
    }
    let definition = startable(
        input.definition.as_ref(),
        &request.task_definition,
        &mut problems,
    );
    let daemon = request.scheduling_strategy.as_deref() == Some("DAEMON");
    let tasks = if daemon {
        let active = snapshot
            .container_instances
            .iter()
            .filter(|i| i.status == "ACTIVE")
            .count();
        i64::try_from(active).unwrap_or(i64::MAX)
    } else {
        request.desired_count
    };
    // A daemon puts one task on each instance, which is what spreading on instanceId does.
    let daemon_strategy = [PlacementStrategy {
        kind: "spread".to_owned(),
        field: Some("instanceId".to_owned()),
    }];
    let group = format!("service:{}", request.service_name);
    let new_tasks = definition.map(|definition| NewTasks {
        snapshot,
        task_definitions: &input.task_definitions,
        definition,
        count: tasks,
        group: &group,
        launch_type: request.launch_type.as_deref(),
        capacity_provider_strategy: &request.capacity_provider_strategy,
        placement_strategy: if daemon {
            &daemon_strategy
        } else {
            &request.placement_strategy
        },
        placement_constraints: &request.placement_constraints,
        what: FIRST_TASKS,
        name: &request.service_name,
    });
    if let Some(new_tasks) = &new_tasks {
        problems.extend(launch_problems(
            new_tasks.definition,
            new_tasks.fargate(),
            request.network_configuration.as_ref(),
        ));
        problems.extend(target_problems(new_tasks.definition, request));
    }
    let blocked_so_far = problems.iter().any(|p| p.severity == Severity::Error);
    let placement = new_tasks
        .filter(|_| !blocked_so_far && tasks > 0)
        .and_then(|new_tasks| new_tasks.placement());
    problems.extend(unplaced_warning(placement.as_ref(), "desiredCount"));
    let cost = new_tasks.and_then(|new_tasks| new_tasks.cost(placement.as_ref()));
    let blocked = problems.iter().any(|p| p.severity == Severity::Error);
    CreateServicePreview {
        cluster: cluster.to_owned(),
        service: request.service_name.clone(),
        revision: definition.map_or_else(|| request.task_definition.clone(), revision_name),
        tasks,
        problems,
        blocked,
        placement,
        cost,
        calls: vec![create_call(&input.region, cluster, request)],
    }
}

/// What keeps the request's load balancers and service registry from reaching `definition`'s
/// containers: each names a container of the revision and a port that container maps.
fn target_problems(definition: &TaskDefinition, request: &CreateService) -> Vec<Problem> {
    let name = revision_name(definition);
    let targets = request
        .load_balancers
        .iter()
        .enumerate()
        .map(|(index, lb)| {
            (
                format!("loadBalancers[{index}]"),
                lb.container_name.as_deref(),
                lb.container_port,
            )
        })
        .chain(
            request
                .service_registries
                .iter()
                .enumerate()
                .map(|(index, registry)| {
                    (
                        format!("serviceRegistries[{index}]"),
                        registry.container_name.as_deref(),
                        registry.container_port,
                    )
                }),
        );
    let mut problems = Vec::new();
    for (path, container, port) in targets {
        let Some(container) = container else {
            continue;
        };
        let Some(found) = definition
            .container_definitions
            .iter()
            .find(|c| c.name == container)
        else {
            problems.push(error(
                &format!("{path}.containerName"),
                format!("{name} has no container named {container}"),
            ));
            continue;
        };
        if let Some(port) = port
            && !found
                .port_mappings
                .iter()
                .any(|m| m.container_port == Some(port))
        {
            let mapped: Vec<String> = found
                .port_mappings
                .iter()
                .filter_map(|m| m.container_port.map(|p| p.to_string()))
                .collect();
            problems.push(error(
                &format!("{path}.containerPort"),
                if mapped.is_empty() {
                    format!("the container {container} of {name} maps no port")
                } else {
                    format!(
                        "the container {container} of {name} maps {}, not {port}",
                        mapped.join(", ")
                    )
                },
            ));
        }
    }
    problems
}

/// The `CreateService` call for `request`.
fn create_call(region: &str, cluster: &str, request: &CreateService) -> PlannedCall {
    let mut input = serde_json::to_value(request).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut input {
        fields.shift_insert(0, "cluster".to_owned(), Value::String(cluster.to_owned()));
    }
    let line = command_line(
        format!(
            "aws ecs create-service --region {region} --cluster {} --service-name {} --task-definition {} --desired-count {}",
            shell_quote(cluster),
            shell_quote(&request.service_name),
            shell_quote(&request.task_definition),
            request.desired_count
        ),
        &input,
        &[
            ("--launch-type", "launchType"),
            ("--capacity-provider-strategy", "capacityProviderStrategy"),
            ("--scheduling-strategy", "schedulingStrategy"),
            ("--placement-strategy", "placementStrategy"),
            ("--placement-constraints", "placementConstraints"),
            ("--network-configuration", "networkConfiguration"),
            ("--load-balancers", "loadBalancers"),
            ("--service-registries", "serviceRegistries"),
            ("--deployment-configuration", "deploymentConfiguration"),
            ("--client-token", "clientToken"),
        ],
    );
    PlannedCall {
        operation: "CreateService".to_owned(),
        command_line: line,
        input,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::placement::bench_preview;

    /// A request on the benchmark cluster of `instances` instances for svc-0's revision, with
    /// the request's fields from `request` (`serviceName` and `taskDefinition` defaulted).
    fn input(instances: usize, request: Value) -> CreateServicePreviewInput {
        let bench = bench_preview(instances, instances * 10);
        let mut fields = json!({"serviceName": "checkout", "taskDefinition": "svc-0:3"});
        if let (Value::Object(base), Value::Object(given)) = (&mut fields, request) {
            base.extend(given);
        }
        CreateServicePreviewInput {
            region: "us-east-1".into(),
            snapshot: bench.snapshot,
            definition: Some(bench.current_definition),
            task_definitions: bench.task_definitions,
            request: serde_json::from_value(fields).unwrap(),
        }
    }

    fn error_paths(preview: &CreateServicePreview) -> Vec<&str> {
        preview
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.path.as_str())
            .collect()
    }

    #[test]
    fn a_service_that_fits_is_created_in_one_call() {
        let preview = preview_create_service(&input(
            4,
            json!({"desiredCount": 3, "launchType": "EC2", "clientToken": "t-1"}),
        ));
        assert!(!preview.blocked, "{:?}", preview.problems);
        assert_eq!((preview.revision.as_str(), preview.tasks), ("svc-0:3", 3));
        let placement = preview.placement.unwrap();
        assert_eq!((placement.tasks, placement.placed), (3, 3), "{placement:?}");
        let call = &preview.calls[0];
        assert_eq!(call.operation, "CreateService");
        assert_eq!(call.input["cluster"], "bench");
        assert_eq!(
            call.command_line,
            "aws ecs create-service --region us-east-1 --cluster 'bench' --service-name 'checkout' \
             --task-definition 'svc-0:3' --desired-count 3 --launch-type EC2 --client-token t-1"
        );
        assert_eq!(preview.cost.unwrap().difference.unwrap().monthly, 0.0);
    }

    #[test]
    fn a_name_in_use_and_an_unknown_revision_block() {
        let mut taken = input(2, json!({"serviceName": "svc-0", "desiredCount": 1}));
        taken.definition = None;
        let preview = preview_create_service(&taken);
        assert!(preview.blocked);
        assert_eq!(error_paths(&preview), ["serviceName", "taskDefinition"]);
        assert!(
            preview.problems[0]
                .message
                .contains("already has a service named svc-0")
        );
        assert!(preview.placement.is_none() && preview.cost.is_none());
    }

    #[test]
    fn targets_must_name_a_container_and_a_port_it_maps() {
        let target_group =
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
        let registry = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1";
        let cases = [
            (
                json!({"loadBalancers": [{"targetGroupArn": target_group, "containerName": "app", "containerPort": 8080}]}),
                vec!["loadBalancers[0].containerPort"],
            ),
            (
                json!({"loadBalancers": [{"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}]}),
                vec!["loadBalancers[0].containerName"],
            ),
            (
                json!({"serviceRegistries": [{"registryArn": registry, "containerName": "sidecar"}]}),
                vec!["serviceRegistries[0].containerName"],
            ),
            (
                json!({"serviceRegistries": [{"registryArn": registry}]}),
                vec![],
            ),
        ];
        for (request, expected) in cases {
            let preview = preview_create_service(&input(2, request.clone()));
            assert_eq!(error_paths(&preview), expected, "{request}");
        }
        let mut mapped = input(
            2,
            json!({"loadBalancers": [{"targetGroupArn": target_group, "containerName": "app", "containerPort": 80}]}),
        );
        mapped.definition.as_mut().unwrap().container_definitions[0].port_mappings =
            serde_json::from_value(json!([{"containerPort": 80}])).unwrap();
        let preview = preview_create_service(&mapped);
        assert!(!preview.blocked, "{:?}", preview.problems);
        assert!(preview.calls[0].command_line.contains(&format!(
            "--load-balancers '[{{\"targetGroupArn\":\"{target_group}\",\"containerName\":\"app\",\"containerPort\":80}}]'"
        )));
    }

    #[test]
    fn the_launch_type_and_network_must_suit_the_revision() {
        let network = json!({"awsvpcConfiguration": {"subnets": ["subnet-1"]}});
        let cases = [
            // A bridge revision registered for EC2 cannot run on Fargate.
            (
                json!({"launchType": "FARGATE", "networkConfiguration": network}),
                None,
                vec!["launchType", "networkConfiguration"],
            ),
            // A bridge revision takes no network configuration.
            (
                json!({"networkConfiguration": network}),
                None,
                vec!["networkConfiguration"],
            ),
            // An awsvpc revision needs subnets.
            (json!({}), Some("awsvpc"), vec!["networkConfiguration"]),
            (
                json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": []}}}),
                Some("awsvpc"),
                vec!["networkConfiguration.awsvpcConfiguration.subnets"],
            ),
            (
                json!({"networkConfiguration": network}),
                Some("awsvpc"),
                vec![],
            ),
        ];
        for (request, mode, expected) in cases {
            let mut case = input(2, request.clone());
            if let Some(mode) = mode {
                case.definition.as_mut().unwrap().network_mode = Some(mode.to_owned());
            }
            let preview = preview_create_service(&case);
            assert_eq!(error_paths(&preview), expected, "{request} {mode:?}");
        }
    }

    #[test]
    fn a_daemon_starts_one_task_on_each_active_instance() {
        let preview = preview_create_service(&input(
            5,
            json!({"schedulingStrategy": "DAEMON", "launchType": "EC2"}),
        ));
        assert!(!preview.blocked, "{:?}", preview.problems);
        assert_eq!(preview.tasks, 5);
        let placement = preview.placement.unwrap();
        assert_eq!(placement.placed, 5, "{placement:?}");
    }

    #[test]
    fn services_too_big_for_the_instances_warn_without_blocking() {
        let mut big = input(2, json!({"desiredCount": 40, "launchType": "EC2"}));
        big.definition.as_mut().unwrap().container_definitions[0].memory = Some(4096);
        let preview = preview_create_service(&big);
        assert!(!preview.blocked);
        let placement = preview.placement.unwrap();
        assert!(placement.placed < 40, "{placement:?}");
        assert!(
            preview
                .problems
                .iter()
                .any(|p| p.path == "desiredCount" && p.severity == Severity::Warning),
            "{:?}",
            preview.problems
        );
    }
}
