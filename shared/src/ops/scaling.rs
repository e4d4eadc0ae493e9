//! Service auto scaling (Application Auto Scaling on `ecs:service:DesiredCount`): replays a
//! metric time series through target-tracking and step-scaling policies and scheduled
//! actions, minute by minute, and returns the desired count over time with the reason for
//! every change.
//!
//! Input shapes are those of `RegisterScalableTarget`, `PutScalingPolicy` and
//! `PutScheduledAction`, in camelCase. A step-scaling policy acts on a CloudWatch alarm that
//! AWS keeps outside the policy, so Berth takes it beside the policy as `alarm`.
//!
//! Rules (docs/ECS-MODEL.md §5), with Berth's choices where AWS documents no rule:
//! - **Time.** One step per minute from `startTime` to `endTime` (default: the last metric
//!   point). Each minute: the metrics are observed at the desired count in effect, then due
//!   scheduled actions fire, then the dynamic policies act.
//! - **Metrics.** `metrics[].values` maps a metric name (the predefined metric type, or the
//!   `metricName` of a step alarm) to the value at that minute. Utilization and requests per
//!   target are per-task averages, so by default a value observed with `taskCount` tasks
//!   (default: `initialDesiredCount`) is rescaled to the simulated count:
//!   `value × taskCount / desired`, i.e. the same total load spread over more or fewer
//!   tasks (MODEL). `metricsFollowTaskCount: false` uses the values as given. A missing point,
//!   or a service at 0 tasks, is missing data, and missing data never counts as breaching.
//! - **Target tracking** (MODEL; AWS does not publish the formula or the alarms): the high
//!   alarm fires when the last 3 one-minute points are all above the target, the low alarm when
//!   the last 15 are all below 90 % of it (the shapes observed for ECS services). Either way
//!   the new count is `ceil(desired × metric / target)` with the latest point, clamped to
//!   [min, max]; it scales out only if that is above the current count and in only if below.
//!   Several target-tracking policies: out if any wants out, in only if every one with
//!   scale-in enabled wants in; the largest resulting count wins. `disableScaleIn` removes the
//!   policy's scale-in half (and its vote).
//! - **Step scaling**: the alarm is in ALARM when at least `datapointsToAlarm` (default
//!   `evaluationPeriods`, default 1) of the last `evaluationPeriods` points breach; while it
//!   is, the policy is applied every minute. The step is chosen by `metric − threshold`: lower
//!   bound inclusive and upper exclusive for alarms above the threshold, the reverse for
//!   alarms below it. `PercentChangeInCapacity` rounds as docs/ECS-MODEL.md §5.4 says (> 1 down, (0, 1) to 1,
//!   (−1, 0) to −1, < −1 toward zero) and then applies `MinAdjustmentMagnitude`. With one
//!   point per minute every `metricAggregationType` gives the same value.
//! - **Cooldowns** (default 300 s; per scalable target, with the cooldown of the policy that
//!   acted): after a scale-in no dynamic scale-in happens until the cooldown ends; a scale-out
//!   cancels a running scale-in cooldown. During a scale-out cooldown a target-tracking policy
//!   scales out again only to a larger count (always the case for a new proposal), and a step
//!   policy adds only what its step asks for beyond the capacity the cooldown started from
//!   (previous +2, new step +3 ⇒ +1 more). Scheduled actions ignore cooldowns.
//! - **Several policies** in one minute: any scale-out wins over scale-in, the largest count
//!   among scale-outs; among scale-ins the one removing the fewest tasks.
//! - **Scheduled actions** set min and/or max; then a count below the new min rises to it and
//!   a count above the new max falls to it. Setting only a min above the current max raises the
//!   max along (and vice versa) (MODEL). Times are UTC; see [`super::cron`] for expressions.
//! - `suspendedState` flags switch off dynamic scale-in, dynamic scale-out or scheduled
//!   actions. A desired count outside [min, max] at the start is clamped first.
//! - **Deployments**: ECS suppresses dynamic scale-in while a deployment is in progress;
//!   `deployments` lists those windows (start and end inclusive). Scale-out and scheduled
//!   actions go on.
//! - Not modelled: custom metric specifications and the high-resolution metric types.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::cron::Schedule;
pub use crate::autoscaling::{
    CustomizedMetricSpecification, PredefinedMetricSpecification, ScalableTargetAction,
    StepAdjustment, StepScalingConfiguration, SuspendedState, TargetTrackingConfiguration,
};
use crate::input::InputError;
use crate::time::Timestamp;

/// Default cooldown of ECS service policies, in seconds.
pub const DEFAULT_COOLDOWN_SECONDS: i64 = 300;
/// Consecutive one-minute points above target that trigger a target-tracking scale-out.
pub const HIGH_ALARM_POINTS: usize = 3;
/// Consecutive one-minute points below the low threshold that trigger a scale-in.
pub const LOW_ALARM_POINTS: usize = 15;
/// The low alarm's threshold as a fraction of the target.
pub const LOW_ALARM_FRACTION: f64 = 0.9;
/// Longest simulation, in minutes (31 days).
pub const MAX_MINUTES: i64 = 31 * 24 * 60;
/// Predefined metric types Berth can simulate.
pub const PREDEFINED_METRICS: [&str; 3] = [
    "ECSServiceAverageCPUUtilization",
    "ECSServiceAverageMemoryUtilization",
    "ALBRequestCountPerTarget",
];

const MINUTE_MS: i64 = 60_000;

/// A scaling simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingInput {
    /// First simulated minute.
    pub start_time: Timestamp,
    /// Last simulated minute (default: the last metric point, or one hour without metrics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    /// The service's desired count at `startTime`.
    pub initial_desired_count: i64,
    /// `RegisterScalableTarget`'s bounds and suspension flags.
    pub scalable_target: ScalableTarget,
    /// `PutScalingPolicy` bodies.
    #[serde(default)]
    pub policies: Vec<ScalingPolicy>,
    /// `PutScheduledAction` bodies.
    #[serde(default)]
    pub scheduled_actions: Vec<ScheduledAction>,
    /// One point per minute (gaps are missing data), in time order.
    #[serde(default)]
    pub metrics: Vec<MetricPoint>,
    /// Whether per-task metrics are rescaled to the simulated task count (default true).
    #[serde(default = "yes")]
    pub metrics_follow_task_count: bool,
    /// ECS deployments in progress, during which dynamic scale-in is suppressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployments: Vec<DeploymentWindow>,
}

/// When an ECS deployment of the service was in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentWindow {
    /// Deployment start.
    pub start_time: Timestamp,
    /// Deployment end (reached steady state).
    pub end_time: Timestamp,
}

fn yes() -> bool {
    true
}

/// The scalable target: `ecs:service:DesiredCount` bounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTarget {
    /// Lowest desired count.
    pub min_capacity: i64,
    /// Highest desired count.
    pub max_capacity: i64,
    /// Suspension flags.
    #[serde(default)]
    pub suspended_state: SuspendedState,
}

