//! The preview of a change to a service: what a [`ServiceChange`] would do before it is made.
//!
//! One function, [`preview_change`], computed from the live cluster snapshot the same way by
//! the server (`POST …/preview`) and by the console (in wasm, on every edit):
//!
//! - the revision that would run, and whether a new one is registered ([`same_registration`]:
//!   a definition equal to the family's latest revision registers nothing, so a repeated Apply
//!   never makes a second revision);
//! - the task-definition changes, field by field at their JSON paths, and the problems of the
//!   new definition ([`super::validate`]) and of the request ([`super::requests`]); any error
//!   blocks Apply;
//! - the rolling plan ([`super::deployment`]) with the cluster's room counted by the placement
//!   engine on the live instances (unbounded on Fargate);
//! - whether the first step's new tasks fit now, with the per-instance reasons of the first
//!   that does not, and then how many more instances of the cluster's usual type a capacity
//!   provider's managed scaling would add for them to fit (the same estimate ECS makes for
//!   PROVISIONING tasks, docs/ECS-MODEL.md §6.4), or that the deployment would stall;
//! - the monthly cost before and after ([`super::cost`]): the service's tasks on Fargate, the
//!   cluster's instances on EC2;
//! - the AWS calls Apply makes, as request bodies and as `aws ecs …` command lines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::cost::{CostInput, CostOutput, InstanceGroup, ServiceSpec, Workload, estimate_cost};
use super::deployment::{ClusterRoom, DeploymentInput, DeploymentOutput, simulate_deployment};
use super::requests::{Scheduling, check_scaling_bounds, check_service_update};
use super::validate::{Problem, Severity, validate_task_definition};
use crate::api::{ClusterSnapshot, ScalingBounds, ServiceChange, ServiceUpdate};
use crate::ecs::{ContainerInstance, Service, TaskDefinition, short_id};
use crate::placement::{PlacementInput, TaskExplanation, simulate_placement, uses_fargate};

/// The fields `DescribeTaskDefinition` adds that `RegisterTaskDefinition` does not take.
pub const DESCRIBED_ONLY: [&str; 9] = [
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "family",
];

/// The tasks a deployment's surge placement is about, in words.
const FIRST_STEP: &str = "the first step's new tasks";
/// The tasks a run's placement is about, in words.
pub(super) const RUN_TASKS: &str = "the tasks";

/// Most instances the preview adds when it looks for what managed scaling would launch.
pub const MAX_SCALE_OUT: usize = 100;

/// Everything a preview is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewInput {
    /// The source's region (for the command lines).
    pub region: String,
    /// The cluster as it is now.
    pub snapshot: ClusterSnapshot,
    /// The service to change.
    pub service_name: String,
    /// The revision the service runs now.
    pub current_definition: TaskDefinition,
    /// The family's latest ACTIVE revision, when a definition is to be registered (so an
    /// identical one is not registered twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_definition: Option<TaskDefinition>,
    /// The existing revision `change.taskDefinition` names, resolved by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_definition: Option<TaskDefinition>,
    /// Definitions of the cluster's tasks, for instances that do not report their remaining
    /// resources (may be empty).
    #[serde(default)]
    pub task_definitions: Vec<TaskDefinition>,
    /// The change.
    pub change: ServiceChange,
}

/// One field of the task definition that changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// JSON path, e.g. `containerDefinitions[0].image`.
    pub path: String,
    /// The value now (absent: the field is added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The value after (absent: the field is removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// Whether the first step's new tasks fit on the cluster now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SurgePlacement {
    /// New tasks the first step starts.
    pub tasks: i64,
    /// How many of them the placement engine places on the live instances.
    pub placed: i64,
    /// Why the first unplaced task fits nowhere, instance by instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_unplaced: Option<TaskExplanation>,
    /// The cluster's instances, in the order the explanation's indexes use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<String>,
    /// More instances managed scaling would add for every task to fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_out: Option<ScaleOut>,
    /// What happens to the tasks that do not fit, in words.
    pub summary: String,
}

/// Instances a capacity provider's managed scaling would add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleOut {
    /// The capacity provider that would scale.
    pub capacity_provider: String,
    /// The instance type added (the cluster's most common).
    pub instance_type: String,
    /// How many.
    pub instances: i64,
}

/// One AWS call Apply would make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedCall {
    /// The operation, e.g. `UpdateService`.
    pub operation: String,
    /// Its request body, in the API's JSON.
    pub input: Value,
    /// The same call as an `aws` command line.
    pub command_line: String,
}

/// Before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Now.
    pub before: i64,
    /// After the change.
    pub after: i64,
}

/// What a change would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePreview {
    /// The cluster.
    pub cluster: String,
    /// The service.
    pub service: String,
    /// The revision running now (`family:revision`).
    pub from_revision: String,
    /// The revision that would run (`family:next` for one to be registered).
    pub to_revision: String,
    /// Whether Apply registers a new revision.
    pub registers: bool,
    /// Whether Apply starts a new deployment.
    pub deploys: bool,
    /// The desired count.
    pub desired_count: Counts,
    /// Task-definition fields that change.
    pub changes: Vec<FieldChange>,
    /// Problems of the new definition and of the request; an error blocks Apply.
    pub problems: Vec<Problem>,
    /// Whether an error blocks Apply.
    pub blocked: bool,
    /// The rolling plan, when a deployment starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<DeploymentOutput>,
    /// Whether the first step's tasks fit (EC2 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<SurgePlacement>,
    /// Monthly cost before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostOutput>,
    /// The calls Apply makes, in order.
    pub calls: Vec<PlannedCall>,
}

