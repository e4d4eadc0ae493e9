//! The cluster page's tables (tasks, services, instances, events) as [`Table`]s built from a
//! [`ClusterSnapshot`]: what each row says, how it sorts and what it opens.

use std::collections::BTreeMap;

use berth_shared::{api::ClusterSnapshot, ecs::ContainerInstance};

use crate::{
    format::{format_cpu, format_memory, format_units, task_definition_label},
    graph::{GraphFilter, InstanceBox, UNKNOWN_ZONE, group_label, layout, task_reservation},
    table::{Cell, Row, SortKey, SortOrder, Table, Target, Tone, column, numeric, prose},
    words,
};

/// The tasks table, limited to the tasks passing `filter`'s service and status.
pub fn tasks_table(snapshot: &ClusterSnapshot, filter: &GraphFilter) -> Table {
    let now = snapshot.fetched_at;
    let instances: BTreeMap<&str, &ContainerInstance> = snapshot
        .container_instances
        .iter()
        .map(|i| (i.container_instance_arn.as_str(), i))
        .collect();
    let rows = snapshot
        .tasks
        .iter()
        .filter(|t| filter.matches_task(t))
        .filter(|t| {
            filter.attribute.is_none()
                || t.container_instance_arn
                    .as_deref()
                    .and_then(|arn| instances.get(arn))
                    .is_some_and(|i| filter.matches_instance(i))
        })
        .map(|task| {
            let reserved = task_reservation(task);
            let instance = task.container_instance_arn.as_deref();
            let instance_cell = match instance.and_then(|arn| instances.get(arn)) {
                Some(i) => Cell {
                    detail: i.instance_type().map(str::to_owned),
                    ..Cell::id(i.ec2_instance_id.as_deref().unwrap_or(i.short_id()))
                },
                None if task.launch_type.as_deref() == Some("FARGATE") => Cell::text("Fargate"),
                None => Cell {
                    sort: SortKey::Missing,
                    ..Cell::text("–")
                },
            };
            let cpu = Cell {
                text: reserved.cpu.to_string(),
                detail: Some(format_cpu(reserved.cpu)),
                ..Cell::number(reserved.cpu)
            };
            let memory = Cell {
                text: format_memory(reserved.memory),
                ..Cell::number(reserved.memory)
            };
            Row::new(
                task.task_arn.clone(),
                vec![
                    Cell {
                        detail: Some(task_definition_label(&task.task_definition_arn).to_owned()),
                        ..Cell::id(task.short_id())
                    },
                    Cell::service(group_label(task)),
                    Cell::status(&task.last_status),
                    instance_cell,
                    task.availability_zone
                        .as_deref()
                        .map_or_else(|| Cell::text("–"), Cell::text),
                    cpu,
                    memory,
                    Cell::time(task.started_at, now),
                ],
                Some(Target::Task(task.short_id().to_owned())),
            )
        })
        .collect();
    Table {
        noun: ("task", "tasks"),
        columns: vec![
            column("task", "Task"),
            column("service", "Service / group"),
            column("status", "Status"),
            column("instance", "Instance"),
            column("zone", "Zone"),
            numeric("cpu", "CPU units"),
            numeric("memory", "Memory"),
            numeric("started", "Started"),
        ],
        rows,
        default_sort: SortOrder {
            column: 1,
            descending: false,
        },
    }
}