/// A scaling policy as `PutScalingPolicy` takes it, plus the alarm of a step policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingPolicy {
    /// Name.
    pub policy_name: String,
    /// `TargetTrackingScaling` or `StepScaling`.
    pub policy_type: String,
    /// Target-tracking settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_tracking_scaling_policy_configuration: Option<TargetTrackingConfiguration>,
    /// Step-scaling settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_scaling_policy_configuration: Option<StepScalingConfiguration>,
    /// The CloudWatch alarm that invokes a step policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm: Option<StepAlarm>,
}

/// The CloudWatch alarm of a step policy (Berth's input; AWS keeps it in CloudWatch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepAlarm {
    /// Key of the metric in `metrics[].values`.
    pub metric_name: String,
    /// Alarm threshold.
    pub threshold: f64,
    /// `GreaterThanOrEqualToThreshold`, `GreaterThanThreshold`, `LessThanThreshold` or
    /// `LessThanOrEqualToThreshold`.
    pub comparison_operator: String,
    /// Points evaluated (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_periods: Option<i64>,
    /// Breaching points needed (default: all evaluated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i64>,
}

/// A scheduled action as `PutScheduledAction` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledAction {
    /// Name.
    pub scheduled_action_name: String,
    /// `at(…)`, `rate(…)` or `cron(…)`.
    pub schedule: String,
    /// IANA time zone; only UTC is modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Recurring schedules start here (and `rate` counts from here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    /// Recurring schedules stop here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    /// New bounds.
    pub scalable_target_action: ScalableTargetAction,
}

/// One minute of metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricPoint {
    /// The minute.
    pub timestamp: Timestamp,
    /// Tasks running when the values were observed (default: `initialDesiredCount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_count: Option<i64>,
    /// Metric name → value.
    pub values: BTreeMap<String, f64>,
}

/// What changed the desired count or bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeCause {
    /// A target-tracking policy.
    TargetTracking,
    /// A step-scaling policy.
    StepScaling,
    /// A scheduled action.
    ScheduledAction,
    /// The scalable target's bounds at the start.
    ScalableTarget,
}

/// One change of the desired count (or only of the bounds, for scheduled actions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingChange {
    /// When.
    pub timestamp: Timestamp,
    /// Desired count before.
    pub from: i64,
    /// Desired count after.
    pub to: i64,
    /// Bounds after.
    pub min_capacity: i64,
    /// Bounds after.
    pub max_capacity: i64,
    /// Kind of cause.
    pub cause: ChangeCause,
    /// Policy or scheduled action name.
    pub source: String,
    /// Why, in words, with the arithmetic.
    pub reason: String,
}

/// The state at the end of one simulated minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePoint {
    /// The minute.
    pub timestamp: Timestamp,
    /// Desired count.
    pub desired_count: i64,
    /// Minimum.
    pub min_capacity: i64,
    /// Maximum.
    pub max_capacity: i64,
}

/// The simulation's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingOutput {
    /// Every minute.
    pub timeline: Vec<TimelinePoint>,
    /// Every change, in order.
    pub changes: Vec<ScalingChange>,
    /// Desired count at the end.
    pub final_desired_count: i64,
}

/// A policy after checking, ready to evaluate.
#[derive(Debug)]
enum Rule<'a> {
    Target {
        config: &'a TargetTrackingConfiguration,
        metric: &'a str,
    },
    Step {
        config: &'a StepScalingConfiguration,
        alarm: &'a StepAlarm,
    },
}

/// A dynamic policy's proposal for this minute.
#[derive(Debug)]
struct Proposal {
    capacity: i64,
    policy: usize,
    cause: ChangeCause,
    reason: String,
}

/// Runs the simulation.
pub fn simulate_scaling(input: &ScalingInput) -> Result<ScalingOutput, InputError> {
    let rules = check_policies(&input.policies)?;
    let schedules = check_scheduled_actions(&input.scheduled_actions)?;
    let minutes = check_target_and_metrics(input)?;
    let target = &input.scalable_target;
    let suspended = target.suspended_state;

    let mut points_by_minute: Vec<Option<&MetricPoint>> = vec![None; minutes as usize + 1];
    for point in &input.metrics {
        let minute = (point.timestamp.0 - input.start_time.0).div_euclid(MINUTE_MS) as usize;
        if let Some(slot) = points_by_minute.get_mut(minute) {
            *slot = Some(point);
        }
    }
    let metric_names: BTreeSet<&str> = input
        .metrics
        .iter()
        .flat_map(|point| point.values.keys().map(String::as_str))
        .collect();
    let mut histories: BTreeMap<&str, Vec<Option<f64>>> = metric_names
        .iter()
        .map(|name| (*name, Vec::new()))
        .collect();

    let mut state = State {
        desired: input.initial_desired_count,
        min: target.min_capacity,
        max: target.max_capacity,
        changes: Vec::new(),
    };
    if !(state.min..=state.max).contains(&state.desired) {
        let from = state.desired;
        state.desired = from.clamp(state.min, state.max);
        state.record(
            input.start_time,
            from,
            ChangeCause::ScalableTarget,
            "scalableTarget",
            format!(
                "The desired count {from} is outside the scalable target's bounds [{}, {}].",
                state.min, state.max
            ),
        );
    }
    let mut scale_in_blocked_until: Option<Timestamp> = None;
    // (until, capacity before the scale-out that started it)
    let mut scale_out_cooldown: Option<(Timestamp, i64)> = None;
    let mut timeline = Vec::with_capacity(minutes as usize + 1);

    for minute in 0..=minutes {
        let now = Timestamp(input.start_time.0 + minute * MINUTE_MS);
        let point = points_by_minute[minute as usize];
        for (name, history) in &mut histories {
            let observed = point.and_then(|point| {
                let raw = *point.values.get(*name)?;
                if !input.metrics_follow_task_count {
                    return Some(raw);
                }
                let observed_with = point.task_count.unwrap_or(input.initial_desired_count) as f64;
                (state.desired > 0).then(|| raw * observed_with / state.desired as f64)
            });
            history.push(observed);
        }

        if !suspended.scheduled_scaling_suspended {
            for (action, schedule) in input.scheduled_actions.iter().zip(&schedules) {
                if fires(action, schedule, now, input.start_time) {
                    state.apply_scheduled(action, now);
                }
            }
        }

        let in_cooldown_out = scale_out_cooldown.filter(|(until, _)| now < *until);
        let proposals = propose(
            &rules,
            &histories,
            state.desired,
            in_cooldown_out.map(|c| c.1),
        );
        let (outs, ins): (Vec<Proposal>, Vec<Proposal>) = proposals
            .into_iter()
            .map(|mut proposal| {
                proposal.capacity = proposal.capacity.clamp(state.min, state.max);
                proposal
            })
            .filter(|proposal| proposal.capacity != state.desired)
            .partition(|proposal| proposal.capacity > state.desired);
        let deploying = input
            .deployments
            .iter()
            .any(|window| window.start_time <= now && now <= window.end_time);
        let scale_in_allowed =
            !deploying && scale_in_blocked_until.is_none_or(|until| now >= until);
        let chosen = if !outs.is_empty() && !suspended.dynamic_scaling_out_suspended {
            outs.into_iter().reduce(|best, next| {
                if next.capacity > best.capacity {
                    next
                } else {
                    best
                }
            })
        } else if scale_in_allowed && !suspended.dynamic_scaling_in_suspended {
            ins.into_iter().reduce(|best, next| {
                if next.capacity > best.capacity {
                    next
                } else {
                    best
                }
            })
        } else {
            None
        };
        if let Some(proposal) = chosen {
            let from = state.desired;
            let (out_cooldown, in_cooldown) = cooldowns(&rules[proposal.policy]);
            if proposal.capacity > from {
                let base = in_cooldown_out.map_or(from, |(_, base)| base);
                scale_out_cooldown = Some((Timestamp(now.0 + out_cooldown * 1000), base));
                scale_in_blocked_until = None;
            } else {
                scale_in_blocked_until = Some(Timestamp(now.0 + in_cooldown * 1000));
            }
            state.desired = proposal.capacity;
            state.record(
                now,
                from,
                proposal.cause,
                &input.policies[proposal.policy].policy_name,
                proposal.reason,
            );
        }
        timeline.push(TimelinePoint {
            timestamp: now,
            desired_count: state.desired,
            min_capacity: state.min,
            max_capacity: state.max,
        });
    }
    Ok(ScalingOutput {
        timeline,
        final_desired_count: state.desired,
        changes: state.changes,
    })
}

