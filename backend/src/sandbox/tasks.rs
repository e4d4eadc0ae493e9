//! Creating task records the way ECS describes them.

use berth_shared::{
    ecs::{Container, Task, TaskDefinition},
    time::Timestamp,
};

use super::{
    ids::{IdGenerator, arn},
    state::ClusterState,
};

/// A new RUNNING task of `definition` in `cluster` (not yet placed: no instance or zone).
pub fn new_task(
    cluster: &ClusterState,
    definition: &TaskDefinition,
    group: &str,
    started_by: Option<&str>,
    launch_type: &str,
    ids: &mut IdGenerator,
    started_at: Timestamp,
) -> Task {
    let id = ids.hex32();
    Task {
        task_arn: arn(&format!("task/{}/{id}", cluster.name)),
        cluster_arn: Some(cluster.arn.clone()),
        task_definition_arn: definition.task_definition_arn.clone().unwrap_or_default(),
        container_instance_arn: None,
        last_status: "RUNNING".to_owned(),
        desired_status: Some("RUNNING".to_owned()),
        launch_type: Some(launch_type.to_owned()),
        capacity_provider_name: (launch_type == "FARGATE").then(|| "FARGATE".to_owned()),
        cpu: definition.cpu.clone(),
        memory: definition.memory.clone(),
        group: Some(group.to_owned()),
        started_by: started_by.map(str::to_owned),
        availability_zone: None,
        containers: definition
            .container_definitions
            .iter()
            .map(|c| Container {
                container_arn: Some(arn(&format!("container/{}/{id}/{}", cluster.name, c.name))),
                name: c.name.clone(),
                image: Some(c.image.clone()),
                image_digest: None,
                last_status: Some("RUNNING".to_owned()),
                exit_code: None,
                reason: None,
                health_status: Some("HEALTHY".to_owned()),
                cpu: c.cpu.map(|v| v.to_string()),
                memory: c.memory.map(|v| v.to_string()),
                memory_reservation: c.memory_reservation.map(|v| v.to_string()),
                network_bindings: Vec::new(),
                network_interfaces: Vec::new(),
            })
            .collect(),
        attachments: Vec::new(),
        created_at: Some(Timestamp(started_at.0 - 40_000)),
        started_at: Some(started_at),
        stopping_at: None,
        stopped_at: None,
        stopped_reason: None,
        stop_code: None,
        health_status: Some("HEALTHY".to_owned()),
        platform_version: (launch_type == "FARGATE").then(|| "1.4.0".to_owned()),
        tags: Vec::new(),
    }
}