/// The definition as `RegisterTaskDefinition` takes it: without the fields
/// `DescribeTaskDefinition` adds (the family stays), and without empty lists.
pub fn registration(definition: &TaskDefinition) -> Value {
    let mut value = serde_json::to_value(definition).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        fields.retain(|key, value| {
            (key == "family" || !DESCRIBED_ONLY.contains(&key.as_str()))
                && !matches!(value, Value::Array(items) if items.is_empty())
                && !value.is_null()
        });
    }
    value
}

/// Whether registering `proposed` would give a revision equal to `existing`.
pub fn same_registration(proposed: &TaskDefinition, existing: &TaskDefinition) -> bool {
    registration(proposed) == registration(existing)
}

/// The fields that differ between two definitions, at their JSON paths (registration
/// fields only).
pub fn definition_changes(before: &TaskDefinition, after: &TaskDefinition) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    compare(
        "",
        Some(&registration(before)),
        Some(&registration(after)),
        &mut changes,
    );
    changes
}

fn compare(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let added = b.keys().filter(|key| !a.contains_key(*key));
            for key in a.keys().chain(added) {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                compare(&child, a.get(key), b.get(key), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for index in 0..a.len().max(b.len()) {
                compare(&format!("{path}[{index}]"), a.get(index), b.get(index), out);
            }
        }
        (a, b) if a != b => out.push(FieldChange {
            path: if path.is_empty() {
                ".".to_owned()
            } else {
                path.to_owned()
            },
            before: a.cloned(),
            after: b.cloned(),
        }),
        _ => {}
    }
}

pub(super) fn error(path: &str, message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_owned(),
        severity: Severity::Error,
        message: message.into(),
    }
}