#[derive(Debug)]
struct State {
    desired: i64,
    min: i64,
    max: i64,
    changes: Vec<ScalingChange>,
}

impl State {
    fn record(
        &mut self,
        timestamp: Timestamp,
        from: i64,
        cause: ChangeCause,
        source: &str,
        reason: String,
    ) {
        self.changes.push(ScalingChange {
            timestamp,
            from,
            to: self.desired,
            min_capacity: self.min,
            max_capacity: self.max,
            cause,
            source: source.to_owned(),
            reason,
        });
    }

    fn apply_scheduled(&mut self, action: &ScheduledAction, now: Timestamp) {
        let bounds = action.scalable_target_action;
        let mut min = bounds.min_capacity.unwrap_or(self.min);
        let mut max = bounds.max_capacity.unwrap_or(self.max);
        if min > max {
            if bounds.min_capacity.is_some() {
                max = min;
            } else {
                min = max;
            }
        }
        let from = self.desired;
        self.min = min;
        self.max = max;
        self.desired = from.clamp(min, max);
        let effect = if self.desired > from {
            format!("; the desired count rises to the new minimum {min}")
        } else if self.desired < from {
            format!("; the desired count falls to the new maximum {max}")
        } else {
            String::new()
        };
        let reason = format!(
            "Scheduled action {:?} ({}) sets the bounds to [{min}, {max}]{effect}.",
            action.scheduled_action_name, action.schedule
        );
        self.record(
            now,
            from,
            ChangeCause::ScheduledAction,
            &action.scheduled_action_name,
            reason,
        );
    }
}

/// Whether a scheduled action fires in the minute starting at `now`.
fn fires(
    action: &ScheduledAction,
    schedule: &Schedule,
    now: Timestamp,
    simulation_start: Timestamp,
) -> bool {
    let within_bounds = action.start_time.is_none_or(|start| now >= start)
        && action.end_time.is_none_or(|end| now <= end);
    match schedule {
        Schedule::At(when) => *when <= now && when.0 > now.0 - MINUTE_MS,
        Schedule::Rate { minutes } => {
            let anchor = action.start_time.unwrap_or(simulation_start);
            let elapsed = now.0 - anchor.0;
            within_bounds && elapsed > 0 && elapsed % (minutes * MINUTE_MS) < MINUTE_MS
        }
        Schedule::Cron(cron) => within_bounds && cron.matches(now),
    }
}

/// (scale-out cooldown, scale-in cooldown) of a policy, in seconds.
fn cooldowns(rule: &Rule<'_>) -> (i64, i64) {
    match rule {
        Rule::Target { config, .. } => (
            config
                .scale_out_cooldown
                .unwrap_or(DEFAULT_COOLDOWN_SECONDS),
            config.scale_in_cooldown.unwrap_or(DEFAULT_COOLDOWN_SECONDS),
        ),
        Rule::Step { config, .. } => {
            let cooldown = config.cooldown.unwrap_or(DEFAULT_COOLDOWN_SECONDS);
            (cooldown, cooldown)
        }
    }
}

/// The last `count` points, if all are present.
fn last_points(history: &[Option<f64>], count: usize) -> Option<Vec<f64>> {
    if history.len() < count {
        return None;
    }
    history[history.len() - count..].iter().copied().collect()
}

