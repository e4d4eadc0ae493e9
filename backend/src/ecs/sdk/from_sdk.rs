//! Conversions from `aws-sdk-ecs` output types to Berth's AWS-shaped types.
//!
//! This is the only place that knows the SDK's types; everything past [`super::SdkEcs`] sees
//! `berth_shared::ecs`. Fields map one to one with the API's JSON names; scalars the SDK
//! defaults to zero stay zero, optional ones stay absent.

use aws_sdk_ecs::{primitives::DateTime, types as sdk};
use berth_shared::{
    ecs::{
        Attachment, Attribute, AwsVpcConfiguration, CapacityProviderStrategyItem, Cluster,
        ClusterSetting, Container, ContainerInstance, Deployment, DeploymentCircuitBreaker,
        DeploymentConfiguration, DeploymentController, KeyValuePair, LoadBalancer, NetworkBinding,
        NetworkConfiguration, NetworkInterface, PlacementConstraint, PlacementStrategy, Resource,
        Service, ServiceEvent, ServiceRegistry, Tag, Task, VersionInfo,
    },
    time::Timestamp,
};

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

pub(super) fn time(value: Option<&DateTime>) -> Option<Timestamp> {
    value.map(|t| Timestamp(t.secs() * 1000 + i64::from(t.subsec_nanos() / 1_000_000)))
}

fn tags(tags: &[sdk::Tag]) -> Vec<Tag> {
    tags.iter()
        .map(|t| Tag {
            key: text(t.key()),
            value: text(t.value()),
        })
        .collect()
}

fn pairs(pairs: &[sdk::KeyValuePair]) -> Vec<KeyValuePair> {
    pairs
        .iter()
        .map(|kv| KeyValuePair {
            name: text(kv.name()),
            value: text(kv.value()),
        })
        .collect()
}

fn strategy_items(
    items: &[sdk::CapacityProviderStrategyItem],
) -> Vec<CapacityProviderStrategyItem> {
    items
        .iter()
        .map(|item| CapacityProviderStrategyItem {
            capacity_provider: item.capacity_provider().to_owned(),
            weight: item.weight().into(),
            base: item.base().into(),
        })
        .collect()
}

