//! The JSON API between `berth` and its clients (the console, scripts, tests).
//!
//! Resources themselves use the AWS shapes of [`crate::ecs`] and [`crate::ecr`]; this module
//! holds the envelopes around them and the error body every failing request returns.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    autoscaling::ServiceScaling,
    ecs::{
        CapacityProviderStrategyItem, Cluster, ContainerInstance, DeploymentConfiguration,
        LoadBalancer, NetworkConfiguration, PlacementConstraint, PlacementStrategy, Service,
        ServiceRegistry, Task, TaskDefinition,
    },
    time::Timestamp,
};

/// Stable machine-readable error codes. Clients branch on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request was malformed or a field was invalid.
    InvalidInput,
    /// The resource (or API path) does not exist.
    NotFound,
    /// The credentials lack a permission.
    AccessDenied,
    /// AWS throttled the request; retry later.
    Throttled,
    /// The AWS endpoint could not be reached, timed out or failed on its side; retry later.
    Unavailable,
    /// The AWS credentials in use have expired; the user must refresh them.
    CredentialsExpired,
    /// The request conflicts with the current state.
    Conflict,
    /// The path does not answer this HTTP method (the `Allow` header lists those it does).
    MethodNotAllowed,
    /// The request body is larger than the API accepts.
    PayloadTooLarge,
    /// The request body is not JSON.
    UnsupportedMediaType,
    /// The request's `Host` does not name this server (a DNS-rebinding defence).
    HostNotAllowed,
    /// A browser sent a change from a page of another site (a CSRF defence).
    CrossOrigin,
    /// The server was started with `--read-only` and refuses every change.
    ReadOnly,
    /// The request carries no valid sign-in (token, session or trusted proxy identity).
    Unauthenticated,
    /// The signed-in role may not do this, or a cookie session's change lacks its CSRF token.
    Forbidden,
    /// Something failed inside Berth; details are in the server log.
    Internal,
}

impl ErrorCode {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::AccessDenied => "access_denied",
            Self::Throttled => "throttled",
            Self::Unavailable => "unavailable",
            Self::CredentialsExpired => "credentials_expired",
            Self::Conflict => "conflict",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::HostNotAllowed => "host_not_allowed",
            Self::CrossOrigin => "cross_origin",
            Self::ReadOnly => "read_only",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A sentence for a person, naming the field or resource involved.
    pub message: String,
    /// Whether the same request may succeed if retried later.
    pub retryable: bool,
    /// JSON path of the offending input field, when one is to blame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found, when the input had several (task-definition validation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
}

/// One problem of an input, located by JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldProblem {
    /// JSON path, e.g. `containerDefinitions[0].memory`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Which account Berth is showing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SourceInfo {
    /// The embedded simulated account.
    #[serde(rename_all = "camelCase")]
    Sandbox {
        /// Simulated region name.
        region: String,
    },
    /// A real AWS account or an AWS-compatible endpoint.
    #[serde(rename_all = "camelCase")]
    Aws {
        /// Region in use.
        region: String,
        /// Named profile, when one was chosen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
        /// Custom endpoint (e.g. a local emulator), when one was given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint_url: Option<String>,
    },
}

impl SourceInfo {
    /// A short label for the top bar: `Sandbox · us-east-1`, `AWS · eu-west-1`,
    /// `AWS · us-east-1 · http://127.0.0.1:5000`.
    pub fn label(&self) -> String {
        match self {
            Self::Sandbox { region, .. } => format!("Sandbox · {region}"),
            Self::Aws {
                region,
                profile,
                endpoint_url,
            } => {
                let mut label = format!("AWS · {region}");
                if let Some(profile) = profile {
                    label.push_str(&format!(" · profile {profile}"));
                }
                if let Some(endpoint) = endpoint_url {
                    label.push_str(&format!(" · {endpoint}"));
                }
                label
            }
        }
    }
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// Berth's version.
    pub version: String,
    /// The request's source (account, region, profile, endpoint): only for a signed-in
    /// request, since `/api/health` answers anyone (load balancers' health checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceInfo>,
    /// Whether this server refuses every change (`--read-only`); the console then offers none.
    #[serde(default)]
    pub read_only: bool,
}

