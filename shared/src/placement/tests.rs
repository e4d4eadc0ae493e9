//! Table-driven and property tests of [`simulate_placement`] and [`scale_in`], including the
//! worked examples of docs/ECS-MODEL.md (§1.9, §2.6, §3.6).

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::ecs::{
    Attribute, ContainerDefinition, PortMapping, RequiredAttribute, Resource, ResourceRequirement,
};
use crate::input::from_value;

fn instance(id: &str, zone: &str, cpu: i64, memory: i64) -> ContainerInstance {
    from_value(json!({
        "containerInstanceArn": format!("arn:aws:ecs:us-east-1:1:container-instance/c/{id}"),
        "ec2InstanceId": id,
        "status": "ACTIVE",
        "agentConnected": true,
        "registeredResources": [
            {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": memory},
            {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678", "51679"]}
        ],
        "attributes": [
            {"name": "ecs.availability-zone", "value": zone},
            {"name": "ecs.instance-type", "value": "c5.large"}
        ]
    }))
    .unwrap()
}

fn with_remaining(
    mut instance: ContainerInstance,
    cpu: i64,
    memory: i64,
    ports: &[u16],
) -> ContainerInstance {
    let mut reserved: Vec<String> = ["22", "2375", "2376", "51678", "51679"]
        .map(str::to_owned)
        .to_vec();
    reserved.extend(ports.iter().map(u16::to_string));
    instance.remaining_resources = vec![
        Resource::integer("CPU", cpu),
        Resource::integer("MEMORY", memory),
        Resource::string_set("PORTS", reserved),
    ];
    instance
}

fn definition(cpu: i64, memory: i64) -> TaskDefinition {
    TaskDefinition {
        family: "web".to_owned(),
        container_definitions: vec![ContainerDefinition {
            name: "app".to_owned(),
            cpu: Some(cpu),
            memory: Some(memory),
            ..ContainerDefinition::default()
        }],
        ..TaskDefinition::default()
    }
}

fn input(
    instances: Vec<ContainerInstance>,
    definition: TaskDefinition,
    count: i64,
) -> PlacementInput {
    PlacementInput {
        container_instances: instances,
        tasks: Vec::new(),
        task_definitions: Vec::new(),
        task_definition: definition,
        count,
        group: None,
        launch_type: None,
        placement_strategy: Vec::new(),
        placement_constraints: Vec::new(),
        availability_zones: Vec::new(),
        daemons: Vec::new(),
        seed: 1,
        detailed_explanations: DEFAULT_DETAILED_EXPLANATIONS,
    }
}

fn strategy(kind: &str, field: Option<&str>) -> PlacementStrategy {
    PlacementStrategy {
        kind: kind.to_owned(),
        field: field.map(str::to_owned),
    }
}

fn constraint(kind: &str, expression: Option<&str>) -> PlacementConstraint {
    PlacementConstraint {
        kind: kind.to_owned(),
        expression: expression.map(str::to_owned),
    }
}

fn task_on(instance: &ContainerInstance, group: &str, n: usize) -> Task {
    from_value(json!({
        "taskArn": format!("arn:aws:ecs:us-east-1:1:task/c/{}-{group}-{n}", instance.short_id()),
        "containerInstanceArn": instance.container_instance_arn,
        "group": group,
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "availabilityZone": instance.availability_zone(),
    }))
    .unwrap()
}

/// ec2InstanceIds of the placed tasks.
fn placed(output: &PlacementOutput) -> Vec<&str> {
    output
        .tasks
        .iter()
        .map(|t| t.ec2_instance_id.as_deref().unwrap_or("-"))
        .collect()
}

fn verdict(output: &PlacementOutput, task: usize, instance: usize) -> &InstanceVerdict {
    &output.explanations[task].instances[instance]
}

#[test]
fn worked_example_1_9_filters_by_cpu_memory_and_ports() {
    let mut definition = definition(0, 0);
    definition.container_definitions = vec![
        ContainerDefinition {
            name: "c1".to_owned(),
            cpu: Some(256),
            memory: Some(512),
            memory_reservation: Some(256),
            port_mappings: vec![PortMapping {
                container_port: Some(80),
                host_port: Some(80),
                ..PortMapping::default()
            }],
            ..ContainerDefinition::default()
        },
        ContainerDefinition {
            name: "c2".to_owned(),
            cpu: Some(0),
            memory: Some(128),
            port_mappings: vec![PortMapping {
                container_port: Some(8080),
                ..PortMapping::default()
            }],
            ..ContainerDefinition::default()
        },
    ];
    let instances = vec![
        with_remaining(instance("i-1", "a", 4096, 8192), 2048, 3768, &[]),
        with_remaining(instance("i-2", "a", 4096, 8192), 200, 4000, &[]),
        with_remaining(instance("i-3", "a", 4096, 8192), 1024, 300, &[]),
        with_remaining(instance("i-4", "a", 4096, 8192), 4096, 8192, &[80]),
    ];
    let output = simulate_placement(&input(instances, definition, 1)).unwrap();
    assert_eq!(placed(&output), ["i-1"]);
    let expected = [
        (1, Stage::Cpu, Some(256), Some(200)),
        (2, Stage::Memory, Some(384), Some(300)),
        (3, Stage::Ports, Some(80), None),
    ];
    for (index, stage, needed, available) in expected {
        let rejection = verdict(&output, 0, index).rejection.as_ref().unwrap();
        assert_eq!(
            (rejection.stage, rejection.needed, rejection.available),
            (stage, needed, available)
        );
    }
    let chosen = verdict(&output, 0, 0).candidate.as_ref().unwrap();
    assert!(chosen.chosen && chosen.rank == 1);
    assert_eq!(output.explanations[0].candidates, 1);
    assert_eq!(
        output.explanations[0].rejected,
        vec![
            StageCount {
                stage: Stage::Cpu,
                instances: 1
            },
            StageCount {
                stage: Stage::Memory,
                instances: 1
            },
            StageCount {
                stage: Stage::Ports,
                instances: 1
            },
        ]
    );
    let rejection = verdict(&output, 0, 3).rejection.as_ref().unwrap();
    assert_eq!(rejection.reason, "RESOURCE:PORTS");
    assert!(
        rejection
            .detail
            .contains("already using a port required by your task (80/tcp)")
    );

    // Second copy: i-1 now holds port 80, so nothing else fits and the closest is i-4 (ports).
    let mut twice = input(
        vec![with_remaining(
            instance("i-1", "a", 4096, 8192),
            2048,
            3768,
            &[],
        )],
        worked_definition_with_port(),
        2,
    );
    twice.group = Some("family:web".to_owned());
    let output = simulate_placement(&twice).unwrap();
    assert_eq!(placed(&output), ["i-1"]);
    assert_eq!(output.failures[0].reason, "RESOURCE:PORTS");
}

fn worked_definition_with_port() -> TaskDefinition {
    let mut definition = definition(256, 256);
    definition.container_definitions[0].port_mappings = vec![PortMapping {
        container_port: Some(80),
        host_port: Some(80),
        ..PortMapping::default()
    }];
    definition
}

#[test]
fn worked_example_2_6_spread_then_binpack() {
    let instances = vec![
        with_remaining(instance("i-a1", "a", 4096, 8000), 4096, 1500, &[]),
        with_remaining(instance("i-a2", "a", 4096, 8000), 4096, 6000, &[]),
        with_remaining(instance("i-b1", "b", 4096, 8000), 4096, 900, &[]),
        with_remaining(instance("i-b2", "b", 4096, 8000), 4096, 3000, &[]),
        with_remaining(instance("i-c1", "c", 4096, 8000), 4096, 700, &[]),
    ];
    let mut tasks = vec![
        task_on(&instances[0], "service:web", 0),
        task_on(&instances[0], "service:web", 1),
    ];
    tasks.push(task_on(&instances[2], "service:web", 0));
    tasks.push(task_on(&instances[4], "service:web", 0));
    let mut request = input(instances, definition(256, 512), 3);
    request.tasks = tasks;
    request.group = Some("service:web".to_owned());
    request.placement_strategy = vec![
        strategy("spread", Some("attribute:ecs.availability-zone")),
        strategy("binpack", Some("memory")),
    ];
    let output = simulate_placement(&request).unwrap();
    assert_eq!(placed(&output), ["i-c1", "i-b1", "i-a1"]);
    assert!(output.failures.is_empty());
    // First task: spread keeps b and c (1 task each), binpack picks the least memory.
    let first = &output.explanations[0];
    let scores: Vec<Vec<i64>> = first
        .instances
        .iter()
        .map(|v| v.candidate.as_ref().unwrap().scores.clone())
        .collect();
    assert_eq!(
        scores,
        vec![
            vec![2, 1500],
            vec![2, 6000],
            vec![1, 900],
            vec![1, 3000],
            vec![1, 700]
        ]
    );
    let survived: Vec<usize> = first
        .instances
        .iter()
        .map(|v| v.candidate.as_ref().unwrap().survived_strategies)
        .collect();
    assert_eq!(survived, vec![0, 0, 1, 1, 2]);
    // Third task: i-b1 (388) and i-c1 (188) no longer fit 512.
    let third = &output.explanations[2];
    assert_eq!(
        verdict(&output, 2, 2).rejection.as_ref().unwrap().available,
        Some(388)
    );
    assert_eq!(
        verdict(&output, 2, 4).rejection.as_ref().unwrap().available,
        Some(188)
    );
    assert_eq!(third.candidates, 3);
}

#[test]
fn worked_example_3_6_2_distinct_instance() {
    let instances = vec![
        instance("i-1", "a", 2048, 4096),
        instance("i-2", "b", 2048, 4096),
    ];
    let mut request = input(instances, definition(256, 512), 3);
    request.group = Some("family:batch".to_owned());
    request.placement_constraints = vec![constraint("distinctInstance", None)];
    let output = simulate_placement(&request).unwrap();
    let mut hosts = placed(&output);
    hosts.sort_unstable();
    assert_eq!(hosts, ["i-1", "i-2"]);
    assert_eq!(output.failures.len(), 1);
    assert_eq!(
        output.failures[0].reason,
        "DistinctInstance placement constraint unsatisfied."
    );
    assert_eq!(
        output.explanations[2].failure_reason.as_deref(),
        Some("DistinctInstance placement constraint unsatisfied.")
    );
}

#[test]
fn worked_example_3_6_3_affinity_to_an_empty_group() {
    let instances = vec![
        instance("i-1", "a", 2048, 4096),
        instance("i-2", "b", 2048, 4096),
    ];
    let mut request = input(instances, definition(256, 512), 2);
    request.placement_constraints = vec![constraint("memberOf", Some("task:group == databases"))];
    let output = simulate_placement(&request).unwrap();
    assert!(output.tasks.is_empty());
    assert_eq!(output.failures.len(), 2);
    assert_eq!(
        output.failures[0].reason,
        "MemberOf placement constraint unsatisfied."
    );
    assert_eq!(
        output.failures[0].arn.as_deref(),
        Some("arn:aws:ecs:us-east-1:1:container-instance/c/i-1")
    );
    assert_eq!(output.explanations[1].same_as_task, Some(0));
    let rejection = verdict(&output, 0, 1).rejection.as_ref().unwrap();
    assert_eq!(
        (rejection.stage, rejection.constraint),
        (Stage::MemberOf, Some(0))
    );
}

#[test]
fn affinity_follows_the_group_as_it_grows() {
    let instances = vec![
        instance("i-1", "a", 4096, 8192),
        instance("i-2", "b", 4096, 8192),
    ];
    let mut request = input(instances.clone(), definition(256, 512), 3);
    request.group = Some("family:web".to_owned());
    request.tasks = vec![task_on(&instances[1], "service:db", 0)];
    request.placement_constraints = vec![constraint("memberOf", Some("task:group == service:db"))];
    assert_eq!(
        placed(&simulate_placement(&request).unwrap()),
        ["i-2", "i-2", "i-2"]
    );

    request.placement_constraints = vec![constraint("memberOf", Some("runningTasksCount < 2"))];
    let output = simulate_placement(&request).unwrap();
    let mut hosts = placed(&output);
    hosts.sort_unstable();
    assert_eq!(hosts, ["i-1", "i-1", "i-2"]);
}

#[test]
fn only_active_connected_instances_receive_tasks() {
    let mut draining = instance("i-1", "a", 4096, 8192);
    draining.status = "DRAINING".to_owned();
    let mut disconnected = instance("i-2", "a", 4096, 8192);
    disconnected.agent_connected = false;
    let mut registering = instance("i-3", "a", 4096, 8192);
    registering.status = "REGISTERING".to_owned();

    let output = simulate_placement(&input(
        vec![draining.clone(), registering],
        definition(256, 512),
        1,
    ))
    .unwrap();
    assert_eq!(output.failures[0].reason, "NO ACTIVE INSTANCES");
    assert!(
        output.failures[0].detail.contains("is DRAINING"),
        "{}",
        output.failures[0].detail
    );

    let output = simulate_placement(&input(
        vec![draining.clone(), disconnected.clone()],
        definition(256, 512),
        1,
    ))
    .unwrap();
    assert_eq!(output.failures[0].reason, "AGENT");
    assert_eq!(
        output.failures[0].arn.as_deref(),
        Some(disconnected.container_instance_arn.as_str())
    );

    let output = simulate_placement(&input(
        vec![draining, disconnected, instance("i-4", "a", 4096, 8192)],
        definition(256, 512),
        2,
    ))
    .unwrap();
    assert_eq!(placed(&output), ["i-4", "i-4"]);

    let output = simulate_placement(&input(Vec::new(), definition(256, 512), 1)).unwrap();
    assert_eq!(
        (
            output.failures[0].arn.as_deref(),
            output.failures[0].reason.as_str()
        ),
        (None, "NO ACTIVE INSTANCES")
    );
}

#[test]
fn requires_attributes() {
    let mut with_driver = instance("i-2", "a", 4096, 8192);
    with_driver.attributes.push(Attribute::flag(
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
    ));
    let mut definition = definition(256, 512);
    definition.requires_attributes = vec![RequiredAttribute {
        name: "com.amazonaws.ecs.capability.logging-driver.awslogs".to_owned(),
        value: None,
    }];
    let output = simulate_placement(&input(
        vec![instance("i-1", "a", 4096, 8192), with_driver],
        definition.clone(),
        2,
    ))
    .unwrap();
    assert_eq!(placed(&output), ["i-2", "i-2"]);
    let rejection = verdict(&output, 0, 0).rejection.as_ref().unwrap();
    assert_eq!(
        (rejection.stage, rejection.reason.as_str()),
        (Stage::Attribute, "ATTRIBUTE")
    );

    definition.requires_attributes = vec![RequiredAttribute {
        name: "ecs.availability-zone".to_owned(),
        value: Some("b".to_owned()),
    }];
    let output = simulate_placement(&input(
        vec![instance("i-1", "a", 4096, 8192)],
        definition,
        1,
    ))
    .unwrap();
    assert_eq!(output.failures[0].reason, "ATTRIBUTE");
}

fn awsvpc_definition() -> TaskDefinition {
    let mut definition = definition(256, 512);
    definition.network_mode = Some("awsvpc".to_owned());
    definition
}

#[test]
fn awsvpc_tasks_need_eni_slots() {
    let plain = instance("i-1", "a", 8192, 16384);
    let output = simulate_placement(&input(vec![plain.clone()], awsvpc_definition(), 3)).unwrap();
    assert_eq!(placed(&output), ["i-1", "i-1"]);
    assert_eq!(output.failures[0].reason, "RESOURCE:ENI");
    let rejection = verdict(&output, 2, 0).rejection.as_ref().unwrap();
    assert!(
        rejection
            .detail
            .contains("c5.large allows 2 tasks without trunking"),
        "{}",
        rejection.detail
    );

    let mut trunked = plain.clone();
    trunked
        .attributes
        .push(Attribute::new("ecs.awsvpc-trunk-id", "eni-1"));
    let output = simulate_placement(&input(vec![trunked], awsvpc_definition(), 11)).unwrap();
    assert_eq!((output.tasks.len(), output.failures.len()), (10, 1));

    // An existing awsvpc task (known by its ENI attachment) takes a slot.
    let mut request = input(vec![plain.clone()], awsvpc_definition(), 2);
    let mut existing = task_on(&plain, "family:other", 0);
    existing.attachments = vec![crate::ecs::Attachment {
        id: "a".to_owned(),
        kind: "ElasticNetworkInterface".to_owned(),
        status: "ATTACHED".to_owned(),
        details: Vec::new(),
    }];
    request.tasks = vec![existing];
    assert_eq!(simulate_placement(&request).unwrap().tasks.len(), 1);

    // Unknown instance types are not limited.
    let mut unknown = plain;
    unknown.attributes[1] = Attribute::new("ecs.instance-type", "z9.huge");
    assert_eq!(
        simulate_placement(&input(vec![unknown], awsvpc_definition(), 5))
            .unwrap()
            .tasks
            .len(),
        5
    );
}

#[test]
fn awsvpc_tasks_stay_in_the_subnets_zones() {
    let instances = vec![
        instance("i-1", "us-east-1a", 4096, 8192),
        instance("i-2", "us-east-1b", 4096, 8192),
    ];
    let mut request = input(instances.clone(), awsvpc_definition(), 2);
    request.availability_zones = vec!["us-east-1b".to_owned()];
    let output = simulate_placement(&request).unwrap();
    assert_eq!(placed(&output), ["i-2", "i-2"]);
    assert_eq!(
        verdict(&output, 0, 0).rejection.as_ref().unwrap().stage,
        Stage::SubnetZone
    );

    let mut bridge = input(instances, definition(256, 512), 1);
    bridge.availability_zones = vec!["us-east-1b".to_owned()];
    assert_eq!(simulate_placement(&bridge).unwrap().warnings.len(), 1);
}

#[test]
fn gpus_are_counted() {
    let mut gpu_instance = instance("i-1", "a", 8192, 16384);
    gpu_instance.registered_resources.push(Resource::string_set(
        "GPU",
        ["g0".to_owned(), "g1".to_owned()],
    ));
    let mut definition = definition(256, 512);
    definition.container_definitions[0].resource_requirements = vec![ResourceRequirement {
        kind: "GPU".to_owned(),
        value: "1".to_owned(),
    }];
    let output = simulate_placement(&input(
        vec![instance("i-0", "a", 8192, 16384), gpu_instance],
        definition,
        3,
    ))
    .unwrap();
    assert_eq!(placed(&output), ["i-1", "i-1"]);
    assert_eq!(output.failures[0].reason, "RESOURCE:GPU");
}

#[test]
fn ports_by_protocol_and_mode() {
    let mut udp = definition(256, 256);
    udp.container_definitions[0].port_mappings = vec![PortMapping {
        container_port: Some(53),
        host_port: Some(53),
        protocol: Some("udp".to_owned()),
        ..PortMapping::default()
    }];
    let output =
        simulate_placement(&input(vec![instance("i-1", "a", 4096, 8192)], udp, 2)).unwrap();
    assert_eq!(output.failures[0].reason, "RESOURCE:PORTS_UDP");

    let mut host = definition(256, 256);
    host.network_mode = Some("host".to_owned());
    host.container_definitions[0].port_mappings = vec![PortMapping {
        container_port: Some(8080),
        ..PortMapping::default()
    }];
    let two = vec![
        instance("i-1", "a", 4096, 8192),
        instance("i-2", "a", 4096, 8192),
    ];
    let mut hosts = placed(&simulate_placement(&input(two.clone(), host, 2)).unwrap())
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    hosts.sort_unstable();
    assert_eq!(hosts, ["i-1", "i-2"]);

    let mut dynamic = definition(256, 256);
    dynamic.container_definitions[0].port_mappings = vec![PortMapping {
        container_port: Some(8080),
        host_port: Some(0),
        ..PortMapping::default()
    }];
    assert_eq!(
        simulate_placement(&input(two, dynamic, 8))
            .unwrap()
            .tasks
            .len(),
        8
    );

    let mut crowded = instance("i-1", "a", 4096, 8192);
    crowded.registered_resources[2] =
        Resource::string_set("PORTS", (1000..1100).map(|p: u16| p.to_string()));
    let output =
        simulate_placement(&input(vec![crowded], worked_definition_with_port(), 1)).unwrap();
    assert_eq!(
        output.explanations[0].instances[0]
            .rejection
            .as_ref()
            .unwrap()
            .stage,
        Stage::PortLimit
    );
    assert_eq!(output.failures[0].reason, "RESOURCE:PORTS");
}

#[test]
fn remaining_resources_are_computed_when_absent() {
    let host = instance("i-1", "a", 1024, 2048);
    let mut existing = definition(512, 1024);
    existing.family = "api".to_owned();
    existing.task_definition_arn = Some("arn:aws:ecs:us-east-1:1:task-definition/api:3".to_owned());
    existing.revision = Some(3);
    let mut request = input(vec![host.clone()], definition(256, 512), 5);
    let mut task = task_on(&host, "service:api", 0);
    task.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/api:3".to_owned();
    request.tasks = vec![task];
    request.task_definitions = vec![existing];
    // 1024 - 512 = 512 CPU left: two 256-unit tasks.
    assert_eq!(simulate_placement(&request).unwrap().tasks.len(), 2);

    // Without its definition, the task's own cpu/memory count.
    request.task_definitions.clear();
    request.tasks[0].cpu = Some("768".to_owned());
    assert_eq!(simulate_placement(&request).unwrap().tasks.len(), 1);

    // Stopped tasks hold nothing; remainingResources, when given, win.
    request.tasks[0].last_status = "STOPPED".to_owned();
    assert_eq!(simulate_placement(&request).unwrap().tasks.len(), 4);
    request.container_instances[0] = with_remaining(host, 256, 2048, &[]);
    assert_eq!(simulate_placement(&request).unwrap().tasks.len(), 1);
}

#[test]
fn daemon_reservations_come_first() {
    let mut request = input(
        vec![
            instance("i-1", "a", 4096, 2048),
            instance("i-2", "b", 4096, 2048),
        ],
        definition(256, 512),
        8,
    );
    request.daemons = vec![DaemonReservation {
        service_name: "logs".to_owned(),
        task_definition: definition(128, 1024),
        placement_constraints: vec![constraint(
            "memberOf",
            Some("attribute:ecs.availability-zone == a"),
        )],
    }];
    let output = simulate_placement(&request).unwrap();
    // i-1 keeps 1024 MiB (2 tasks), i-2 all 2048 (4 tasks).
    assert_eq!(output.tasks.len(), 6);
    assert_eq!(output.failures[0].reason, "RESOURCE:MEMORY");

    // A daemon already running on the instance is already counted.
    request.tasks = vec![task_on(&request.container_instances[0], "service:logs", 0)];
    assert_eq!(simulate_placement(&request).unwrap().tasks.len(), 8);

    request.daemons[0].task_definition = definition(128, 4096);
    request.tasks.clear();
    let output = simulate_placement(&request).unwrap();
    assert!(
        output.warnings[0].contains("does not fit"),
        "{:?}",
        output.warnings
    );
}

#[test]
fn default_strategies_depend_on_the_group() {
    let instances: Vec<ContainerInstance> = (0..6)
        .map(|i| instance(&format!("i-{i}"), ["a", "b", "c"][i % 3], 4096, 8192))
        .collect();
    let mut request = input(instances, definition(256, 512), 6);
    request.group = Some("service:web".to_owned());
    let output = simulate_placement(&request).unwrap();
    assert_eq!(
        output.placement_strategy,
        vec![
            strategy("spread", Some("attribute:ecs.availability-zone")),
            strategy("spread", Some("instanceId"))
        ]
    );
    let mut hosts = placed(&output);
    hosts.sort_unstable();
    assert_eq!(hosts, ["i-0", "i-1", "i-2", "i-3", "i-4", "i-5"]);

    request.group = None;
    let output = simulate_placement(&request).unwrap();
    assert_eq!(output.placement_strategy, vec![strategy("random", None)]);
}

#[test]
fn binpack_and_spread_instance() {
    let instances = vec![
        with_remaining(instance("i-1", "a", 4096, 8192), 2048, 8192, &[]),
        with_remaining(instance("i-2", "a", 4096, 8192), 1024, 8192, &[]),
        with_remaining(instance("i-3", "a", 4096, 8192), 4096, 8192, &[]),
    ];
    let mut request = input(instances, definition(512, 128), 4);
    request.placement_strategy = vec![strategy("binpack", Some("cpu"))];
    assert_eq!(
        placed(&simulate_placement(&request).unwrap()),
        ["i-2", "i-2", "i-1", "i-1"]
    );

    request.placement_strategy = vec![strategy("spread", Some("host"))];
    request.count = 6;
    let output = simulate_placement(&request).unwrap();
    let count = |id: &str| placed(&output).iter().filter(|h| **h == id).count();
    assert_eq!((count("i-1"), count("i-2"), count("i-3")), (2, 2, 2));
}

#[test]
fn random_is_reproducible_per_seed() {
    let instances: Vec<ContainerInstance> = (0..10)
        .map(|i| instance(&format!("i-{i}"), "a", 4096, 8192))
        .collect();
    let mut request = input(instances, definition(128, 128), 20);
    request.placement_strategy = vec![strategy("random", None)];
    let first = simulate_placement(&request).unwrap();
    assert_eq!(first, simulate_placement(&request).unwrap());
    let runs: Vec<Vec<String>> = (0..5)
        .map(|seed| {
            request.seed = seed;
            placed(&simulate_placement(&request).unwrap())
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    assert!(runs.windows(2).any(|w| w[0] != w[1]));
    let distinct: std::collections::BTreeSet<&String> = runs[0].iter().collect();
    assert!(distinct.len() > 3, "{runs:?}");
}

#[test]
fn explanations_are_detailed_for_leading_tasks_and_the_first_failure() {
    let instances = vec![
        instance("i-1", "a", 1024, 8192),
        instance("i-2", "a", 1024, 8192),
    ];
    let mut request = input(instances, definition(256, 128), 10);
    request.detailed_explanations = 2;
    request.placement_strategy = vec![strategy("binpack", Some("cpu"))];
    let output = simulate_placement(&request).unwrap();
    assert_eq!((output.tasks.len(), output.failures.len()), (8, 2));
    let lengths: Vec<usize> = output
        .explanations
        .iter()
        .map(|e| e.instances.len())
        .collect();
    assert_eq!(lengths, [2, 2, 0, 0, 0, 0, 0, 0, 2, 0]);
    let ranks: Vec<(usize, bool)> = output.explanations[1]
        .instances
        .iter()
        .map(|v| {
            let c = v.candidate.as_ref().unwrap();
            (c.rank, c.chosen)
        })
        .collect();
    assert!(ranks.contains(&(1, true)) && ranks.contains(&(2, false)));
    assert_eq!(output.explanations[9].same_as_task, Some(8));
    assert_eq!(
        output.explanations[8].rejected,
        vec![StageCount {
            stage: Stage::Cpu,
            instances: 2
        }]
    );
    let value = serde_json::to_value(&output).unwrap();
    assert_eq!(value["explanations"][8]["failureReason"], "RESOURCE:CPU");
    assert_eq!(
        value["explanations"][8]["instances"][0]["rejection"]["stage"],
        "cpu"
    );
    assert_eq!(
        value["explanations"][0]["instances"][0]["candidate"]["survivedStrategies"],
        1
    );
    assert!(
        value["failures"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("needs 256, 0 remain")
    );
}

#[test]
fn reads_aws_cli_json_and_writes_camel_case() {
    let request: PlacementInput = crate::input::from_json(
        r#"{
          "containerInstances": [{
            "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/c/abc",
            "ec2InstanceId": "i-0abc", "status": "ACTIVE", "agentConnected": true,
            "remainingResources": [
              {"name": "CPU", "type": "INTEGER", "integerValue": 1024},
              {"name": "MEMORY", "type": "INTEGER", "integerValue": 2048}],
            "attributes": [{"name": "ecs.availability-zone", "value": "us-east-1a"}]
          }],
          "taskDefinition": {"family": "web", "cpu": "0.25 vCPU", "memory": "0.5 GB",
            "containerDefinitions": [{"name": "app", "image": "nginx"}]},
          "count": 2, "group": "service:web", "launchType": "EC2",
          "placementStrategy": [{"type": "binpack", "field": "memory"}],
          "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1a"}],
          "seed": 7
        }"#,
    )
    .unwrap();
    let output = simulate_placement(&request).unwrap();
    let value = serde_json::to_value(&output).unwrap();
    assert_eq!(
        value["tasks"],
        json!([
            {"containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/c/abc", "ec2InstanceId": "i-0abc", "availabilityZone": "us-east-1a"},
            {"containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/c/abc", "ec2InstanceId": "i-0abc", "availabilityZone": "us-east-1a"}
        ])
    );
    assert_eq!(value["failures"], json!([]));
    assert_eq!(value["explanations"][1]["placedOn"], 0);
}

#[test]
fn invalid_input_names_the_field() {
    let base = || {
        input(
            vec![instance("i-1", "a", 4096, 8192)],
            definition(256, 512),
            1,
        )
    };
    type Change = Box<dyn Fn(&mut PlacementInput)>;
    let cases: Vec<(Change, &str, &str)> = vec![
        (Box::new(|r| r.count = 0), "count", "between 1 and 10000"),
        (
            Box::new(|r| r.count = 10_001),
            "count",
            "between 1 and 10000",
        ),
        (
            Box::new(|r| r.placement_strategy = vec![strategy("random", None); 6]),
            "placementStrategy",
            "at most 5",
        ),
        (
            Box::new(|r| {
                r.placement_strategy =
                    vec![strategy("random", None), strategy("binpack", Some("disk"))]
            }),
            "placementStrategy[1].field",
            "cpu or memory",
        ),
        (
            Box::new(|r| r.placement_strategy = vec![strategy("packing", None)]),
            "placementStrategy[0].type",
            "unknown strategy type",
        ),
        (
            Box::new(|r| {
                r.placement_constraints = vec![constraint("memberOf", Some("attribute:a =="))]
            }),
            "placementConstraints[0].expression",
            "at byte 14: expected a value, found end of expression",
        ),
        (
            Box::new(|r| {
                r.placement_constraints =
                    vec![constraint("memberOf", Some("attribute:a exists")); 11]
            }),
            "placementConstraints",
            "at most 10",
        ),
        (
            Box::new(|r| {
                r.task_definition.placement_constraints = vec![constraint("distinctInstance", None)]
            }),
            "taskDefinition.placementConstraints[0].type",
            "only take memberOf",
        ),
        (
            Box::new(|r| r.launch_type = Some("LAMBDA".to_owned())),
            "launchType",
            "unknown launch type",
        ),
        (
            Box::new(|r| r.task_definition.cpu = Some("lots".to_owned())),
            "taskDefinition.cpu",
            "not CPU units",
        ),
        (
            Box::new(|r| r.task_definition.container_definitions[0].memory = None),
            "taskDefinition.containerDefinitions[0].memory",
            "EC2 tasks need",
        ),
        (
            Box::new(|r| r.group = Some(String::new())),
            "group",
            "1 to 255",
        ),
        (
            Box::new(|r| {
                r.launch_type = Some("FARGATE".to_owned());
                r.placement_strategy = vec![strategy("random", None)];
            }),
            "placementStrategy",
            "not supported with launchType FARGATE",
        ),
        (
            Box::new(|r| {
                r.tasks = vec![from_value(json!({"taskArn": "t", "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/c/i-1", "cpu": "x"})).unwrap()]
            }),
            "tasks[0].cpu",
            "not CPU units",
        ),
    ];
    for (change, field, message) in cases {
        let mut request = base();
        change(&mut request);
        let error = simulate_placement(&request).unwrap_err();
        assert_eq!(error.field, field, "{error}");
        assert!(error.message.contains(message), "{error}");
    }
}

#[test]
fn fargate_spreads_over_the_subnets_zones() {
    let mut definition = definition(256, 512);
    definition.cpu = Some("256".to_owned());
    definition.memory = Some("512".to_owned());
    let mut request = input(Vec::new(), definition, 4);
    request.launch_type = Some("FARGATE".to_owned());
    request.group = Some("service:web".to_owned());
    request.availability_zones = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
    request.tasks = vec![
        from_value(json!({"taskArn": "t1", "group": "service:web", "availabilityZone": "a"}))
            .unwrap(),
        from_value(json!({"taskArn": "t2", "group": "service:web", "availabilityZone": "a"}))
            .unwrap(),
    ];
    let output = simulate_placement(&request).unwrap();
    let mut zones: Vec<&str> = output
        .tasks
        .iter()
        .map(|t| t.availability_zone.as_deref().unwrap())
        .collect();
    assert_ne!(zones[0], zones[1]);
    zones.sort_unstable();
    assert_eq!(zones, ["b", "b", "c", "c"]);
    assert!(
        output
            .tasks
            .iter()
            .all(|t| t.container_instance_arn.is_none())
    );
    assert_eq!(output.explanations[0].zones.len(), 3);

    request.task_definition.memory = Some("4096".to_owned());
    assert_eq!(
        simulate_placement(&request).unwrap_err().field,
        "taskDefinition.memory"
    );
    request.task_definition.memory = Some("512".to_owned());
    request.availability_zones.clear();
    assert_eq!(
        simulate_placement(&request).unwrap_err().field,
        "availabilityZones"
    );
    assert!(
        is_fargate_size(4096, 30720)
            && is_fargate_size(8192, 20480)
            && !is_fargate_size(8192, 18432)
    );
}

fn scale_in_input(instances: Vec<ContainerInstance>, tasks: Vec<Task>, count: i64) -> ScaleInInput {
    ScaleInInput {
        container_instances: instances,
        tasks,
        task_definitions: Vec::new(),
        group: "service:web".to_owned(),
        placement_strategy: Vec::new(),
        count,
        protected_tasks: Vec::new(),
        seed: 3,
    }
}

#[test]
fn scale_in_by_default_empties_the_fullest_zone_and_instance() {
    let instances = vec![
        instance("i-a1", "a", 4096, 8192),
        instance("i-a2", "a", 4096, 8192),
        instance("i-b1", "b", 4096, 8192),
    ];
    let tasks = vec![
        task_on(&instances[0], "service:web", 0),
        task_on(&instances[0], "service:web", 1),
        task_on(&instances[1], "service:web", 0),
        task_on(&instances[2], "service:web", 0),
        task_on(&instances[2], "service:other", 0),
    ];
    let output = scale_in(&scale_in_input(instances, tasks, 3)).unwrap();
    let victims: Vec<&str> = output
        .tasks
        .iter()
        .map(|t| t.task_arn.rsplit('/').next().unwrap())
        .collect();
    // a has 3, b 1: first from a's fullest instance; then a=2 vs b=1 → a again; then a=1, b=1.
    assert!(victims[0].starts_with("i-a1"));
    assert!(victims[1].starts_with("i-a"));
    assert_eq!(output.tasks[0].scores, vec![-3, -2]);
    assert!(victims.iter().all(|v| v.contains("service:web")));
}

#[test]
fn scale_in_worked_example_2_6_with_binpack_and_protection() {
    let instances = vec![
        with_remaining(instance("i-a1", "a", 4096, 8000), 4096, 1500, &[]),
        with_remaining(instance("i-a2", "a", 4096, 8000), 4096, 6000, &[]),
        with_remaining(instance("i-b1", "b", 4096, 8000), 4096, 900, &[]),
    ];
    let tasks = vec![
        task_on(&instances[0], "service:web", 0),
        task_on(&instances[1], "service:web", 0),
        task_on(&instances[2], "service:web", 0),
    ];
    let mut request = scale_in_input(instances, tasks, 1);
    request.placement_strategy = vec![
        strategy("spread", Some("attribute:ecs.availability-zone")),
        strategy("binpack", Some("memory")),
    ];
    let output = scale_in(&request).unwrap();
    // AZ a has the most tasks; within it i-a2 ends with the most free memory.
    assert_eq!(
        output.tasks[0].container_instance_arn.as_deref(),
        Some(
            request.container_instances[1]
                .container_instance_arn
                .as_str()
        )
    );

    request.protected_tasks = vec![request.tasks[1].task_arn.clone()];
    request.count = 5;
    let output = scale_in(&request).unwrap();
    assert_eq!(output.tasks.len(), 2);
    assert!(
        output
            .tasks
            .iter()
            .all(|t| t.task_arn != request.tasks[1].task_arn)
    );
    assert!(output.warnings[0].contains("only 2"));

    request.count = -1;
    assert_eq!(scale_in(&request).unwrap_err().field, "count");
}

// ---------------------------------------------------------------- properties

fn arb_instance(index: usize) -> impl Strategy<Value = ContainerInstance> {
    (
        0usize..3,
        0i64..4096,
        0i64..8192,
        0i64..3,
        prop::bool::ANY,
        prop::bool::ANY,
    )
        .prop_map(move |(zone, cpu, memory, gpus, trunk, used_port)| {
            let mut host = instance(&format!("i-{index}"), ["a", "b", "c"][zone], cpu, memory);
            if gpus > 0 {
                host.registered_resources
                    .push(Resource::integer("GPU", gpus));
            }
            if trunk {
                host.attributes
                    .push(Attribute::new("ecs.awsvpc-trunk-id", "eni-1"));
            }
            if used_port {
                host.registered_resources[2]
                    .string_set_value
                    .push("80".to_owned());
            }
            host
        })
}

fn arb_cluster() -> impl Strategy<Value = Vec<ContainerInstance>> {
    (1usize..12).prop_flat_map(|n| (0..n).map(arb_instance).collect::<Vec<_>>())
}

fn arb_definition() -> impl Strategy<Value = TaskDefinition> {
    (0i64..1024, 1i64..2048, 0i64..2, prop::bool::ANY, 0usize..3).prop_map(
        |(cpu, memory, gpus, port, mode)| {
            let mut definition = definition(cpu, memory);
            definition.network_mode = Some(["bridge", "host", "awsvpc"][mode].to_owned());
            if gpus > 0 {
                definition.container_definitions[0].resource_requirements =
                    vec![ResourceRequirement {
                        kind: "GPU".to_owned(),
                        value: gpus.to_string(),
                    }];
            }
            if port {
                definition.container_definitions[0].port_mappings = vec![PortMapping {
                    container_port: Some(80),
                    host_port: Some(80),
                    ..PortMapping::default()
                }];
            }
            definition
        },
    )
}

fn arb_strategies() -> impl Strategy<Value = Vec<PlacementStrategy>> {
    let one = prop_oneof![
        Just(strategy("binpack", Some("cpu"))),
        Just(strategy("binpack", Some("memory"))),
        Just(strategy("spread", Some("attribute:ecs.availability-zone"))),
        Just(strategy("spread", Some("instanceId"))),
        Just(strategy("random", None)),
    ];
    prop::collection::vec(one, 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn never_over_commits(
        instances in arb_cluster(),
        definition in arb_definition(),
        strategies in arb_strategies(),
        count in 1i64..40,
        seed in any::<u64>(),
    ) {
        let mut request = input(instances.clone(), definition.clone(), count);
        request.placement_strategy = strategies;
        request.seed = seed;
        let output = simulate_placement(&request).unwrap();
        prop_assert_eq!(output.tasks.len() + output.failures.len(), count as usize);
        let cost = task_cost(&definition).unwrap();
        for host in &instances {
            let on: usize = output.tasks.iter().filter(|t| t.container_instance_arn.as_deref() == Some(host.container_instance_arn.as_str())).count();
            let capacity = registered_capacity(host);
            prop_assert!(cost.cpu * on as i64 <= capacity.cpu);
            prop_assert!(cost.memory * on as i64 <= capacity.memory);
            prop_assert!(cost.gpus * on as i64 <= capacity.gpus);
            if !cost.tcp_ports.is_empty() {
                prop_assert!(on <= 1);
                if on == 1 {
                    prop_assert!(!capacity.tcp_ports.contains(&80));
                }
            }
            if cost.needs_eni {
                let limit = eni_task_limit("c5.large", has_trunk_eni(host)).unwrap();
                prop_assert!(on as i64 <= limit);
            }
        }
        prop_assert_eq!(&output, &simulate_placement(&request).unwrap());
    }

    #[test]
    fn spread_stays_balanced_when_capacity_allows(per_zone in 1usize..5, count in 1i64..60, seed in any::<u64>()) {
        let instances: Vec<ContainerInstance> = (0..per_zone * 3)
            .map(|i| instance(&format!("i-{i}"), ["a", "b", "c"][i % 3], 100_000, 100_000))
            .collect();
        let mut request = input(instances, definition(64, 64), count);
        request.seed = seed;
        request.placement_strategy = vec![strategy("spread", Some("attribute:ecs.availability-zone")), strategy("binpack", Some("memory"))];
        let output = simulate_placement(&request).unwrap();
        let per: Vec<usize> = ["a", "b", "c"].iter().map(|z| output.tasks.iter().filter(|t| t.availability_zone.as_deref() == Some(z)).count()).collect();
        prop_assert!(per.iter().max().unwrap() - per.iter().min().unwrap() <= 1, "{:?}", per);
    }

    #[test]
    fn distinct_instance_never_doubles_up(instances in arb_cluster(), count in 1i64..15, seed in any::<u64>()) {
        let mut request = input(instances, definition(1, 1), count);
        request.seed = seed;
        request.placement_constraints = vec![constraint("distinctInstance", None)];
        let output = simulate_placement(&request).unwrap();
        let hosts: std::collections::BTreeSet<&str> = output.tasks.iter().map(|t| t.container_instance_arn.as_deref().unwrap()).collect();
        prop_assert_eq!(hosts.len(), output.tasks.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn extreme_numbers_never_panic(
        registered in prop::collection::vec(any::<i64>(), 2),
        remaining in prop::collection::vec(any::<i64>(), 2),
        cpu in any::<i64>(),
        memory in any::<i64>(),
        reservation in any::<i64>(),
        strategies in arb_strategies(),
    ) {
        let host = with_remaining(instance("i-1", "a", registered[0], registered[1]), remaining[0], remaining[1], &[]);
        let mut definition = definition(cpu, memory);
        definition.container_definitions.push(ContainerDefinition {
            name: "sidecar".to_owned(),
            cpu: Some(cpu),
            memory_reservation: Some(reservation),
            ..ContainerDefinition::default()
        });
        let mut request = input(vec![host.clone(), instance("i-2", "b", registered[0], registered[1])], definition, 5);
        request.placement_strategy = strategies.clone();
        let _ = simulate_placement(&request);
        let mut shrink = scale_in_input(vec![host.clone()], vec![task_on(&host, "service:web", 0)], 1);
        shrink.placement_strategy = strategies;
        shrink.tasks[0].cpu = Some(cpu.to_string());
        let _ = scale_in(&shrink);
    }
}