fn attachments(attachments: &[sdk::Attachment]) -> Vec<Attachment> {
    attachments
        .iter()
        .map(|a| Attachment {
            id: text(a.id()),
            kind: text(a.r#type()),
            status: text(a.status()),
            details: pairs(a.details()),
        })
        .collect()
}

/// A cluster from `DescribeClusters`.
pub fn cluster(cluster: &sdk::Cluster) -> Cluster {
    Cluster {
        cluster_arn: text(cluster.cluster_arn()),
        cluster_name: text(cluster.cluster_name()),
        status: cluster.status().unwrap_or("ACTIVE").to_owned(),
        registered_container_instances_count: cluster.registered_container_instances_count().into(),
        running_tasks_count: cluster.running_tasks_count().into(),
        pending_tasks_count: cluster.pending_tasks_count().into(),
        active_services_count: cluster.active_services_count().into(),
        statistics: pairs(cluster.statistics()),
        settings: cluster
            .settings()
            .iter()
            .map(|s| ClusterSetting {
                name: s.name().map(|n| n.as_str().to_owned()).unwrap_or_default(),
                value: text(s.value()),
            })
            .collect(),
        capacity_providers: cluster.capacity_providers().to_vec(),
        default_capacity_provider_strategy: strategy_items(
            cluster.default_capacity_provider_strategy(),
        ),
        tags: tags(cluster.tags()),
    }
}

fn resource(resource: &sdk::Resource) -> Resource {
    let kind = text(resource.r#type());
    Resource {
        name: text(resource.name()),
        double_value: (kind == "DOUBLE").then(|| resource.double_value()),
        long_value: (kind == "LONG").then(|| resource.long_value()),
        integer_value: (kind == "INTEGER").then(|| resource.integer_value().into()),
        string_set_value: resource.string_set_value().to_vec(),
        kind,
    }
}

/// A container instance from `DescribeContainerInstances`.
pub fn container_instance(instance: &sdk::ContainerInstance) -> ContainerInstance {
    ContainerInstance {
        container_instance_arn: text(instance.container_instance_arn()),
        ec2_instance_id: owned(instance.ec2_instance_id()),
        capacity_provider_name: owned(instance.capacity_provider_name()),
        version_info: instance
            .version_info()
            .map(|v| VersionInfo {
                agent_version: owned(v.agent_version()),
                agent_hash: owned(v.agent_hash()),
                docker_version: owned(v.docker_version()),
            })
            .unwrap_or_default(),
        remaining_resources: instance
            .remaining_resources()
            .iter()
            .map(resource)
            .collect(),
        registered_resources: instance
            .registered_resources()
            .iter()
            .map(resource)
            .collect(),
        status: instance.status().unwrap_or("ACTIVE").to_owned(),
        status_reason: owned(instance.status_reason()),
        agent_connected: instance.agent_connected(),
        running_tasks_count: instance.running_tasks_count().into(),
        pending_tasks_count: instance.pending_tasks_count().into(),
        agent_update_status: instance
            .agent_update_status()
            .map(|s| s.as_str().to_owned()),
        attributes: instance
            .attributes()
            .iter()
            .map(|a| Attribute {
                name: a.name().to_owned(),
                value: owned(a.value()),
                target_type: a.target_type().map(|t| t.as_str().to_owned()),
                target_id: owned(a.target_id()),
            })
            .collect(),
        registered_at: time(instance.registered_at()),
        attachments: attachments(instance.attachments()),
        tags: tags(instance.tags()),
    }
}

fn container(container: &sdk::Container) -> Container {
    Container {
        container_arn: owned(container.container_arn()),
        name: text(container.name()),
        image: owned(container.image()),
        image_digest: owned(container.image_digest()),
        last_status: owned(container.last_status()),
        exit_code: container.exit_code().map(i64::from),
        reason: owned(container.reason()),
        health_status: container.health_status().map(|h| h.as_str().to_owned()),
        cpu: owned(container.cpu()),
        memory: owned(container.memory()),
        memory_reservation: owned(container.memory_reservation()),
        network_bindings: container
            .network_bindings()
            .iter()
            .map(|b| NetworkBinding {
                bind_ip: owned(b.bind_ip()),
                container_port: b.container_port().map(i64::from),
                host_port: b.host_port().map(i64::from),
                protocol: b.protocol().map(|p| p.as_str().to_owned()),
            })
            .collect(),
        network_interfaces: container
            .network_interfaces()
            .iter()
            .map(|n| NetworkInterface {
                attachment_id: owned(n.attachment_id()),
                private_ipv4_address: owned(n.private_ipv4_address()),
            })
            .collect(),
    }
}

/// A task from `DescribeTasks`.
pub fn task(task: &sdk::Task) -> Task {
    Task {
        task_arn: text(task.task_arn()),
        cluster_arn: owned(task.cluster_arn()),
        task_definition_arn: text(task.task_definition_arn()),
        container_instance_arn: owned(task.container_instance_arn()),
        last_status: task.last_status().unwrap_or("PENDING").to_owned(),
        desired_status: owned(task.desired_status()),
        launch_type: task.launch_type().map(|l| l.as_str().to_owned()),
        capacity_provider_name: owned(task.capacity_provider_name()),
        cpu: owned(task.cpu()),
        memory: owned(task.memory()),
        group: owned(task.group()),
        started_by: owned(task.started_by()),
        availability_zone: owned(task.availability_zone()),
        containers: task.containers().iter().map(container).collect(),
        attachments: attachments(task.attachments()),
        created_at: time(task.created_at()),
        started_at: time(task.started_at()),
        stopping_at: time(task.stopping_at()),
        stopped_at: time(task.stopped_at()),
        stopped_reason: owned(task.stopped_reason()),
        stop_code: task.stop_code().map(|c| c.as_str().to_owned()),
        health_status: task.health_status().map(|h| h.as_str().to_owned()),
        platform_version: owned(task.platform_version()),
        tags: tags(task.tags()),
    }
}

fn deployment(deployment: &sdk::Deployment) -> Deployment {
    Deployment {
        id: text(deployment.id()),
        status: text(deployment.status()),
        task_definition: text(deployment.task_definition()),
        desired_count: deployment.desired_count().into(),
        pending_count: deployment.pending_count().into(),
        running_count: deployment.running_count().into(),
        failed_tasks: deployment.failed_tasks().into(),
        created_at: time(deployment.created_at()),
        updated_at: time(deployment.updated_at()),
        launch_type: deployment.launch_type().map(|l| l.as_str().to_owned()),
        capacity_provider_strategy: strategy_items(deployment.capacity_provider_strategy()),
        rollout_state: deployment.rollout_state().map(|r| r.as_str().to_owned()),
        rollout_state_reason: owned(deployment.rollout_state_reason()),
    }
}

/// A service from `DescribeServices`.
pub fn service(service: &sdk::Service) -> Service {
    Service {
        service_arn: text(service.service_arn()),
        service_name: text(service.service_name()),
        cluster_arn: owned(service.cluster_arn()),
        status: service.status().unwrap_or("ACTIVE").to_owned(),
        desired_count: service.desired_count().into(),
        running_count: service.running_count().into(),
        pending_count: service.pending_count().into(),
        launch_type: service.launch_type().map(|l| l.as_str().to_owned()),
        capacity_provider_strategy: strategy_items(service.capacity_provider_strategy()),
        platform_version: owned(service.platform_version()),
        task_definition: text(service.task_definition()),
        deployment_configuration: service.deployment_configuration().map(|c| {
            DeploymentConfiguration {
                deployment_circuit_breaker: c.deployment_circuit_breaker().map(|b| {
                    DeploymentCircuitBreaker {
                        enable: b.enable(),
                        rollback: b.rollback(),
                    }
                }),
                maximum_percent: c.maximum_percent().map(i64::from),
                minimum_healthy_percent: c.minimum_healthy_percent().map(i64::from),
            }
        }),
        deployments: service.deployments().iter().map(deployment).collect(),
        events: service
            .events()
            .iter()
            .map(|e| ServiceEvent {
                id: text(e.id()),
                created_at: time(e.created_at()),
                message: text(e.message()),
            })
            .collect(),
        placement_constraints: service
            .placement_constraints()
            .iter()
            .map(|c| PlacementConstraint {
                kind: c
                    .r#type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                expression: owned(c.expression()),
            })
            .collect(),
        placement_strategy: service
            .placement_strategy()
            .iter()
            .map(|s| PlacementStrategy {
                kind: s
                    .r#type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                field: owned(s.field()),
            })
            .collect(),
        scheduling_strategy: service
            .scheduling_strategy()
            .map_or_else(|| "REPLICA".to_owned(), |s| s.as_str().to_owned()),
        network_configuration: service
            .network_configuration()
            .map(|n| NetworkConfiguration {
                awsvpc_configuration: n.awsvpc_configuration().map(|a| AwsVpcConfiguration {
                    subnets: a.subnets().to_vec(),
                    security_groups: a.security_groups().to_vec(),
                    assign_public_ip: a.assign_public_ip().map(|p| p.as_str().to_owned()),
                }),
            }),
        load_balancers: service
            .load_balancers()
            .iter()
            .map(|l| LoadBalancer {
                target_group_arn: owned(l.target_group_arn()),
                load_balancer_name: owned(l.load_balancer_name()),
                container_name: owned(l.container_name()),
                container_port: l.container_port().map(i64::from),
            })
            .collect(),
        service_registries: service
            .service_registries()
            .iter()
            .map(|r| ServiceRegistry {
                registry_arn: owned(r.registry_arn()),
                port: r.port().map(i64::from),
                container_name: owned(r.container_name()),
                container_port: r.container_port().map(i64::from),
            })
            .collect(),
        created_at: time(service.created_at()),
        health_check_grace_period_seconds: service
            .health_check_grace_period_seconds()
            .map(i64::from),
        deployment_controller: service
            .deployment_controller()
            .map(|d| DeploymentController {
                kind: d.r#type().as_str().to_owned(),
            }),
        tags: tags(service.tags()),
    }
}
