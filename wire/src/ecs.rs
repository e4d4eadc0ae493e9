//! Amazon ECS resources in AWS's own JSON shapes.
//!
//! Field names are the camelCase names of the ECS API (`DescribeClusters`,
//! `DescribeContainerInstances`, `DescribeTasks`, `DescribeServices`,
//! `DescribeTaskDefinition`), so a user can paste what the AWS CLI prints and the backend can
//! answer in the same vocabulary. Unknown fields are ignored on input; every collection
//! defaults to empty and every optional scalar is omitted when absent.
//!
//! These are plain data. Rules about them (what a task costs, where it may run) live in the
//! model modules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::Timestamp;

/// A `name`/`value` pair (`KeyValuePair` in the API: cluster statistics, environment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyValuePair {
    /// The key.
    pub name: String,
    /// The value (ECS sends statistics as strings too).
    #[serde(default)]
    pub value: String,
}

/// A resource tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// Tag key.
    pub key: String,
    /// Tag value.
    #[serde(default)]
    pub value: String,
}

/// A cluster setting such as `containerInsights`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSetting {
    /// Setting name.
    pub name: String,
    /// Setting value.
    pub value: String,
}

/// One entry of a capacity provider strategy (`base` tasks first, then by `weight`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityProviderStrategyItem {
    /// Capacity provider name, e.g. `FARGATE_SPOT`.
    pub capacity_provider: String,
    /// Relative share of the tasks after the bases are met.
    #[serde(default)]
    pub weight: i64,
    /// Tasks that always go to this provider first.
    #[serde(default)]
    pub base: i64,
}

/// A cluster as `DescribeClusters` returns it (with `STATISTICS` and `SETTINGS` included).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// Full ARN.
    pub cluster_arn: String,
    /// Name.
    pub cluster_name: String,
    /// `ACTIVE`, `PROVISIONING`, `DEPROVISIONING`, `FAILED` or `INACTIVE`.
    pub status: String,
    /// Container instances registered (ACTIVE and DRAINING).
    #[serde(default)]
    pub registered_container_instances_count: i64,
    /// Tasks in the RUNNING state.
    #[serde(default)]
    pub running_tasks_count: i64,
    /// Tasks in the PENDING state.
    #[serde(default)]
    pub pending_tasks_count: i64,
    /// Services in the ACTIVE state.
    #[serde(default)]
    pub active_services_count: i64,
    /// Per-launch-type counters (`runningEC2TasksCount`, `runningFargateTasksCount`, …).
    #[serde(default)]
    pub statistics: Vec<KeyValuePair>,
    /// Cluster settings.
    #[serde(default)]
    pub settings: Vec<ClusterSetting>,
    /// Capacity providers associated with the cluster.
    #[serde(default)]
    pub capacity_providers: Vec<String>,
    /// Strategy used when a run or service names none.
    #[serde(default)]
    pub default_capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// Names of the cluster statistics ECS reports per launch type.
pub mod statistic {
    /// Running tasks on EC2 capacity.
    pub const RUNNING_EC2_TASKS: &str = "runningEC2TasksCount";
    /// Running tasks on Fargate.
    pub const RUNNING_FARGATE_TASKS: &str = "runningFargateTasksCount";
    /// Running tasks on external (ECS Anywhere) instances.
    pub const RUNNING_EXTERNAL_TASKS: &str = "runningExternalTasksCount";
    /// Pending tasks on EC2 capacity.
    pub const PENDING_EC2_TASKS: &str = "pendingEC2TasksCount";
    /// Pending tasks on Fargate.
    pub const PENDING_FARGATE_TASKS: &str = "pendingFargateTasksCount";
    /// Pending tasks on external instances.
    pub const PENDING_EXTERNAL_TASKS: &str = "pendingExternalTasksCount";
    /// Active services using the EC2 launch type.
    pub const ACTIVE_EC2_SERVICES: &str = "activeEC2ServiceCount";
    /// Active services using Fargate.
    pub const ACTIVE_FARGATE_SERVICES: &str = "activeFargateServiceCount";
    /// Active services on external instances.
    pub const ACTIVE_EXTERNAL_SERVICES: &str = "activeExternalServiceCount";
}

/// Running tasks by launch type, read from a cluster's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchTypeMix {
    /// Running tasks on EC2.
    pub ec2: i64,
    /// Running tasks on Fargate.
    pub fargate: i64,
    /// Running tasks on external instances.
    pub external: i64,
}

impl LaunchTypeMix {
    /// The sum over launch types.
    pub fn total(&self) -> i64 {
        self.ec2 + self.fargate + self.external
    }
}