/// `GET /api/clusters`: every cluster of the source, as `DescribeClusters` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterList {
    /// Clusters sorted by name.
    pub clusters: Vec<Cluster>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

/// `GET /api/metrics/clusters`: how much of each cluster's registered CPU and memory its tasks
/// reserve, as CloudWatch's `CPUReservation` and `MemoryReservation` (namespace `AWS/ECS`)
/// report it: over the ACTIVE and DRAINING container instances, in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterReservations {
    /// One entry per cluster, in the order of `GET /api/clusters`.
    pub clusters: Vec<ClusterReservation>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

/// One cluster's reservation; `None` when there is nothing to measure (no container instances,
/// e.g. a Fargate-only cluster) or no recent data point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterReservation {
    /// Cluster name.
    pub cluster_name: String,
    /// Reserved CPU units, percent of registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_reservation: Option<f64>,
    /// Reserved memory, percent of registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<f64>,
}

/// `GET /api/clusters/{name}`: one cluster with everything in it, read at one moment (the
/// default is an empty cluster, read at no time).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSnapshot {
    /// The cluster.
    pub cluster: Cluster,
    /// Its container instances (ACTIVE, DRAINING and others), as
    /// `DescribeContainerInstances` returns them.
    pub container_instances: Vec<ContainerInstance>,
    /// Its services, as `DescribeServices` returns them.
    pub services: Vec<Service>,
    /// Its tasks (running, pending and recently stopped), as `DescribeTasks` returns them.
    pub tasks: Vec<Task>,
    /// How its services scale (only services with a scalable target), by service name.
    #[serde(default)]
    pub scaling: Vec<ServiceScaling>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

/// One revision of a task-definition family, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinitionRevision {
    /// ARN of the revision.
    pub task_definition_arn: String,
    /// Revision number.
    pub revision: i64,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
}

/// A task-definition family with its revisions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinitionFamily {
    /// Family name.
    pub family: String,
    /// Revisions, newest first.
    pub revisions: Vec<TaskDefinitionRevision>,
}

/// `GET /api/task-definitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinitionFamilies {
    /// Families sorted by name.
    pub families: Vec<TaskDefinitionFamily>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

/// The answer to a change: the resource as it is now, and AWS's request id when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mutation<T> {
    /// The created or updated resource.
    pub resource: T,
    /// The AWS request id (absent for the sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `PUT /api/clusters/{cluster}/services/{service}`: what to change (as `UpdateService`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceUpdate {
    /// New desired count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_count: Option<i64>,
    /// New task definition (`family`, `family:revision` or ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
    /// Start a new deployment even when nothing else changes.
    #[serde(default)]
    pub force_new_deployment: bool,
    /// New deployment configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_configuration: Option<DeploymentConfiguration>,
    /// New capacity provider strategy (with `forceNewDeployment`, as ECS requires).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider_strategy: Option<Vec<CapacityProviderStrategyItem>>,
}

/// The lowest and highest desired count a service's auto scaling may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScalingBounds {
    /// Lowest desired count.
    pub min_capacity: i64,
    /// Highest desired count.
    pub max_capacity: i64,
}

/// `POST /api/clusters/{cluster}/services/{service}/preview` and `…/deploy`: a change to a
/// service as the console's Deploy form makes it — a new revision to register, or an existing
/// one, and the service's settings — previewed, then applied as RegisterTaskDefinition and
/// UpdateService.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceChange {
    /// A task definition to register and deploy (as `RegisterTaskDefinition` takes it; the
    /// fields `DescribeTaskDefinition` adds are ignored). Not with `taskDefinition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register: Option<TaskDefinition>,
    /// An existing revision to deploy (`family:revision` or ARN). Not with `register`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
    /// New desired count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_count: Option<i64>,
    /// New deployment configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_configuration: Option<DeploymentConfiguration>,
    /// Start a new deployment even when the revision stays.
    #[serde(default)]
    pub force_new_deployment: bool,
    /// A new capacity provider strategy (it needs `forceNewDeployment`, as ECS requires).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider_strategy: Option<Vec<CapacityProviderStrategyItem>>,
    /// New bounds for the service's auto scaling (Application Auto Scaling's
    /// RegisterScalableTarget; the service must have a scalable target already).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scalable_target: Option<ScalingBounds>,
    /// The revision (ARN or `family:revision`) the service ran when the change was previewed:
    /// Apply is refused with a 409 when it runs another by then, so a change is never made on
    /// a state nobody saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_task_definition: Option<String>,
    /// A token unique to one Apply (up to 64 letters, digits, `-` or `_`): the same token
    /// within 15 minutes answers the first Apply's result again without calling AWS, so a
    /// double click or a retry after a timeout changes nothing twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