/// Every policy's wish for this minute (unclamped). `cooldown_base` is the capacity a running
/// scale-out cooldown started from.
fn propose(
    rules: &[Rule<'_>],
    histories: &BTreeMap<&str, Vec<Option<f64>>>,
    desired: i64,
    cooldown_base: Option<i64>,
) -> Vec<Proposal> {
    let mut proposals = Vec::new();
    let mut target_ins = Vec::new();
    let mut every_target_wants_in = true;
    for (position, rule) in rules.iter().enumerate() {
        match rule {
            Rule::Target { config, metric } => {
                let history = histories.get(metric).map_or(&[][..], Vec::as_slice);
                let target = config.target_value;
                let proportional = |latest: f64| (desired as f64 * latest / target).ceil() as i64;
                if let Some(points) = last_points(history, HIGH_ALARM_POINTS)
                    && points.iter().all(|value| *value > target)
                {
                    let latest = points[points.len() - 1];
                    proposals.push(Proposal {
                        capacity: proportional(latest),
                        policy: position,
                        cause: ChangeCause::TargetTracking,
                        reason: format!(
                            "{metric} was above the target {} for {HIGH_ALARM_POINTS} minutes; ceil({desired} × {} / {}) = {}.",
                            number(target), number(latest), number(target), proportional(latest)
                        ),
                    });
                }
                if config.disable_scale_in {
                    continue;
                }
                let low = target * LOW_ALARM_FRACTION;
                match last_points(history, LOW_ALARM_POINTS) {
                    Some(points) if points.iter().all(|value| *value < low) => {
                        let latest = points[points.len() - 1];
                        target_ins.push(Proposal {
                            capacity: proportional(latest).min(desired),
                            policy: position,
                            cause: ChangeCause::TargetTracking,
                            reason: format!(
                                "{metric} was below {} (90 % of the target {}) for {LOW_ALARM_POINTS} minutes; ceil({desired} × {} / {}) = {}.",
                                number(low), number(target), number(latest), number(target), proportional(latest)
                            ),
                        });
                    }
                    _ => every_target_wants_in = false,
                }
            }
            Rule::Step { config, alarm } => {
                let history = histories
                    .get(alarm.metric_name.as_str())
                    .map_or(&[][..], Vec::as_slice);
                if let Some(proposal) =
                    step_proposal(config, alarm, history, desired, cooldown_base, position)
                {
                    proposals.push(proposal);
                }
            }
        }
    }
    if every_target_wants_in {
        proposals.extend(target_ins);
    }
    proposals
}

fn step_proposal(
    config: &StepScalingConfiguration,
    alarm: &StepAlarm,
    history: &[Option<f64>],
    desired: i64,
    cooldown_base: Option<i64>,
    policy: usize,
) -> Option<Proposal> {
    let periods = alarm.evaluation_periods.unwrap_or(1) as usize;
    let needed = alarm.datapoints_to_alarm.map_or(periods, |n| n as usize);
    let window = history.get(history.len().checked_sub(periods)?..)?;
    let above = alarm.comparison_operator.starts_with("Greater");
    let breaches = |value: f64| match alarm.comparison_operator.as_str() {
        "GreaterThanOrEqualToThreshold" => value >= alarm.threshold,
        "GreaterThanThreshold" => value > alarm.threshold,
        "LessThanThreshold" => value < alarm.threshold,
        _ => value <= alarm.threshold,
    };
    let breaching = window
        .iter()
        .flatten()
        .filter(|value| breaches(**value))
        .count();
    if breaching < needed {
        return None;
    }
    let latest = (*window.last()?)?;
    let offset = latest - alarm.threshold;
    let step = select_step(&config.step_adjustments, offset, above)?;
    let from_current = step_capacity(config, step, desired);
    // During a scale-out cooldown a step adds only what exceeds the cooldown's starting point.
    let capacity = match cooldown_base {
        Some(base) if from_current > desired => step_capacity(config, step, base).max(desired),
        _ => from_current,
    };
    Some(Proposal {
        capacity,
        policy,
        cause: ChangeCause::StepScaling,
        reason: format!(
            "Alarm on {} is breached: {} is {} {} the threshold {}, so the step {} applies {} {}.",
            alarm.metric_name,
            number(latest),
            number(offset.abs()),
            if offset >= 0.0 { "above" } else { "below" },
            number(alarm.threshold),
            describe_bounds(step),
            config.adjustment_type,
            step.scaling_adjustment
        ),
    })
}

/// The step whose interval holds `offset`.
fn select_step(steps: &[StepAdjustment], offset: f64, above: bool) -> Option<&StepAdjustment> {
    steps.iter().find(|step| {
        let lower = step
            .metric_interval_lower_bound
            .unwrap_or(f64::NEG_INFINITY);
        let upper = step.metric_interval_upper_bound.unwrap_or(f64::INFINITY);
        if above {
            lower <= offset && offset < upper
        } else {
            lower < offset && offset <= upper
        }
    })
}

/// The capacity a step asks for, from `current`.
pub fn step_capacity(
    config: &StepScalingConfiguration,
    step: &StepAdjustment,
    current: i64,
) -> i64 {
    match config.adjustment_type.as_str() {
        "ExactCapacity" => step.scaling_adjustment,
        "PercentChangeInCapacity" => {
            let mut change = percent_change(current, step.scaling_adjustment);
            if let Some(magnitude) = config.min_adjustment_magnitude
                && change != 0
                && change.abs() < magnitude
            {
                change = magnitude * change.signum();
            }
            current.saturating_add(change)
        }
        _ => current.saturating_add(step.scaling_adjustment),
    }
}

/// `percent` % of `current`, rounded as Application Auto Scaling does: above 1 down, between
/// 0 and 1 to 1, between −1 and 0 to −1, below −1 toward zero.
pub fn percent_change(current: i64, percent: i64) -> i64 {
    let hundredths = current.saturating_mul(percent);
    match hundredths {
        0 => 0,
        1..=99 => 1,
        -99..=-1 => -1,
        _ => hundredths / 100, // integer division truncates toward zero
    }
}

fn describe_bounds(step: &StepAdjustment) -> String {
    let lower = step
        .metric_interval_lower_bound
        .map_or("−∞".to_owned(), number);
    let upper = step
        .metric_interval_upper_bound
        .map_or("∞".to_owned(), number);
    format!("[{lower}, {upper})")
}

/// A number without a pointless fraction: 80 rather than 80.0, 8.33 rather than 8.333333.
fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}

fn check_policies(policies: &[ScalingPolicy]) -> Result<Vec<Rule<'_>>, InputError> {
    policies
        .iter()
        .enumerate()
        .map(|(position, policy)| {
            let path = format!("policies[{position}]");
            match policy.policy_type.as_str() {
                "TargetTrackingScaling" => {
                    let config_path = format!("{path}.targetTrackingScalingPolicyConfiguration");
                    let config = policy.target_tracking_scaling_policy_configuration.as_ref().ok_or_else(|| {
                        InputError::new(&config_path, "A TargetTrackingScaling policy needs this configuration.")
                    })?;
                    let metric = check_target_tracking(config, &config_path)?;
                    Ok(Rule::Target { config, metric })
                }
                "StepScaling" => {
                    let config_path = format!("{path}.stepScalingPolicyConfiguration");
                    let config = policy.step_scaling_policy_configuration.as_ref().ok_or_else(|| {
                        InputError::new(&config_path, "A StepScaling policy needs this configuration.")
                    })?;
                    check_step_scaling(config, &config_path)?;
                    let alarm = policy.alarm.as_ref().ok_or_else(|| {
                        InputError::new(
                            format!("{path}.alarm"),
                            "A step scaling policy acts on a CloudWatch alarm; describe it here (metricName, threshold, comparisonOperator).",
                        )
                    })?;
                    check_alarm(alarm, &format!("{path}.alarm"))?;
                    Ok(Rule::Step { config, alarm })
                }
                other => Err(InputError::new(
                    format!("{path}.policyType"),
                    format!("{other:?} is not a policy type; use \"TargetTrackingScaling\" or \"StepScaling\"."),
                )),
            }
        })
        .collect()
}

fn check_target_tracking<'a>(
    config: &'a TargetTrackingConfiguration,
    path: &str,
) -> Result<&'a str, InputError> {
    if !config.target_value.is_finite() || config.target_value <= 0.0 {
        return Err(InputError::new(
            format!("{path}.targetValue"),
            "The target value must be a number above 0.",
        ));
    }
    let spec_path = format!("{path}.predefinedMetricSpecification");
    let spec = config
        .predefined_metric_specification
        .as_ref()
        .ok_or_else(|| {
            InputError::new(
                &spec_path,
                "Berth simulates predefined metrics only; set predefinedMetricSpecification.",
            )
        })?;
    let metric = spec.predefined_metric_type.as_str();
    if !PREDEFINED_METRICS.contains(&metric) {
        return Err(InputError::new(
            format!("{spec_path}.predefinedMetricType"),
            format!(
                "{metric:?} is not an ECS service metric Berth simulates; use one of {}.",
                PREDEFINED_METRICS.join(", ")
            ),
        ));
    }
    if metric == "ALBRequestCountPerTarget"
        && spec.resource_label.as_deref().is_none_or(str::is_empty)
    {
        return Err(InputError::new(
            format!("{spec_path}.resourceLabel"),
            "ALBRequestCountPerTarget needs the target group's resourceLabel (app/<lb>/<id>/targetgroup/<tg>/<id>).",
        ));
    }
    for (value, key) in [
        (config.scale_out_cooldown, "scaleOutCooldown"),
        (config.scale_in_cooldown, "scaleInCooldown"),
    ] {
        if value.is_some_and(|seconds| seconds < 0) {
            return Err(InputError::new(
                format!("{path}.{key}"),
                "A cooldown cannot be negative.",
            ));
        }
    }
    Ok(metric)
}