impl Cluster {
    /// The value of a numeric statistic, if ECS reported it.
    pub fn statistic(&self, name: &str) -> Option<i64> {
        self.statistics
            .iter()
            .find(|kv| kv.name == name)
            .and_then(|kv| kv.value.trim().parse().ok())
    }

    /// Running tasks by launch type; `None` when the source reported no statistics.
    pub fn launch_type_mix(&self) -> Option<LaunchTypeMix> {
        let ec2 = self.statistic(statistic::RUNNING_EC2_TASKS);
        let fargate = self.statistic(statistic::RUNNING_FARGATE_TASKS);
        let external = self.statistic(statistic::RUNNING_EXTERNAL_TASKS);
        if ec2.is_none() && fargate.is_none() && external.is_none() {
            return None;
        }
        Some(LaunchTypeMix {
            ec2: ec2.unwrap_or(0),
            fargate: fargate.unwrap_or(0),
            external: external.unwrap_or(0),
        })
    }
}

/// A resource of a container instance (`registeredResources` / `remainingResources`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// `CPU`, `MEMORY`, `PORTS`, `PORTS_UDP`, `GPU`, …
    pub name: String,
    /// `INTEGER`, `LONG`, `DOUBLE` or `STRINGSET`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Value for `DOUBLE` resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub double_value: Option<f64>,
    /// Value for `LONG` resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_value: Option<i64>,
    /// Value for `INTEGER` resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integer_value: Option<i64>,
    /// Value for `STRINGSET` resources (ports, GPU ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub string_set_value: Vec<String>,
}

impl Resource {
    /// An `INTEGER` resource such as CPU or MEMORY.
    pub fn integer(name: &str, value: i64) -> Self {
        Self {
            name: name.to_owned(),
            kind: "INTEGER".to_owned(),
            double_value: None,
            long_value: None,
            integer_value: Some(value),
            string_set_value: Vec::new(),
        }
    }

    /// A `STRINGSET` resource such as PORTS.
    pub fn string_set(name: &str, values: impl IntoIterator<Item = String>) -> Self {
        Self {
            name: name.to_owned(),
            kind: "STRINGSET".to_owned(),
            double_value: None,
            long_value: None,
            integer_value: None,
            string_set_value: values.into_iter().collect(),
        }
    }

    /// The numeric value whatever the resource's type (doubles are truncated).
    pub fn number(&self) -> Option<i64> {
        self.integer_value
            .or(self.long_value)
            .or(self.double_value.map(|v| v as i64))
    }
}

/// A container-instance attribute (`ecs.instance-type`, `ecs.availability-zone`, custom ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Value; absent for flag-like attributes such as `com.amazonaws.ecs.capability.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `container-instance` when set on an instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// The id of the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
}

impl Attribute {
    /// An attribute with a value.
    pub fn new(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            target_type: None,
            target_id: None,
        }
    }

    /// A flag attribute without a value.
    pub fn flag(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: None,
            target_type: None,
            target_id: None,
        }
    }
}

/// Well-known attribute names set by the ECS agent.
pub mod attribute {
    /// Availability Zone of the instance.
    pub const AVAILABILITY_ZONE: &str = "ecs.availability-zone";
    /// EC2 instance type.
    pub const INSTANCE_TYPE: &str = "ecs.instance-type";
    /// AMI id.
    pub const AMI_ID: &str = "ecs.ami-id";
    /// Operating system type (`linux`, `windows`).
    pub const OS_TYPE: &str = "ecs.os-type";
    /// CPU architecture (`x86_64`, `arm64`).
    pub const CPU_ARCHITECTURE: &str = "ecs.cpu-architecture";
}

/// Version information of the ECS agent on an instance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    /// Agent version, e.g. `1.82.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,
    /// Agent git hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_hash: Option<String>,
    /// Docker version string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_version: Option<String>,
}

/// An attachment (ENI, trunk ENI) with its details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// Attachment id.
    #[serde(default)]
    pub id: String,
    /// `ElasticNetworkInterface`, `eni`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `ATTACHED`, `PRECREATED`, …
    #[serde(default)]
    pub status: String,
    /// Details such as `subnetId`, `networkInterfaceId`, `privateIPv4Address`.
    #[serde(default)]
    pub details: Vec<KeyValuePair>,
}