impl SourceInfo {
    /// The region of the source.
    pub fn region(&self) -> &str {
        match self {
            Self::Sandbox { region } | Self::Aws { region, .. } => region,
        }
    }
}

/// One AWS call an applied [`ServiceChange`] made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedCall {
    /// The operation, e.g. `RegisterTaskDefinition`.
    pub operation: String,
    /// What it did, in words.
    pub outcome: String,
    /// The AWS request id (absent for the sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The answer of `…/deploy`: the calls made in order and the service after them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployed {
    /// The calls made, in order.
    pub calls: Vec<AppliedCall>,
    /// The revision deployed (ARN).
    pub task_definition: String,
    /// The service as UpdateService answered it.
    pub service: Service,
}

/// `POST /api/clusters/{cluster}/services`: a new service (as `CreateService`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateService {
    /// Service name.
    pub service_name: String,
    /// Task definition (`family`, `family:revision` or ARN).
    pub task_definition: String,
    /// Desired count (REPLICA).
    #[serde(default)]
    pub desired_count: i64,
    /// `EC2`, `FARGATE` or `EXTERNAL` (or a capacity provider strategy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// Capacity provider strategy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// `REPLICA` (default) or `DAEMON`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_strategy: Option<String>,
    /// Placement strategies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// Placement constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// awsvpc network configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration: Option<NetworkConfiguration>,
    /// Rolling-update settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_configuration: Option<DeploymentConfiguration>,
    /// Target groups that send traffic to a container port of the tasks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<LoadBalancer>,
    /// The Cloud Map service the tasks register in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_registries: Vec<ServiceRegistry>,
    /// Makes a repeated request create the service once (given to AWS as `clientToken`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

/// `POST /api/clusters/{cluster}/tasks`: tasks to start (as `RunTask`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunTask {
    /// Task definition (`family`, `family:revision` or ARN).
    pub task_definition: String,
    /// How many (1–10, as RunTask allows).
    #[serde(default = "one")]
    pub count: i64,
    /// Task group; default `family:<family>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `EC2`, `FARGATE` or `EXTERNAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// Capacity provider strategy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// Placement strategies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// Placement constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// awsvpc network configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration: Option<NetworkConfiguration>,
    /// Who started the tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    /// A token unique to one run (up to 64 letters, digits, `-` or `_`): the same token
    /// again answers the first run's result without starting more tasks (Berth keeps it 15
    /// minutes; AWS's RunTask takes it as its own idempotency token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

fn one() -> i64 {
    1
}

/// A task that could not be started, as RunTask reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// The resource concerned (closest matching instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// ECS's reason, e.g. `RESOURCE:MEMORY`.
    pub reason: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The answer of RunTask: started tasks and failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunTaskResult {
    /// Started tasks.
    pub tasks: Vec<Task>,
    /// Tasks that could not be placed.
    pub failures: Vec<Failure>,
}

/// `POST /api/clusters/{cluster}/tasks/{task}/stop`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopTask {
    /// Why (shown as the task's stopped reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One repository in `GET /api/repositories`, with figures about its images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositorySummary {
    /// The repository, as `DescribeRepositories` describes it.
    pub repository: crate::ecr::Repository,
    /// How many images it holds (tagged and untagged).
    pub image_count: usize,
    /// Their total compressed size in bytes.
    pub total_size_in_bytes: i64,
    /// When the most recent image was pushed, if any was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_pushed_at: Option<Timestamp>,
}

