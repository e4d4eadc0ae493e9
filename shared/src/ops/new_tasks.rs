//! What new tasks of one revision would do to a cluster, shared by the previews that start
//! tasks from nothing — Run task ([`super::run_preview`]) and Create service
//! ([`super::create_preview`]):
//!
//! - whether the revision the request names can start at all: it exists and is ACTIVE, it
//!   supports the launch type (Fargate needs a revision ECS found compatible with FARGATE,
//!   which is an `awsvpc` one), and the network configuration matches its network mode
//!   (`awsvpc` needs subnets; the other modes take none);
//! - whether the tasks fit on the cluster's instances now, with the per-instance reasons of the
//!   first that does not, and what a capacity provider's managed scaling would add (the same
//!   surge placement as a deployment's, [`super::preview`]); on Fargate, nothing to fill;
//! - what they cost an hour and a month: on Fargate the tasks themselves, on EC2 only the
//!   instances a scale-out would add.
//!
//! The rules are ECS's answers to RunTask and CreateService (`InvalidParameterException`),
//! written in `docs/ECS-MODEL.md` §10.3.

use serde_json::Value;

use super::cost::{CostInput, CostOutput, Workload, estimate_cost};
use super::preview::{
    SurgePlacement, error, fargate_spec, instance_groups, revision_name, shell_quote,
    surge_placement,
};
use super::validate::{Problem, Severity};
use crate::api::ClusterSnapshot;
use crate::ecs::{
    CapacityProviderStrategyItem, ContainerInstance, NetworkConfiguration, PlacementConstraint,
    PlacementStrategy, TaskDefinition,
};
use crate::placement::{PlacementInput, uses_fargate};

/// The subnets an `awsvpcConfiguration` may name, at most.
pub const MAX_SUBNETS: usize = 16;
/// The security groups an `awsvpcConfiguration` may name, at most.
pub const MAX_SECURITY_GROUPS: usize = 5;

/// New tasks of one revision on a cluster, as a request asks for them.
#[derive(Debug, Clone, Copy)]
pub(super) struct NewTasks<'a> {
    /// The cluster as it is now.
    pub snapshot: &'a ClusterSnapshot,
    /// The revisions the cluster's tasks run (their reservations count).
    pub task_definitions: &'a [TaskDefinition],
    /// The revision to start.
    pub definition: &'a TaskDefinition,
    /// How many tasks.
    pub count: i64,
    /// Their task group.
    pub group: &'a str,
    /// The request's launch type.
    pub launch_type: Option<&'a str>,
    /// The request's capacity provider strategy.
    pub capacity_provider_strategy: &'a [CapacityProviderStrategyItem],
    /// The request's placement strategies.
    pub placement_strategy: &'a [PlacementStrategy],
    /// The request's placement constraints.
    pub placement_constraints: &'a [PlacementConstraint],
    /// What the tasks are, in words ("the tasks", "the service's tasks").
    pub what: &'a str,
    /// How the cost estimate names them.
    pub name: &'a str,
}

impl NewTasks<'_> {
    /// Whether the tasks run on Fargate.
    pub fn fargate(&self) -> bool {
        uses_fargate(self.launch_type, self.capacity_provider_strategy)
    }

    /// Whether the tasks fit on the instances now (none on Fargate).
    pub fn placement(&self) -> Option<SurgePlacement> {
        if self.fargate() {
            return None;
        }
        let placement_input = |count: i64, instances: Vec<ContainerInstance>| PlacementInput {
            container_instances: instances,
            tasks: self.snapshot.tasks.clone(),
            task_definitions: self.task_definitions.to_vec(),
            task_definition: self.definition.clone(),
            count,
            group: Some(self.group.to_owned()),
            launch_type: Some("EC2".to_owned()),
            placement_strategy: self.placement_strategy.to_vec(),
            placement_constraints: self.placement_constraints.to_vec(),
            availability_zones: Vec::new(),
            daemons: Vec::new(),
            seed: 0,
            detailed_explanations: 0,
        };
        Some(surge_placement(
            self.snapshot,
            self.count,
            self.what,
            &placement_input,
        ))
    }

    /// What the tasks add to the bill, given where they go.
    pub fn cost(&self, placement: Option<&SurgePlacement>) -> Option<CostOutput> {
        let input = if self.fargate() {
            CostInput {
                current: Workload::default(),
                proposed: Some(Workload {
                    services: vec![fargate_spec(
                        self.name,
                        self.definition,
                        self.count,
                        self.launch_type.map(str::to_owned),
                        self.capacity_provider_strategy.to_vec(),
                    )],
                    instances: Vec::new(),
                }),
            }
        } else {
            let scale_out = placement.and_then(|p| p.scale_out.as_ref());
            let (current, proposed) = instance_groups(self.snapshot, scale_out);
            CostInput {
                current: Workload {
                    services: Vec::new(),
                    instances: current,
                },
                proposed: Some(Workload {
                    services: Vec::new(),
                    instances: proposed,
                }),
            }
        };
        estimate_cost(&input).ok()
    }
}

