//! Placement engine benchmark: 10,000 tasks onto 1,000 instances across 3 Availability Zones
//! with spread(attribute:ecs.availability-zone) then binpack(memory) and a memberOf
//! constraint. Run with `cargo bench -p berth-shared --bench placement`.

use std::hint::black_box;

use berth_shared::ecs::{
    Attribute, ContainerDefinition, ContainerInstance, PlacementConstraint, PlacementStrategy,
    Resource, TaskDefinition,
};
use berth_shared::placement::{PlacementInput, simulate_placement};
use criterion::{Criterion, criterion_group, criterion_main};

fn cluster() -> Vec<ContainerInstance> {
    (0..1000)
        .map(|i| {
            let mut instance: ContainerInstance = serde_json::from_value(serde_json::json!({
                "containerInstanceArn": format!("arn:aws:ecs:us-east-1:123456789012:container-instance/bench/{i:04}"),
                "ec2InstanceId": format!("i-{i:08x}"),
            }))
            .expect("valid container instance");
            instance.registered_resources = vec![
                Resource::integer("CPU", 8192),
                Resource::integer("MEMORY", 15_700),
                Resource::string_set(
                    "PORTS",
                    ["22", "2375", "2376", "51678", "51679"].map(str::to_owned),
                ),
            ];
            instance.attributes = vec![
                Attribute::new(
                    "ecs.availability-zone",
                    ["us-east-1a", "us-east-1b", "us-east-1c"][i % 3],
                ),
                Attribute::new(
                    "ecs.instance-type",
                    if i % 10 == 0 { "c5.2xlarge" } else { "m5.2xlarge" },
                ),
            ];
            instance
        })
        .collect()
}

fn input() -> PlacementInput {
    PlacementInput {
        container_instances: cluster(),
        tasks: Vec::new(),
        task_definitions: Vec::new(),
        task_definition: TaskDefinition {
            family: "web".to_owned(),
            container_definitions: vec![ContainerDefinition {
                name: "app".to_owned(),
                cpu: Some(256),
                memory: Some(512),
                ..ContainerDefinition::default()
            }],
            ..TaskDefinition::default()
        },
        count: 10_000,
        group: Some("service:web".to_owned()),
        launch_type: Some("EC2".to_owned()),
        placement_strategy: vec![
            PlacementStrategy {
                kind: "spread".to_owned(),
                field: Some("attribute:ecs.availability-zone".to_owned()),
            },
            PlacementStrategy {
                kind: "binpack".to_owned(),
                field: Some("memory".to_owned()),
            },
        ],
        placement_constraints: vec![PlacementConstraint {
            kind: "memberOf".to_owned(),
            expression: Some("attribute:ecs.instance-type =~ m5.*".to_owned()),
        }],
        availability_zones: Vec::new(),
        daemons: Vec::new(),
        seed: 42,
        detailed_explanations: berth_shared::placement::DEFAULT_DETAILED_EXPLANATIONS,
    }
}

fn placement(c: &mut Criterion) {
    let input = input();
    let output = simulate_placement(&input).expect("valid input");
    assert_eq!(output.tasks.len(), 10_000, "every task fits");
    c.bench_function(
        "place 10k tasks on 1k instances (spread AZ, binpack memory, memberOf)",
        |b| b.iter(|| simulate_placement(black_box(&input))),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = placement
}
criterion_main!(benches);
