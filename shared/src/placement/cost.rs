//! What a task costs on a host and what a host has left (docs/ECS-MODEL.md §1.2–1.6).
//!
//! - [`task_cost`] follows the agent's `Task.ToHostResources`: task-level `cpu`/`memory` when
//!   set and > 0, otherwise the sum over containers (`memoryReservation` preferred over
//!   `memory`); GPUs from `resourceRequirements`; static host ports per protocol by network
//!   mode; one ENI for `awsvpc`.
//! - [`Capacity`] is an instance's CPU, memory, GPUs, reserved ports and ENI slots;
//!   [`registered_capacity`] reads it from `registeredResources` and [`remaining_resources`]
//!   subtracts task costs and writes `remainingResources` in AWS's shape, so a simulated
//!   cluster stays consistent with what placement reads.
//! - [`eni_task_limit`] is the built-in awsvpc task-limit table (§1.5), with and without
//!   trunking; [`has_trunk_eni`] states the trunking rule.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ecs::{ContainerInstance, Resource, TaskDefinition};
use crate::input::InputError;

/// Ports the agent reserves when an instance reports no `PORTS` resource (the agent's
/// default list, docs/ECS-MODEL.md §1.4).
pub const DEFAULT_RESERVED_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];

/// Most host ports an instance may have reserved, defaults included (§1.4).
pub const MAX_RESERVED_PORTS: usize = 100;

/// How a task uses the host's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NetworkMode {
    /// Docker bridge (the default on Linux EC2): static host ports are reserved.
    Bridge,
    /// Host networking: the container port is bound on the host.
    Host,
    /// Each task gets its own ENI: no host ports, one ENI slot.
    Awsvpc,
    /// No networking: no port mappings allowed.
    None,
}

impl NetworkMode {
    /// Reads a task definition's `networkMode` (absent means `bridge`).
    pub fn of(definition: &TaskDefinition) -> Result<Self, InputError> {
        match definition.network_mode.as_deref() {
            None | Some("bridge") => Ok(Self::Bridge),
            Some("host") => Ok(Self::Host),
            Some("awsvpc") => Ok(Self::Awsvpc),
            Some("none") => Ok(Self::None),
            Some(other) => Err(InputError::new(
                "networkMode",
                format!("unknown network mode {other:?}; expected bridge, host, awsvpc or none"),
            )),
        }
    }
}

/// What one task holds on its instance while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskCost {
    /// CPU units (1 vCPU = 1024).
    pub cpu: i64,
    /// Memory in MiB.
    pub memory: i64,
    /// GPUs (Σ of the containers' `GPU` requirements).
    pub gpus: i64,
    /// Whether a container asked for `ALL` GPUs (then the task needs every GPU of the
    /// instance, and at least one).
    pub all_gpus: bool,
    /// Static TCP host ports, sorted.
    pub tcp_ports: Vec<u16>,
    /// Static UDP host ports, sorted.
    pub udp_ports: Vec<u16>,
    /// Whether the task needs an ENI slot (`awsvpc`).
    pub needs_eni: bool,
}

impl TaskCost {
    /// GPUs this task takes on an instance that registered `registered` GPUs.
    pub fn gpus_on(&self, registered: i64) -> i64 {
        if self.all_gpus {
            registered.max(1)
        } else {
            self.gpus
        }
    }
}

/// Parses task-level CPU: `"256"`, `"1 vCPU"`, `"0.5 vCPU"`, `"2vcpu"` → CPU units.
pub fn parse_cpu(text: &str) -> Result<i64, String> {
    let lower = text.trim().to_ascii_lowercase();
    if let Some(number) = lower.strip_suffix("vcpu") {
        let vcpus: f64 = number
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not a number of vCPUs such as \"0.5 vCPU\""))?;
        return whole(vcpus * 1024.0, text, "CPU units");
    }
    lower
        .parse::<i64>()
        .map_err(|_| format!("{text:?} is not CPU units (\"256\") or vCPUs (\"1 vCPU\")"))
        .and_then(|units| non_negative(units, text))
}

