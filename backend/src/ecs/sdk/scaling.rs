//! Service auto scaling through `aws-sdk-applicationautoscaling`, for cluster snapshots.
//!
//! Calls, fewest first:
//! - `DescribeScalableTargets` in namespace `ecs`, dimension `ecs:service:DesiredCount`,
//!   filtered by the resource ids of the cluster's services, 50 ids per call (the page size,
//!   and a service has at most one target for the dimension), batches in flight together.
//!   No services, no call.
//! - Only when at least one target exists: `DescribeScalingPolicies` and
//!   `DescribeScheduledActions`, at the same time. With one target, each is filtered to its
//!   resource id; with several, each lists the region's `ecs` namespace (50 per page — AWS
//!   filters by one resource id only, so this is one call per 50 policies rather than one per
//!   target) and keeps what belongs to the cluster's targets.

use std::collections::{BTreeMap, HashSet};

use aws_sdk_applicationautoscaling::{
    Client,
    operation::RequestId,
    types::{self as sdk, ScalableDimension, ServiceNamespace},
};
use berth_shared::{
    api::{Mutation, ScalingBounds},
    autoscaling::{
        Alarm, DESIRED_COUNT_DIMENSION, ScalableTarget, ScalingPolicy, ScheduledAction,
        ServiceScaling, service_of_resource_id, service_resource_id,
    },
    ops::scaling::{
        CustomizedMetricSpecification, PredefinedMetricSpecification, ScalableTargetAction,
        StepAdjustment, StepScalingConfiguration, SuspendedState, TargetTrackingConfiguration,
    },
};

use super::{all_pages, describe_in_batches, from_sdk::time, map_sdk_error};
use crate::error::SourceError;

/// DescribeScalableTargets returns at most 50 targets per page.
const TARGETS_PER_CALL: usize = 50;
/// DescribeScalingPolicies and DescribeScheduledActions return at most 50 per page.
const PAGE_SIZE: i32 = 50;

/// The scaling of the services named `service_names` in `cluster_name`, by service name.
pub(super) async fn services_scaling(
    client: &Client,
    cluster_name: &str,
    service_names: &[String],
) -> Result<Vec<ServiceScaling>, SourceError> {
    let resource_ids: Vec<String> = service_names
        .iter()
        .map(|service| service_resource_id(cluster_name, service))
        .collect();
    let targets = describe_in_batches(&resource_ids, TARGETS_PER_CALL, |batch| {
        scalable_targets(client.clone(), batch)
    })
    .await?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let only = (targets.len() == 1).then(|| targets[0].resource_id.clone());
    let (policies, actions) = tokio::try_join!(
        scaling_policies(client, only.clone()),
        scheduled_actions(client, only),
    )?;
    Ok(assemble(cluster_name, targets, policies, actions))
}

/// Sets new bounds on the service's existing scalable target (RegisterScalableTarget updates a
/// target in place), and answers the target as it now is. A service without a target is
/// [`SourceError::NotFound`]: registering one here would need a role Berth does not choose.
pub(super) async fn register_bounds(
    client: &Client,
    cluster_name: &str,
    service_name: &str,
    bounds: ScalingBounds,
) -> Result<Mutation<ScalableTarget>, SourceError> {
    let resource_id = service_resource_id(cluster_name, service_name);
    let mut target = scalable_targets(client.clone(), vec![resource_id.clone()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| SourceError::NotFound {
            kind: "scalable target",
            name: resource_id.clone(),
        })?;
    let integer = |value: i64, field: &str| {
        i32::try_from(value).map_err(|_| {
            SourceError::InvalidInput(berth_shared::input::InputError::new(
                field,
                format!("{value} does not fit Application Auto Scaling's integers"),
            ))
        })
    };
    let output = client
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .resource_id(&resource_id)
        .min_capacity(integer(bounds.min_capacity, "scalableTarget.minCapacity")?)
        .max_capacity(integer(bounds.max_capacity, "scalableTarget.maxCapacity")?)
        .send()
        .await
        .map_err(|e| map_sdk_error("application-autoscaling:RegisterScalableTarget", &[], e))?;
    target.min_capacity = bounds.min_capacity;
    target.max_capacity = bounds.max_capacity;
    Ok(Mutation {
        resource: target,
        request_id: output.request_id().map(str::to_owned),
    })
}

/// Groups policies and actions under their targets, dropping those of other resources.
fn assemble(
    cluster_name: &str,
    targets: Vec<ScalableTarget>,
    policies: Vec<ScalingPolicy>,
    actions: Vec<ScheduledAction>,
) -> Vec<ServiceScaling> {
    let mut by_resource: BTreeMap<String, ServiceScaling> = targets
        .into_iter()
        .filter_map(|target| {
            let service = service_of_resource_id(&target.resource_id, cluster_name)?.to_owned();
            Some((
                target.resource_id.clone(),
                ServiceScaling {
                    service_name: service,
                    scalable_target: target,
                    scaling_policies: Vec::new(),
                    scheduled_actions: Vec::new(),
                },
            ))
        })
        .collect();
    for policy in policies {
        if let Some(scaling) = by_resource.get_mut(&policy.resource_id) {
            scaling.scaling_policies.push(policy);
        }
    }
    for action in actions {
        if let Some(scaling) = by_resource.get_mut(&action.resource_id) {
            scaling.scheduled_actions.push(action);
        }
    }
    let mut scaling: Vec<ServiceScaling> = by_resource.into_values().collect();
    for service in &mut scaling {
        service
            .scaling_policies
            .sort_by(|a, b| a.policy_name.cmp(&b.policy_name));
        service
            .scheduled_actions
            .sort_by(|a, b| a.scheduled_action_name.cmp(&b.scheduled_action_name));
    }
    scaling.sort_by(|a, b| a.service_name.cmp(&b.service_name));
    scaling
}

async fn scalable_targets(
    client: Client,
    resource_ids: Vec<String>,
) -> Result<Vec<ScalableTarget>, SourceError> {
    let wanted: HashSet<&str> = resource_ids.iter().map(String::as_str).collect();
    all_pages(|next_token| {
        let request = client
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Ecs)
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .set_resource_ids(Some(resource_ids.clone()))
            .max_results(PAGE_SIZE)
            .set_next_token(next_token);
        let wanted = &wanted;
        async move {
            let page = request.send().await.map_err(|e| {
                map_sdk_error("application-autoscaling:DescribeScalableTargets", &[], e)
            })?;
            let targets = page
                .scalable_targets()
                .iter()
                .filter(|t| wanted.contains(t.resource_id()))
                .map(scalable_target)
                .collect();
            Ok((targets, page.next_token().map(str::to_owned)))
        }
    })
    .await
}

