//! The demo fleet a new sandbox starts with.
//!
//! A realistic small company account in `us-east-1`: an EC2-backed cluster of 12 container
//! instances over three Availability Zones (five instance types, custom `stack` and `team`
//! attributes, one instance DRAINING), a Fargate-only cluster and a small two-instance
//! cluster; ten task-definition families with several revisions (some INACTIVE); ten
//! services using spread, binpack and random strategies, memberOf and distinctInstance
//! constraints, a DAEMON service and one scaled to zero; their tasks plus standalone ones; and
//! five ECR repositories with tagged and untagged images. The moto tests seed a smaller fleet
//! of the same kinds through the SDK (`tests/src/fixtures.rs`), so both sources exercise the
//! same pages.
//!
//! Seeding is deterministic for a given `now`: ids come from a seeded generator.

use berth_shared::{
    autoscaling::{
        Alarm, DESIRED_COUNT_DIMENSION, ECS_NAMESPACE, ScalableTarget, ScalingPolicy,
        ScheduledAction, ServiceScaling, service_resource_id,
    },
    ecr::{ImageDetail, ImageScanFindingsSummary, ImageScanStatus, Repository},
    ecs::{
        Attribute, AwsVpcConfiguration, CapacityProviderStrategyItem, ClusterSetting,
        ContainerDefinition, ContainerInstance, Deployment, DeploymentCircuitBreaker,
        DeploymentConfiguration, KeyValuePair, NetworkConfiguration, PlacementConstraint,
        PlacementStrategy, PortMapping, Resource, Service, ServiceEvent, Tag, TaskDefinition,
        VersionInfo, attribute,
    },
    ops::scaling::{ScalableTargetAction, SuspendedState},
    time::Timestamp,
};
use serde_json::json;

use super::{
    ids::{ACCOUNT, IdGenerator, REGION, arn},
    placement::{TaskRequest, place_daemon, place_tasks, placements, refresh_instances},
    state::{ClusterState, RepositoryState, SandboxState},
    tasks::{new_task, start},
};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
const MINUTE_MS: i64 = 60_000;
/// How long the demo fleet's tasks took from being asked for to running.
const STARTING_MS: i64 = 40_000;

/// (instance type, registered CPU units, registered MiB) as the ECS agent reports them.
const INSTANCE_TYPES: &[(&str, i64, i64)] = &[
    ("t3.medium", 2048, 3904),
    ("m5.large", 2048, 7680),
    ("m5.xlarge", 4096, 15722),
    ("c5.2xlarge", 8192, 15215),
    ("r5.large", 2048, 15743),
    ("m5.4xlarge", 16384, 62900),
    ("c5.4xlarge", 16384, 30400),
    ("r5.4xlarge", 16384, 126800),
];

/// (AZ, instance type, stack attribute, team attribute) of the EC2 cluster.
const EC2_LAYOUT: &[(&str, &str, &str, &str)] = &[
    ("us-east-1a", "m5.xlarge", "blue", "platform"),
    ("us-east-1a", "m5.xlarge", "green", "payments"),
    ("us-east-1a", "c5.2xlarge", "blue", "growth"),
    ("us-east-1a", "r5.large", "green", "platform"),
    ("us-east-1b", "m5.xlarge", "blue", "payments"),
    ("us-east-1b", "m5.large", "green", "growth"),
    ("us-east-1b", "c5.2xlarge", "blue", "platform"),
    ("us-east-1b", "t3.medium", "green", "payments"),
    ("us-east-1c", "m5.xlarge", "blue", "growth"),
    ("us-east-1c", "m5.large", "green", "platform"),
    ("us-east-1c", "r5.large", "blue", "payments"),
    ("us-east-1c", "t3.medium", "green", "growth"),
];
/// Index in [`EC2_LAYOUT`] of the instance being drained.
const DRAINING_INSTANCE: usize = 11;
const SMALL_LAYOUT: &[(&str, &str, &str, &str)] = &[
    ("us-east-1a", "t3.medium", "blue", "platform"),
    ("us-east-1b", "t3.medium", "green", "platform"),
];