/// Previews `input.change` on the service.
pub fn preview_change(input: &PreviewInput) -> ServicePreview {
    let snapshot = &input.snapshot;
    let change = &input.change;
    let service = snapshot
        .services
        .iter()
        .find(|s| s.service_name == input.service_name && s.status != "INACTIVE");
    let mut problems = Vec::new();
    let Some(service) = service else {
        problems.push(error(
            "serviceName",
            format!(
                "the service {} is not in the cluster {} (deleted meanwhile?)",
                input.service_name, snapshot.cluster.cluster_name
            ),
        ));
        return ServicePreview {
            cluster: snapshot.cluster.cluster_name.clone(),
            service: input.service_name.clone(),
            from_revision: revision_name(&input.current_definition),
            to_revision: revision_name(&input.current_definition),
            registers: false,
            deploys: false,
            desired_count: Counts {
                before: 0,
                after: 0,
            },
            changes: Vec::new(),
            problems,
            blocked: true,
            plan: None,
            placement: None,
            cost: None,
            calls: Vec::new(),
        };
    };

    // What would run.
    let mut registers = false;
    let target = match (&change.register, &change.task_definition) {
        (Some(_), Some(_)) => {
            problems.push(error(
                "taskDefinition",
                "give either a definition to register or an existing revision, not both",
            ));
            input.current_definition.clone()
        }
        (Some(proposed), None) => {
            let report = validate_task_definition(&registration(proposed));
            problems.extend(report.problems.into_iter().map(|p| Problem {
                path: format!("register.{}", p.path.trim_start_matches('.')),
                ..p
            }));
            match input
                .latest_definition
                .as_ref()
                .filter(|latest| same_registration(proposed, latest))
            {
                Some(latest) => latest.clone(),
                None => {
                    registers = true;
                    proposed.clone()
                }
            }
        }
        (None, Some(named)) => match &input.target_definition {
            Some(found) if found.status.as_deref() == Some("INACTIVE") => {
                problems.push(error(
                    "taskDefinition",
                    format!(
                        "{} is INACTIVE: register it again or choose an ACTIVE revision",
                        revision_name(found)
                    ),
                ));
                found.clone()
            }
            Some(found) => found.clone(),
            None => {
                problems.push(error(
                    "taskDefinition",
                    format!("there is no task definition {named}"),
                ));
                input.current_definition.clone()
            }
        },
        (None, None) => input.current_definition.clone(),
    };
    if registers && target.family != input.current_definition.family {
        problems.push(Problem {
            path: "register.family".to_owned(),
            severity: Severity::Warning,
            message: format!(
                "the service runs the family {}; this registers a revision of {}",
                input.current_definition.family, target.family
            ),
        });
    }
    let to_revision = if registers {
        format!("{}:next", target.family)
    } else {
        revision_name(&target)
    };
    let new_revision =
        registers || target.task_definition_arn != input.current_definition.task_definition_arn;
    let deploys = new_revision || change.force_new_deployment;

    // The request's own rules.
    let daemon = Scheduling::of_service(&service.scheduling_strategy) == Scheduling::Daemon;
    let update = ServiceUpdate {
        desired_count: change.desired_count,
        task_definition: None,
        force_new_deployment: change.force_new_deployment,
        deployment_configuration: change.deployment_configuration.clone(),
        capacity_provider_strategy: change.capacity_provider_strategy.clone(),
    };
    if let Err(problem) = check_service_update(&update) {
        problems.push(error(&problem.field, problem.message));
    }
    if daemon && change.desired_count.is_some() {
        problems.push(error(
            "desiredCount",
            "a DAEMON service runs one task per instance and takes no desired count",
        ));
    }
    let desired_count = Counts {
        before: service.desired_count,
        after: change.desired_count.unwrap_or(service.desired_count),
    };
    if let Some(bounds) = &change.scalable_target {
        scaling_problems(
            snapshot,
            service,
            bounds,
            desired_count.after,
            &mut problems,
        );
    }

    // The service as it would be: a new capacity provider strategy replaces its launch type.
    let before = service;
    let changed;
    let service = match &change.capacity_provider_strategy {
        Some(strategy) => {
            let mut after = service.clone();
            after.launch_type = None;
            after.capacity_provider_strategy = strategy.clone();
            changed = after;
            &changed
        }
        None => service,
    };
    let fargate = uses_fargate(
        service.launch_type.as_deref(),
        &service.capacity_provider_strategy,
    );
    let placement_input = |count: i64, instances: Vec<ContainerInstance>| PlacementInput {
        container_instances: instances,
        tasks: snapshot.tasks.clone(),
        task_definitions: input.task_definitions.clone(),
        task_definition: target.clone(),
        count,
        group: Some(format!("service:{}", service.service_name)),
        launch_type: Some(if fargate { "FARGATE" } else { "EC2" }.to_owned()),
        placement_strategy: service.placement_strategy.clone(),
        placement_constraints: service.placement_constraints.clone(),
        availability_zones: Vec::new(),
        daemons: Vec::new(),
        seed: 0,
        detailed_explanations: 0,
    };
    let blocked_so_far = problems.iter().any(|p| p.severity == Severity::Error);
    let plan = (deploys && !daemon && !blocked_so_far)
        .then(|| {
            let configuration = change
                .deployment_configuration
                .clone()
                .or_else(|| service.deployment_configuration.clone())
                .unwrap_or_default();
            let running_old = i64::try_from(
                snapshot
                    .tasks
                    .iter()
                    .filter(|t| {
                        t.group.as_deref() == Some(&format!("service:{}", service.service_name))
                            && t.last_status == "RUNNING"
                    })
                    .count(),
            )
            .unwrap_or(0);
            simulate_deployment(&DeploymentInput {
                desired_count: desired_count.after,
                deployment_configuration: configuration,
                scheduling_strategy: service.scheduling_strategy.clone(),
                running_old_tasks: Some(running_old),
                capacity: (!fargate).then(|| ClusterRoom {
                    free_task_slots: None,
                    placement: Some(Box::new(placement_input(
                        1,
                        snapshot.container_instances.clone(),
                    ))),
                }),
                threshold_configuration: None,
                reset_on_healthy_task: true,
                failing_new_tasks: 0,
            })
        })
        .transpose()
        .unwrap_or_else(|problem| {
            problems.push(error(&problem.field, problem.message));
            None
        });

    let placement = match &plan {
        Some(plan) if !fargate => {
            let surge = plan
                .steps
                .iter()
                .map(|s| s.started_new + s.unplaced_tasks)
                .max();
            surge
                .filter(|surge| *surge > 0)
                .map(|surge| surge_placement(snapshot, surge, FIRST_STEP, &placement_input))
        }
        _ => None,
    };
    let cost = estimate_cost(&cost_input(
        snapshot,
        (before, service),
        fargate,
        &input.current_definition,
        &target,
        desired_count,
        placement.as_ref().and_then(|p| p.scale_out.as_ref()),
    ))
    .ok();
    let blocked = problems.iter().any(|p| p.severity == Severity::Error);
    let calls = planned_calls(
        &input.region,
        &snapshot.cluster.cluster_name,
        service,
        registers.then_some(&target),
        (new_revision && !registers).then(|| revision_name(&target)),
        change,
    );
    ServicePreview {
        cluster: snapshot.cluster.cluster_name.clone(),
        service: service.service_name.clone(),
        from_revision: revision_name(&input.current_definition),
        to_revision,
        registers,
        deploys,
        desired_count,
        changes: definition_changes(&input.current_definition, &target),
        problems,
        blocked,
        plan,
        placement,
        cost,
        calls,
    }
}

/// What is wrong with new auto scaling `bounds` for `service`, or what they will do to its
/// desired count.
fn scaling_problems(
    snapshot: &ClusterSnapshot,
    service: &Service,
    bounds: &ScalingBounds,
    desired: i64,
    problems: &mut Vec<Problem>,
) {
    if let Err(problem) = check_scaling_bounds(bounds) {
        problems.push(error(&problem.field, problem.message));
        return;
    }
    if !snapshot
        .scaling
        .iter()
        .any(|s| s.service_name == service.service_name)
    {
        problems.push(error(
            "scalableTarget",
            format!(
                "{} has no scalable target: auto scaling is set up with Application Auto Scaling first",
                service.service_name
            ),
        ));
        return;
    }
    if !(bounds.min_capacity..=bounds.max_capacity).contains(&desired) {
        problems.push(Problem {
            path: "scalableTarget".to_owned(),
            severity: Severity::Warning,
            message: format!(
                "the desired count {desired} is outside {}–{}: auto scaling moves it to {}",
                bounds.min_capacity,
                bounds.max_capacity,
                desired.clamp(bounds.min_capacity, bounds.max_capacity)
            ),
        });
    }
}