/// Parses task-level memory: `"512"` (MiB), `"1GB"`, `"1 GB"`, `"0.5 GiB"`, `"512 MiB"`.
pub fn parse_memory(text: &str) -> Result<i64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let (number, factor) = if let Some(n) = lower.strip_suffix("gib").or(lower.strip_suffix("gb")) {
        (n, 1024.0)
    } else if let Some(n) = lower.strip_suffix("mib").or(lower.strip_suffix("mb")) {
        (n, 1.0)
    } else {
        return lower
            .parse::<i64>()
            .map_err(|_| format!("{text:?} is not MiB (\"512\") or GB (\"1 GB\")"))
            .and_then(|mib| non_negative(mib, text));
    };
    let amount: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a memory size such as \"1 GB\""))?;
    whole(amount * factor, text, "MiB")
}

fn whole(value: f64, text: &str, unit: &str) -> Result<i64, String> {
    if !value.is_finite() || !(0.0..=1e12).contains(&value) {
        return Err(format!("{text:?} is out of range"));
    }
    if value.fract() != 0.0 {
        return Err(format!("{text:?} is not a whole number of {unit}"));
    }
    Ok(value as i64)
}

fn non_negative(value: i64, text: &str) -> Result<i64, String> {
    if value < 0 {
        Err(format!("{text:?} is negative"))
    } else {
        Ok(value)
    }
}

/// What `definition` costs on a host. Errors name the field relative to the task definition
/// (`cpu`, `containerDefinitions[0].portMappings[1].hostPort`, …).
pub fn task_cost(definition: &TaskDefinition) -> Result<TaskCost, InputError> {
    let mode = NetworkMode::of(definition)?;
    let task_cpu = match &definition.cpu {
        Some(text) => parse_cpu(text).map_err(|message| InputError::new("cpu", message))?,
        None => 0,
    };
    let task_memory = match &definition.memory {
        Some(text) => parse_memory(text).map_err(|message| InputError::new("memory", message))?,
        None => 0,
    };
    let mut cost = TaskCost {
        needs_eni: mode == NetworkMode::Awsvpc,
        ..TaskCost::default()
    };
    let mut container_cpu = 0i64;
    let mut container_memory = 0i64;
    for (index, container) in definition.container_definitions.iter().enumerate() {
        let at = |field: &str| format!("containerDefinitions[{index}].{field}");
        for (field, value) in [
            ("cpu", container.cpu),
            ("memory", container.memory),
            ("memoryReservation", container.memory_reservation),
        ] {
            if value.is_some_and(|v| v < 0) {
                return Err(InputError::new(at(field), "must not be negative"));
            }
        }
        container_cpu = container_cpu.saturating_add(container.cpu.unwrap_or(0));
        let memory = match container.memory_reservation {
            Some(reservation) if reservation > 0 => reservation,
            _ => container.memory.unwrap_or(0),
        };
        container_memory = container_memory.saturating_add(memory);
        for (r, requirement) in container.resource_requirements.iter().enumerate() {
            if requirement.kind != "GPU" {
                continue;
            }
            let field = at(&format!("resourceRequirements[{r}].value"));
            if requirement.value.eq_ignore_ascii_case("ALL") {
                cost.all_gpus = true;
            } else {
                let gpus: i64 = requirement.value.trim().parse().map_err(|_| {
                    InputError::new(&field, "expected a whole number of GPUs or ALL")
                })?;
                if gpus < 0 {
                    return Err(InputError::new(field, "must not be negative"));
                }
                cost.gpus = cost.gpus.saturating_add(gpus);
            }
        }
        for (p, mapping) in container.port_mappings.iter().enumerate() {
            let field = |name: &str| at(&format!("portMappings[{p}].{name}"));
            let host_port = mapping.host_port.filter(|port| *port != 0);
            let port = match mode {
                NetworkMode::None => {
                    return Err(InputError::new(
                        at(&format!("portMappings[{p}]")),
                        "port mappings are not allowed with networkMode none",
                    ));
                }
                NetworkMode::Bridge => host_port,
                NetworkMode::Host | NetworkMode::Awsvpc => {
                    if host_port.is_some() && host_port != mapping.container_port {
                        return Err(InputError::new(
                            field("hostPort"),
                            "must be omitted or equal to containerPort with host or awsvpc \
                             networking",
                        ));
                    }
                    if mode == NetworkMode::Host {
                        mapping.container_port
                    } else {
                        None
                    }
                }
            };
            let Some(port) = port else { continue };
            let port = u16::try_from(port).ok().filter(|p| *p > 0).ok_or_else(|| {
                let name = if host_port.is_some() {
                    "hostPort"
                } else {
                    "containerPort"
                };
                InputError::new(field(name), "must be between 1 and 65535")
            })?;
            let udp = match mapping.protocol.as_deref() {
                None | Some("tcp") => false,
                Some("udp") => true,
                Some(other) => {
                    return Err(InputError::new(
                        field("protocol"),
                        format!("unknown protocol {other:?}; expected tcp or udp"),
                    ));
                }
            };
            let ports = if udp {
                &mut cost.udp_ports
            } else {
                &mut cost.tcp_ports
            };
            if ports.contains(&port) {
                return Err(InputError::new(
                    field(if host_port.is_some() {
                        "hostPort"
                    } else {
                        "containerPort"
                    }),
                    format!(
                        "host port {port}/{} is mapped twice in this task definition",
                        if udp { "udp" } else { "tcp" }
                    ),
                ));
            }
            ports.push(port);
        }
    }
    cost.tcp_ports.sort_unstable();
    cost.udp_ports.sort_unstable();
    cost.cpu = if task_cpu > 0 {
        task_cpu
    } else {
        container_cpu
    };
    cost.memory = if task_memory > 0 {
        task_memory
    } else {
        container_memory
    };
    Ok(cost)
}

