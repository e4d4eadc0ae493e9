//! How an ECS service scales, as Application Auto Scaling describes it, and the CloudWatch
//! utilization series of a service.
//!
//! ECS itself knows nothing of service auto scaling: a service's desired count is the
//! `ecs:service:DesiredCount` dimension of a *scalable target* in Application Auto Scaling,
//! whose resource id is `service/{cluster name}/{service name}`. The target carries the
//! bounds, its *scaling policies* (target tracking or step scaling) change the count within
//! them, and its *scheduled actions* move the bounds at set times. These are the shapes of
//! `DescribeScalableTargets`, `DescribeScalingPolicies` and `DescribeScheduledActions`
//! (AWS field names). The policy configurations here are also what the model's scaling
//! simulation (`berth_shared::ops::scaling`) takes, so a policy read from an account can be
//! replayed as it is.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The Application Auto Scaling namespace of ECS resources.
pub const ECS_NAMESPACE: &str = "ecs";
/// The scalable dimension of a service: its desired count.
pub const DESIRED_COUNT_DIMENSION: &str = "ecs:service:DesiredCount";

/// The Application Auto Scaling resource id of a service: `service/{cluster}/{service}`.
pub fn service_resource_id(cluster_name: &str, service_name: &str) -> String {
    format!("service/{cluster_name}/{service_name}")
}

/// The service name of an ECS resource id in `cluster_name`, or `None` when the id names
/// another cluster or is not a service.
pub fn service_of_resource_id<'a>(resource_id: &'a str, cluster_name: &str) -> Option<&'a str> {
    resource_id
        .strip_prefix("service/")?
        .strip_prefix(cluster_name)?
        .strip_prefix('/')
        .filter(|service| !service.is_empty() && !service.contains('/'))
}

/// Everything that scales one service. Services without a scalable target have none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceScaling {
    /// The service's name.
    pub service_name: String,
    /// Its scalable target (bounds and suspension flags).
    pub scalable_target: ScalableTarget,
    /// Its scaling policies, by name.
    #[serde(default)]
    pub scaling_policies: Vec<ScalingPolicy>,
    /// Its scheduled actions, by name.
    #[serde(default)]
    pub scheduled_actions: Vec<ScheduledAction>,
}

impl ServiceScaling {
    /// The value a target-tracking policy on `predefined_metric` (e.g.
    /// `ECSServiceAverageCPUUtilization`) holds, if the service has one.
    pub fn target_value(&self, predefined_metric: &str) -> Option<f64> {
        self.scaling_policies
            .iter()
            .filter_map(|p| p.target_tracking_scaling_policy_configuration.as_ref())
            .find(|c| {
                c.predefined_metric_specification
                    .as_ref()
                    .is_some_and(|s| s.predefined_metric_type == predefined_metric)
            })
            .map(|c| c.target_value)
    }
}

/// A scalable target as `DescribeScalableTargets` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTarget {
    /// `ecs` for services.
    pub service_namespace: String,
    /// `service/{cluster}/{service}`.
    pub resource_id: String,
    /// `ecs:service:DesiredCount` for services.
    pub scalable_dimension: String,
    /// Lowest desired count scaling may set.
    pub min_capacity: i64,
    /// Highest desired count scaling may set.
    pub max_capacity: i64,
    /// The role Application Auto Scaling acts with.
    #[serde(rename = "roleARN", default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Which kinds of scaling are switched off.
    #[serde(default)]
    pub suspended_state: SuspendedState,
    /// When the target was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
}

/// A scaling policy as `DescribeScalingPolicies` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingPolicy {
    /// Policy ARN.
    #[serde(rename = "policyARN")]
    pub policy_arn: String,
    /// Name, unique per scalable target.
    pub policy_name: String,
    /// The scalable target's resource id.
    pub resource_id: String,
    /// `TargetTrackingScaling` or `StepScaling` (or `PredictiveScaling`).
    pub policy_type: String,
    /// Target-tracking settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_tracking_scaling_policy_configuration: Option<TargetTrackingConfiguration>,
    /// Step-scaling settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_scaling_policy_configuration: Option<StepScalingConfiguration>,
    /// The CloudWatch alarms that invoke the policy.
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    /// When the policy was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
}

/// A CloudWatch alarm attached to a scaling policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alarm {
    /// Alarm name (target tracking creates `TargetTracking-…-AlarmHigh-…` and `…AlarmLow…`).
    pub alarm_name: String,
    /// Alarm ARN.
    #[serde(rename = "alarmARN")]
    pub alarm_arn: String,
}