/// The revision a request names, when it can start tasks: `found` is what the source
/// describes for `named` (none when there is none); otherwise its problem joins `problems`.
pub(super) fn startable<'a>(
    found: Option<&'a TaskDefinition>,
    named: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a TaskDefinition> {
    match found {
        None => {
            problems.push(error(
                "taskDefinition",
                format!("there is no task definition {named}"),
            ));
            None
        }
        Some(found) if found.status.as_deref() == Some("INACTIVE") => {
            problems.push(error(
                "taskDefinition",
                format!(
                    "{} is INACTIVE: register it again or choose an ACTIVE revision",
                    revision_name(found)
                ),
            ));
            None
        }
        Some(found) => Some(found),
    }
}

/// What keeps `definition` from starting with the launch type (`fargate` or not) and the
/// network configuration of a request, as ECS answers it.
pub(super) fn launch_problems(
    definition: &TaskDefinition,
    fargate: bool,
    network: Option<&NetworkConfiguration>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = revision_name(definition);
    // ECS's own finding when it has one, otherwise what the revision asked for.
    let compatibilities = if definition.compatibilities.is_empty() {
        &definition.requires_compatibilities
    } else {
        &definition.compatibilities
    };
    let mode = definition.network_mode.as_deref().unwrap_or("bridge");
    if fargate && !compatibilities.iter().any(|c| c == "FARGATE") {
        problems.push(error(
            "launchType",
            format!(
                "{name} does not support Fargate: register a revision that requires FARGATE (awsvpc network mode, task-level CPU and memory), or use EC2"
            ),
        ));
    }
    let awsvpc = network.and_then(|n| n.awsvpc_configuration.as_ref());
    match (mode, awsvpc) {
        ("awsvpc", None) => problems.push(error(
            "networkConfiguration",
            format!("{name} uses the awsvpc network mode: name at least one subnet"),
        )),
        ("awsvpc", Some(vpc)) => {
            if vpc.subnets.is_empty() || vpc.subnets.len() > MAX_SUBNETS {
                problems.push(error(
                    "networkConfiguration.awsvpcConfiguration.subnets",
                    format!(
                        "name 1 to {MAX_SUBNETS} subnets for {name}'s awsvpc network; {} named",
                        vpc.subnets.len()
                    ),
                ));
            }
            if vpc.security_groups.len() > MAX_SECURITY_GROUPS {
                problems.push(error(
                    "networkConfiguration.awsvpcConfiguration.securityGroups",
                    format!(
                        "name at most {MAX_SECURITY_GROUPS} security groups; {} named",
                        vpc.security_groups.len()
                    ),
                ));
            }
        }
        (_, Some(_)) => problems.push(error(
            "networkConfiguration",
            format!(
                "{name} uses the {mode} network mode, which takes no network configuration: leave out subnets and security groups"
            ),
        )),
        (_, None) => {}
    }
    problems
}

/// A warning at `path` when not every task fits.
pub(super) fn unplaced_warning(placement: Option<&SurgePlacement>, path: &str) -> Option<Problem> {
    placement.filter(|p| p.placed < p.tasks).map(|p| Problem {
        path: path.to_owned(),
        severity: Severity::Warning,
        message: p.summary.clone(),
    })
}

/// `line` with a flag for each `(flag, field)` of the call's request body `input` that is
/// present: a string as one shell word, anything else as quoted JSON.
pub(super) fn command_line(mut line: String, input: &Value, flags: &[(&str, &str)]) -> String {
    for (flag, field) in flags {
        match &input[*field] {
            Value::Null => {}
            Value::String(text) if is_plain_word(text) => {
                line.push_str(&format!(" {flag} {text}"));
            }
            Value::String(text) => line.push_str(&format!(" {flag} {}", shell_quote(text))),
            other => line.push_str(&format!(" {flag} {}", shell_quote(&other.to_string()))),
        }
    }
    line
}

/// Whether a shell takes `text` as one word as it is.
fn is_plain_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c))
}