/// An instance's resources: registered, or what is left after tasks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capacity {
    /// CPU units.
    pub cpu: i64,
    /// Memory in MiB.
    pub memory: i64,
    /// GPUs.
    pub gpus: i64,
    /// Reserved (taken) TCP host ports.
    pub tcp_ports: BTreeSet<u16>,
    /// Reserved (taken) UDP host ports.
    pub udp_ports: BTreeSet<u16>,
}

impl Capacity {
    /// Takes `cost` out of the capacity (numbers may go negative when over-committed).
    pub fn subtract(&mut self, cost: &TaskCost, registered_gpus: i64) {
        self.cpu = self.cpu.saturating_sub(cost.cpu);
        self.memory = self.memory.saturating_sub(cost.memory);
        self.gpus = self.gpus.saturating_sub(cost.gpus_on(registered_gpus));
        self.tcp_ports.extend(cost.tcp_ports.iter().copied());
        self.udp_ports.extend(cost.udp_ports.iter().copied());
    }

    /// The capacity as ECS `Resource`s (`CPU`, `MEMORY`, `PORTS`, `PORTS_UDP`, and `GPU` when
    /// the instance has GPUs). GPU ids are the first `gpus` of `gpu_ids` when the instance
    /// registered ids, otherwise an `INTEGER` count.
    pub fn to_resources(&self, gpu_ids: &[String]) -> Vec<Resource> {
        let ports = |set: &BTreeSet<u16>| set.iter().map(u16::to_string).collect::<Vec<_>>();
        let mut resources = vec![
            Resource::integer("CPU", self.cpu),
            Resource::integer("MEMORY", self.memory),
            Resource::string_set("PORTS", ports(&self.tcp_ports)),
            Resource::string_set("PORTS_UDP", ports(&self.udp_ports)),
        ];
        if !gpu_ids.is_empty() {
            let free = usize::try_from(self.gpus.max(0)).unwrap_or(0);
            resources.push(Resource::string_set(
                "GPU",
                gpu_ids.iter().take(free).cloned(),
            ));
        } else if self.gpus != 0 {
            resources.push(Resource::integer("GPU", self.gpus));
        }
        resources
    }
}

/// The numeric amount of a resource (`INTEGER`/`LONG`/`DOUBLE`, or the size of a string set
/// such as GPU ids), if the list has it.
pub fn resource_amount(resources: &[Resource], name: &str) -> Option<i64> {
    let resource = resources.iter().find(|r| r.name == name)?;
    resource
        .number()
        .or(Some(resource.string_set_value.len() as i64))
}