/// A container instance as `DescribeContainerInstances` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerInstance {
    /// Full ARN.
    pub container_instance_arn: String,
    /// EC2 instance id (absent for external instances).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2_instance_id: Option<String>,
    /// Capacity provider that launched the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider_name: Option<String>,
    /// Agent and Docker versions.
    #[serde(default)]
    pub version_info: VersionInfo,
    /// Resources not used by tasks.
    #[serde(default)]
    pub remaining_resources: Vec<Resource>,
    /// Resources the agent registered.
    #[serde(default)]
    pub registered_resources: Vec<Resource>,
    /// `ACTIVE`, `DRAINING`, `REGISTERING`, `REGISTRATION_FAILED`, `DEREGISTERING`, `INACTIVE`.
    #[serde(default = "active")]
    pub status: String,
    /// Why the instance is in its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Whether the agent is connected to ECS.
    #[serde(default = "yes")]
    pub agent_connected: bool,
    /// Tasks in RUNNING.
    #[serde(default)]
    pub running_tasks_count: i64,
    /// Tasks in PENDING.
    #[serde(default)]
    pub pending_tasks_count: i64,
    /// Agent update state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_update_status: Option<String>,
    /// Attributes (agent-set and custom).
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    /// When the instance registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_at: Option<Timestamp>,
    /// Trunk ENI and other attachments.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn active() -> String {
    "ACTIVE".to_owned()
}

fn yes() -> bool {
    true
}

impl ContainerInstance {
    /// The value of an attribute, if present (flags have no value).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.as_deref())
    }

    /// Availability Zone from the `ecs.availability-zone` attribute.
    pub fn availability_zone(&self) -> Option<&str> {
        self.attribute(attribute::AVAILABILITY_ZONE)
    }

    /// Instance type from the `ecs.instance-type` attribute.
    pub fn instance_type(&self) -> Option<&str> {
        self.attribute(attribute::INSTANCE_TYPE)
    }

    /// The id after the last `/` of the ARN (what the console shows).
    pub fn short_id(&self) -> &str {
        short_id(&self.container_instance_arn)
    }
}

/// The part of an ARN after its last `/` (task ids, container-instance ids).
pub fn short_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// A host/container port binding of a running container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkBinding {
    /// Bound IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_ip: Option<String>,
    /// Container port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<i64>,
    /// Host port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i64>,
    /// `tcp` or `udp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// A network interface of an awsvpc task's container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterface {
    /// Attachment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    /// Private IPv4 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ipv4_address: Option<String>,
}

/// A container of a task as `DescribeTasks` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Container ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_arn: Option<String>,
    /// Name from the task definition.
    pub name: String,
    /// Image reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Resolved image digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    /// Lifecycle state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
    /// Exit code once stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// Why the container stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `HEALTHY`, `UNHEALTHY` or `UNKNOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_status: Option<String>,
    /// CPU units (as a string, as ECS sends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Hard memory limit in MiB (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// Soft memory limit in MiB (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<String>,
    /// Host port bindings (bridge/host).
    #[serde(default)]
    pub network_bindings: Vec<NetworkBinding>,
    /// ENIs (awsvpc).
    #[serde(default)]
    pub network_interfaces: Vec<NetworkInterface>,
}

/// A task as `DescribeTasks` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Full ARN.
    pub task_arn: String,
    /// Cluster ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_arn: Option<String>,
    /// Task definition ARN (with revision).
    #[serde(default)]
    pub task_definition_arn: String,
    /// Instance the task runs on (EC2/EXTERNAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_instance_arn: Option<String>,
    /// `PROVISIONING`, `PENDING`, `ACTIVATING`, `RUNNING`, `DEACTIVATING`, `STOPPING`,
    /// `DEPROVISIONING`, `STOPPED`.
    #[serde(default = "running")]
    pub last_status: String,
    /// The state ECS drives the task towards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_status: Option<String>,
    /// `EC2`, `FARGATE` or `EXTERNAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// Capacity provider used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider_name: Option<String>,
    /// Task-level CPU units (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Task-level memory MiB (string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// Task group, e.g. `service:web` or `family:batch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Who started the task (a deployment id for services).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    /// Availability Zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// Containers.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// ENI attachments (awsvpc).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// When the task was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it started running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// When it began stopping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopping_at: Option<Timestamp>,
    /// When it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<Timestamp>,
    /// Why it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_reason: Option<String>,
    /// Stop code (`TaskFailedToStart`, `EssentialContainerExited`, `UserInitiated`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_code: Option<String>,
    /// Task health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_status: Option<String>,
    /// Fargate platform version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn running() -> String {
    "RUNNING".to_owned()
}

impl Task {
    /// The id after the last `/` of the ARN.
    pub fn short_id(&self) -> &str {
        short_id(&self.task_arn)
    }
}

/// A service event message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceEvent {
    /// Event id.
    pub id: String,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The message.
    pub message: String,
}