/// `GET /api/repositories`: every ECR repository of the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryList {
    /// Repositories sorted by name.
    pub repositories: Vec<RepositorySummary>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

/// `GET /api/repositories/{name}/images`: every image of one repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryImages {
    /// The repository's name.
    pub repository_name: String,
    /// Its images as `DescribeImages` describes them, most recently pushed first.
    pub image_details: Vec<crate::ecr::ImageDetail>,
    /// When the data was read from the source.
    pub fetched_at: Timestamp,
}

/// What a repository's lifecycle policy would do if ECR ran it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LifecyclePreview {
    /// The policy was evaluated over the repository's images.
    #[serde(rename_all = "camelCase")]
    Evaluated {
        /// The policy's rules, as parsed from its text.
        policy: crate::ecr::LifecyclePolicy,
        /// The verdict on every image (most recently pushed first) and the totals.
        result: crate::ecr::LifecycleOutput,
    },
    /// The policy could not be evaluated: its text is not a policy Berth can simulate (ECR
    /// accepts actions Berth does not model, and emulators store anything), or an image has no
    /// push time to rank it by.
    #[serde(rename_all = "camelCase")]
    NotEvaluated {
        /// JSON path of the offending value (in the policy text or the images).
        field: String,
        /// What is wrong, in words.
        message: String,
    },
}

/// A service whose task definition runs an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUsage {
    /// Cluster name.
    pub cluster_name: String,
    /// Service name.
    pub service_name: String,
    /// The task definition ARN (of a deployment of the service) that names the image.
    pub task_definition: String,
    /// Tasks of the service running now.
    pub running_count: i64,
}

/// A running task one of whose containers runs an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskUsage {
    /// Cluster name.
    pub cluster_name: String,
    /// Task ARN.
    pub task_arn: String,
    /// Its task definition ARN.
    pub task_definition_arn: String,
    /// Its group (`service:NAME` for a service's tasks), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Where one image runs: the task definitions naming it (by tag or digest), the services
/// deploying those definitions and the running tasks whose containers run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageUsage {
    /// The image's digest.
    pub image_digest: String,
    /// ARNs of task definitions with a container naming the image, sorted.
    pub task_definitions: Vec<String>,
    /// Services deploying one of those task definitions.
    pub services: Vec<ServiceUsage>,
    /// Running tasks running the image.
    pub tasks: Vec<TaskUsage>,
}

/// `GET /api/repositories/{name}`: one repository with its images, its lifecycle policy and a
/// preview of it, and where each image runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryDetail {
    /// The repository.
    pub repository: crate::ecr::Repository,
    /// Its images, most recently pushed first.
    pub image_details: Vec<crate::ecr::ImageDetail>,
    /// The lifecycle policy text as ECR stores it; absent when the repository has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_policy_text: Option<String>,
    /// What the policy would expire now; absent when there is no policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_preview: Option<LifecyclePreview>,
    /// Where images run, one entry per image in use (images not listed are not in use).
    pub usage: Vec<ImageUsage>,
    /// Why `usage` could not be computed (ECS could not be read), when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_problem: Option<String>,
    /// When the data was read from the source (and the moment of the preview).
    pub fetched_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_snake_case_on_the_wire() {
        let body = ErrorBody {
            code: ErrorCode::InvalidInput,
            message: "bad".into(),
            retryable: false,
            field: Some("count".into()),
            problems: Vec::new(),
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["code"], ErrorCode::InvalidInput.as_str());
        assert_eq!(serde_json::from_value::<ErrorBody>(json).unwrap(), body);
    }

    #[test]
    fn labels_name_the_source() {
        let aws = SourceInfo::Aws {
            region: "eu-west-1".into(),
            profile: None,
            endpoint_url: Some("http://127.0.0.1:5000".into()),
        };
        assert_eq!(aws.label(), "AWS · eu-west-1 · http://127.0.0.1:5000");
        let json = serde_json::to_value(&aws).unwrap();
        assert_eq!(json["kind"], "aws");
        assert_eq!(json["endpointUrl"], "http://127.0.0.1:5000");
    }
}