/// A container of a demo family: (name, cpu, memory, containerPort, static hostPort).
type DemoContainer = (&'static str, i64, i64, Option<i64>, Option<i64>);

/// A demo family: (family, revisions, containers, Fargate?, inactive revisions).
type DemoFamily = (
    &'static str,
    i64,
    &'static [DemoContainer],
    bool,
    &'static [i64],
);

const FAMILIES: &[DemoFamily] = &[
    (
        "web-frontend",
        5,
        &[
            ("web", 512, 1024, Some(8080), None),
            ("log-router", 64, 128, None, None),
        ],
        false,
        &[1],
    ),
    (
        "api",
        7,
        &[
            ("api", 1024, 2048, Some(3000), None),
            ("envoy", 256, 256, Some(9901), None),
        ],
        false,
        &[1, 2],
    ),
    (
        "payments",
        6,
        &[("payments", 512, 2048, Some(8443), None)],
        false,
        &[1, 2, 3],
    ),
    (
        "auth",
        4,
        &[("auth", 256, 512, Some(4000), None)],
        false,
        &[],
    ),
    (
        "metrics-agent",
        2,
        &[("agent", 128, 256, None, None)],
        false,
        &[],
    ),
    (
        "nginx-proxy",
        3,
        &[("nginx", 256, 256, Some(80), Some(80))],
        false,
        &[],
    ),
    (
        "scheduler",
        3,
        &[("scheduler", 256, 512, None, None)],
        false,
        &[],
    ),
    (
        "batch-report",
        3,
        &[("report", 1024, 3072, None, None)],
        false,
        &[],
    ),
    ("worker", 4, &[("worker", 512, 1024, None, None)], true, &[]),
    (
        "notifications",
        3,
        &[("notify", 256, 512, Some(8000), None)],
        true,
        &[],
    ),
];

/// A demo service.
struct DemoService {
    cluster: &'static str,
    name: String,
    family: &'static str,
    desired: i64,
    fargate: bool,
    daemon: bool,
    strategy: serde_json::Value,
    constraints: serde_json::Value,
}

/// The demo services, in the order their tasks are placed.
fn demo_services() -> Vec<DemoService> {
    let service = |cluster, name: &str, family, desired, strategy, constraints| DemoService {
        cluster,
        name: name.to_owned(),
        family,
        desired,
        fargate: cluster == "demo-fargate",
        daemon: false,
        strategy,
        constraints,
    };
    let spread_az = json!({"type": "spread", "field": "attribute:ecs.availability-zone"});
    // The DAEMON service comes first: ECS starts daemon tasks before replicas on an instance.
    vec![
        DemoService {
            daemon: true,
            ..service(
                "demo-ec2",
                "metrics-agent",
                "metrics-agent",
                0,
                json!([]),
                json!([]),
            )
        },
        service(
            "demo-ec2",
            "web-frontend",
            "web-frontend",
            6,
            json!([spread_az, {"type": "spread", "field": "instanceId"}]),
            json!([]),
        ),
        service(
            "demo-ec2",
            "api",
            "api",
            8,
            json!([spread_az, {"type": "binpack", "field": "memory"}]),
            json!([]),
        ),
        service(
            "demo-ec2",
            "payments",
            "payments",
            4,
            json!([spread_az]),
            json!([{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}]),
        ),
        service(
            "demo-ec2",
            "auth",
            "auth",
            3,
            json!([{"type": "binpack", "field": "cpu"}]),
            json!([{"type": "distinctInstance"}]),
        ),
        service(
            "demo-ec2",
            "nginx-proxy",
            "nginx-proxy",
            2,
            json!([{"type": "random"}]),
            json!([{"type": "memberOf", "expression": "attribute:stack == blue"}, {"type": "distinctInstance"}]),
        ),
        service("demo-fargate", "worker", "worker", 5, json!([]), json!([])),
        service(
            "demo-fargate",
            "notifications",
            "notifications",
            2,
            json!([]),
            json!([]),
        ),
        service(
            "demo-small",
            "scheduler",
            "scheduler",
            1,
            json!([{"type": "binpack", "field": "memory"}]),
            json!([]),
        ),
        service(
            "demo-small",
            "batch-report-svc",
            "batch-report",
            0,
            json!([]),
            json!([]),
        ),
    ]
}

/// Starts `demo`'s tasks on `cluster` (placed by the placement engine, running for two days)
/// and adds the service.
fn start_service(
    cluster: &mut ClusterState,
    definitions: &[TaskDefinition],
    demo: &DemoService,
    ids: &mut IdGenerator,
    now: Timestamp,
) {
    let definition = latest_revision(definitions, demo.family);
    let deployment_id = format!("ecs-svc/{}", &ids.hex32()[..19]);
    let group = format!("service:{}", demo.name);
    let request = TaskRequest {
        definition,
        group: &group,
        strategy: serde_json::from_value(demo.strategy.clone()).unwrap_or_default(),
        constraints: serde_json::from_value(demo.constraints.clone()).unwrap_or_default(),
        fargate: demo.fargate,
    };
    let seed = ids.next_u64();
    let count = usize::try_from(demo.desired).unwrap_or(0);
    let placed = if demo.daemon {
        place_daemon(cluster, definitions, &request, seed)
    } else if count == 0 {
        Ok(Vec::new())
    } else {
        place_tasks(cluster, definitions, &request, count, seed).map(|output| placements(&output))
    }
    .unwrap_or_else(|error| panic!("the demo service {} is valid input: {error}", demo.name));
    let launch_type = if demo.fargate { "FARGATE" } else { "EC2" };
    for (index, placement) in placed.iter().enumerate() {
        let started_at = Timestamp(now.0 - 2 * DAY_MS + i64::try_from(index).unwrap_or(0) * 60_000);
        let mut task = new_task(
            cluster,
            definition,
            &group,
            Some(&deployment_id),
            launch_type,
            ids,
            Timestamp(started_at.0 - STARTING_MS),
        );
        start(&mut task, started_at);
        task.container_instance_arn = placement.container_instance_arn.clone();
        task.availability_zone = Some(placement.availability_zone.clone());
        cluster.tasks.push(task);
    }
    refresh_instances(cluster, definitions);
    let running = i64::try_from(placed.len()).unwrap_or(0);
    let service = service_resource(demo, cluster, definition, &deployment_id, running, now);
    cluster.services.push(service);
}

/// Which demo fleet a new sandbox starts with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoFleet {
    /// Three small clusters (demo-ec2, demo-fargate, demo-small).
    #[default]
    Standard,
    /// The same, and `demo-large`: [`LARGE_INSTANCES`] container instances running
    /// [`LARGE_SERVICES`] services of [`LARGE_TASKS_PER_SERVICE`] tasks each.
    Large,
}

