//! Task definitions between Berth's JSON shape and `aws-sdk-ecs`'s types, both ways.
//!
//! The modelled fields of `berth_shared::ecs::TaskDefinition` map one to one. The others
//! travel in its `other` map as the API's JSON; this module converts the ones ECS users
//! commonly set (logging, commands, secrets, dependencies, health checks, mounts, volumes
//! including EFS, runtime platform, ephemeral storage, …). A field Berth cannot convert is
//! refused with an error naming it, never silently dropped.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_ecs::types as sdk;
use berth_shared::ecs::{
    ContainerDefinition, KeyValuePair, PlacementConstraint, PortMapping, RequiredAttribute,
    ResourceRequirement, TaskDefinition,
};
use serde_json::{Map, Value, json};

use crate::error::SourceError;

/// Container-definition fields carried in `other` that Berth converts.
const CONTAINER_FIELDS: &[&str] = &[
    "logConfiguration",
    "command",
    "entryPoint",
    "secrets",
    "dependsOn",
    "healthCheck",
    "mountPoints",
    "workingDirectory",
    "user",
    "readonlyRootFilesystem",
    "stopTimeout",
    "startTimeout",
    "dockerLabels",
    "links",
    "hostname",
    "privileged",
    "ulimits",
];
/// Task-definition fields carried in `other` that Berth converts.
const TASK_FIELDS: &[&str] = &[
    "volumes",
    "runtimePlatform",
    "ephemeralStorage",
    "pidMode",
    "ipcMode",
    "tags",
];
/// Read-only fields DescribeTaskDefinition returns, ignored when registering.
const READ_ONLY_FIELDS: &[&str] = &["registeredBy", "deleteRequestedAt"];

fn invalid(message: String) -> SourceError {
    SourceError::InvalidParameter(message)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn int(value: Option<&Value>) -> Option<i32> {
    value
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
}

fn text(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}

fn string_map(value: Option<&Value>) -> Option<HashMap<String, String>> {
    value.and_then(Value::as_object).map(|map| {
        map.iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect()
    })
}

fn unknown_fields(
    other: &BTreeMap<String, Value>,
    known: &[&str],
    path: &str,
) -> Result<(), SourceError> {
    let unknown: Vec<&str> = other
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k) && !READ_ONLY_FIELDS.contains(k))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(invalid(format!(
            "{path}: Berth cannot send {} to AWS yet; remove {} or register this revision with the AWS CLI",
            unknown.join(", "),
            if unknown.len() == 1 { "it" } else { "them" }
        )))
    }
}

fn built<T, E: std::fmt::Display>(result: Result<T, E>, path: &str) -> Result<T, SourceError> {
    result.map_err(|e| invalid(format!("{path}: {e}")))
}