/// `family:revision` of a definition.
pub fn revision_name(definition: &TaskDefinition) -> String {
    match definition.revision {
        Some(revision) => format!("{}:{revision}", definition.family),
        None => definition
            .task_definition_arn
            .as_deref()
            .map_or_else(|| definition.family.clone(), |arn| short_id(arn).to_owned()),
    }
}

/// Whether `surge` new tasks (`what` they are, in words: "the first step's new tasks") fit on
/// the cluster's instances now, and if not why, and what managed scaling would add.
pub(super) fn surge_placement(
    snapshot: &ClusterSnapshot,
    surge: i64,
    what: &str,
    placement_input: &dyn Fn(i64, Vec<ContainerInstance>) -> PlacementInput,
) -> SurgePlacement {
    let instances = snapshot.container_instances.clone();
    let mut now = placement_input(surge, instances.clone());
    now.detailed_explanations = usize::try_from(surge).unwrap_or(0).min(50);
    let output = simulate_placement(&now).ok();
    let placed = output
        .as_ref()
        .map_or(0, |o| i64::try_from(o.tasks.len()).unwrap_or(0));
    let first_unplaced = output.as_ref().and_then(|o| {
        o.explanations
            .iter()
            .find(|e| e.failure_reason.is_some())
            .cloned()
    });
    let names = instances
        .iter()
        .map(|i| {
            i.ec2_instance_id
                .clone()
                .unwrap_or_else(|| i.short_id().to_owned())
        })
        .collect();
    if placed >= surge {
        return SurgePlacement {
            tasks: surge,
            placed,
            first_unplaced: None,
            instances: Vec::new(),
            scale_out: None,
            summary: format!("All {surge} of {what} fit on the cluster's instances."),
        };
    }
    let provider = snapshot
        .cluster
        .capacity_providers
        .iter()
        .find(|p| !p.starts_with("FARGATE"))
        .cloned()
        .or_else(|| {
            instances
                .iter()
                .find_map(|i| i.capacity_provider_name.clone())
        });
    let scale_out = provider.and_then(|provider| {
        let template = most_common_type(&instances)?;
        (1..=MAX_SCALE_OUT).find_map(|extra| {
            let mut grown = instances.clone();
            grown.extend((0..extra).map(|n| blank_instance(&template, n, &instances)));
            let output = simulate_placement(&placement_input(surge, grown)).ok()?;
            (i64::try_from(output.tasks.len()).unwrap_or(0) >= surge).then(|| ScaleOut {
                capacity_provider: provider.clone(),
                instance_type: template
                    .attribute("ecs.instance-type")
                    .unwrap_or("?")
                    .to_owned(),
                instances: i64::try_from(extra).unwrap_or(0),
            })
        })
    });
    let unplaced = surge - placed;
    let summary = match &scale_out {
        Some(out) => format!(
            "{unplaced} of {what} ({surge}) do not fit now: they wait in PROVISIONING while {} adds {} × {}.",
            out.capacity_provider, out.instances, out.instance_type
        ),
        None => format!(
            "{unplaced} of {what} ({surge}) do not fit and no capacity provider can add instances: {}",
            if what == RUN_TASKS {
                "RunTask would answer with failures for them."
            } else {
                "the deployment would stall (\"unable to place a task\") until room is made."
            }
        ),
    };
    SurgePlacement {
        tasks: surge,
        placed,
        first_unplaced,
        instances: names,
        scale_out,
        summary,
    }
}

/// The most common instance among the ACTIVE ones, by type (first of the type as template).
fn most_common_type(instances: &[ContainerInstance]) -> Option<ContainerInstance> {
    let mut counts: BTreeMap<&str, (usize, &ContainerInstance)> = BTreeMap::new();
    for instance in instances.iter().filter(|i| i.status == "ACTIVE") {
        let kind = instance.attribute("ecs.instance-type").unwrap_or("");
        counts.entry(kind).or_insert((0, instance)).0 += 1;
    }
    counts
        .into_values()
        .max_by_key(|(count, _)| *count)
        .map(|(_, instance)| instance.clone())
}

/// An empty instance like `template`, the `n`th added, in a zone taken round the cluster's.
fn blank_instance(
    template: &ContainerInstance,
    n: usize,
    instances: &[ContainerInstance],
) -> ContainerInstance {
    let mut zones: Vec<&str> = instances
        .iter()
        .filter_map(|i| i.attribute("ecs.availability-zone"))
        .collect();
    zones.sort_unstable();
    zones.dedup();
    let mut instance = template.clone();
    instance.container_instance_arn = format!("{}-scale-out-{n}", template.container_instance_arn);
    instance.ec2_instance_id = Some(format!("new-{n}"));
    instance.remaining_resources = instance.registered_resources.clone();
    instance.running_tasks_count = 0;
    instance.pending_tasks_count = 0;
    if let Some(zone) = zones.get(n % zones.len().max(1)) {
        for attribute in &mut instance.attributes {
            if attribute.name == "ecs.availability-zone" {
                attribute.value = Some((*zone).to_owned());
            }
        }
    }
    instance
}