/// Container instances of the large demo cluster.
pub const LARGE_INSTANCES: usize = 2_000;
/// Services of the large demo cluster.
pub const LARGE_SERVICES: usize = 40;
/// Tasks of each of them.
pub const LARGE_TASKS_PER_SERVICE: i64 = 500;

/// The EC2 families the large cluster's services run (none binds a static host port, so many
/// tasks share an instance).
const LARGE_FAMILIES: [&str; 6] = [
    "web-frontend",
    "api",
    "payments",
    "auth",
    "scheduler",
    "batch-report",
];

/// The large demo cluster, placed by the engine like the others (deterministic: same ids and
/// placements every time).
fn large_cluster(
    definitions: &[TaskDefinition],
    ids: &mut IdGenerator,
    now: Timestamp,
) -> ClusterState {
    const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
    const TYPES: [&str; 3] = ["m5.4xlarge", "c5.4xlarge", "r5.4xlarge"];
    const STACKS: [&str; 2] = ["blue", "green"];
    const TEAMS: [&str; 4] = ["checkout", "identity", "platform", "data"];
    let layout: Vec<(&str, &str, &str, &str)> = (0..LARGE_INSTANCES)
        .map(|i| {
            (
                ZONES[i % ZONES.len()],
                TYPES[(i / ZONES.len()) % TYPES.len()],
                STACKS[i % STACKS.len()],
                TEAMS[i % TEAMS.len()],
            )
        })
        .collect();
    let mut cluster = empty_cluster("demo-large", now, false);
    cluster.container_instances = container_instances("demo-large", &layout, now, ids);
    let spread_az = json!({"type": "spread", "field": "attribute:ecs.availability-zone"});
    for index in 0..LARGE_SERVICES {
        let family = LARGE_FAMILIES[index % LARGE_FAMILIES.len()];
        let strategy = if index % 2 == 0 {
            json!([spread_az, {"type": "binpack", "field": "memory"}])
        } else {
            json!([spread_az, {"type": "spread", "field": "instanceId"}])
        };
        let demo = DemoService {
            cluster: "demo-large",
            name: format!("{family}-{index:02}"),
            family,
            desired: LARGE_TASKS_PER_SERVICE,
            fargate: false,
            daemon: false,
            strategy,
            constraints: json!([]),
        };
        start_service(&mut cluster, definitions, &demo, ids, now);
    }
    cluster
}

/// (repository, builds, has a lifecycle policy).
const REPOSITORIES: &[(&str, i64, bool)] = &[
    ("demo/web-frontend", 18, true),
    ("demo/api", 25, true),
    ("demo/payments", 12, false),
    ("demo/worker", 9, true),
    ("base-images/python", 6, false),
];

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

fn image_uri(family: &str, revision: i64) -> String {
    format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/demo/{family}:v1.{revision}.0")
}