/// Checks step adjustments as `PutScalingPolicy` does.
fn check_step_scaling(config: &StepScalingConfiguration, path: &str) -> Result<(), InputError> {
    let kind = config.adjustment_type.as_str();
    if ![
        "ChangeInCapacity",
        "ExactCapacity",
        "PercentChangeInCapacity",
    ]
    .contains(&kind)
    {
        return Err(InputError::new(
            format!("{path}.adjustmentType"),
            format!(
                "{kind:?} is not an adjustment type; use ChangeInCapacity, ExactCapacity or PercentChangeInCapacity."
            ),
        ));
    }
    if let Some(magnitude) = config.min_adjustment_magnitude {
        if kind != "PercentChangeInCapacity" {
            return Err(InputError::new(
                format!("{path}.minAdjustmentMagnitude"),
                "minAdjustmentMagnitude applies only to PercentChangeInCapacity.",
            ));
        }
        if magnitude < 1 {
            return Err(InputError::new(
                format!("{path}.minAdjustmentMagnitude"),
                "Must be at least 1.",
            ));
        }
    }
    if config.cooldown.is_some_and(|seconds| seconds < 0) {
        return Err(InputError::new(
            format!("{path}.cooldown"),
            "A cooldown cannot be negative.",
        ));
    }
    if let Some(aggregation) = &config.metric_aggregation_type
        && !["Minimum", "Maximum", "Average"].contains(&aggregation.as_str())
    {
        return Err(InputError::new(
            format!("{path}.metricAggregationType"),
            format!("{aggregation:?} is not an aggregation; use Minimum, Maximum or Average."),
        ));
    }
    let steps_path = format!("{path}.stepAdjustments");
    let steps = &config.step_adjustments;
    if steps.is_empty() {
        return Err(InputError::new(
            &steps_path,
            "At least one step adjustment is required.",
        ));
    }
    for (position, step) in steps.iter().enumerate() {
        let step_path = format!("{steps_path}[{position}]");
        let (lower, upper) = (
            step.metric_interval_lower_bound,
            step.metric_interval_upper_bound,
        );
        if lower.is_none() && upper.is_none() {
            return Err(InputError::new(
                &step_path,
                "A step cannot leave both bounds open.",
            ));
        }
        if let (Some(lower), Some(upper)) = (lower, upper)
            && upper <= lower
        {
            return Err(InputError::new(
                format!("{step_path}.metricIntervalUpperBound"),
                "The upper bound must be greater than the lower bound.",
            ));
        }
        if kind == "ExactCapacity" && step.scaling_adjustment < 0 {
            return Err(InputError::new(
                format!("{step_path}.scalingAdjustment"),
                "ExactCapacity adjustments cannot be negative.",
            ));
        }
    }
    for (bound, key, missing) in [
        (
            steps
                .iter()
                .filter(|s| s.metric_interval_lower_bound.is_none())
                .count(),
            "metricIntervalLowerBound",
            "lower",
        ),
        (
            steps
                .iter()
                .filter(|s| s.metric_interval_upper_bound.is_none())
                .count(),
            "metricIntervalUpperBound",
            "upper",
        ),
    ] {
        if bound > 1 {
            return Err(InputError::new(
                &steps_path,
                format!("Only one step may leave its {missing} bound ({key}) open."),
            ));
        }
    }
    let mut ordered: Vec<(usize, &StepAdjustment)> = steps.iter().enumerate().collect();
    ordered.sort_by(|a, b| {
        let key = |s: &StepAdjustment| s.metric_interval_lower_bound.unwrap_or(f64::NEG_INFINITY);
        key(a.1).total_cmp(&key(b.1))
    });
    for pair in ordered.windows(2) {
        let (_, previous) = pair[0];
        let (position, next) = pair[1];
        if previous.metric_interval_upper_bound != next.metric_interval_lower_bound {
            return Err(InputError::new(
                format!("{steps_path}[{position}].metricIntervalLowerBound"),
                "Step intervals must meet exactly: no gaps and no overlaps between neighbouring steps.",
            ));
        }
    }
    let has_open_lower = steps
        .iter()
        .any(|s| s.metric_interval_lower_bound.is_none());
    let has_open_upper = steps
        .iter()
        .any(|s| s.metric_interval_upper_bound.is_none());
    if steps
        .iter()
        .any(|s| s.metric_interval_lower_bound.is_some_and(|b| b < 0.0))
        && !has_open_lower
    {
        return Err(InputError::new(
            &steps_path,
            "A negative lower bound needs a step with an open lower bound below it.",
        ));
    }
    if steps
        .iter()
        .any(|s| s.metric_interval_upper_bound.is_some_and(|b| b > 0.0))
        && !has_open_upper
    {
        return Err(InputError::new(
            &steps_path,
            "A positive upper bound needs a step with an open upper bound above it.",
        ));
    }
    Ok(())
}

fn check_alarm(alarm: &StepAlarm, path: &str) -> Result<(), InputError> {
    const OPERATORS: [&str; 4] = [
        "GreaterThanOrEqualToThreshold",
        "GreaterThanThreshold",
        "LessThanThreshold",
        "LessThanOrEqualToThreshold",
    ];
    if !OPERATORS.contains(&alarm.comparison_operator.as_str()) {
        return Err(InputError::new(
            format!("{path}.comparisonOperator"),
            format!(
                "{:?} is not a comparison; use one of {}.",
                alarm.comparison_operator,
                OPERATORS.join(", ")
            ),
        ));
    }
    if !alarm.threshold.is_finite() {
        return Err(InputError::new(
            format!("{path}.threshold"),
            "The threshold must be a number.",
        ));
    }
    let periods = alarm.evaluation_periods.unwrap_or(1);
    if periods < 1 {
        return Err(InputError::new(
            format!("{path}.evaluationPeriods"),
            "Must be at least 1.",
        ));
    }
    if alarm
        .datapoints_to_alarm
        .is_some_and(|n| !(1..=periods).contains(&n))
    {
        return Err(InputError::new(
            format!("{path}.datapointsToAlarm"),
            format!("Must be between 1 and evaluationPeriods ({periods})."),
        ));
    }
    Ok(())
}