async fn scaling_policies(
    client: &Client,
    resource_id: Option<String>,
) -> Result<Vec<ScalingPolicy>, SourceError> {
    all_pages(|next_token| {
        let request = client
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Ecs)
            .set_resource_id(resource_id.clone())
            .max_results(PAGE_SIZE)
            .set_next_token(next_token);
        async move {
            let page = request.send().await.map_err(|e| {
                map_sdk_error("application-autoscaling:DescribeScalingPolicies", &[], e)
            })?;
            let policies = page
                .scaling_policies()
                .iter()
                .filter(|p| p.scalable_dimension().as_str() == DESIRED_COUNT_DIMENSION)
                .map(scaling_policy)
                .collect();
            Ok((policies, page.next_token().map(str::to_owned)))
        }
    })
    .await
}

async fn scheduled_actions(
    client: &Client,
    resource_id: Option<String>,
) -> Result<Vec<ScheduledAction>, SourceError> {
    all_pages(|next_token| {
        let request = client
            .describe_scheduled_actions()
            .service_namespace(ServiceNamespace::Ecs)
            .set_resource_id(resource_id.clone())
            .max_results(PAGE_SIZE)
            .set_next_token(next_token);
        async move {
            let page = request.send().await.map_err(|e| {
                map_sdk_error("application-autoscaling:DescribeScheduledActions", &[], e)
            })?;
            let actions = page
                .scheduled_actions()
                .iter()
                .filter(|a| {
                    a.scalable_dimension()
                        .is_none_or(|d| d.as_str() == DESIRED_COUNT_DIMENSION)
                })
                .map(scheduled_action)
                .collect();
            Ok((actions, page.next_token().map(str::to_owned)))
        }
    })
    .await
}

fn scalable_target(target: &sdk::ScalableTarget) -> ScalableTarget {
    let suspended = target.suspended_state();
    ScalableTarget {
        service_namespace: target.service_namespace().as_str().to_owned(),
        resource_id: target.resource_id().to_owned(),
        scalable_dimension: target.scalable_dimension().as_str().to_owned(),
        min_capacity: i64::from(target.min_capacity()),
        max_capacity: i64::from(target.max_capacity()),
        role_arn: Some(target.role_arn().to_owned()).filter(|arn| !arn.is_empty()),
        suspended_state: SuspendedState {
            dynamic_scaling_in_suspended: suspended
                .and_then(sdk::SuspendedState::dynamic_scaling_in_suspended)
                .unwrap_or(false),
            dynamic_scaling_out_suspended: suspended
                .and_then(sdk::SuspendedState::dynamic_scaling_out_suspended)
                .unwrap_or(false),
            scheduled_scaling_suspended: suspended
                .and_then(sdk::SuspendedState::scheduled_scaling_suspended)
                .unwrap_or(false),
        },
        creation_time: time(Some(target.creation_time())),
    }
}

fn scaling_policy(policy: &sdk::ScalingPolicy) -> ScalingPolicy {
    ScalingPolicy {
        policy_arn: policy.policy_arn().to_owned(),
        policy_name: policy.policy_name().to_owned(),
        resource_id: policy.resource_id().to_owned(),
        policy_type: policy.policy_type().as_str().to_owned(),
        target_tracking_scaling_policy_configuration: policy
            .target_tracking_scaling_policy_configuration()
            .map(target_tracking),
        step_scaling_policy_configuration: policy
            .step_scaling_policy_configuration()
            .map(step_scaling),
        alarms: policy
            .alarms()
            .iter()
            .map(|alarm| Alarm {
                alarm_name: alarm.alarm_name().to_owned(),
                alarm_arn: alarm.alarm_arn().to_owned(),
            })
            .collect(),
        creation_time: time(Some(policy.creation_time())),
    }
}