fn container_to_sdk(
    container: &ContainerDefinition,
    path: &str,
) -> Result<sdk::ContainerDefinition, SourceError> {
    unknown_fields(&container.other, CONTAINER_FIELDS, path)?;
    let other = &container.other;
    let mut builder = sdk::ContainerDefinition::builder()
        .name(&container.name)
        .image(&container.image)
        .set_cpu(container.cpu.and_then(|v| i32::try_from(v).ok()))
        .set_memory(container.memory.and_then(|v| i32::try_from(v).ok()))
        .set_memory_reservation(
            container
                .memory_reservation
                .and_then(|v| i32::try_from(v).ok()),
        )
        .set_essential(container.essential)
        .set_command(Some(strings(other.get("command"))).filter(|v| !v.is_empty()))
        .set_entry_point(Some(strings(other.get("entryPoint"))).filter(|v| !v.is_empty()))
        .set_links(Some(strings(other.get("links"))).filter(|v| !v.is_empty()))
        .set_working_directory(text(other.get("workingDirectory")).map(str::to_owned))
        .set_user(text(other.get("user")).map(str::to_owned))
        .set_hostname(text(other.get("hostname")).map(str::to_owned))
        .set_readonly_root_filesystem(other.get("readonlyRootFilesystem").and_then(Value::as_bool))
        .set_privileged(other.get("privileged").and_then(Value::as_bool))
        .set_stop_timeout(int(other.get("stopTimeout")))
        .set_start_timeout(int(other.get("startTimeout")))
        .set_docker_labels(string_map(other.get("dockerLabels")));
    for mapping in &container.port_mappings {
        builder = builder.port_mappings(
            sdk::PortMapping::builder()
                .set_container_port(mapping.container_port.and_then(|v| i32::try_from(v).ok()))
                .set_host_port(mapping.host_port.and_then(|v| i32::try_from(v).ok()))
                .set_protocol(
                    mapping
                        .protocol
                        .as_deref()
                        .map(sdk::TransportProtocol::from),
                )
                .set_name(mapping.name.clone())
                .set_app_protocol(
                    mapping
                        .app_protocol
                        .as_deref()
                        .map(sdk::ApplicationProtocol::from),
                )
                .set_container_port_range(mapping.container_port_range.clone())
                .build(),
        );
    }
    for variable in &container.environment {
        builder = builder.environment(
            sdk::KeyValuePair::builder()
                .name(&variable.name)
                .value(&variable.value)
                .build(),
        );
    }
    for requirement in &container.resource_requirements {
        builder = builder.resource_requirements(built(
            sdk::ResourceRequirement::builder()
                .value(&requirement.value)
                .r#type(sdk::ResourceType::from(requirement.kind.as_str()))
                .build(),
            path,
        )?);
    }
    for secret in other
        .get("secrets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        builder = builder.secrets(built(
            sdk::Secret::builder()
                .name(text(secret.get("name")).unwrap_or_default())
                .value_from(text(secret.get("valueFrom")).unwrap_or_default())
                .build(),
            &format!("{path}.secrets"),
        )?);
    }
    for dependency in other
        .get("dependsOn")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        builder = builder.depends_on(built(
            sdk::ContainerDependency::builder()
                .container_name(text(dependency.get("containerName")).unwrap_or_default())
                .condition(sdk::ContainerCondition::from(
                    text(dependency.get("condition")).unwrap_or("START"),
                ))
                .build(),
            &format!("{path}.dependsOn"),
        )?);
    }
    for mount in other
        .get("mountPoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        builder = builder.mount_points(
            sdk::MountPoint::builder()
                .set_source_volume(text(mount.get("sourceVolume")).map(str::to_owned))
                .set_container_path(text(mount.get("containerPath")).map(str::to_owned))
                .set_read_only(mount.get("readOnly").and_then(Value::as_bool))
                .build(),
        );
    }
    for limit in other
        .get("ulimits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        builder = builder.ulimits(built(
            sdk::Ulimit::builder()
                .name(sdk::UlimitName::from(
                    text(limit.get("name")).unwrap_or_default(),
                ))
                .soft_limit(int(limit.get("softLimit")).unwrap_or_default())
                .hard_limit(int(limit.get("hardLimit")).unwrap_or_default())
                .build(),
            &format!("{path}.ulimits"),
        )?);
    }
    if let Some(check) = other.get("healthCheck") {
        builder = builder.health_check(built(
            sdk::HealthCheck::builder()
                .set_command(Some(strings(check.get("command"))))
                .set_interval(int(check.get("interval")))
                .set_timeout(int(check.get("timeout")))
                .set_retries(int(check.get("retries")))
                .set_start_period(int(check.get("startPeriod")))
                .build(),
            &format!("{path}.healthCheck"),
        )?);
    }
    if let Some(logging) = other.get("logConfiguration") {
        builder = builder.log_configuration(built(
            sdk::LogConfiguration::builder()
                .log_driver(sdk::LogDriver::from(
                    text(logging.get("logDriver")).unwrap_or_default(),
                ))
                .set_options(string_map(logging.get("options")))
                .build(),
            &format!("{path}.logConfiguration"),
        )?);
    }
    Ok(builder.build())
}

/// Fills a RegisterTaskDefinition request from Berth's shape.
pub fn register_request(
    mut request: aws_sdk_ecs::operation::register_task_definition::builders::RegisterTaskDefinitionFluentBuilder,
    definition: &TaskDefinition,
) -> Result<
    aws_sdk_ecs::operation::register_task_definition::builders::RegisterTaskDefinitionFluentBuilder,
    SourceError,