/// CPU and memory reserved over a cluster's ACTIVE and DRAINING container instances, in
/// percent of what they registered (CloudWatch's `CPUReservation` and `MemoryReservation`);
/// `None` when no such instance registers any of it.
pub fn cluster_reservation(instances: &[ContainerInstance]) -> (Option<f64>, Option<f64>) {
    let percent = |name: &str| {
        let (registered, reserved) = instances
            .iter()
            .filter(|i| matches!(i.status.as_str(), "ACTIVE" | "DRAINING"))
            .fold((0, 0), |(registered, reserved), instance| {
                let total = resource_amount(&instance.registered_resources, name).unwrap_or(0);
                let used = resource_amount(&instance.remaining_resources, name)
                    .map_or(0, |remaining| total - remaining);
                (registered + total, reserved + used)
            });
        (registered > 0).then(|| reserved as f64 * 100.0 / registered as f64)
    };
    (percent("CPU"), percent("MEMORY"))
}

/// The ports of a `PORTS`/`PORTS_UDP` resource, if the list has it (non-numbers ignored).
pub fn resource_ports(resources: &[Resource], name: &str) -> Option<BTreeSet<u16>> {
    let resource = resources.iter().find(|r| r.name == name)?;
    Some(
        resource
            .string_set_value
            .iter()
            .filter_map(|port| port.trim().parse().ok())
            .collect(),
    )
}

/// What the instance registered. An instance that reports no `PORTS` resource is given the
/// agent's [`DEFAULT_RESERVED_PORTS`]; missing CPU, memory or GPUs count as 0.
pub fn registered_capacity(instance: &ContainerInstance) -> Capacity {
    let registered = &instance.registered_resources;
    Capacity {
        cpu: resource_amount(registered, "CPU").unwrap_or(0),
        memory: resource_amount(registered, "MEMORY").unwrap_or(0),
        gpus: resource_amount(registered, "GPU").unwrap_or(0),
        tcp_ports: resource_ports(registered, "PORTS")
            .unwrap_or_else(|| DEFAULT_RESERVED_PORTS.into_iter().collect()),
        udp_ports: resource_ports(registered, "PORTS_UDP").unwrap_or_default(),
    }
}

/// The GPU ids an instance registered (empty when it reported a count or nothing).
pub fn registered_gpu_ids(instance: &ContainerInstance) -> &[String] {
    instance
        .registered_resources
        .iter()
        .find(|r| r.name == "GPU")
        .map_or(&[], |r| r.string_set_value.as_slice())
}

/// `remainingResources` for `instance` running tasks that cost `costs`: registered minus the
/// costs, ports the union of reserved and static host ports (§1.3). The sandbox uses this to
/// keep a simulated instance consistent after it starts or stops tasks.
pub fn remaining_resources(instance: &ContainerInstance, costs: &[TaskCost]) -> Vec<Resource> {
    let mut capacity = registered_capacity(instance);
    let registered_gpus = capacity.gpus;
    for cost in costs {
        capacity.subtract(cost, registered_gpus);
    }
    capacity.to_resources(registered_gpu_ids(instance))
}

/// Whether the instance has a trunk ENI (awsvpc trunking). Rule chosen: the attribute
/// `ecs.awsvpc-trunk-id` is present, or an attachment's type is `trunk`, `eni` or
/// `ElasticNetworkInterface` (case-insensitive) — container-instance attachments are only
/// ever trunk ENIs — and its status is not `DELETED`/`FAILED`.
pub fn has_trunk_eni(instance: &ContainerInstance) -> bool {
    instance
        .attributes
        .iter()
        .any(|a| a.name == "ecs.awsvpc-trunk-id")
        || instance.attachments.iter().any(|attachment| {
            let kind = attachment.kind.to_ascii_lowercase();
            matches!(kind.as_str(), "trunk" | "eni" | "elasticnetworkinterface")
                && !matches!(attachment.status.as_str(), "DELETED" | "FAILED")
        })
}