fn target_tracking(
    config: &sdk::TargetTrackingScalingPolicyConfiguration,
) -> TargetTrackingConfiguration {
    TargetTrackingConfiguration {
        target_value: config.target_value(),
        predefined_metric_specification: config.predefined_metric_specification().map(|spec| {
            PredefinedMetricSpecification {
                predefined_metric_type: spec.predefined_metric_type().as_str().to_owned(),
                resource_label: spec.resource_label().map(str::to_owned),
            }
        }),
        customized_metric_specification: config.customized_metric_specification().map(|spec| {
            CustomizedMetricSpecification {
                metric_name: spec.metric_name().map(str::to_owned),
                namespace: spec.namespace().map(str::to_owned),
                statistic: spec.statistic().map(|s| s.as_str().to_owned()),
                unit: spec.unit().map(str::to_owned),
            }
        }),
        scale_out_cooldown: config.scale_out_cooldown().map(i64::from),
        scale_in_cooldown: config.scale_in_cooldown().map(i64::from),
        disable_scale_in: config.disable_scale_in().unwrap_or(false),
    }
}

fn step_scaling(config: &sdk::StepScalingPolicyConfiguration) -> StepScalingConfiguration {
    StepScalingConfiguration {
        adjustment_type: config
            .adjustment_type()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        step_adjustments: config
            .step_adjustments()
            .iter()
            .map(|step| StepAdjustment {
                metric_interval_lower_bound: step.metric_interval_lower_bound(),
                metric_interval_upper_bound: step.metric_interval_upper_bound(),
                scaling_adjustment: i64::from(step.scaling_adjustment()),
            })
            .collect(),
        min_adjustment_magnitude: config.min_adjustment_magnitude().map(i64::from),
        cooldown: config.cooldown().map(i64::from),
        metric_aggregation_type: config
            .metric_aggregation_type()
            .map(|t| t.as_str().to_owned()),
    }
}

fn scheduled_action(action: &sdk::ScheduledAction) -> ScheduledAction {
    let bounds = action.scalable_target_action();
    ScheduledAction {
        scheduled_action_name: action.scheduled_action_name().to_owned(),
        scheduled_action_arn: action.scheduled_action_arn().to_owned(),
        schedule: action.schedule().to_owned(),
        timezone: action.timezone().map(str::to_owned),
        resource_id: action.resource_id().to_owned(),
        start_time: time(action.start_time()),
        end_time: time(action.end_time()),
        scalable_target_action: ScalableTargetAction {
            min_capacity: bounds
                .and_then(sdk::ScalableTargetAction::min_capacity)
                .map(i64::from),
            max_capacity: bounds
                .and_then(sdk::ScalableTargetAction::max_capacity)
                .map(i64::from),
        },
        creation_time: time(Some(action.creation_time())),
    }
}

#[cfg(test)]
mod tests {
    use berth_shared::autoscaling::ECS_NAMESPACE;

    use super::*;

    fn target(resource_id: &str) -> ScalableTarget {
        ScalableTarget {
            service_namespace: ECS_NAMESPACE.to_owned(),
            resource_id: resource_id.to_owned(),
            scalable_dimension: DESIRED_COUNT_DIMENSION.to_owned(),
            min_capacity: 1,
            max_capacity: 4,
            role_arn: None,
            suspended_state: SuspendedState::default(),
            creation_time: None,
        }
    }

    fn policy(name: &str, resource_id: &str) -> ScalingPolicy {
        ScalingPolicy {
            policy_arn: format!("arn:{name}"),
            policy_name: name.to_owned(),
            resource_id: resource_id.to_owned(),
            policy_type: "TargetTrackingScaling".to_owned(),
            target_tracking_scaling_policy_configuration: None,
            step_scaling_policy_configuration: None,
            alarms: Vec::new(),
            creation_time: None,
        }
    }

    #[test]
    fn policies_of_other_clusters_are_left_out_and_each_target_gets_its_own() {
        let scaling = assemble(
            "prod",
            vec![target("service/prod/web"), target("service/prod/api")],
            vec![
                policy("cpu", "service/prod/web"),
                policy("memory", "service/prod/api"),
                policy("cpu", "service/staging/web"),
                policy("alpha", "service/prod/web"),
            ],
            Vec::new(),
        );
        let summary: Vec<(&str, Vec<&str>)> = scaling
            .iter()
            .map(|s| {
                (
                    s.service_name.as_str(),
                    s.scaling_policies
                        .iter()
                        .map(|p| p.policy_name.as_str())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![("api", vec!["memory"]), ("web", vec!["alpha", "cpu"])]
        );
    }
}