/// A scheduled action as `DescribeScheduledActions` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledAction {
    /// Name, unique per scalable target.
    pub scheduled_action_name: String,
    /// Action ARN.
    #[serde(rename = "scheduledActionARN")]
    pub scheduled_action_arn: String,
    /// `at(…)`, `rate(…)` or `cron(…)`.
    pub schedule: String,
    /// IANA time zone of the schedule (UTC when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The scalable target's resource id.
    pub resource_id: String,
    /// Recurring schedules start here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    /// Recurring schedules stop here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    /// The bounds it sets.
    pub scalable_target_action: ScalableTargetAction,
    /// When the action was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<Timestamp>,
}

/// CloudWatch namespace of ECS service metrics.
pub const ECS_METRICS_NAMESPACE: &str = "AWS/ECS";
/// The utilization metrics a service page shows, as CloudWatch names them.
pub const SERVICE_METRICS: [&str; 2] = ["CPUUtilization", "MemoryUtilization"];
/// The statistics shown for each metric.
pub const SERVICE_STATISTICS: [&str; 2] = ["Average", "Maximum"];
/// Longest window of `GET …/metrics`, in minutes (one day).
pub const MAX_METRICS_MINUTES: i64 = 24 * 60;
/// Window when none is asked for, in minutes.
pub const DEFAULT_METRICS_MINUTES: i64 = 3 * 60;

/// `GET /api/clusters/{cluster}/services/{service}/metrics`: a service's CPU and memory
/// utilization (percent of what its tasks reserve) over a recent window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMetrics {
    /// Cluster name.
    pub cluster_name: String,
    /// Service name.
    pub service_name: String,
    /// Seconds each point aggregates.
    pub period_seconds: i64,
    /// Start of the window (inclusive).
    pub start_time: Timestamp,
    /// End of the window (exclusive).
    pub end_time: Timestamp,
    /// One series per metric and statistic, in the order of [`SERVICE_METRICS`] then
    /// [`SERVICE_STATISTICS`].
    pub series: Vec<MetricSeries>,
}

/// One metric statistic over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricSeries {
    /// `CPUUtilization` or `MemoryUtilization`.
    pub metric_name: String,
    /// `Average` or `Maximum`.
    pub statistic: String,
    /// `Percent`.
    pub unit: String,
    /// Points in time order; periods without data have no point.
    pub points: Vec<MetricDatum>,
}

/// One aggregated point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricDatum {
    /// Start of the period.
    pub timestamp: Timestamp,
    /// The statistic's value.
    pub value: f64,
}

/// The period CloudWatch aggregates a window into: one minute up to three hours, then
/// coarser so that a window never has more than 180 points per series.
pub fn metrics_period_seconds(minutes: i64) -> i64 {
    match minutes {
        ..=180 => 60,
        181..=900 => 300,
        _ => 600,
    }
}

/// The time range and period of a metrics request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsWindow {
    /// First period's start (inclusive).
    pub start: Timestamp,
    /// End (exclusive): the start of the current, still incomplete period.
    pub end: Timestamp,
    /// Seconds per point.
    pub period_seconds: i64,
}

impl MetricsWindow {
    /// The last `minutes` before `now`, aligned to whole periods so that successive reads
    /// return the same points.
    pub fn ending_at(now: Timestamp, minutes: i64) -> Self {
        let period_seconds = metrics_period_seconds(minutes);
        let period_ms = period_seconds * 1000;
        let end = now.0.div_euclid(period_ms) * period_ms;
        let periods = ((minutes * 60 + period_seconds - 1) / period_seconds).max(1);
        Self {
            start: Timestamp(end - periods * period_ms),
            end: Timestamp(end),
            period_seconds,
        }
    }