/// awsvpc tasks per instance type, (without trunking, with trunking), from the Developer
/// Guide's table (docs/ECS-MODEL.md §1.5). Without trunking it is the type's ENI limit minus the
/// primary ENI.
const ENI_TASK_LIMITS: &[(&str, i64, i64)] = &[
    ("a1.medium", 1, 10),
    ("c5.large", 2, 10),
    ("c5.xlarge", 3, 20),
    ("c5.2xlarge", 3, 40),
    ("c5.4xlarge", 7, 60),
    ("c5.18xlarge", 14, 120),
    ("c5.24xlarge", 14, 120),
    ("m5.large", 2, 10),
    ("m5.xlarge", 3, 20),
    ("m5.2xlarge", 3, 40),
    ("m5.4xlarge", 7, 60),
    ("m5.8xlarge", 7, 60),
    ("m5.12xlarge", 7, 60),
    ("m5.16xlarge", 14, 120),
    ("m5.24xlarge", 14, 120),
    ("m5zn.large", 2, 14),
    ("m6g.medium", 1, 4),
    ("m7g.medium", 1, 4),
    ("m6i.8xlarge", 7, 90),
    ("m6i.12xlarge", 7, 120),
    ("m6i.16xlarge", 14, 120),
    ("m6i.24xlarge", 14, 120),
    ("m6i.32xlarge", 14, 120),
    ("mac2.metal", 7, 12),
];