/// The services table.
pub fn services_table(snapshot: &ClusterSnapshot) -> Table {
    let rows = snapshot
        .services
        .iter()
        .map(|service| {
            let definition = task_definition_label(&service.task_definition);
            let revision = definition
                .rsplit_once(':')
                .and_then(|(_, r)| r.parse::<i64>().ok());
            Row::new(
                service.service_arn.clone(),
                vec![
                    Cell::service(&service.service_name),
                    Cell::status(&service.status),
                    Cell::number(service.desired_count),
                    Cell::number(service.running_count),
                    Cell::number(service.pending_count),
                    Cell {
                        detail: Some(service.scheduling_strategy.to_lowercase()),
                        ..Cell::text(words::launch(service))
                    },
                    Cell::text(words::placement(service)),
                    Cell {
                        sort: revision.map_or_else(|| SortKey::text(definition), SortKey::Number),
                        ..Cell::id(definition)
                    },
                ],
                Some(Target::Service(service.service_name.clone())),
            )
        })
        .collect();
    Table {
        noun: ("service", "services"),
        columns: vec![
            column("name", "Service"),
            column("status", "Status"),
            numeric("desired", "Desired"),
            numeric("running", "Running"),
            numeric("pending", "Pending"),
            column("launch", "Launch type"),
            prose("placement", "Placement"),
            numeric("revision", "Task definition"),
        ],
        rows,
        default_sort: SortOrder {
            column: 0,
            descending: false,
        },
    }
}

/// The container instances table.
pub fn instances_table(snapshot: &ClusterSnapshot) -> Table {
    let reserved = layout(snapshot, &GraphFilter::default());
    let boxes: BTreeMap<&str, &InstanceBox> = reserved
        .lanes
        .iter()
        .flat_map(|l| l.instances.iter())
        .map(|b| (b.arn.as_str(), b))
        .collect();
    let rows = snapshot
        .container_instances
        .iter()
        .map(|instance| {
            let drawn = boxes.get(instance.container_instance_arn.as_str());
            let cpu = drawn.map(|b| b.cpu).unwrap_or_default();
            let memory = drawn.map(|b| b.memory).unwrap_or_default();
            Row::new(
                instance.container_instance_arn.clone(),
                vec![
                    Cell::id(instance.short_id()),
                    instance
                        .ec2_instance_id
                        .as_deref()
                        .map_or_else(|| Cell::text("–"), Cell::id),
                    Cell::text(instance.instance_type().unwrap_or("–")),
                    Cell::text(instance.availability_zone().unwrap_or(UNKNOWN_ZONE)),
                    Cell::status(&instance.status),
                    if instance.agent_connected {
                        Cell {
                            badge: Some(Tone::Ok),
                            ..Cell::text("CONNECTED")
                        }
                    } else {
                        Cell {
                            badge: Some(Tone::Bad),
                            ..Cell::text("DISCONNECTED")
                        }
                    },
                    Cell::number(instance.running_tasks_count),
                    Cell::usage(cpu, format_units),
                    Cell::usage(memory, format_memory),
                ],
                Some(Target::Instance(instance.short_id().to_owned())),
            )
        })
        .collect();
    Table {
        noun: ("instance", "instances"),
        columns: vec![
            column("instance", "Container instance"),
            column("ec2", "EC2 instance"),
            column("type", "Type"),
            column("zone", "Zone"),
            column("status", "Status"),
            column("agent", "Agent"),
            numeric("tasks", "Running tasks"),
            numeric("cpu", "CPU units used"),
            numeric("memory", "Memory used"),
        ],
        rows,
        default_sort: SortOrder {
            column: 3,
            descending: false,
        },
    }
}

/// Every service's events merged, newest first by default.
pub fn events_table(snapshot: &ClusterSnapshot) -> Table {
    let now = snapshot.fetched_at;
    let rows = snapshot
        .services
        .iter()
        .flat_map(|service| {
            service.events.iter().map(move |event| {
                Row::new(
                    format!("{}/{}", service.service_name, event.id),
                    vec![
                        Cell::time(event.created_at, now),
                        Cell::service(&service.service_name),
                        Cell::text(event.message.clone()),
                    ],
                    Some(Target::Service(service.service_name.clone())),
                )
            })
        })
        .collect();
    Table {
        noun: ("event", "events"),
        columns: vec![
            numeric("time", "When"),
            column("service", "Service"),
            prose("message", "Message"),
        ],
        rows,
        default_sort: SortOrder {
            column: 0,
            descending: true,
        },
    }
}