    /// The start of every period in the window.
    pub fn periods(&self) -> impl Iterator<Item = Timestamp> + use<> {
        let step = self.period_seconds * 1000;
        let start = self.start.0;
        let count = (self.end.0 - start) / step;
        (0..count).map(move |k| Timestamp(start + k * step))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_round_trip_and_reject_other_clusters() {
        let id = service_resource_id("prod", "web");
        assert_eq!(id, "service/prod/web");
        assert_eq!(service_of_resource_id(&id, "prod"), Some("web"));
        for (resource_id, cluster) in [
            ("service/prod/web", "pro"),
            ("service/prod-eu/web", "prod"),
            ("service/prod/", "prod"),
            ("table/prod/web", "prod"),
            ("service/prod/web/extra", "prod"),
        ] {
            assert_eq!(
                service_of_resource_id(resource_id, cluster),
                None,
                "{resource_id}"
            );
        }
    }

    #[test]
    fn periods_keep_series_short() {
        for minutes in [1, 60, 180, 181, 900, 901, MAX_METRICS_MINUTES] {
            let points = minutes * 60 / metrics_period_seconds(minutes);
            assert!(points <= 180, "{minutes} min gives {points} points");
        }
    }

    #[test]
    fn windows_are_aligned_to_whole_periods() {
        let now = Timestamp(1_700_000_123_456);
        let window = MetricsWindow::ending_at(now, 180);
        assert_eq!(window.period_seconds, 60);
        assert_eq!(window.end.0 % 60_000, 0);
        assert!(window.end <= now && now.0 - window.end.0 < 60_000);
        assert_eq!(window.periods().count(), 180);
        assert_eq!(window.periods().next(), Some(window.start));
        let day = MetricsWindow::ending_at(now, MAX_METRICS_MINUTES);
        assert_eq!(day.periods().count(), 144);
    }

    #[test]
    fn parses_what_application_auto_scaling_returns() {
        let policy: ScalingPolicy = serde_json::from_str(
            r#"{"policyARN":"arn:aws:autoscaling:us-east-1:1:scalingPolicy:x","policyName":"cpu60",
            "resourceId":"service/prod/web","policyType":"TargetTrackingScaling",
            "targetTrackingScalingPolicyConfiguration":{"targetValue":60.0,
              "predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"}},
            "alarms":[{"alarmName":"TargetTracking-service/prod/web-AlarmHigh-1","alarmARN":"arn:a"}]}"#,
        )
        .unwrap();
        assert_eq!(policy.alarms.len(), 1);
        assert_eq!(
            policy
                .target_tracking_scaling_policy_configuration
                .unwrap()
                .target_value,
            60.0
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Policy configurations, as Application Auto Scaling and the scaling simulation take them
// ---------------------------------------------------------------------------------------------

/// `SuspendedState` of a scalable target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuspendedState {
    /// No dynamic scale-in.
    #[serde(default)]
    pub dynamic_scaling_in_suspended: bool,
    /// No dynamic scale-out.
    #[serde(default)]
    pub dynamic_scaling_out_suspended: bool,
    /// No scheduled actions.
    #[serde(default)]
    pub scheduled_scaling_suspended: bool,
}

/// `TargetTrackingScalingPolicyConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetTrackingConfiguration {
    /// The metric value to hold.
    pub target_value: f64,
    /// Which metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predefined_metric_specification: Option<PredefinedMetricSpecification>,
    /// A CloudWatch metric of the account's own (read from accounts; not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customized_metric_specification: Option<CustomizedMetricSpecification>,
    /// Seconds after a scale-out (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_out_cooldown: Option<i64>,
    /// Seconds after a scale-in (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_in_cooldown: Option<i64>,
    /// Only scale out.
    #[serde(default)]
    pub disable_scale_in: bool,
}

/// `PredefinedMetricSpecification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PredefinedMetricSpecification {
    /// One of [`PREDEFINED_METRICS`].
    pub predefined_metric_type: String,
    /// Target group label, required for `ALBRequestCountPerTarget`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_label: Option<String>,
}

/// `CustomizedMetricSpecification` (the single-metric form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomizedMetricSpecification {
    /// Metric name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    /// Metric namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `Average`, `Maximum`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<String>,
    /// Unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// `StepScalingPolicyConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepScalingConfiguration {
    /// `ChangeInCapacity`, `ExactCapacity` or `PercentChangeInCapacity`.
    pub adjustment_type: String,
    /// The steps.
    pub step_adjustments: Vec<StepAdjustment>,
    /// Smallest change for `PercentChangeInCapacity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_adjustment_magnitude: Option<i64>,
    /// Seconds (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown: Option<i64>,
    /// `Minimum`, `Maximum` or `Average` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_aggregation_type: Option<String>,
}

/// `StepAdjustment`: bounds are offsets from the alarm threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepAdjustment {
    /// Lower bound (absent = −∞).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_interval_lower_bound: Option<f64>,
    /// Upper bound (absent = +∞).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_interval_upper_bound: Option<f64>,
    /// Tasks, percent, or the exact count, per the adjustment type.
    pub scaling_adjustment: i64,
}

/// New min and/or max of a scheduled action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTargetAction {
    /// New minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_capacity: Option<i64>,
    /// New maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<i64>,
}