/// How many awsvpc tasks an instance type can run, or `None` when the type is not in the
/// built-in table (then Berth does not limit ENIs — MODEL, documented in the module docs of
/// [`crate::placement`]).
pub fn eni_task_limit(instance_type: &str, trunked: bool) -> Option<i64> {
    ENI_TASK_LIMITS
        .iter()
        .find(|(name, _, _)| *name == instance_type)
        .map(|&(_, without, with)| if trunked { with } else { without })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::{
        Attachment, Attribute, ContainerDefinition, PortMapping, ResourceRequirement,
    };

    fn container(
        cpu: Option<i64>,
        memory: Option<i64>,
        reservation: Option<i64>,
    ) -> ContainerDefinition {
        ContainerDefinition {
            name: "c".to_owned(),
            cpu,
            memory,
            memory_reservation: reservation,
            ..ContainerDefinition::default()
        }
    }

    fn mapping(container_port: i64, host_port: Option<i64>, protocol: Option<&str>) -> PortMapping {
        PortMapping {
            container_port: Some(container_port),
            host_port,
            protocol: protocol.map(str::to_owned),
            ..PortMapping::default()
        }
    }

    /// docs/ECS-MODEL.md §1.9.
    fn worked_example() -> TaskDefinition {
        let mut c1 = container(Some(256), Some(512), Some(256));
        c1.port_mappings = vec![mapping(80, Some(80), None)];
        let mut c2 = container(Some(0), Some(128), None);
        c2.port_mappings = vec![mapping(8080, None, None)];
        TaskDefinition {
            family: "web".to_owned(),
            container_definitions: vec![c1, c2],
            ..TaskDefinition::default()
        }
    }

    #[test]
    fn worked_example_1_9_requirement() {
        let cost = task_cost(&worked_example()).unwrap();
        assert_eq!((cost.cpu, cost.memory), (256, 384));
        assert_eq!(cost.tcp_ports, vec![80]);
        assert!(cost.udp_ports.is_empty() && !cost.needs_eni);

        let mut sized = worked_example();
        sized.cpu = Some("0.5 vCPU".to_owned());
        sized.memory = Some("1GB".to_owned());
        let cost = task_cost(&sized).unwrap();
        assert_eq!((cost.cpu, cost.memory), (512, 1024));
    }

    #[test]
    fn parses_task_sizes() {
        let cpu = [
            ("256", 256),
            ("1 vCPU", 1024),
            ("0.5 vCPU", 512),
            ("0.25vcpu", 256),
            (" 2 VCPU ", 2048),
        ];
        for (text, units) in cpu {
            assert_eq!(parse_cpu(text), Ok(units), "{text}");
        }
        let memory = [
            ("512", 512),
            ("1GB", 1024),
            ("1 GB", 1024),
            ("0.5 GiB", 512),
            ("2048 MiB", 2048),
            ("3 gb", 3072),
        ];
        for (text, mib) in memory {
            assert_eq!(parse_memory(text), Ok(mib), "{text}");
        }
        for text in ["", "lots", "-1", "0.3 vCPU", "1.5", "-2 vCPU"] {
            assert!(parse_cpu(text).is_err(), "{text}");
        }
        for text in ["x GB", "0.1 MB", "-5"] {
            assert!(parse_memory(text).is_err(), "{text}");
        }
    }

    #[test]
    fn sums_containers_when_the_task_has_no_size() {
        let definition = TaskDefinition {
            container_definitions: vec![
                container(None, Some(300), None),
                container(Some(100), Some(1000), Some(0)),
                container(Some(50), None, Some(64)),
            ],
            cpu: Some("0".to_owned()),
            ..TaskDefinition::default()
        };
        let cost = task_cost(&definition).unwrap();
        assert_eq!((cost.cpu, cost.memory), (150, 1364));
    }

    #[test]
    fn counts_ports_by_network_mode() {
        let with_mode = |mode: Option<&str>, mappings: Vec<PortMapping>| {
            let mut c = container(None, Some(128), None);
            c.port_mappings = mappings;
            task_cost(&TaskDefinition {
                network_mode: mode.map(str::to_owned),
                container_definitions: vec![c],
                ..TaskDefinition::default()
            })
        };
        let bridge = with_mode(
            Some("bridge"),
            vec![
                mapping(80, Some(8080), None),
                mapping(53, Some(53), Some("udp")),
                mapping(9000, Some(0), None),
            ],
        )
        .unwrap();
        assert_eq!((bridge.tcp_ports, bridge.udp_ports), (vec![8080], vec![53]));

        let host = with_mode(
            Some("host"),
            vec![mapping(80, None, None), mapping(81, Some(81), None)],
        )
        .unwrap();
        assert_eq!(host.tcp_ports, vec![80, 81]);

        let awsvpc = with_mode(Some("awsvpc"), vec![mapping(80, Some(80), None)]).unwrap();
        assert!(awsvpc.tcp_ports.is_empty() && awsvpc.needs_eni);

        let cases = [
            (
                Some("host"),
                mapping(80, Some(8080), None),
                "containerDefinitions[0].portMappings[0].hostPort",
            ),
            (
                Some("awsvpc"),
                mapping(80, Some(81), None),
                "containerDefinitions[0].portMappings[0].hostPort",
            ),
            (
                Some("none"),
                mapping(80, None, None),
                "containerDefinitions[0].portMappings[0]",
            ),
            (
                None,
                mapping(80, Some(70000), None),
                "containerDefinitions[0].portMappings[0].hostPort",
            ),
            (
                None,
                mapping(80, Some(80), Some("sctp")),
                "containerDefinitions[0].portMappings[0].protocol",
            ),
            (Some("overlay"), mapping(80, None, None), "networkMode"),
        ];
        for (mode, port, field) in cases {
            assert_eq!(
                with_mode(mode, vec![port]).unwrap_err().field,
                field,
                "{mode:?}"
            );
        }
        let twice = with_mode(
            None,
            vec![mapping(80, Some(80), None), mapping(81, Some(80), None)],
        )
        .unwrap_err();
        assert_eq!(
            twice.field,
            "containerDefinitions[0].portMappings[1].hostPort"
        );
    }

    #[test]
    fn counts_gpus() {
        let mut a = container(None, Some(128), None);
        a.resource_requirements = vec![ResourceRequirement {
            kind: "GPU".to_owned(),
            value: "2".to_owned(),
        }];
        let mut b = container(None, Some(128), None);
        b.resource_requirements = vec![
            ResourceRequirement {
                kind: "GPU".to_owned(),
                value: "1".to_owned(),
            },
            ResourceRequirement {
                kind: "InferenceAccelerator".to_owned(),
                value: "device".to_owned(),
            },
        ];
        let definition = TaskDefinition {
            container_definitions: vec![a, b],
            ..TaskDefinition::default()
        };
        let cost = task_cost(&definition).unwrap();
        assert_eq!((cost.gpus, cost.all_gpus, cost.gpus_on(8)), (3, false, 3));

        let mut all = container(None, Some(128), None);
        all.resource_requirements = vec![ResourceRequirement {
            kind: "GPU".to_owned(),
            value: "ALL".to_owned(),
        }];
        let definition = TaskDefinition {
            container_definitions: vec![all],
            ..TaskDefinition::default()
        };
        let cost = task_cost(&definition).unwrap();
        assert_eq!(
            (cost.all_gpus, cost.gpus_on(4), cost.gpus_on(0)),
            (true, 4, 1)
        );

        let mut bad = container(None, Some(128), None);
        bad.resource_requirements = vec![ResourceRequirement {
            kind: "GPU".to_owned(),
            value: "two".to_owned(),
        }];
        let definition = TaskDefinition {
            container_definitions: vec![bad],
            ..TaskDefinition::default()
        };
        assert_eq!(
            task_cost(&definition).unwrap_err().field,
            "containerDefinitions[0].resourceRequirements[0].value"
        );
    }

    fn instance(json: &str) -> ContainerInstance {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn computes_remaining_resources_from_registered_and_task_costs() {
        let registered = instance(
            r#"{"containerInstanceArn": "a", "registeredResources": [
                {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                {"name": "MEMORY", "type": "INTEGER", "integerValue": 3768},
                {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375"]},
                {"name": "GPU", "type": "STRINGSET", "stringSetValue": ["g0", "g1", "g2"]}]}"#,
        );
        let cost = TaskCost {
            cpu: 256,
            memory: 384,
            gpus: 1,
            tcp_ports: vec![80],
            udp_ports: vec![53],
            ..TaskCost::default()
        };
        let remaining = remaining_resources(
            &registered,
            &[
                cost.clone(),
                TaskCost {
                    tcp_ports: vec![81],
                    ..cost
                },
            ],
        );
        assert_eq!(resource_amount(&remaining, "CPU"), Some(1536));
        assert_eq!(resource_amount(&remaining, "MEMORY"), Some(3000));
        assert_eq!(
            resource_ports(&remaining, "PORTS"),
            Some([22, 80, 81, 2375].into_iter().collect())
        );
        assert_eq!(
            resource_ports(&remaining, "PORTS_UDP"),
            Some([53].into_iter().collect())
        );
        assert_eq!(
            remaining
                .iter()
                .find(|r| r.name == "GPU")
                .unwrap()
                .string_set_value,
            vec!["g0".to_owned()]
        );

        let bare = registered_capacity(&instance(r#"{"containerInstanceArn": "b"}"#));
        assert_eq!(bare.tcp_ports, DEFAULT_RESERVED_PORTS.into_iter().collect());
        assert_eq!((bare.cpu, bare.memory, bare.gpus), (0, 0, 0));
    }

    #[test]
    fn detects_trunking_and_reads_the_eni_table() {
        let mut plain = instance(r#"{"containerInstanceArn": "a"}"#);
        assert!(!has_trunk_eni(&plain));
        plain.attachments = vec![Attachment {
            id: "t".to_owned(),
            kind: "eni".to_owned(),
            status: "ATTACHED".to_owned(),
            details: vec![],
        }];
        assert!(has_trunk_eni(&plain));
        plain.attachments[0].status = "DELETED".to_owned();
        assert!(!has_trunk_eni(&plain));
        plain.attributes = vec![Attribute::new("ecs.awsvpc-trunk-id", "eni-1")];
        assert!(has_trunk_eni(&plain));

        assert_eq!(eni_task_limit("c5.large", false), Some(2));
        assert_eq!(eni_task_limit("c5.large", true), Some(10));
        assert_eq!(eni_task_limit("m5.24xlarge", true), Some(120));
        assert_eq!(eni_task_limit("z9.huge", false), None);
    }

    #[test]
    fn cluster_reservation_counts_active_and_draining_instances() {
        let instance = |status: &str, cpu: (i64, i64), memory: (i64, i64)| -> ContainerInstance {
            serde_json::from_value(serde_json::json!({
                "containerInstanceArn": format!("arn:aws:ecs:us-east-1:1:container-instance/c/{status}"),
                "status": status,
                "registeredResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu.0},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory.0}
                ],
                "remainingResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu.1},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory.1}
                ]
            }))
            .unwrap()
        };
        let instances = [
            instance("ACTIVE", (1024, 512), (4000, 1000)),
            instance("DRAINING", (2048, 2048), (4000, 4000)),
            instance("INACTIVE", (1024, 0), (4000, 0)),
        ];
        let (cpu, memory) = cluster_reservation(&instances);
        assert!((cpu.unwrap() - 512.0 * 100.0 / 3072.0).abs() < 1e-9);
        assert!((memory.unwrap() - 37.5).abs() < 1e-9);
        assert_eq!(cluster_reservation(&[]), (None, None));
    }
}