fn check_scheduled_actions(actions: &[ScheduledAction]) -> Result<Vec<Schedule>, InputError> {
    actions
        .iter()
        .enumerate()
        .map(|(position, action)| {
            let path = format!("scheduledActions[{position}]");
            if let Some(zone) = action.timezone.as_deref()
                && !["UTC", "Etc/UTC", "GMT", "Etc/GMT"].contains(&zone)
            {
                return Err(InputError::new(
                    format!("{path}.timezone"),
                    format!("Only UTC schedules are simulated; convert {zone:?} times to UTC."),
                ));
            }
            let bounds = action.scalable_target_action;
            let bounds_path = format!("{path}.scalableTargetAction");
            if bounds.min_capacity.is_none() && bounds.max_capacity.is_none() {
                return Err(InputError::new(
                    &bounds_path,
                    "Set minCapacity, maxCapacity or both.",
                ));
            }
            if bounds.min_capacity.is_some_and(|n| n < 0)
                || bounds.max_capacity.is_some_and(|n| n < 0)
            {
                return Err(InputError::new(
                    &bounds_path,
                    "Capacities cannot be negative.",
                ));
            }
            if let (Some(min), Some(max)) = (bounds.min_capacity, bounds.max_capacity)
                && min > max
            {
                return Err(InputError::new(
                    format!("{bounds_path}.maxCapacity"),
                    format!("maxCapacity ({max}) is below minCapacity ({min})."),
                ));
            }
            Schedule::parse(&action.schedule)
                .map_err(|message| InputError::new(format!("{path}.schedule"), message))
        })
        .collect()
}