fn cost_input(
    snapshot: &ClusterSnapshot,
    (before, after): (&Service, &Service),
    fargate: bool,
    current: &TaskDefinition,
    target: &TaskDefinition,
    desired: Counts,
    scale_out: Option<&ScaleOut>,
) -> CostInput {
    if fargate {
        let spec = |service: &Service, definition: &TaskDefinition, count: i64| {
            fargate_spec(
                &service.service_name,
                definition,
                count,
                service.launch_type.clone(),
                service.capacity_provider_strategy.clone(),
            )
        };
        return CostInput {
            current: Workload {
                services: vec![spec(before, current, desired.before)],
                instances: Vec::new(),
            },
            proposed: Some(Workload {
                services: vec![spec(after, target, desired.after)],
                instances: Vec::new(),
            }),
        };
    }
    let (current_groups, proposed_groups) = instance_groups(snapshot, scale_out);
    CostInput {
        current: Workload {
            services: Vec::new(),
            instances: current_groups,
        },
        proposed: Some(Workload {
            services: Vec::new(),
            instances: proposed_groups,
        }),
    }
}

/// `count` tasks of `definition` on Fargate, as the cost model prices them.
pub(super) fn fargate_spec(
    name: &str,
    definition: &TaskDefinition,
    count: i64,
    launch_type: Option<String>,
    capacity_provider_strategy: Vec<crate::ecs::CapacityProviderStrategyItem>,
) -> ServiceSpec {
    ServiceSpec {
        name: name.to_owned(),
        task_count: count,
        cpu: definition.cpu.clone().unwrap_or_default(),
        memory: definition.memory.clone().unwrap_or_default(),
        launch_type,
        capacity_provider_strategy,
        runtime_platform: definition
            .other
            .get("runtimePlatform")
            .and_then(|v| serde_json::from_value(v.clone()).ok()),
        ephemeral_storage_gib: definition
            .other
            .get("ephemeralStorage")
            .and_then(|v| v.get("sizeInGiB"))
            .and_then(Value::as_i64),
    }
}

/// The cluster's ACTIVE and DRAINING instances by type, now and with `scale_out` added.
pub(super) fn instance_groups(
    snapshot: &ClusterSnapshot,
    scale_out: Option<&ScaleOut>,
) -> (Vec<InstanceGroup>, Vec<InstanceGroup>) {
    let mut types: BTreeMap<String, i64> = BTreeMap::new();
    for instance in snapshot
        .container_instances
        .iter()
        .filter(|i| matches!(i.status.as_str(), "ACTIVE" | "DRAINING"))
    {
        *types
            .entry(
                instance
                    .attribute("ecs.instance-type")
                    .unwrap_or("unknown")
                    .to_owned(),
            )
            .or_default() += 1;
    }
    let groups = |types: &BTreeMap<String, i64>| {
        types
            .iter()
            .map(|(instance_type, count)| InstanceGroup {
                instance_type: instance_type.clone(),
                count: *count,
                hourly_price: None,
            })
            .collect()
    };
    let now = groups(&types);
    if let Some(out) = scale_out {
        *types.entry(out.instance_type.clone()).or_default() += out.instances;
    }
    (now, groups(&types))
}

/// Quotes `text` for a POSIX shell.
pub(super) fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn planned_calls(
    region: &str,
    cluster: &str,
    service: &Service,
    register: Option<&TaskDefinition>,
    revision: Option<String>,
    change: &ServiceChange,
) -> Vec<PlannedCall> {
    let mut calls = Vec::new();
    if let Some(definition) = register {
        let input = registration(definition);
        calls.push(PlannedCall {
            operation: "RegisterTaskDefinition".to_owned(),
            command_line: format!(
                "aws ecs register-task-definition --region {region} --cli-input-json {}",
                shell_quote(&input.to_string())
            ),
            input,
        });
    }
    if let Some(bounds) = &change.scalable_target {
        calls.push(scalable_target_call(
            region,
            cluster,
            &service.service_name,
            bounds,
        ));
    }
    let mut input = Map::new();
    input.insert("cluster".into(), json!(cluster));
    input.insert("service".into(), json!(service.service_name));
    let mut line = format!(
        "aws ecs update-service --region {region} --cluster {} --service {}",
        shell_quote(cluster),
        shell_quote(&service.service_name)
    );
    let task_definition = match (register, revision) {
        (Some(definition), _) => Some(definition.family.clone()),
        (None, Some(revision)) => Some(revision),
        _ => None,
    };
    if let Some(task_definition) = task_definition {
        line.push_str(&format!(
            " --task-definition {}",
            shell_quote(&task_definition)
        ));
        input.insert("taskDefinition".into(), json!(task_definition));
    }
    if let Some(count) = change.desired_count {
        line.push_str(&format!(" --desired-count {count}"));
        input.insert("desiredCount".into(), json!(count));
    }
    if let Some(configuration) = &change.deployment_configuration {
        let value = serde_json::to_value(configuration).unwrap_or(Value::Null);
        line.push_str(&format!(
            " --deployment-configuration {}",
            shell_quote(&value.to_string())
        ));
        input.insert("deploymentConfiguration".into(), value);
    }
    if let Some(strategy) = &change.capacity_provider_strategy {
        let value = serde_json::to_value(strategy).unwrap_or(Value::Null);
        line.push_str(&format!(
            " --capacity-provider-strategy {}",
            shell_quote(&value.to_string())
        ));
        input.insert("capacityProviderStrategy".into(), value);
    }
    if change.force_new_deployment {
        line.push_str(" --force-new-deployment");
        input.insert("forceNewDeployment".into(), json!(true));
    }
    // UpdateService is called unless the bounds of auto scaling are all that change.
    if input.len() > 2 || change.scalable_target.is_none() {
        calls.push(PlannedCall {
            operation: "UpdateService".to_owned(),
            input: Value::Object(input),
            command_line: line,
        });
    }
    calls
}