fn task_definitions(now: Timestamp) -> Vec<TaskDefinition> {
    let mut definitions = Vec::new();
    for (family, revisions, containers, fargate, inactive) in FAMILIES {
        for revision in 1..=*revisions {
            let registered_at =
                Timestamp(now.0 - ((revisions - revision) * 9 + 3) * DAY_MS - revision * HOUR_MS);
            let container_definitions = containers
                .iter()
                .enumerate()
                .map(|(index, (name, cpu, memory, container_port, host_port))| {
                    let mut other = std::collections::BTreeMap::new();
                    other.insert(
                        "logConfiguration".to_owned(),
                        json!({"logDriver": "awslogs", "options": {
                            "awslogs-group": format!("/ecs/{family}"),
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": name}}),
                    );
                    ContainerDefinition {
                        name: (*name).to_owned(),
                        image: image_uri(family, revision),
                        cpu: Some(*cpu),
                        memory: Some(*memory),
                        memory_reservation: Some(memory / 2),
                        port_mappings: container_port
                            .map(|port| PortMapping {
                                container_port: Some(port),
                                host_port: if *fargate { Some(port) } else { *host_port },
                                protocol: Some("tcp".to_owned()),
                                name: Some(format!("{name}-{port}")),
                                ..PortMapping::default()
                            })
                            .into_iter()
                            .collect(),
                        essential: Some(index == 0),
                        environment: vec![
                            KeyValuePair {
                                name: "APP_ENV".to_owned(),
                                value: "demo".to_owned(),
                            },
                            KeyValuePair {
                                name: "REVISION".to_owned(),
                                value: revision.to_string(),
                            },
                        ],
                        other,
                        ..ContainerDefinition::default()
                    }
                })
                .collect();
            let is_inactive = inactive.contains(&revision);
            let mut other = std::collections::BTreeMap::new();
            if *fargate {
                other.insert(
                    "runtimePlatform".to_owned(),
                    json!({"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}),
                );
            }
            let launch_type = if *fargate { "FARGATE" } else { "EC2" };
            definitions.push(TaskDefinition {
                task_definition_arn: Some(arn(&format!("task-definition/{family}:{revision}"))),
                family: (*family).to_owned(),
                revision: Some(revision),
                status: Some(if is_inactive { "INACTIVE" } else { "ACTIVE" }.to_owned()),
                container_definitions,
                network_mode: Some(if *fargate { "awsvpc" } else { "bridge" }.to_owned()),
                cpu: fargate.then(|| containers.iter().map(|c| c.1).sum::<i64>().to_string()),
                memory: fargate.then(|| containers.iter().map(|c| c.2).sum::<i64>().to_string()),
                requires_compatibilities: vec![launch_type.to_owned()],
                compatibilities: if *fargate {
                    vec!["EC2".to_owned(), "FARGATE".to_owned()]
                } else {
                    vec!["EC2".to_owned()]
                },
                task_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/{family}-task")),
                execution_role_arn: Some(format!(
                    "arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
                )),
                registered_at: Some(registered_at),
                deregistered_at: is_inactive.then_some(Timestamp(registered_at.0 + 5 * DAY_MS)),
                other,
                ..TaskDefinition::default()
            });
        }
    }
    definitions
}

fn container_instances(
    cluster: &str,
    layout: &[(&str, &str, &str, &str)],
    now: Timestamp,
    ids: &mut IdGenerator,
) -> Vec<ContainerInstance> {
    layout
        .iter()
        .enumerate()
        .map(|(index, (zone, instance_type, stack, team))| {
            let (_, cpu, memory) = INSTANCE_TYPES
                .iter()
                .find(|(name, ..)| name == instance_type)
                .copied()
                .unwrap_or(("t3.medium", 2048, 3904));
            let id = ids.hex32();
            let ec2_instance_id = format!("i-0{}", &ids.hex32()[..16]);
            // Registered over the last month, an instance every other day.
            let index = i64::try_from(index % 15).unwrap_or(0);
            let reserved_ports = ["22", "2375", "2376", "51678", "51679"].map(str::to_owned);
            let mut attributes = vec![
                Attribute::new(attribute::AVAILABILITY_ZONE, zone),
                Attribute::new(attribute::INSTANCE_TYPE, instance_type),
                Attribute::new(attribute::AMI_ID, "ami-0c7217cdde317cfec"),
                Attribute::new(attribute::OS_TYPE, "linux"),
                Attribute::new(attribute::CPU_ARCHITECTURE, "x86_64"),
                Attribute::new("stack", stack),
                Attribute::new("team", team),
                Attribute::flag("com.amazonaws.ecs.capability.docker-remote-api.1.44"),
                Attribute::flag("com.amazonaws.ecs.capability.logging-driver.awslogs"),
                Attribute::flag("ecs.capability.task-eni"),
            ];
            if instance_type.starts_with("c5") {
                attributes.push(Attribute::new("compute-optimized", "true"));
            }
            let registered = vec![
                Resource::integer("CPU", cpu),
                Resource::integer("MEMORY", memory),
                Resource::string_set("PORTS", reserved_ports),
                Resource::string_set("PORTS_UDP", Vec::new()),
            ];
            ContainerInstance {
                container_instance_arn: arn(&format!("container-instance/{cluster}/{id}")),
                ec2_instance_id: Some(ec2_instance_id),
                capacity_provider_name: (cluster == "demo-ec2").then(|| "demo-ec2-cp".to_owned()),
                version_info: VersionInfo {
                    agent_version: Some("1.86.3".to_owned()),
                    agent_hash: Some("a1b2c3d".to_owned()),
                    docker_version: Some("DockerVersion: 25.0.6".to_owned()),
                },
                remaining_resources: registered.clone(),
                registered_resources: registered,
                status: "ACTIVE".to_owned(),
                status_reason: None,
                agent_connected: true,
                running_tasks_count: 0,
                pending_tasks_count: 0,
                agent_update_status: None,
                attributes,
                registered_at: Some(Timestamp(
                    now.0 - (30 - index * 2) * DAY_MS - index * HOUR_MS,
                )),
                attachments: Vec::new(),
                tags: vec![tag("Name", &format!("{cluster}-{index:02}"))],
            }
        })
        .collect()
}

fn latest_revision<'a>(definitions: &'a [TaskDefinition], family: &str) -> &'a TaskDefinition {
    definitions
        .iter()
        .filter(|d| d.family == family && d.status.as_deref() == Some("ACTIVE"))
        .max_by_key(|d| d.revision)
        .unwrap_or_else(|| panic!("the demo fleet defines family {family}"))
}

fn service_resource(
    demo: &DemoService,
    cluster: &ClusterState,
    definition: &TaskDefinition,
    deployment_id: &str,
    running: i64,
    now: Timestamp,
) -> Service {
    let launch_type = if demo.fargate { "FARGATE" } else { "EC2" };
    let desired = if demo.daemon { running } else { demo.desired };
    let created_at = Timestamp(now.0 - 20 * DAY_MS);
    let strategy: Vec<PlacementStrategy> =
        serde_json::from_value(demo.strategy.clone()).unwrap_or_default();
    let constraints: Vec<PlacementConstraint> =
        serde_json::from_value(demo.constraints.clone()).unwrap_or_default();
    Service {
        service_arn: arn(&format!("service/{}/{}", cluster.name, demo.name)),
        service_name: demo.name.clone(),
        cluster_arn: Some(cluster.arn.clone()),
        status: "ACTIVE".to_owned(),
        desired_count: desired,
        running_count: running,
        pending_count: 0,
        launch_type: Some(launch_type.to_owned()),
        capacity_provider_strategy: Vec::new(),
        platform_version: demo.fargate.then(|| "LATEST".to_owned()),
        task_definition: definition.task_definition_arn.clone().unwrap_or_default(),
        deployment_configuration: Some(DeploymentConfiguration {
            deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                enable: true,
                rollback: true,
            }),
            maximum_percent: Some(if demo.daemon { 100 } else { 200 }),
            minimum_healthy_percent: Some(if demo.daemon { 0 } else { 100 }),
        }),
        deployments: vec![Deployment {
            id: deployment_id.to_owned(),
            status: "PRIMARY".to_owned(),
            task_definition: definition.task_definition_arn.clone().unwrap_or_default(),
            desired_count: desired,
            pending_count: 0,
            running_count: running,
            failed_tasks: 0,
            created_at: Some(created_at),
            updated_at: Some(Timestamp(now.0 - DAY_MS)),
            launch_type: Some(launch_type.to_owned()),
            capacity_provider_strategy: Vec::new(),
            rollout_state: Some("COMPLETED".to_owned()),
            rollout_state_reason: Some("ECS deployment completed.".to_owned()),
        }],
        events: vec![ServiceEvent {
            id: format!("{deployment_id}-steady"),
            created_at: Some(Timestamp(now.0 - HOUR_MS)),
            message: format!("(service {}) has reached a steady state.", demo.name),
        }],
        placement_constraints: constraints,
        placement_strategy: strategy,
        scheduling_strategy: if demo.daemon { "DAEMON" } else { "REPLICA" }.to_owned(),
        network_configuration: demo.fargate.then(|| NetworkConfiguration {
            awsvpc_configuration: Some(AwsVpcConfiguration {
                subnets: vec![
                    "subnet-0a1b2c3d4e5f60001".to_owned(),
                    "subnet-0a1b2c3d4e5f60002".to_owned(),
                ],
                security_groups: vec!["sg-0123456789abcdef0".to_owned()],
                assign_public_ip: Some("DISABLED".to_owned()),
            }),
        }),
        load_balancers: Vec::new(),
        service_registries: Vec::new(),
        created_at: Some(created_at),
        health_check_grace_period_seconds: None,
        deployment_controller: None,
        tags: vec![tag("service", &demo.name)],
    }
}

/// How the demo services scale: `web-frontend` tracks 60 % CPU with more room in business
/// hours, `api` tracks CPU and (scale-out only) memory, and `worker` steps on the depth of its
/// queue. Ids come from their own generator so the fleet's other ids do not move.
fn demo_scaling(cluster: &str, now: Timestamp) -> Vec<ServiceScaling> {
    let mut ids = IdGenerator(0x5CA1_AB1E_0000_0001);
    let created = Timestamp(now.0 - 20 * DAY_MS);
    let target_tracking =
        |ids: &mut IdGenerator, service: &str, name: &str, json: serde_json::Value| {
            let resource_id = service_resource_id(cluster, service);
            let id = ids.uuid();
            let alarm = |kind: &str, ids: &mut IdGenerator| {
                let alarm_name = format!("TargetTracking-{resource_id}-{kind}-{}", ids.uuid());
                Alarm {
                    alarm_arn: format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm_name}"),
                    alarm_name,
                }
            };
            ScalingPolicy {
                policy_arn: policy_arn(&id, &resource_id, name),
                policy_name: name.to_owned(),
                resource_id: resource_id.clone(),
                policy_type: "TargetTrackingScaling".to_owned(),
                target_tracking_scaling_policy_configuration: serde_json::from_value(json).ok(),
                step_scaling_policy_configuration: None,
                alarms: vec![alarm("AlarmHigh", ids), alarm("AlarmLow", ids)],
                creation_time: Some(created),
            }
        };
    let target = |service: &str, min: i64, max: i64| ScalableTarget {
        service_namespace: ECS_NAMESPACE.to_owned(),
        resource_id: service_resource_id(cluster, service),
        scalable_dimension: DESIRED_COUNT_DIMENSION.to_owned(),
        min_capacity: min,
        max_capacity: max,
        role_arn: Some(format!(
            "arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
        )),
        suspended_state: SuspendedState::default(),
        creation_time: Some(created),
    };
    let scheduled = |ids: &mut IdGenerator, service: &str, name: &str, schedule: &str, min: i64| {
        let resource_id = service_resource_id(cluster, service);
        ScheduledAction {
            scheduled_action_arn: format!(
                "arn:aws:autoscaling:{REGION}:{ACCOUNT}:scheduledAction:{}:resource/ecs/{resource_id}:scheduledActionName/{name}",
                ids.uuid()
            ),
            scheduled_action_name: name.to_owned(),
            schedule: schedule.to_owned(),
            timezone: Some("UTC".to_owned()),
            resource_id,
            start_time: None,
            end_time: None,
            scalable_target_action: ScalableTargetAction {
                min_capacity: Some(min),
                max_capacity: None,
            },
            creation_time: Some(created),
        }
    };
    let cpu = |target: f64| {
        json!({"targetValue": target, "scaleInCooldown": 300, "scaleOutCooldown": 60,
            "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    };
    match cluster {
        "demo-ec2" => vec![
            ServiceScaling {
                service_name: "api".to_owned(),
                scalable_target: target("api", 4, 20),
                scaling_policies: vec![
                    target_tracking(&mut ids, "api", "cpu65", cpu(65.0)),
                    target_tracking(
                        &mut ids,
                        "api",
                        "memory75-scale-out-only",
                        json!({"targetValue": 75.0, "disableScaleIn": true,
                            "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageMemoryUtilization"}}),
                    ),
                ],
                scheduled_actions: Vec::new(),
            },
            ServiceScaling {
                service_name: "web-frontend".to_owned(),
                scalable_target: target("web-frontend", 3, 12),
                scaling_policies: vec![target_tracking(
                    &mut ids,
                    "web-frontend",
                    "cpu60",
                    cpu(60.0),
                )],
                scheduled_actions: vec![
                    scheduled(
                        &mut ids,
                        "web-frontend",
                        "business-hours",
                        "cron(0 8 ? * MON-FRI *)",
                        6,
                    ),
                    scheduled(
                        &mut ids,
                        "web-frontend",
                        "evenings",
                        "cron(0 20 * * ? *)",
                        3,
                    ),
                ],
            },
        ],
        "demo-fargate" => {
            let resource_id = service_resource_id(cluster, "worker");
            let step = |ids: &mut IdGenerator, name: &str, alarm: &str, json: serde_json::Value| {
                ScalingPolicy {
                    policy_arn: policy_arn(&ids.uuid(), &resource_id, name),
                    policy_name: name.to_owned(),
                    resource_id: resource_id.clone(),
                    policy_type: "StepScaling".to_owned(),
                    target_tracking_scaling_policy_configuration: None,
                    step_scaling_policy_configuration: serde_json::from_value(json).ok(),
                    alarms: vec![Alarm {
                        alarm_name: alarm.to_owned(),
                        alarm_arn: format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm}"),
                    }],
                    creation_time: Some(created),
                }
            };
            vec![ServiceScaling {
                service_name: "worker".to_owned(),
                scalable_target: target("worker", 2, 30),
                scaling_policies: vec![
                    step(
                        &mut ids,
                        "queue-depth-in",
                        "worker-queue-depth-low",
                        json!({"adjustmentType": "ChangeInCapacity", "cooldown": 300,
                            "metricAggregationType": "Average",
                            "stepAdjustments": [{"metricIntervalUpperBound": 0.0, "scalingAdjustment": -1}]}),
                    ),
                    step(
                        &mut ids,
                        "queue-depth-out",
                        "worker-queue-depth-high",
                        json!({"adjustmentType": "ChangeInCapacity", "cooldown": 120,
                            "metricAggregationType": "Average",
                            "stepAdjustments": [
                                {"metricIntervalLowerBound": 0.0, "metricIntervalUpperBound": 500.0, "scalingAdjustment": 2},
                                {"metricIntervalLowerBound": 500.0, "scalingAdjustment": 5}]}),
                    ),
                ],
                scheduled_actions: Vec::new(),
            }]
        }
        _ => Vec::new(),
    }
}

fn policy_arn(id: &str, resource_id: &str, name: &str) -> String {
    format!(
        "arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{id}:resource/ecs/{resource_id}:policyName/{name}"
    )
}

fn empty_cluster(name: &str, now: Timestamp, fargate_only: bool) -> ClusterState {
    let (capacity_providers, default_strategy) = if fargate_only {
        (
            vec!["FARGATE".to_owned(), "FARGATE_SPOT".to_owned()],
            vec![
                CapacityProviderStrategyItem {
                    capacity_provider: "FARGATE".to_owned(),
                    weight: 1,
                    base: 2,
                },
                CapacityProviderStrategyItem {
                    capacity_provider: "FARGATE_SPOT".to_owned(),
                    weight: 3,
                    base: 0,
                },
            ],
        )
    } else if name == "demo-ec2" {
        (
            vec!["demo-ec2-cp".to_owned()],
            vec![CapacityProviderStrategyItem {
                capacity_provider: "demo-ec2-cp".to_owned(),
                weight: 1,
                base: 0,
            }],
        )
    } else {
        (Vec::new(), Vec::new())
    };
    ClusterState {
        name: name.to_owned(),
        arn: arn(&format!("cluster/{name}")),
        settings: vec![ClusterSetting {
            name: "containerInsights".to_owned(),
            value: "enabled".to_owned(),
        }],
        capacity_providers,
        default_capacity_provider_strategy: default_strategy,
        tags: vec![
            tag("env", name.rsplit('-').next().unwrap_or(name)),
            tag("owner", "platform-team"),
        ],
        created_at: Timestamp(now.0 - 90 * DAY_MS),
        container_instances: Vec::new(),
        services: Vec::new(),
        tasks: Vec::new(),
        scaling: Vec::new(),
    }
}

fn repositories(now: Timestamp, ids: &mut IdGenerator) -> Vec<RepositoryState> {
    REPOSITORIES
        .iter()
        .map(|(name, builds, lifecycle)| {
            let running_build = FAMILIES
                .iter()
                .find(|family| name.strip_prefix("demo/") == Some(family.0))
                .map(|family| family.1);
            let images = (1..=*builds)
                .map(|build| {
                    let age_days = (builds - build) * 200 / builds.max(&1);
                    // Every fourth build is untagged, except the newest and the one the
                    // family's latest revision runs (so the demo's services can be redeployed).
                    let tagged = build % 4 != 0 || build == *builds || Some(build) == running_build;
                    let critical = i64::try_from(ids.below(3)).unwrap_or(0);
                    let high = i64::try_from(ids.below(6)).unwrap_or(0);
                    ImageDetail {
                        registry_id: ACCOUNT.to_owned(),
                        repository_name: (*name).to_owned(),
                        image_digest: format!("sha256:{}{}", ids.hex32(), ids.hex32()),
                        image_tags: if tagged {
                            let mut tags = vec![format!("v1.{build}.0")];
                            if build == *builds {
                                tags.push("latest".to_owned());
                            }
                            tags
                        } else {
                            Vec::new()
                        },
                        image_size_in_bytes: 48_000_000
                            + i64::try_from(ids.below(90_000_000)).unwrap_or(0),
                        image_pushed_at: Some(Timestamp(
                            now.0 - age_days * DAY_MS - build * HOUR_MS,
                        )),
                        image_scan_status: Some(ImageScanStatus {
                            status: "COMPLETE".to_owned(),
                            description: Some("The scan was completed successfully.".to_owned()),
                        }),
                        image_scan_findings_summary: Some(ImageScanFindingsSummary {
                            image_scan_completed_at: Some(Timestamp(now.0 - age_days * DAY_MS)),
                            finding_severity_counts: [
                                ("CRITICAL", critical),
                                ("HIGH", high),
                                ("MEDIUM", 4),
                            ]
                            .into_iter()
                            .filter(|(_, count)| *count > 0)
                            .map(|(severity, count)| (severity.to_owned(), count))
                            .collect(),
                        }),
                        image_manifest_media_type: Some(
                            "application/vnd.docker.distribution.manifest.v2+json".to_owned(),
                        ),
                        last_recorded_pull_time: (build > builds - 3)
                            .then_some(Timestamp(now.0 - HOUR_MS)),
                    }
                })
                .collect();
            let lifecycle_policy = lifecycle.then(|| {
                json!({"rules": [
                    {"rulePriority": 1, "description": "Expire untagged images after 14 days",
                     "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                   "countUnit": "days", "countNumber": 14},
                     "action": {"type": "expire"}},
                    {"rulePriority": 2, "description": "Keep the last 10 release images",
                     "selection": {"tagStatus": "tagged", "tagPatternList": ["v*"],
                                   "countType": "imageCountMoreThan", "countNumber": 10},
                     "action": {"type": "expire"}}
                ]})
                .to_string()
            });
            RepositoryState {
                repository: Repository {
                    repository_arn: format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"),
                    registry_id: ACCOUNT.to_owned(),
                    repository_name: (*name).to_owned(),
                    repository_uri: format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"),
                    created_at: Some(Timestamp(now.0 - 400 * DAY_MS)),
                    image_tag_mutability: Some("IMMUTABLE".to_owned()),
                },
                images,
                lifecycle_policy,
            }
        })
        .collect()
}

/// Builds the demo account of `fleet` as of `now`.
pub fn demo_fleet_of(fleet: DemoFleet, now: Timestamp) -> SandboxState {
    let mut state = demo_fleet(now);
    if fleet == DemoFleet::Large {
        let mut ids = IdGenerator(state.id_seed);
        let large = large_cluster(&state.task_definitions, &mut ids, now);
        state.clusters.push(large);
        state.id_seed = ids.0;
    }
    state
}

/// Builds the standard demo account as of `now`.
pub fn demo_fleet(now: Timestamp) -> SandboxState {
    let mut ids = IdGenerator(0x00BE_2740_0000_0001);
    let definitions = task_definitions(now);
    let mut clusters = vec![
        empty_cluster("demo-ec2", now, false),
        empty_cluster("demo-fargate", now, true),
        empty_cluster("demo-small", now, false),
    ];
    clusters[0].container_instances = container_instances("demo-ec2", EC2_LAYOUT, now, &mut ids);
    clusters[2].container_instances =
        container_instances("demo-small", SMALL_LAYOUT, now, &mut ids);

    for demo in demo_services() {
        let Some(cluster) = clusters.iter_mut().find(|c| c.name == demo.cluster) else {
            continue;
        };
        start_service(cluster, &definitions, &demo, &mut ids, now);
    }

    // A standalone nightly job and a failed one-off, as teams run them.
    if let Some(cluster) = clusters.iter_mut().find(|c| c.name == "demo-small") {
        let definition = latest_revision(&definitions, "batch-report");
        let request = TaskRequest {
            definition,
            group: "family:batch-report",
            strategy: Vec::new(),
            constraints: Vec::new(),
            fargate: false,
        };
        let seed = ids.next_u64();
        let output = place_tasks(cluster, &definitions, &request, 1, seed)
            .unwrap_or_else(|error| panic!("the nightly report is valid input: {error}"));
        for placement in placements(&output) {
            let mut task = new_task(
                cluster,
                definition,
                "family:batch-report",
                Some("events-rule/nightly-report"),
                "EC2",
                &mut ids,
                Timestamp(now.0 - 3 * HOUR_MS - STARTING_MS),
            );
            start(&mut task, Timestamp(now.0 - 3 * HOUR_MS));
            task.container_instance_arn = placement.container_instance_arn;
            task.availability_zone = Some(placement.availability_zone);
            cluster.tasks.push(task);
        }
        refresh_instances(cluster, &definitions);
        // Stopped within the hour ECS keeps stopped tasks (docs/ECS-MODEL.md §4.9), so a fresh
        // sandbox shows it.
        let mut failed = new_task(
            cluster,
            definition,
            "family:batch-report",
            Some("alice"),
            "EC2",
            &mut ids,
            Timestamp(now.0 - 40 * MINUTE_MS - STARTING_MS),
        );
        start(&mut failed, Timestamp(now.0 - 40 * MINUTE_MS));
        failed.last_status = "STOPPED".to_owned();
        failed.desired_status = Some("STOPPED".to_owned());
        failed.stopped_at = Some(Timestamp(now.0 - 10 * MINUTE_MS));
        failed.stopping_at = failed.stopped_at;
        failed.stop_code = Some("EssentialContainerExited".to_owned());
        failed.stopped_reason = Some("Essential container in task exited".to_owned());
        failed.availability_zone = Some("us-east-1a".to_owned());
        for container in &mut failed.containers {
            container.last_status = Some("STOPPED".to_owned());
            container.exit_code = Some(137);
            container.reason =
                Some("OutOfMemoryError: Container killed due to memory usage".to_owned());
            container.health_status = Some("UNKNOWN".to_owned());
        }
        cluster.tasks.push(failed);
    }

    let drained = &mut clusters[0].container_instances[DRAINING_INSTANCE];
    drained.status = "DRAINING".to_owned();
    drained.status_reason = Some("Instance is being replaced by a newer AMI".to_owned());

    for cluster in &mut clusters {
        cluster.scaling = demo_scaling(&cluster.name, now);
    }

    let repositories = repositories(now, &mut ids);
    SandboxState {
        format_version: SandboxState::FORMAT_VERSION,
        account_id: ACCOUNT.to_owned(),
        region: REGION.to_owned(),
        clusters,
        repositories,
        task_definitions: definitions,
        id_seed: ids.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_large_fleet_places_every_task_the_same_way_every_time() {
        let now = Timestamp::from_secs(1_760_000_000);
        let state = demo_fleet_of(DemoFleet::Large, now);
        let large = state
            .clusters
            .iter()
            .find(|c| c.name == "demo-large")
            .unwrap();
        assert_eq!(large.container_instances.len(), LARGE_INSTANCES);
        assert_eq!(large.services.len(), LARGE_SERVICES);
        let expected = LARGE_SERVICES * usize::try_from(LARGE_TASKS_PER_SERVICE).unwrap();
        assert_eq!(large.tasks.len(), expected);
        assert!(
            large
                .tasks
                .iter()
                .all(|t| t.last_status == "RUNNING" && t.container_instance_arn.is_some())
        );
        let again = demo_fleet_of(DemoFleet::Large, now);
        assert_eq!(
            serde_json::to_string(&state).unwrap(),
            serde_json::to_string(&again).unwrap(),
            "deterministic"
        );
    }

    fn fleet() -> SandboxState {
        demo_fleet(Timestamp::from_secs(1_760_000_000))
    }

    #[test]
    fn has_the_documented_shape() {
        let state = fleet();
        let names: Vec<_> = state.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["demo-ec2", "demo-fargate", "demo-small"]);
        let ec2 = &state.clusters[0];
        assert_eq!(ec2.container_instances.len(), 12);
        let zones: std::collections::BTreeSet<_> = ec2
            .container_instances
            .iter()
            .filter_map(ContainerInstance::availability_zone)
            .collect();
        assert_eq!(zones.len(), 3);
        assert_eq!(
            state
                .task_definitions
                .iter()
                .map(|d| &d.family)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            10
        );
        let services: usize = state.clusters.iter().map(|c| c.services.len()).sum();
        assert_eq!(services, 10);
        assert!(
            ec2.services
                .iter()
                .any(|s| s.scheduling_strategy == "DAEMON")
        );
        assert_eq!(state.repositories.len(), 5);
        assert!(
            state
                .repositories
                .iter()
                .flat_map(|r| &r.images)
                .any(|i| i.image_tags.is_empty())
        );
    }

    #[test]
    fn every_replica_service_runs_its_desired_count() {
        for cluster in &fleet().clusters {
            for service in &cluster.services {
                let group = format!("service:{}", service.service_name);
                let running = cluster
                    .tasks
                    .iter()
                    .filter(|t| t.group.as_deref() == Some(&group))
                    .count();
                assert_eq!(
                    i64::try_from(running).unwrap(),
                    service.desired_count,
                    "{}",
                    service.service_name
                );
                assert_eq!(service.running_count, service.desired_count);
            }
        }
    }

    #[test]
    fn is_deterministic() {
        assert_eq!(fleet(), fleet());
    }

    #[test]
    fn tasks_are_placed_by_the_engine_within_constraints_and_capacity() {
        let state = fleet();
        let ec2 = &state.clusters[0];
        let instance = |arn: &Option<String>| {
            ec2.container_instances
                .iter()
                .find(|i| Some(&i.container_instance_arn) == arn.as_ref())
                .expect("tasks run on instances of their cluster")
        };
        for task in &ec2.tasks {
            let host = instance(&task.container_instance_arn);
            match task.group.as_deref() {
                Some("service:payments") => {
                    assert!(host.instance_type().unwrap().starts_with("m5."))
                }
                Some("service:nginx-proxy") => assert_eq!(host.attribute("stack"), Some("blue")),
                _ => {}
            }
            assert_eq!(task.availability_zone.as_deref(), host.availability_zone());
        }
        for host in &ec2.container_instances {
            for resource in ["CPU", "MEMORY"] {
                let left = host
                    .remaining_resources
                    .iter()
                    .find(|r| r.name == resource)
                    .and_then(|r| r.number());
                assert!(
                    left.unwrap() >= 0,
                    "{} over-committed on {resource}",
                    host.short_id()
                );
            }
            let daemons = ec2
                .tasks
                .iter()
                .filter(|t| t.group.as_deref() == Some("service:metrics-agent"))
                .filter(|t| {
                    t.container_instance_arn.as_deref() == Some(&host.container_instance_arn)
                })
                .count();
            assert_eq!(daemons, 1, "one daemon task per instance");
        }
        let zones: std::collections::BTreeMap<_, usize> = ec2
            .tasks
            .iter()
            .filter(|t| t.group.as_deref() == Some("service:web-frontend"))
            .fold(Default::default(), |mut counts, t| {
                *counts.entry(t.availability_zone.clone()).or_default() += 1;
                counts
            });
        assert_eq!(
            zones.values().copied().collect::<Vec<_>>(),
            [2, 2, 2],
            "spread over the three zones"
        );
    }
}