> {
    unknown_fields(&definition.other, TASK_FIELDS, "taskDefinition")?;
    let other = &definition.other;
    request = request
        .family(&definition.family)
        .set_network_mode(
            definition
                .network_mode
                .as_deref()
                .map(sdk::NetworkMode::from),
        )
        .set_cpu(definition.cpu.clone())
        .set_memory(definition.memory.clone())
        .set_task_role_arn(definition.task_role_arn.clone())
        .set_execution_role_arn(definition.execution_role_arn.clone())
        .set_pid_mode(text(other.get("pidMode")).map(sdk::PidMode::from))
        .set_ipc_mode(text(other.get("ipcMode")).map(sdk::IpcMode::from));
    for (index, container) in definition.container_definitions.iter().enumerate() {
        request = request.container_definitions(container_to_sdk(
            container,
            &format!("containerDefinitions[{index}]"),
        )?);
    }
    for compatibility in &definition.requires_compatibilities {
        request =
            request.requires_compatibilities(sdk::Compatibility::from(compatibility.as_str()));
    }
    for constraint in &definition.placement_constraints {
        request = request.placement_constraints(
            sdk::TaskDefinitionPlacementConstraint::builder()
                .r#type(sdk::TaskDefinitionPlacementConstraintType::from(
                    constraint.kind.as_str(),
                ))
                .set_expression(constraint.expression.clone())
                .build(),
        );
    }
    if let Some(platform) = other.get("runtimePlatform") {
        request = request.runtime_platform(
            sdk::RuntimePlatform::builder()
                .set_cpu_architecture(
                    text(platform.get("cpuArchitecture")).map(sdk::CpuArchitecture::from),
                )
                .set_operating_system_family(
                    text(platform.get("operatingSystemFamily")).map(sdk::OsFamily::from),
                )
                .build(),
        );
    }
    if let Some(storage) = other.get("ephemeralStorage") {
        request = request.ephemeral_storage(
            sdk::EphemeralStorage::builder()
                .size_in_gib(int(storage.get("sizeInGiB")).unwrap_or(20))
                .build(),
        );
    }
    for (index, volume) in other
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let path = format!("volumes[{index}]");
        let mut builder =
            sdk::Volume::builder().set_name(text(volume.get("name")).map(str::to_owned));
        if let Some(host) = volume.get("host") {
            builder = builder.host(
                sdk::HostVolumeProperties::builder()
                    .set_source_path(text(host.get("sourcePath")).map(str::to_owned))
                    .build(),
            );
        }
        if let Some(efs) = volume.get("efsVolumeConfiguration") {
            builder = builder.efs_volume_configuration(built(
                sdk::EfsVolumeConfiguration::builder()
                    .file_system_id(text(efs.get("fileSystemId")).unwrap_or_default())
                    .set_root_directory(text(efs.get("rootDirectory")).map(str::to_owned))
                    .set_transit_encryption(
                        text(efs.get("transitEncryption")).map(sdk::EfsTransitEncryption::from),
                    )
                    .build(),
                &format!("{path}.efsVolumeConfiguration"),
            )?);
        }
        request = request.volumes(builder.build());
    }
    for tag in other
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        request = request.tags(
            sdk::Tag::builder()
                .set_key(text(tag.get("key")).map(str::to_owned))
                .set_value(text(tag.get("value")).map(str::to_owned))
                .build(),
        );
    }
    Ok(request)
}

fn insert(map: &mut BTreeMap<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
        _ => false,
    };
    if !empty {
        map.insert(key.to_owned(), value);
    }
}

fn container_from_sdk(container: &sdk::ContainerDefinition) -> ContainerDefinition {
    let mut other = BTreeMap::new();
    insert(&mut other, "command", json!(container.command()));
    insert(&mut other, "entryPoint", json!(container.entry_point()));
    insert(&mut other, "links", json!(container.links()));
    insert(
        &mut other,
        "workingDirectory",
        json!(container.working_directory()),
    );
    insert(&mut other, "user", json!(container.user()));
    insert(&mut other, "hostname", json!(container.hostname()));
    insert(
        &mut other,
        "readonlyRootFilesystem",
        json!(container.readonly_root_filesystem()),
    );
    insert(&mut other, "privileged", json!(container.privileged()));
    insert(&mut other, "stopTimeout", json!(container.stop_timeout()));
    insert(&mut other, "startTimeout", json!(container.start_timeout()));
    insert(&mut other, "dockerLabels", json!(container.docker_labels()));
    let secrets: Vec<Value> = container
        .secrets()
        .iter()
        .map(|s| json!({"name": s.name(), "valueFrom": s.value_from()}))
        .collect();
    insert(&mut other, "secrets", Value::Array(secrets));
    let depends: Vec<Value> = container
        .depends_on()
        .iter()
        .map(|d| json!({"containerName": d.container_name(), "condition": d.condition().as_str()}))
        .collect();
    insert(&mut other, "dependsOn", Value::Array(depends));
    let mounts: Vec<Value> = container
        .mount_points()
        .iter()
        .map(|m| json!({"sourceVolume": m.source_volume(), "containerPath": m.container_path(), "readOnly": m.read_only()}))
        .collect();
    insert(&mut other, "mountPoints", Value::Array(mounts));
    let limits: Vec<Value> = container
        .ulimits()
        .iter()
        .map(|u| json!({"name": u.name().as_str(), "softLimit": u.soft_limit(), "hardLimit": u.hard_limit()}))
        .collect();
    insert(&mut other, "ulimits", Value::Array(limits));
    if let Some(check) = container.health_check() {
        insert(
            &mut other,
            "healthCheck",
            json!({"command": check.command(), "interval": check.interval(), "timeout": check.timeout(),
                   "retries": check.retries(), "startPeriod": check.start_period()}),
        );
    }
    if let Some(logging) = container.log_configuration() {
        insert(
            &mut other,
            "logConfiguration",
            json!({"logDriver": logging.log_driver().as_str(), "options": logging.options()}),
        );
    }
    ContainerDefinition {
        name: container.name().unwrap_or_default().to_owned(),
        image: container.image().unwrap_or_default().to_owned(),
        cpu: Some(i64::from(container.cpu())),
        memory: container.memory().map(i64::from),
        memory_reservation: container.memory_reservation().map(i64::from),
        port_mappings: container
            .port_mappings()
            .iter()
            .map(|p| PortMapping {
                container_port: p.container_port().map(i64::from),
                host_port: p.host_port().map(i64::from),
                protocol: p.protocol().map(|v| v.as_str().to_owned()),
                name: p.name().map(str::to_owned),
                app_protocol: p.app_protocol().map(|v| v.as_str().to_owned()),
                container_port_range: p.container_port_range().map(str::to_owned),
            })
            .collect(),
        essential: container.essential(),
        resource_requirements: container
            .resource_requirements()
            .iter()
            .map(|r| ResourceRequirement {
                kind: r.r#type().as_str().to_owned(),
                value: r.value().to_owned(),
            })
            .collect(),
        environment: container
            .environment()
            .iter()
            .map(|kv| KeyValuePair {
                name: kv.name().unwrap_or_default().to_owned(),
                value: kv.value().unwrap_or_default().to_owned(),
            })
            .collect(),
        other,
    }
}