/// Application Auto Scaling's `RegisterScalableTarget` with new bounds for a service.
fn scalable_target_call(
    region: &str,
    cluster: &str,
    service: &str,
    bounds: &ScalingBounds,
) -> PlannedCall {
    let resource = format!("service/{cluster}/{service}");
    PlannedCall {
        operation: "RegisterScalableTarget".to_owned(),
        input: json!({
            "ServiceNamespace": "ecs",
            "ResourceId": resource,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": bounds.min_capacity,
            "MaxCapacity": bounds.max_capacity,
        }),
        command_line: format!(
            "aws application-autoscaling register-scalable-target --region {region} --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id {} --min-capacity {} --max-capacity {}",
            shell_quote(&resource),
            bounds.min_capacity,
            bounds.max_capacity
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::{DeploymentCircuitBreaker, DeploymentConfiguration};
    use crate::placement::bench_fleet;

    const WEB: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";

    fn definition(revision: i64, image: &str, memory: i64) -> TaskDefinition {
        serde_json::from_value(json!({
            "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/web:{revision}"),
            "family": "web", "revision": revision, "status": "ACTIVE",
            "networkMode": "bridge",
            "registeredAt": 1_700_000_000,
            "containerDefinitions": [{"name": "web", "image": image, "cpu": 1024,
                "memory": memory, "essential": true,
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "web"}}}]
        }))
        .unwrap()
    }

    /// `instances` bench instances (8 vCPU, 15,700 MiB) with a 4-task service `web` spread
    /// over them, each task 1 vCPU / `memory` MiB.
    fn input(instances: usize, providers: &[&str], change: ServiceChange) -> PreviewInput {
        let fleet = bench_fleet(instances, 3, 1, 7);
        let current = definition(3, "registry/web:v1", 2048);
        let tasks: Vec<Value> = (0..4)
            .map(|i| {
                json!({"taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/demo/{i}"),
                       "taskDefinitionArn": WEB, "lastStatus": "RUNNING", "group": "service:web",
                       "launchType": "EC2",
                       "containerInstanceArn": fleet.container_instances[i % instances].container_instance_arn})
            })
            .collect();
        let snapshot = serde_json::from_value(json!({
            "cluster": {"clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/demo",
                        "clusterName": "demo", "status": "ACTIVE",
                        "capacityProviders": providers},
            "containerInstances": fleet.container_instances,
            "services": [{"serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/demo/web",
                          "serviceName": "web", "status": "ACTIVE", "desiredCount": 4,
                          "runningCount": 4, "pendingCount": 0, "launchType": "EC2",
                          "taskDefinition": WEB, "schedulingStrategy": "REPLICA"}],
            "tasks": tasks,
            "fetchedAt": 1_700_000_000
        }))
        .unwrap();
        PreviewInput {
            region: "us-east-1".into(),
            snapshot,
            service_name: "web".into(),
            latest_definition: Some(current.clone()),
            current_definition: current.clone(),
            target_definition: None,
            task_definitions: vec![current],
            change,
        }
    }

    fn with_image(image: &str, memory: i64) -> ServiceChange {
        let mut proposed = definition(3, image, memory);
        proposed.task_definition_arn = None;
        proposed.revision = None;
        ServiceChange {
            register: Some(proposed),
            ..ServiceChange::default()
        }
    }

    #[test]
    fn a_new_image_registers_a_revision_and_rolls_it_out() {
        let preview = preview_change(&input(3, &[], with_image("registry/web:v2", 2048)));
        assert!(!preview.blocked, "{:?}", preview.problems);
        assert!(preview.registers && preview.deploys);
        assert_eq!(preview.from_revision, "web:3");
        assert_eq!(preview.to_revision, "web:next");
        assert_eq!(
            preview.changes,
            [FieldChange {
                path: "containerDefinitions[0].image".into(),
                before: Some(json!("registry/web:v1")),
                after: Some(json!("registry/web:v2")),
            }]
        );
        let plan = preview.plan.as_ref().unwrap();
        assert_eq!(
            plan.outcome,
            super::super::deployment::DeploymentOutcome::Completed
        );
        assert_eq!(
            plan.steps[0].started_new, 4,
            "100 % / 200 %: four new beside four old"
        );
        let placement = preview.placement.as_ref().unwrap();
        assert_eq!((placement.tasks, placement.placed), (4, 4));
        let operations: Vec<_> = preview.calls.iter().map(|c| c.operation.as_str()).collect();
        assert_eq!(operations, ["RegisterTaskDefinition", "UpdateService"]);
        assert!(preview.calls[0].command_line.starts_with(
            "aws ecs register-task-definition --region us-east-1 --cli-input-json '{"
        ));
        assert_eq!(
            preview.calls[1].command_line,
            "aws ecs update-service --region us-east-1 --cluster 'demo' --service 'web' --task-definition 'web'"
        );
        assert!(preview.calls[0].input.get("taskDefinitionArn").is_none());
        let cost = preview.cost.unwrap();
        assert_eq!(cost.difference.unwrap().monthly, 0.0, "same instances");
    }

    #[test]
    fn a_definition_equal_to_the_latest_revision_registers_nothing() {
        let preview = preview_change(&input(3, &[], with_image("registry/web:v1", 2048)));
        assert!(!preview.registers);
        assert!(!preview.deploys, "nothing changes");
        assert!(preview.changes.is_empty());
        assert_eq!(preview.to_revision, "web:3");
        let operations: Vec<_> = preview.calls.iter().map(|c| c.operation.as_str()).collect();
        assert_eq!(operations, ["UpdateService"]);
    }

    #[test]
    fn bad_input_blocks_apply_naming_the_field() {
        // (change, path of the expected error)
        let cases = [
            (
                with_image("registry/web:v2", -5),
                "register.containerDefinitions[0].memory",
            ),
            (
                ServiceChange {
                    desired_count: Some(6000),
                    ..ServiceChange::default()
                },
                "desiredCount",
            ),
            (
                ServiceChange {
                    task_definition: Some("web:99".into()),
                    ..ServiceChange::default()
                },
                "taskDefinition",
            ),
            (
                ServiceChange {
                    deployment_configuration: Some(DeploymentConfiguration {
                        minimum_healthy_percent: Some(150),
                        maximum_percent: Some(200),
                        deployment_circuit_breaker: None,
                    }),
                    ..ServiceChange::default()
                },
                "deploymentConfiguration.minimumHealthyPercent",
            ),
        ];
        for (change, path) in cases {
            let preview = preview_change(&input(3, &[], change));
            assert!(preview.blocked, "{path}");
            assert!(
                preview
                    .problems
                    .iter()
                    .any(|p| p.severity == Severity::Error && p.path == path),
                "{path}: {:?}",
                preview.problems
            );
            assert!(preview.plan.is_none(), "{path}");
        }
        let mut gone = input(3, &[], ServiceChange::default());
        gone.snapshot.services.clear();
        let preview = preview_change(&gone);
        assert!(preview.blocked);
        assert!(preview.problems[0].message.contains("deleted meanwhile"));
    }

    #[test]
    fn a_surge_that_does_not_fit_names_the_reason_and_the_scale_out_or_the_stall() {
        // Four 6 GiB tasks on one 15,700 MiB instance: two fit now.
        let big = with_image("registry/web:v2", 6144);
        let stalled = preview_change(&input(1, &[], big.clone()));
        let placement = stalled.placement.as_ref().unwrap();
        assert!(placement.placed < placement.tasks, "{placement:?}");
        assert!(
            placement.summary.contains("would stall"),
            "{}",
            placement.summary
        );
        assert!(placement.first_unplaced.is_some());
        assert!(placement.scale_out.is_none());

        let scaled = preview_change(&input(1, &["ec2-provider"], big));
        let placement = scaled.placement.as_ref().unwrap();
        let out = placement.scale_out.as_ref().unwrap();
        assert_eq!(out.capacity_provider, "ec2-provider");
        assert!(out.instances >= 1, "{out:?}");
        assert!(placement.summary.contains("adds"), "{}", placement.summary);
        let cost = scaled.cost.unwrap();
        assert!(
            cost.difference.unwrap().monthly > 0.0,
            "more instances cost more"
        );
    }

    #[test]
    fn configuration_and_count_changes_reach_the_update_call() {
        let change = ServiceChange {
            desired_count: Some(6),
            deployment_configuration: Some(DeploymentConfiguration {
                minimum_healthy_percent: Some(50),
                maximum_percent: Some(100),
                deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                    enable: true,
                    rollback: true,
                }),
            }),
            force_new_deployment: true,
            ..ServiceChange::default()
        };
        let preview = preview_change(&input(3, &[], change));
        assert!(!preview.blocked, "{:?}", preview.problems);
        assert_eq!(
            preview.desired_count,
            Counts {
                before: 4,
                after: 6
            }
        );
        let plan = preview.plan.unwrap();
        assert_eq!(plan.min_healthy_tasks, 3);
        assert_eq!(plan.circuit_breaker_threshold, Some(3));
        let update = &preview.calls[0];
        assert_eq!(update.input["desiredCount"], 6);
        assert_eq!(update.input["forceNewDeployment"], true);
        assert!(update.command_line.contains("--desired-count 6"));
        assert!(update.command_line.contains("--force-new-deployment"));
        assert!(
            update
                .command_line
                .contains(r#"--deployment-configuration '{"#)
        );
    }

    #[test]
    fn a_new_capacity_provider_strategy_replaces_every_task_through_the_update_call() {
        let strategy = vec![crate::ecs::CapacityProviderStrategyItem {
            capacity_provider: "ec2-managed".into(),
            weight: 1,
            base: 0,
        }];
        let unforced = ServiceChange {
            capacity_provider_strategy: Some(strategy.clone()),
            ..ServiceChange::default()
        };
        let refused = preview_change(&input(3, &["ec2-managed"], unforced));
        assert!(refused.blocked);
        assert_eq!(refused.problems[0].path, "forceNewDeployment");

        let change = ServiceChange {
            capacity_provider_strategy: Some(strategy),
            force_new_deployment: true,
            ..ServiceChange::default()
        };
        let preview = preview_change(&input(3, &["ec2-managed"], change));
        assert!(!preview.blocked, "{:?}", preview.problems);
        assert!(preview.deploys && !preview.registers);
        let update = &preview.calls[0];
        assert_eq!(
            update.input["capacityProviderStrategy"][0]["capacityProvider"],
            "ec2-managed"
        );
        assert!(
            update.command_line.contains(
                r#"--capacity-provider-strategy '[{"capacityProvider":"ec2-managed","weight":1,"base":0}]' --force-new-deployment"#
            ),
            "{}",
            update.command_line
        );
    }

    #[test]
    fn new_auto_scaling_bounds_are_one_call_before_the_update() {
        let bounds = ScalingBounds {
            min_capacity: 2,
            max_capacity: 3,
        };
        let change = ServiceChange {
            scalable_target: Some(bounds),
            ..ServiceChange::default()
        };
        // The fixture's service has no scalable target.
        let refused = preview_change(&input(3, &[], change.clone()));
        assert!(refused.blocked);
        assert_eq!(refused.problems[0].path, "scalableTarget");

        let mut with_target = input(3, &[], change);
        with_target.snapshot.scaling = serde_json::from_value(json!([{
            "serviceName": "web",
            "scalableTarget": {"serviceNamespace": "ecs", "resourceId": "service/demo/web",
                "scalableDimension": "ecs:service:DesiredCount", "minCapacity": 1, "maxCapacity": 10}
        }]))
        .unwrap();
        let preview = preview_change(&with_target);
        assert!(!preview.blocked, "{:?}", preview.problems);
        let operations: Vec<&str> = preview.calls.iter().map(|c| c.operation.as_str()).collect();
        assert_eq!(
            operations,
            ["RegisterScalableTarget"],
            "nothing else changes"
        );
        assert!(
            preview.calls[0]
                .command_line
                .contains("--resource-id 'service/demo/web' --min-capacity 2 --max-capacity 3")
        );
        assert!(
            preview
                .problems
                .iter()
                .any(|p| p.severity == Severity::Warning && p.message.contains("moves it to 3")),
            "the service's 4 tasks are above the new maximum: {:?}",
            preview.problems
        );

        let mut bad = with_target;
        bad.change.scalable_target = Some(ScalingBounds {
            min_capacity: 5,
            max_capacity: 2,
        });
        bad.change.desired_count = Some(3);
        let preview = preview_change(&bad);
        assert!(preview.blocked);
        assert!(
            preview
                .problems
                .iter()
                .any(|p| p.path == "scalableTarget.maxCapacity")
        );
    }

    #[test]
    fn a_container_added_or_removed_is_one_change_of_its_own() {
        let before = definition(3, "registry/web:v1", 2048);
        let mut after = before.clone();
        let mut sidecar = after.container_definitions[0].clone();
        sidecar.name = "sidecar".into();
        after.container_definitions.push(sidecar);
        after.container_definitions[0].memory = Some(1024);
        let changes = definition_changes(&before, &after);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["containerDefinitions[0].memory", "containerDefinitions[1]"]
        );
        assert_eq!(changes[1].before, None);
        assert_eq!(changes[1].after.as_ref().unwrap()["name"], "sidecar");
        let back = definition_changes(&after, &before);
        assert_eq!(back[1].after, None);
    }

    proptest::proptest! {
        /// The console computes the preview from the same input it reads as JSON, and API
        /// users read the server's preview as JSON: through JSON, the same input gives the
        /// same preview, and the preview reads back as itself.
        #[test]
        fn a_preview_is_the_same_on_either_side_of_the_wire(
            instances in 1_usize..6,
            managed in proptest::bool::ANY,
            tag in "[a-z0-9.-]{1,12}",
            memory in 6_i64..20_000,
            desired in proptest::option::of(0_i64..40),
            percents in proptest::option::of((0_i64..=100, 100_i64..=200)),
            breaker in proptest::bool::ANY,
            force in proptest::bool::ANY,
        ) {
            let mut change = with_image(&format!("registry/web:{tag}"), memory);
            change.desired_count = desired;
            change.deployment_configuration = percents.map(|(minimum, maximum)| {
                DeploymentConfiguration {
                    minimum_healthy_percent: Some(minimum),
                    maximum_percent: Some(maximum),
                    deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                        enable: breaker,
                        rollback: breaker,
                    }),
                }
            });
            change.force_new_deployment = force;
            let providers: &[&str] = if managed { &["ec2-managed"] } else { &[] };
            let input = input(instances, providers, change);
            let sent: PreviewInput =
                serde_json::from_str(&serde_json::to_string(&input).unwrap()).unwrap();
            let preview = preview_change(&input);
            proptest::prop_assert_eq!(&preview_change(&sent), &preview);
            let read: ServicePreview =
                serde_json::from_str(&serde_json::to_string(&preview).unwrap()).unwrap();
            proptest::prop_assert_eq!(read, preview);
        }
    }

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