/// The deployment circuit breaker settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentCircuitBreaker {
    /// Whether the breaker is on.
    #[serde(default)]
    pub enable: bool,
    /// Whether a tripped breaker rolls back.
    #[serde(default)]
    pub rollback: bool,
}

/// How a rolling deployment may proceed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    /// Circuit breaker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_circuit_breaker: Option<DeploymentCircuitBreaker>,
    /// Upper bound of running+pending tasks, percent of desired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_percent: Option<i64>,
    /// Lower bound of healthy running tasks, percent of desired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_healthy_percent: Option<i64>,
}

/// One deployment of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Deployment id (`ecs-svc/…`).
    pub id: String,
    /// `PRIMARY`, `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// Task definition ARN.
    #[serde(default)]
    pub task_definition: String,
    /// Desired tasks of this deployment.
    #[serde(default)]
    pub desired_count: i64,
    /// Pending tasks.
    #[serde(default)]
    pub pending_count: i64,
    /// Running tasks.
    #[serde(default)]
    pub running_count: i64,
    /// Tasks that failed to start.
    #[serde(default)]
    pub failed_tasks: i64,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Launch type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// Capacity provider strategy.
    #[serde(default)]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// `COMPLETED`, `FAILED` or `IN_PROGRESS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_state: Option<String>,
    /// Why the rollout is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_state_reason: Option<String>,
}

/// A placement strategy (`binpack`, `spread`, `random`) with its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementStrategy {
    /// Strategy type. Kept as text so that a wrong value gets a precise validation error.
    #[serde(rename = "type")]
    pub kind: String,
    /// `cpu`/`memory` for binpack, `instanceId`/`host`/`attribute:…` for spread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A placement constraint (`distinctInstance`, or `memberOf` with a CQL expression).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementConstraint {
    /// Constraint type. Kept as text so that a wrong value gets a precise validation error.
    #[serde(rename = "type")]
    pub kind: String,
    /// Cluster Query Language expression (memberOf only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// Subnets and security groups of an awsvpc task or service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsVpcConfiguration {
    /// Subnet ids.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// Security group ids.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_public_ip: Option<String>,
}

/// Network configuration of a service or run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfiguration {
    /// awsvpc settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awsvpc_configuration: Option<AwsVpcConfiguration>,
}

/// A load balancer target of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancer {
    /// Target group ARN (ALB/NLB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<String>,
    /// Classic load balancer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_name: Option<String>,
    /// Container receiving traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// Its port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<i64>,
}

/// A Cloud Map registry of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRegistry {
    /// Registry ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_arn: Option<String>,
    /// Port for SRV records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// Container name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// Container port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<i64>,
}

/// The deployment controller of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentController {
    /// `ECS`, `CODE_DEPLOY` or `EXTERNAL`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A service as `DescribeServices` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Full ARN.
    pub service_arn: String,
    /// Name.
    pub service_name: String,
    /// Cluster ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_arn: Option<String>,
    /// `ACTIVE`, `DRAINING` or `INACTIVE`.
    #[serde(default = "active")]
    pub status: String,
    /// Desired tasks.
    #[serde(default)]
    pub desired_count: i64,
    /// Running tasks.
    #[serde(default)]
    pub running_count: i64,
    /// Pending tasks.
    #[serde(default)]
    pub pending_count: i64,
    /// Launch type (absent when a capacity provider strategy is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// Capacity provider strategy.
    #[serde(default)]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// Fargate platform version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// Task definition ARN of the primary deployment.
    #[serde(default)]
    pub task_definition: String,
    /// Rolling-update settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_configuration: Option<DeploymentConfiguration>,
    /// Deployments, primary first.
    #[serde(default)]
    pub deployments: Vec<Deployment>,
    /// Most recent events first.
    #[serde(default)]
    pub events: Vec<ServiceEvent>,
    /// Placement constraints.
    #[serde(default)]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// Placement strategies in order.
    #[serde(default)]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// `REPLICA` or `DAEMON`.
    #[serde(default = "replica")]
    pub scheduling_strategy: String,
    /// awsvpc network configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration: Option<NetworkConfiguration>,
    /// Load balancers.
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// Service discovery registries.
    #[serde(default)]
    pub service_registries: Vec<ServiceRegistry>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Grace period for load balancer health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_grace_period_seconds: Option<i64>,
    /// Deployment controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_controller: Option<DeploymentController>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn replica() -> String {
    "REPLICA".to_owned()
}