/// Checks bounds and metrics; returns the number of minutes after the first.
fn check_target_and_metrics(input: &ScalingInput) -> Result<i64, InputError> {
    if let Some(position) = input
        .deployments
        .iter()
        .position(|window| window.end_time < window.start_time)
    {
        return Err(InputError::new(
            format!("deployments[{position}].endTime"),
            "A deployment cannot end before it starts.",
        ));
    }
    let target = &input.scalable_target;
    if target.min_capacity < 0 {
        return Err(InputError::new(
            "scalableTarget.minCapacity",
            "Cannot be negative.",
        ));
    }
    if target.max_capacity < target.min_capacity {
        return Err(InputError::new(
            "scalableTarget.maxCapacity",
            format!(
                "maxCapacity ({}) is below minCapacity ({}).",
                target.max_capacity, target.min_capacity
            ),
        ));
    }
    if input.initial_desired_count < 0 {
        return Err(InputError::new(
            "initialDesiredCount",
            "Cannot be negative.",
        ));
    }
    let mut previous = input.start_time;
    for (position, point) in input.metrics.iter().enumerate() {
        if point.timestamp < previous {
            return Err(InputError::new(
                format!("metrics[{position}].timestamp"),
                "Metric points must be in time order and not before startTime.",
            ));
        }
        previous = point.timestamp;
        if point.task_count.is_some_and(|n| n < 1) {
            return Err(InputError::new(
                format!("metrics[{position}].taskCount"),
                "Must be at least 1.",
            ));
        }
        if let Some((name, _)) = point.values.iter().find(|(_, value)| !value.is_finite()) {
            return Err(InputError::new(
                format!("metrics[{position}].values.{name}"),
                "Must be a number.",
            ));
        }
    }
    let end = input
        .end_time
        .or(input.metrics.last().map(|point| point.timestamp))
        .unwrap_or(Timestamp(input.start_time.0 + 60 * MINUTE_MS));
    if end < input.start_time {
        return Err(InputError::new("endTime", "endTime is before startTime."));
    }
    let minutes = (end.0 - input.start_time.0) / MINUTE_MS;
    if minutes > MAX_MINUTES {
        return Err(InputError::new(
            "endTime",
            format!("Berth simulates at most {MAX_MINUTES} minutes (31 days) at once."),
        ));
    }
    Ok(minutes)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const START: Timestamp = Timestamp(1_714_953_600_000); // 2024-05-06T00:00:00Z, a Monday

    fn minute(n: i64) -> Timestamp {
        Timestamp(START.0 + n * MINUTE_MS)
    }

    fn cpu_points(values: &[(f64, i64)]) -> Vec<MetricPoint> {
        values
            .iter()
            .enumerate()
            .map(|(n, (value, tasks))| MetricPoint {
                timestamp: minute(n as i64),
                task_count: Some(*tasks),
                values: BTreeMap::from([(PREDEFINED_METRICS[0].to_owned(), *value)]),
            })
            .collect()
    }

    fn target_tracking(name: &str, target: f64, disable_scale_in: bool) -> ScalingPolicy {
        ScalingPolicy {
            policy_name: name.to_owned(),
            policy_type: "TargetTrackingScaling".to_owned(),
            target_tracking_scaling_policy_configuration: Some(TargetTrackingConfiguration {
                target_value: target,
                predefined_metric_specification: Some(PredefinedMetricSpecification {
                    predefined_metric_type: PREDEFINED_METRICS[0].to_owned(),
                    resource_label: None,
                }),
                customized_metric_specification: None,
                scale_out_cooldown: None,
                scale_in_cooldown: None,
                disable_scale_in,
            }),
            step_scaling_policy_configuration: None,
            alarm: None,
        }
    }

    fn input(
        initial: i64,
        min: i64,
        max: i64,
        policies: Vec<ScalingPolicy>,
        metrics: Vec<MetricPoint>,
    ) -> ScalingInput {
        ScalingInput {
            start_time: START,
            end_time: None,
            initial_desired_count: initial,
            scalable_target: ScalableTarget {
                min_capacity: min,
                max_capacity: max,
                suspended_state: SuspendedState::default(),
            },
            policies,
            scheduled_actions: Vec::new(),
            metrics,
            metrics_follow_task_count: true,
            deployments: Vec::new(),
        }
    }

    fn counts(output: &ScalingOutput) -> Vec<(i64, i64, i64)> {
        output
            .changes
            .iter()
            .map(|c| ((c.timestamp.0 - START.0) / MINUTE_MS, c.from, c.to))
            .collect()
    }

    #[test]
    fn target_tracking_follows_the_spec_example() {
        // 4 tasks at 80 % for 3 min ⇒ 7; at 7 tasks the load rises to 60 % ⇒ 9 inside the
        // scale-out cooldown; then 15 min at 30 % (with 9 tasks) ⇒ 6, where 45 % is not below
        // the low threshold of 45 % and scaling stops.
        let mut values = vec![(80.0, 4); 3];
        values.push((50.0, 7));
        values.extend([(60.0, 7); 3]);
        values.extend([(30.0, 9); 25]);
        let output = simulate_scaling(&input(
            4,
            1,
            20,
            vec![target_tracking("cpu50", 50.0, false)],
            cpu_points(&values),
        ))
        .unwrap();
        assert_eq!(counts(&output), vec![(2, 4, 7), (6, 7, 9), (21, 9, 6)]);
        assert!(
            output.changes[0].reason.contains("ceil(4 × 80 / 50) = 7"),
            "{}",
            output.changes[0].reason
        );
        assert!(
            output.changes[2].reason.contains("ceil(9 × 30 / 50) = 6"),
            "{}",
            output.changes[2].reason
        );
        assert_eq!(output.final_desired_count, 6);
        assert_eq!(output.timeline.len(), values.len());
    }

    #[test]
    fn scale_in_waits_for_its_cooldown_and_respects_disable_scale_in() {
        // Load so low that every minute asks for fewer tasks: 10 % of a 50 % target.
        let values = vec![(10.0, 20); 40];
        let output = simulate_scaling(&input(
            20,
            1,
            20,
            vec![target_tracking("cpu50", 50.0, false)],
            cpu_points(&values),
        ))
        .unwrap();
        // 15 low minutes ⇒ ceil(20 × 0.2) = 4 at minute 14; at 4 tasks the metric reads 50 %.
        assert_eq!(counts(&output), vec![(14, 20, 4)]);

        let output = simulate_scaling(&input(
            20,
            1,
            20,
            vec![target_tracking("cpu50", 50.0, true)],
            cpu_points(&values),
        ))
        .unwrap();
        assert!(output.changes.is_empty());

        // Raw values (not following the task count): scale-in repeats only after 300 s.
        let mut raw = input(
            20,
            1,
            20,
            vec![target_tracking("cpu50", 50.0, false)],
            cpu_points(&[(40.0, 20); 40]),
        );
        raw.metrics_follow_task_count = false;
        let output = simulate_scaling(&raw).unwrap();
        assert_eq!(
            counts(&output),
            vec![
                (14, 20, 16),
                (19, 16, 13),
                (24, 13, 11),
                (29, 11, 9),
                (34, 9, 8),
                (39, 8, 7)
            ]
        );
    }

    #[test]
    fn no_scale_in_while_a_deployment_is_in_progress() {
        let values = vec![(10.0, 20); 40];
        let mut case = input(
            20,
            1,
            20,
            vec![target_tracking("cpu50", 50.0, false)],
            cpu_points(&values),
        );
        case.deployments = vec![DeploymentWindow {
            start_time: minute(10),
            end_time: minute(25),
        }];
        let output = simulate_scaling(&case).unwrap();
        // The low alarm is ready at minute 14 but the deployment runs until minute 25.
        assert_eq!(counts(&output), vec![(26, 20, 4)]);
        case.deployments[0].end_time = minute(5);
        assert_eq!(
            simulate_scaling(&case).unwrap_err().field,
            "deployments[0].endTime"
        );
    }

    #[test]
    fn several_target_tracking_policies_scale_in_only_together() {
        let mut memory_high = cpu_points(&[(10.0, 10); 20]);
        for point in &mut memory_high {
            point.values.insert(PREDEFINED_METRICS[1].to_owned(), 70.0);
        }
        let mut memory = target_tracking("memory75", 75.0, false);
        memory
            .target_tracking_scaling_policy_configuration
            .as_mut()
            .unwrap()
            .predefined_metric_specification
            .as_mut()
            .unwrap()
            .predefined_metric_type = PREDEFINED_METRICS[1].to_owned();
        let output = simulate_scaling(&input(
            10,
            1,
            20,
            vec![target_tracking("cpu50", 50.0, false), memory],
            memory_high,
        ))
        .unwrap();
        assert!(
            output.changes.is_empty(),
            "memory at 70 % of 75 % vetoes the scale-in"
        );
    }

    fn step_policy(
        name: &str,
        operator: &str,
        steps: &[(Option<f64>, Option<f64>, i64)],
    ) -> ScalingPolicy {
        ScalingPolicy {
            policy_name: name.to_owned(),
            policy_type: "StepScaling".to_owned(),
            target_tracking_scaling_policy_configuration: None,
            step_scaling_policy_configuration: Some(StepScalingConfiguration {
                adjustment_type: "PercentChangeInCapacity".to_owned(),
                step_adjustments: steps
                    .iter()
                    .map(|(lower, upper, adjustment)| StepAdjustment {
                        metric_interval_lower_bound: *lower,
                        metric_interval_upper_bound: *upper,
                        scaling_adjustment: *adjustment,
                    })
                    .collect(),
                min_adjustment_magnitude: None,
                cooldown: Some(0),
                metric_aggregation_type: None,
            }),
            alarm: Some(StepAlarm {
                metric_name: PREDEFINED_METRICS[0].to_owned(),
                threshold: 50.0,
                comparison_operator: operator.to_owned(),
                evaluation_periods: None,
                datapoints_to_alarm: None,
            }),
        }
    }

    fn spec_step_policies() -> Vec<ScalingPolicy> {
        vec![
            step_policy(
                "out",
                "GreaterThanOrEqualToThreshold",
                &[
                    (Some(0.0), Some(10.0), 0),
                    (Some(10.0), Some(20.0), 10),
                    (Some(20.0), None, 30),
                ],
            ),
            step_policy(
                "in",
                "LessThanOrEqualToThreshold",
                &[
                    (Some(-10.0), Some(0.0), 0),
                    (Some(-20.0), Some(-10.0), -10),
                    (None, Some(-20.0), -30),
                ],
            ),
        ]
    }

    #[test]
    fn step_scaling_follows_the_spec_example() {
        let mut case = input(
            10,
            1,
            100,
            spec_step_policies(),
            cpu_points(&[(60.0, 10), (70.0, 10), (40.0, 10), (30.0, 10)]),
        );
        case.metrics_follow_task_count = false;
        let output = simulate_scaling(&case).unwrap();
        assert_eq!(
            counts(&output),
            vec![(0, 10, 11), (1, 11, 14), (2, 14, 13), (3, 13, 10)]
        );
    }

    #[test]
    fn percent_rounding_and_min_adjustment_magnitude() {
        // (current, percent, change)
        for (current, percent, change) in [
            (10, 10, 1),
            (11, 30, 3),
            (14, -10, -1),
            (13, -30, -3),
            (4, 25, 1),
            (2, 10, 1),
            (2, -10, -1),
            (30, -22, -6),
            (10, 0, 0),
            (5, 20, 1),
            (5, -20, -1),
        ] {
            assert_eq!(
                percent_change(current, percent),
                change,
                "{percent} % of {current}"
            );
        }
        let config = StepScalingConfiguration {
            adjustment_type: "PercentChangeInCapacity".to_owned(),
            step_adjustments: Vec::new(),
            min_adjustment_magnitude: Some(2),
            cooldown: None,
            metric_aggregation_type: None,
        };
        let step = StepAdjustment {
            metric_interval_lower_bound: Some(0.0),
            metric_interval_upper_bound: None,
            scaling_adjustment: 25,
        };
        assert_eq!(
            step_capacity(&config, &step, 4),
            6,
            "+25 % of 4 = 1, raised to 2"
        );
    }

    #[test]
    fn step_scale_out_in_cooldown_adds_only_the_difference() {
        let mut policy = step_policy(
            "out",
            "GreaterThanThreshold",
            &[(Some(0.0), Some(20.0), 2), (Some(20.0), None, 3)],
        );
        let config = policy.step_scaling_policy_configuration.as_mut().unwrap();
        config.adjustment_type = "ChangeInCapacity".to_owned();
        config.cooldown = Some(300);
        let mut case = input(
            10,
            1,
            100,
            vec![policy],
            cpu_points(&[
                (60.0, 10),
                (60.0, 10),
                (80.0, 10),
                (80.0, 10),
                (40.0, 10),
                (40.0, 10),
                (40.0, 10),
                (80.0, 10),
            ]),
        );
        case.metrics_follow_task_count = false;
        let output = simulate_scaling(&case).unwrap();
        // +2 ⇒ 12; a +3 step during the cooldown ⇒ 13 only; after the cooldown +3 again ⇒ 16.
        assert_eq!(counts(&output), vec![(0, 10, 12), (2, 12, 13), (7, 13, 16)]);
    }

    #[test]
    fn scheduled_actions_move_the_bounds_and_ignore_cooldowns() {
        let mut case = input(2, 1, 10, Vec::new(), Vec::new());
        case.end_time = Some(Timestamp(START.0 + 2 * 24 * 60 * MINUTE_MS));
        let action =
            |name: &str, schedule: &str, min: Option<i64>, max: Option<i64>| ScheduledAction {
                scheduled_action_name: name.to_owned(),
                schedule: schedule.to_owned(),
                timezone: None,
                start_time: None,
                end_time: None,
                scalable_target_action: ScalableTargetAction {
                    min_capacity: min,
                    max_capacity: max,
                },
            };
        case.scheduled_actions = vec![
            action("morning", "cron(0 9 ? * MON-FRI *)", Some(5), None),
            action("evening", "cron(0 18 ? * MON-FRI *)", Some(1), Some(3)),
            action("once", "at(2024-05-07T12:30:00)", Some(12), None),
        ];
        let output = simulate_scaling(&case).unwrap();
        let day = 24 * 60;
        assert_eq!(
            counts(&output),
            vec![
                (9 * 60, 2, 5),
                (18 * 60, 5, 3),
                (day + 9 * 60, 3, 5),
                (day + 12 * 60 + 30, 5, 12),
                (day + 18 * 60, 12, 3)
            ]
        );
        let once = &output.changes[3];
        assert_eq!(
            (once.min_capacity, once.max_capacity),
            (12, 12),
            "a minimum above the maximum raises it"
        );
        let rate = ScalingInput {
            scheduled_actions: vec![action("tick", "rate(30 minutes)", None, Some(1))],
            end_time: Some(minute(90)),
            ..input(2, 1, 10, Vec::new(), Vec::new())
        };
        let output = simulate_scaling(&rate).unwrap();
        let times: Vec<i64> = output
            .changes
            .iter()
            .map(|c| (c.timestamp.0 - START.0) / MINUTE_MS)
            .collect();
        assert_eq!(times, vec![30, 60, 90]);
    }

    #[test]
    fn bad_input_names_its_field() {
        let mut bad_target = target_tracking("t", 0.0, false);
        let cases: Vec<(ScalingInput, &str)> = vec![
            (
                input(2, 5, 1, Vec::new(), Vec::new()),
                "scalableTarget.maxCapacity",
            ),
            (
                input(2, 1, 5, vec![bad_target.clone()], Vec::new()),
                "policies[0].targetTrackingScalingPolicyConfiguration.targetValue",
            ),
            (
                input(
                    2,
                    1,
                    5,
                    vec![step_policy("s", "Above", &[(Some(0.0), None, 1)])],
                    Vec::new(),
                ),
                "policies[0].alarm.comparisonOperator",
            ),
            (
                input(
                    2,
                    1,
                    5,
                    vec![step_policy(
                        "s",
                        "GreaterThanThreshold",
                        &[(Some(0.0), Some(10.0), 1), (Some(20.0), None, 2)],
                    )],
                    Vec::new(),
                ),
                "policies[0].stepScalingPolicyConfiguration.stepAdjustments[1].metricIntervalLowerBound",
            ),
            (
                input(
                    2,
                    1,
                    5,
                    vec![step_policy(
                        "s",
                        "GreaterThanThreshold",
                        &[(Some(0.0), Some(10.0), 1)],
                    )],
                    Vec::new(),
                ),
                "policies[0].stepScalingPolicyConfiguration.stepAdjustments",
            ),
            (
                input(
                    2,
                    1,
                    5,
                    vec![step_policy("s", "GreaterThanThreshold", &[(None, None, 1)])],
                    Vec::new(),
                ),
                "policies[0].stepScalingPolicyConfiguration.stepAdjustments[0]",
            ),
        ];
        for (case, field) in cases {
            assert_eq!(simulate_scaling(&case).unwrap_err().field, field);
        }
        bad_target
            .target_tracking_scaling_policy_configuration
            .as_mut()
            .unwrap()
            .target_value = 50.0;
        bad_target.policy_type = "Predictive".to_owned();
        assert_eq!(
            simulate_scaling(&input(2, 1, 5, vec![bad_target], Vec::new()))
                .unwrap_err()
                .field,
            "policies[0].policyType"
        );
        let json = r#"{"startTime": "2024-05-06T00:00:00Z", "initialDesiredCount": 2,
            "scalableTarget": {"minCapacity": 1, "maxCapacity": 4},
            "scheduledActions": [{"scheduledActionName": "x", "schedule": "cron(0 9 * * MON *)",
                                  "scalableTargetAction": {"minCapacity": 2}}]}"#;
        let case: ScalingInput = crate::input::from_json(json).unwrap();
        assert_eq!(
            simulate_scaling(&case).unwrap_err().field,
            "scheduledActions[0].schedule"
        );
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn desired_stays_within_bounds_and_cooldowns_hold(
            values in prop::collection::vec(0.0f64..150.0, 1..90),
            initial in 0i64..30,
            min in 0i64..5,
            span in 0i64..20,
            cooldown in 0i64..600,
            follow in any::<bool>(),
            disable_scale_in in any::<bool>(),
            with_steps in any::<bool>(),
        ) {
            let mut policy = target_tracking("cpu", 50.0, disable_scale_in);
            policy.target_tracking_scaling_policy_configuration.as_mut().unwrap().scale_in_cooldown = Some(cooldown);
            let mut policies = vec![policy];
            if with_steps && !disable_scale_in {
                policies.extend(spec_step_policies());
                for step in &mut policies[1..] {
                    step.step_scaling_policy_configuration.as_mut().unwrap().cooldown = Some(cooldown);
                }
            }
            let points: Vec<(f64, i64)> = values.iter().map(|v| (*v, initial.max(1))).collect();
            let mut case = input(initial, min, min + span, policies, cpu_points(&points));
            case.metrics_follow_task_count = follow;
            let output = simulate_scaling(&case).unwrap();
            for point in &output.timeline {
                prop_assert!(point.min_capacity <= point.desired_count && point.desired_count <= point.max_capacity);
            }
            let mut last_scale_in: Option<Timestamp> = None;
            for change in output.changes.iter().filter(|c| c.cause != ChangeCause::ScalableTarget) {
                if change.to > change.from {
                    last_scale_in = None; // a scale-out cancels the scale-in cooldown
                } else if change.to < change.from {
                    prop_assert!(!disable_scale_in, "scale-in with disableScaleIn: {:?}", change);
                    if let Some(previous) = last_scale_in {
                        prop_assert!(change.timestamp.0 - previous.0 >= cooldown * 1000, "{:?}", change);
                    }
                    last_scale_in = Some(change.timestamp);
                }
            }
        }
    }
}
