//! Request pieces in Berth's shapes converted to `aws-sdk-ecs` input types.

use aws_sdk_ecs::types as sdk;
use berth_shared::ecs::{
    CapacityProviderStrategyItem, DeploymentConfiguration, LoadBalancer, NetworkConfiguration,
    PlacementConstraint, PlacementStrategy, ServiceRegistry,
};

use berth_shared::input::InputError;

use crate::error::SourceError;

fn invalid<E: std::fmt::Display>(path: &str) -> impl FnOnce(E) -> SourceError + '_ {
    move |e| SourceError::InvalidParameter(format!("{path}: {e}"))
}

/// A number as the API's 32-bit `Integer`; one out of its range is an error naming `field`,
/// never clamped or dropped. (Routes check requests with the model's rules first, so this only
/// guards against a caller that did not.)
pub fn integer(value: i64, field: &str) -> Result<i32, SourceError> {
    i32::try_from(value).map_err(|_| {
        SourceError::InvalidInput(InputError::new(
            field,
            format!("Must be at most {}; it is {value}.", i32::MAX),
        ))
    })
}

/// `placementStrategy`.
pub fn strategies(strategies: &[PlacementStrategy]) -> Option<Vec<sdk::PlacementStrategy>> {
    (!strategies.is_empty()).then(|| {
        strategies
            .iter()
            .map(|s| {
                sdk::PlacementStrategy::builder()
                    .r#type(sdk::PlacementStrategyType::from(s.kind.as_str()))
                    .set_field(s.field.clone())
                    .build()
            })
            .collect()
    })
}

/// `placementConstraints`.
pub fn constraints(constraints: &[PlacementConstraint]) -> Option<Vec<sdk::PlacementConstraint>> {
    (!constraints.is_empty()).then(|| {
        constraints
            .iter()
            .map(|c| {
                sdk::PlacementConstraint::builder()
                    .r#type(sdk::PlacementConstraintType::from(c.kind.as_str()))
                    .set_expression(c.expression.clone())
                    .build()
            })
            .collect()
    })
}

/// `capacityProviderStrategy`.
pub fn capacity_providers(
    items: &[CapacityProviderStrategyItem],
) -> Result<Option<Vec<sdk::CapacityProviderStrategyItem>>, SourceError> {
    if items.is_empty() {
        return Ok(None);
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let field = |name: &str| format!("capacityProviderStrategy[{index}].{name}");
            sdk::CapacityProviderStrategyItem::builder()
                .capacity_provider(&item.capacity_provider)
                .weight(integer(item.weight, &field("weight"))?)
                .base(integer(item.base, &field("base"))?)
                .build()
                .map_err(invalid("capacityProviderStrategy"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `networkConfiguration`.
pub fn network(
    configuration: Option<&NetworkConfiguration>,
) -> Result<Option<sdk::NetworkConfiguration>, SourceError> {
    let Some(vpc) = configuration.and_then(|c| c.awsvpc_configuration.as_ref()) else {
        return Ok(None);
    };
    let awsvpc = sdk::AwsVpcConfiguration::builder()
        .set_subnets(Some(vpc.subnets.clone()))
        .set_security_groups(Some(vpc.security_groups.clone()).filter(|g| !g.is_empty()))
        .set_assign_public_ip(
            vpc.assign_public_ip
                .as_deref()
                .map(sdk::AssignPublicIp::from),
        )
        .build()
        .map_err(invalid("networkConfiguration.awsvpcConfiguration"))?;
    Ok(Some(
        sdk::NetworkConfiguration::builder()
            .awsvpc_configuration(awsvpc)
            .build(),
    ))
}

/// `loadBalancers`, each numbered in errors.
pub fn load_balancers(
    targets: &[LoadBalancer],
) -> Result<Option<Vec<sdk::LoadBalancer>>, SourceError> {
    let converted = targets
        .iter()
        .enumerate()
        .map(|(index, target)| {
            Ok(sdk::LoadBalancer::builder()
                .set_target_group_arn(target.target_group_arn.clone())
                .set_load_balancer_name(target.load_balancer_name.clone())
                .set_container_name(target.container_name.clone())
                .set_container_port(
                    target
                        .container_port
                        .map(|port| integer(port, &format!("loadBalancers[{index}].containerPort")))
                        .transpose()?,
                )
                .build())
        })
        .collect::<Result<Vec<_>, SourceError>>()?;
    Ok(Some(converted).filter(|c| !c.is_empty()))
}

/// `serviceRegistries`, each numbered in errors.
pub fn service_registries(
    registries: &[ServiceRegistry],
) -> Result<Option<Vec<sdk::ServiceRegistry>>, SourceError> {
    let converted = registries
        .iter()
        .enumerate()
        .map(|(index, registry)| {
            let port = |value: Option<i64>, field: &str| {
                value
                    .map(|port| integer(port, &format!("serviceRegistries[{index}].{field}")))
                    .transpose()
            };
            Ok(sdk::ServiceRegistry::builder()
                .set_registry_arn(registry.registry_arn.clone())
                .set_port(port(registry.port, "port")?)
                .set_container_name(registry.container_name.clone())
                .set_container_port(port(registry.container_port, "containerPort")?)
                .build())
        })
        .collect::<Result<Vec<_>, SourceError>>()?;
    Ok(Some(converted).filter(|c| !c.is_empty()))
}

/// `deploymentConfiguration`.
pub fn deployment(
    configuration: Option<&DeploymentConfiguration>,
) -> Result<Option<sdk::DeploymentConfiguration>, SourceError> {
    let Some(configuration) = configuration else {
        return Ok(None);
    };
    let breaker = configuration.deployment_circuit_breaker.map(|b| {
        sdk::DeploymentCircuitBreaker::builder()
            .enable(b.enable)
            .rollback(b.rollback)
            .build()
    });
    Ok(Some(
        sdk::DeploymentConfiguration::builder()
            .set_deployment_circuit_breaker(breaker)
            .set_maximum_percent(
                configuration
                    .maximum_percent
                    .map(|v| integer(v, "deploymentConfiguration.maximumPercent"))
                    .transpose()?,
            )
            .set_minimum_healthy_percent(
                configuration
                    .minimum_healthy_percent
                    .map(|v| integer(v, "deploymentConfiguration.minimumHealthyPercent"))
                    .transpose()?,
            )
            .build(),
    ))
}