/// A port mapping of a container definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    /// Container port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<i64>,
    /// Host port; omitted or 0 means dynamic in bridge mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i64>,
    /// `tcp` (default) or `udp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Name used by Service Connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `http`, `http2` or `grpc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// A range such as `8000-8099`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port_range: Option<String>,
}

/// A resource requirement of a container (`GPU`, `InferenceAccelerator`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequirement {
    /// `GPU` or `InferenceAccelerator`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Amount (text, as in the API).
    pub value: String,
}

/// A container definition. Fields Berth does not model are kept in `other` so nothing a user
/// pasted is lost when it is sent back to ECS.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    /// Container name.
    #[serde(default)]
    pub name: String,
    /// Image reference.
    #[serde(default)]
    pub image: String,
    /// CPU units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<i64>,
    /// Hard memory limit (MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
    /// Soft memory limit (MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<i64>,
    /// Port mappings.
    #[serde(default)]
    pub port_mappings: Vec<PortMapping>,
    /// Whether the task stops when this container stops (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub essential: Option<bool>,
    /// GPUs and accelerators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_requirements: Vec<ResourceRequirement>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment: Vec<KeyValuePair>,
    /// Everything else, as given.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// An attribute a task definition requires of its instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredAttribute {
    /// Attribute name.
    pub name: String,
    /// Value when one is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A task definition revision. Fields Berth does not model are kept in `other`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    /// ARN with revision (absent before registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition_arn: Option<String>,
    /// Family name.
    #[serde(default)]
    pub family: String,
    /// Revision number (absent before registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// `ACTIVE`, `INACTIVE` or `DELETE_IN_PROGRESS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Containers.
    #[serde(default)]
    pub container_definitions: Vec<ContainerDefinition>,
    /// `bridge`, `host`, `awsvpc` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    /// Task-level CPU (`"256"`, `"1 vCPU"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Task-level memory (`"512"`, `"1 GB"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// Launch types the user asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_compatibilities: Vec<String>,
    /// Launch types ECS found it compatible with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compatibilities: Vec<String>,
    /// Attributes an instance must have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_attributes: Vec<RequiredAttribute>,
    /// Constraints carried by the definition itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// IAM role of the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role_arn: Option<String>,
    /// IAM role of the agent for pulling images and logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// Registration time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_at: Option<Timestamp>,
    /// Deregistration time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deregistered_at: Option<Timestamp>,
    /// Everything else, as given (volumes, runtimePlatform, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_container_instance_as_the_cli_prints_it() {
        let json = r#"{
            "containerInstanceArn": "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/abc",
            "ec2InstanceId": "i-0123",
            "status": "ACTIVE",
            "agentConnected": true,
            "registeredResources": [
                {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375"]}
            ],
            "attributes": [{"name": "ecs.availability-zone", "value": "us-east-1a"},
                           {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.17"}],
            "registeredAt": "2024-05-01T12:00:00.000000+00:00",
            "somethingNew": 1
        }"#;
        let instance: ContainerInstance = serde_json::from_str(json).unwrap();
        assert_eq!(instance.availability_zone(), Some("us-east-1a"));
        assert_eq!(instance.short_id(), "abc");
        assert_eq!(instance.registered_resources[0].number(), Some(2048));
        assert_eq!(
            instance.registered_at,
            Some(Timestamp::from_secs(1_714_564_800))
        );
    }

    #[test]
    fn keeps_unmodelled_task_definition_fields() {
        let json = r#"{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx",
            "logConfiguration": {"logDriver": "awslogs"}}], "volumes": [{"name": "data"}]}"#;
        let definition: TaskDefinition = serde_json::from_str(json).unwrap();
        let back = serde_json::to_value(&definition).unwrap();
        assert_eq!(back["volumes"][0]["name"], "data");
        assert_eq!(
            back["containerDefinitions"][0]["logConfiguration"]["logDriver"],
            "awslogs"
        );
    }

    #[test]
    fn reads_the_launch_type_mix_from_statistics() {
        let mut cluster: Cluster =
            serde_json::from_str(r#"{"clusterArn": "a", "clusterName": "c", "status": "ACTIVE"}"#)
                .unwrap();
        assert_eq!(cluster.launch_type_mix(), None);
        cluster.statistics = vec![
            KeyValuePair {
                name: statistic::RUNNING_EC2_TASKS.into(),
                value: "7".into(),
            },
            KeyValuePair {
                name: statistic::RUNNING_FARGATE_TASKS.into(),
                value: "3".into(),
            },
        ];
        let mix = cluster.launch_type_mix().unwrap();
        assert_eq!(
            (mix.ec2, mix.fargate, mix.external, mix.total()),
            (7, 3, 0, 10)
        );
    }
}