/// Berth's shape of a task definition `DescribeTaskDefinition` returned.
pub fn from_sdk(definition: &sdk::TaskDefinition) -> TaskDefinition {
    let time = |t: Option<&aws_sdk_ecs::primitives::DateTime>| {
        t.map(|t| {
            berth_shared::time::Timestamp(t.secs() * 1000 + i64::from(t.subsec_nanos() / 1_000_000))
        })
    };
    let mut other = BTreeMap::new();
    insert(
        &mut other,
        "pidMode",
        json!(definition.pid_mode().map(|m| m.as_str())),
    );
    insert(
        &mut other,
        "ipcMode",
        json!(definition.ipc_mode().map(|m| m.as_str())),
    );
    insert(
        &mut other,
        "registeredBy",
        json!(definition.registered_by()),
    );
    if let Some(platform) = definition.runtime_platform() {
        let mut fields = Map::new();
        if let Some(arch) = platform.cpu_architecture() {
            fields.insert("cpuArchitecture".to_owned(), json!(arch.as_str()));
        }
        if let Some(family) = platform.operating_system_family() {
            fields.insert("operatingSystemFamily".to_owned(), json!(family.as_str()));
        }
        insert(&mut other, "runtimePlatform", Value::Object(fields));
    }
    if let Some(storage) = definition.ephemeral_storage() {
        insert(
            &mut other,
            "ephemeralStorage",
            json!({"sizeInGiB": storage.size_in_gib()}),
        );
    }
    let volumes: Vec<Value> = definition
        .volumes()
        .iter()
        .map(|v| {
            let mut fields = Map::new();
            fields.insert("name".to_owned(), json!(v.name()));
            if let Some(host) = v.host() {
                fields.insert("host".to_owned(), json!({"sourcePath": host.source_path()}));
            }
            if let Some(efs) = v.efs_volume_configuration() {
                fields.insert(
                    "efsVolumeConfiguration".to_owned(),
                    json!({"fileSystemId": efs.file_system_id(), "rootDirectory": efs.root_directory(),
                           "transitEncryption": efs.transit_encryption().map(|t| t.as_str())}),
                );
            }
            Value::Object(fields)
        })
        .collect();
    insert(&mut other, "volumes", Value::Array(volumes));
    TaskDefinition {
        task_definition_arn: definition.task_definition_arn().map(str::to_owned),
        family: definition.family().unwrap_or_default().to_owned(),
        revision: Some(i64::from(definition.revision())),
        status: definition.status().map(|s| s.as_str().to_owned()),
        container_definitions: definition
            .container_definitions()
            .iter()
            .map(container_from_sdk)
            .collect(),
        network_mode: definition.network_mode().map(|m| m.as_str().to_owned()),
        cpu: definition.cpu().map(str::to_owned),
        memory: definition.memory().map(str::to_owned),
        requires_compatibilities: definition
            .requires_compatibilities()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        compatibilities: definition
            .compatibilities()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        requires_attributes: definition
            .requires_attributes()
            .iter()
            .map(|a| RequiredAttribute {
                name: a.name().to_owned(),
                value: a.value().map(str::to_owned),
            })
            .collect(),
        placement_constraints: definition
            .placement_constraints()
            .iter()
            .map(|c| PlacementConstraint {
                kind: c
                    .r#type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                expression: c.expression().map(str::to_owned),
            })
            .collect(),
        task_role_arn: definition.task_role_arn().map(str::to_owned),
        execution_role_arn: definition.execution_role_arn().map(str::to_owned),
        registered_at: time(definition.registered_at()),
        deregistered_at: time(definition.deregistered_at()),
        other,
    }
}
