//! Cluster auto scaling with an Auto Scaling group capacity provider: replays a service's
//! task demand minute by minute and returns the instance count and the
//! `CapacityProviderReservation` (CPR) metric over time, with the reason for every scaling
//! action.
//!
//! Input shapes follow `CreateCapacityProvider` (`autoScalingGroupProvider.managedScaling`,
//! `managedTerminationProtection`). Capacity is a simple single-type model: every instance
//! offers `cpu` units and `memory` MiB (defaults from the instance type in
//! [`super::pricing`], whose memory is the marketing figure — an agent registers a little
//! less, so pass `memory` for exact numbers), and every task needs `cpu` and `memory`.
//! An instance holds `min(⌊instance cpu / task cpu⌋, ⌊instance memory / task memory⌋)` tasks.
//! (The full placement engine in [`crate::placement`] is not used here: one task shape on one
//! instance type makes the binpack estimate exact.)
//!
//! Rules (docs/ECS-MODEL.md §6.1–6.2), with the choices Berth makes where AWS is silent:
//! - **CPR** `= M / N × 100`; N = instances in the group (launching ones included); M = busy
//!   instances (running ≥ 1 task) + instances needed for the PROVISIONING tasks,
//!   `ceil(provisioning / tasks per instance)`. N = 0: CPR 100 when M = 0, 200 when M > 0.
//!   A task too large for the instance type is never counted (CPR stays put, nothing scales)
//!   and each minute reports it as unplaceable.
//! - **Scale-out** when CPR > `targetCapacity` in a minute (MODEL: a one-datapoint alarm) and
//!   every instance is past `instanceWarmupPeriod`: the group's desired count becomes
//!   `ceil(max(N, 1) × CPR / targetCapacity)` (target tracking treats 0 instances as 1, so
//!   scaling from zero launches 2), and the step is raised to `minimumScalingStepSize` and cut
//!   to `maximumScalingStepSize` (step sizes apply to scale-out only, current docs), then to
//!   the group's `maxSize`.
//! - **Scale-in** after 15 consecutive minutes with CPR < `targetCapacity`: desired
//!   `ceil(N × peak / targetCapacity)` where peak is the highest CPR of those 15 minutes
//!   (MODEL: scale in gradually, never below what the window needed), at least `minSize`; the
//!   low window then starts over.
//!   With managed termination protection only empty instances are terminated (newest
//!   first); without it the group's default termination policy picks victims — MODEL: oldest
//!   first, whatever runs on them — and their tasks go back to PROVISIONING
//!   (`tasksInterrupted`).
//! - **Instances** accept tasks `instanceStartupSeconds` (default 60) after launch. Tasks are
//!   placed binpack-style (fullest instance with room first); when demand drops, tasks are
//!   removed from the least-loaded instance first, the newest among equals (the reverse of
//!   binpack, §4.7), which empties instances for scale-in.
//! - `managedScaling.status: DISABLED` reports CPR but never scales. Daemon tasks, multiple
//!   instance types and multiple services are not modelled.

use serde::{Deserialize, Serialize};

use super::pricing;
use super::size::UNITS_PER_VCPU;
use crate::input::InputError;
use crate::time::Timestamp;

/// Consecutive minutes below target before a scale-in.
pub const SCALE_IN_MINUTES: usize = 15;
/// Longest simulation, in minutes (7 days).
pub const MAX_MINUTES: i64 = 7 * 24 * 60;
/// Most instances a simulated group may hold.
pub const MAX_INSTANCES: i64 = 10_000;
/// Most tasks the simulated service may ask for.
pub const MAX_TASKS: i64 = 1_000_000;

const MINUTE_MS: i64 = 60_000;

/// A cluster auto scaling simulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityInput {
    /// First simulated minute.
    pub start_time: Timestamp,
    /// Last simulated minute (default: 60 minutes after the last demand change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    /// The capacity provider, as `CreateCapacityProvider` takes it.
    pub capacity_provider: CapacityProvider,
    /// The Auto Scaling group behind it.
    pub auto_scaling_group: AutoScalingGroup,
    /// What one instance offers.
    pub instance: InstanceShape,
    /// What one task needs.
    pub task: TaskShape,
    /// The service's desired count over time: each entry holds until the next.
    pub demand: Vec<DemandPoint>,
    /// Seconds from launch until an instance accepts tasks (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_startup_seconds: Option<i64>,
}

/// `CreateCapacityProvider` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityProvider {
    /// Name.
    pub name: String,
    /// The Auto Scaling group settings.
    pub auto_scaling_group_provider: AutoScalingGroupProvider,
}

/// `AutoScalingGroupProvider`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoScalingGroupProvider {
    /// The group's ARN (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_group_arn: Option<String>,
    /// Managed scaling settings.
    #[serde(default)]
    pub managed_scaling: ManagedScaling,
    /// `ENABLED` or `DISABLED` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_termination_protection: Option<String>,
}

/// `ManagedScaling`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedScaling {
    /// `ENABLED` (default here) or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Target CPR, 1–100 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_capacity: Option<i64>,
    /// Fewest instances per scale-out, 1–10000 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_scaling_step_size: Option<i64>,
    /// Most instances per scale-out, 1–10000 (default 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_scaling_step_size: Option<i64>,
    /// Seconds before a new instance counts, 0–10000 (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_warmup_period: Option<i64>,
}

/// The Auto Scaling group's size limits and starting size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoScalingGroup {
    /// `MinSize`.
    pub min_size: i64,
    /// `MaxSize`.
    pub max_size: i64,
    /// Instances at the start (default `minSize`), already running and warm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_capacity: Option<i64>,
}

/// What one instance offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceShape {
    /// EC2 instance type; supplies `cpu` and `memory` when they are omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// CPU units (1 vCPU = 1024).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<i64>,
    /// Memory in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
}

/// What one task needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskShape {
    /// CPU units (0 = none reserved).
    #[serde(default)]
    pub cpu: i64,
    /// Memory in MiB.
    pub memory: i64,
}

/// The desired task count from a moment on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemandPoint {
    /// From when.
    pub timestamp: Timestamp,
    /// Desired tasks.
    pub desired_tasks: i64,
}

/// The cluster at the end of one minute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityPoint {
    /// The minute.
    pub timestamp: Timestamp,
    /// N: instances in the group, launching ones included.
    pub instances: i64,
    /// Instances that accept tasks.
    pub registered_instances: i64,
    /// Instances running at least one task.
    pub busy_instances: i64,
    /// M: instances needed.
    pub required_instances: i64,
    /// CapacityProviderReservation, percent.
    pub capacity_provider_reservation: f64,
    /// Desired tasks.
    pub desired_tasks: i64,
    /// Running tasks.
    pub running_tasks: i64,
    /// Tasks waiting for capacity.
    pub provisioning_tasks: i64,
}

/// A change of the group's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityChange {
    /// When.
    pub timestamp: Timestamp,
    /// Instances before.
    pub from: i64,
    /// Instances after.
    pub to: i64,
    /// Tasks stopped because their instance was terminated.
    pub tasks_interrupted: i64,
    /// Why, with the arithmetic.
    pub reason: String,
}

/// The simulation's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityOutput {
    /// Tasks one instance holds.
    pub tasks_per_instance: i64,
    /// Every minute.
    pub timeline: Vec<CapacityPoint>,
    /// Every scaling action.
    pub changes: Vec<CapacityChange>,
    /// Instances at the end.
    pub final_instances: i64,
}

/// `ceil(max(N, 1) × CPR / target)`: the group size target tracking asks for.
pub fn desired_instances(instances: i64, reservation: f64, target_capacity: i64) -> i64 {
    (instances.max(1) as f64 * reservation / target_capacity as f64 - 1e-9).ceil() as i64
}

/// CapacityProviderReservation for M required of N instances.
pub fn capacity_provider_reservation(required: i64, instances: i64) -> f64 {
    match (required, instances) {
        (0, 0) => 100.0,
        (_, 0) => 200.0,
        _ => required as f64 / instances as f64 * 100.0,
    }
}

#[derive(Debug, Clone, Copy)]
struct Instance {
    launched_at: Timestamp,
    tasks: i64,
}

#[derive(Debug)]
struct Settings {
    enabled: bool,
    target: i64,
    min_step: i64,
    max_step: i64,
    warmup_ms: i64,
    protected: bool,
    startup_ms: i64,
    per_instance: i64,
}

/// Runs the simulation.
pub fn simulate_capacity(input: &CapacityInput) -> Result<CapacityOutput, InputError> {
    let settings = check(input)?;
    let group = input.auto_scaling_group;
    let last_demand = input
        .demand
        .last()
        .map_or(input.start_time, |point| point.timestamp);
    let end = input
        .end_time
        .unwrap_or(Timestamp(last_demand.0 + 60 * MINUTE_MS));
    if end < input.start_time {
        return Err(InputError::new("endTime", "endTime is before startTime."));
    }
    let minutes = (end.0 - input.start_time.0) / MINUTE_MS;
    if minutes > MAX_MINUTES {
        return Err(InputError::new(
            "endTime",
            format!("Berth simulates at most {MAX_MINUTES} minutes (7 days) at once."),
        ));
    }
    let warm_start = Timestamp(input.start_time.0 - settings.warmup_ms.max(settings.startup_ms));
    let mut instances: Vec<Instance> = (0..group.desired_capacity.unwrap_or(group.min_size))
        .map(|_| Instance {
            launched_at: warm_start,
            tasks: 0,
        })
        .collect();
    let mut low_minutes = 0;
    // The highest CPR of the current low window: scale-in sizes for it, so it removes less.
    let mut low_window_peak: f64 = 0.0;
    let mut timeline = Vec::with_capacity(minutes as usize + 1);
    let mut changes = Vec::new();

    for minute in 0..=minutes {
        let now = Timestamp(input.start_time.0 + minute * MINUTE_MS);
        let desired_tasks = input
            .demand
            .iter()
            .take_while(|point| point.timestamp <= now)
            .last()
            .map_or(0, |point| point.desired_tasks);
        let registered =
            |instance: &Instance| now.0 - instance.launched_at.0 >= settings.startup_ms;
        settle_tasks(
            &mut instances,
            desired_tasks,
            settings.per_instance,
            registered,
        );

        let running: i64 = instances.iter().map(|i| i.tasks).sum();
        let provisioning = desired_tasks - running;
        let busy = instances.iter().filter(|i| i.tasks > 0).count() as i64;
        let extra = if settings.per_instance > 0 {
            ceil_div(provisioning, settings.per_instance)
        } else {
            0
        };
        let required = busy + extra;
        let count = instances.len() as i64;
        let reservation = capacity_provider_reservation(required, count);
        timeline.push(CapacityPoint {
            timestamp: now,
            instances: count,
            registered_instances: instances.iter().filter(|i| registered(i)).count() as i64,
            busy_instances: busy,
            required_instances: required,
            capacity_provider_reservation: (reservation * 100.0).round() / 100.0,
            desired_tasks,
            running_tasks: running,
            provisioning_tasks: provisioning,
        });
        if !settings.enabled {
            continue;
        }
        let target = settings.target as f64;
        if reservation < target {
            low_minutes += 1;
            low_window_peak = low_window_peak.max(reservation);
        } else {
            low_minutes = 0;
            low_window_peak = 0.0;
        }
        let all_warm = instances
            .iter()
            .all(|i| now.0 - i.launched_at.0 >= settings.warmup_ms);
        if reservation > target && all_warm {
            let wanted = desired_instances(count, reservation, settings.target);
            let step = (wanted - count).clamp(settings.min_step, settings.max_step);
            let to = (count + step).min(group.max_size);
            if to > count {
                instances.extend((count..to).map(|_| Instance {
                    launched_at: now,
                    tasks: 0,
                }));
                let mut reason = format!(
                    "CPR {}% > target {}%: ceil({} × {} / {}) = {wanted} instances",
                    number(reservation),
                    settings.target,
                    count.max(1),
                    number(reservation),
                    settings.target
                );
                if to - count != wanted - count {
                    reason.push_str(&format!(
                        "; step limited by minimumScalingStepSize {}, maximumScalingStepSize {} and maxSize {}",
                        settings.min_step, settings.max_step, group.max_size
                    ));
                }
                reason.push('.');
                changes.push(CapacityChange {
                    timestamp: now,
                    from: count,
                    to,
                    tasks_interrupted: 0,
                    reason,
                });
                low_minutes = 0;
                low_window_peak = 0.0;
            }
        } else if low_minutes >= SCALE_IN_MINUTES {
            let peak = low_window_peak;
            low_minutes = 0;
            low_window_peak = 0.0;
            let wanted = desired_instances(count, peak, settings.target).max(group.min_size);
            let (removed, interrupted) =
                terminate(&mut instances, count - wanted, settings.protected);
            if removed > 0 {
                let how = if settings.protected {
                    "managed termination protection lets only empty instances go"
                } else {
                    "without managed termination protection the oldest instances go, tasks and all"
                };
                changes.push(CapacityChange {
                    timestamp: now,
                    from: count,
                    to: count - removed,
                    tasks_interrupted: interrupted,
                    reason: format!(
                        "CPR below target {}% for {SCALE_IN_MINUTES} minutes, at most {}%: ceil({count} × {} / {}) = {wanted} instances; {how}.",
                        settings.target,
                        number(peak),
                        number(peak),
                        settings.target
                    ),
                });
            }
        }
    }
    Ok(CapacityOutput {
        tasks_per_instance: settings.per_instance,
        final_instances: instances.len() as i64,
        timeline,
        changes,
    })
}

/// Removes tasks above `desired` (least-loaded instance first, the newest among equals) and
/// places missing ones (fullest registered instance with room first).
fn settle_tasks(
    instances: &mut [Instance],
    desired: i64,
    per_instance: i64,
    registered: impl Fn(&Instance) -> bool,
) {
    let mut running: i64 = instances.iter().map(|i| i.tasks).sum();
    let mut order: Vec<usize> = (0..instances.len()).collect();
    if running > desired {
        // Taking one task at a time from the least-loaded instance (newest among equals) keeps
        // draining the same instance until it is empty, so drain whole instances in that order.
        order.sort_by_key(|&n| (instances[n].tasks, std::cmp::Reverse(n)));
        for n in order {
            let taken = instances[n].tasks.min(running - desired);
            instances[n].tasks -= taken;
            running -= taken;
        }
    } else if running < desired {
        // Likewise, the fullest instance with room (newest among equals) is filled up first.
        order.sort_by_key(|&n| (std::cmp::Reverse(instances[n].tasks), std::cmp::Reverse(n)));
        for n in order {
            if !registered(&instances[n]) {
                continue;
            }
            let added = (per_instance - instances[n].tasks).clamp(0, desired - running);
            instances[n].tasks += added;
            running += added;
        }
    }
}

/// Terminates up to `count` instances; returns (terminated, tasks interrupted).
fn terminate(instances: &mut Vec<Instance>, count: i64, protected: bool) -> (i64, i64) {
    let mut removed = 0;
    let mut interrupted = 0;
    while removed < count {
        let victim = if protected {
            // Newest empty instance.
            instances.iter().rposition(|i| i.tasks == 0)
        } else {
            // Oldest instance (instances are kept in launch order).
            (!instances.is_empty()).then_some(0)
        };
        let Some(position) = victim else { break };
        interrupted += instances.remove(position).tasks;
        removed += 1;
    }
    (removed, interrupted)
}

fn ceil_div(numerator: i64, denominator: i64) -> i64 {
    (numerator + denominator - 1).div_euclid(denominator)
}

/// A number with at most two decimals and no pointless `.0`.
fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}

fn check(input: &CapacityInput) -> Result<Settings, InputError> {
    let provider = &input.capacity_provider.auto_scaling_group_provider;
    let scaling = &provider.managed_scaling;
    let path = "capacityProvider.autoScalingGroupProvider.managedScaling";
    let enabled = match scaling.status.as_deref() {
        None | Some("ENABLED") => true,
        Some("DISABLED") => false,
        Some(other) => {
            return Err(InputError::new(
                format!("{path}.status"),
                format!("{other:?} is not a status; use ENABLED or DISABLED."),
            ));
        }
    };
    let in_range =
        |value: Option<i64>, default: i64, range: std::ops::RangeInclusive<i64>, field: &str| {
            let value = value.unwrap_or(default);
            if range.contains(&value) {
                Ok(value)
            } else {
                Err(InputError::new(
                    format!("{path}.{field}"),
                    format!(
                        "Must be between {} and {}; it is {value}.",
                        range.start(),
                        range.end()
                    ),
                ))
            }
        };
    let target = in_range(scaling.target_capacity, 100, 1..=100, "targetCapacity")?;
    let min_step = in_range(
        scaling.minimum_scaling_step_size,
        1,
        1..=10_000,
        "minimumScalingStepSize",
    )?;
    let max_step = in_range(
        scaling.maximum_scaling_step_size,
        10_000,
        1..=10_000,
        "maximumScalingStepSize",
    )?;
    let warmup = in_range(
        scaling.instance_warmup_period,
        300,
        0..=10_000,
        "instanceWarmupPeriod",
    )?;
    if max_step < min_step {
        return Err(InputError::new(
            format!("{path}.maximumScalingStepSize"),
            format!("Must not be below minimumScalingStepSize ({min_step})."),
        ));
    }
    let protected = match provider.managed_termination_protection.as_deref() {
        None | Some("DISABLED") => false,
        Some("ENABLED") if enabled => true,
        Some("ENABLED") => {
            return Err(InputError::new(
                "capacityProvider.autoScalingGroupProvider.managedTerminationProtection",
                "Managed termination protection needs managed scaling to be ENABLED.",
            ));
        }
        Some(other) => {
            return Err(InputError::new(
                "capacityProvider.autoScalingGroupProvider.managedTerminationProtection",
                format!("{other:?} is not a setting; use ENABLED or DISABLED."),
            ));
        }
    };
    let group = input.auto_scaling_group;
    if group.min_size < 0 || group.max_size < group.min_size || group.max_size > MAX_INSTANCES {
        return Err(InputError::new(
            "autoScalingGroup.maxSize",
            format!("Need 0 ≤ minSize ≤ maxSize ≤ {MAX_INSTANCES}."),
        ));
    }
    if let Some(desired) = group.desired_capacity
        && !(group.min_size..=group.max_size).contains(&desired)
    {
        return Err(InputError::new(
            "autoScalingGroup.desiredCapacity",
            "Must be between minSize and maxSize.",
        ));
    }
    let table = input.instance.instance_type.as_deref().map(|name| {
        pricing::ec2_instance(name).ok_or_else(|| {
            InputError::new(
                "instance.instanceType",
                format!("Berth does not know {name:?}; give cpu and memory instead."),
            )
        })
    });
    let from_table = |pick: fn(&pricing::InstancePrice) -> i64| match &table {
        Some(Ok(entry)) => Ok(Some(pick(entry))),
        Some(Err(error)) => Err(error.clone()),
        None => Ok(None),
    };
    let instance_cpu = match input.instance.cpu {
        Some(cpu) => cpu,
        None => from_table(|e| e.vcpus * UNITS_PER_VCPU)?.ok_or_else(|| {
            InputError::new(
                "instance.cpu",
                "Give the instance's cpu units or an instanceType.",
            )
        })?,
    };
    let instance_memory = match input.instance.memory {
        Some(memory) => memory,
        None => from_table(|e| e.memory_mib)?.ok_or_else(|| {
            InputError::new(
                "instance.memory",
                "Give the instance's memory in MiB or an instanceType.",
            )
        })?,
    };
    if instance_cpu < 1 || instance_memory < 1 {
        return Err(InputError::new(
            "instance",
            "An instance needs some cpu and memory.",
        ));
    }
    let task = input.task;
    if task.cpu < 0 {
        return Err(InputError::new("task.cpu", "Cannot be negative."));
    }
    if task.memory < 1 {
        return Err(InputError::new(
            "task.memory",
            "A task needs at least 1 MiB of memory.",
        ));
    }
    let by_cpu = if task.cpu == 0 {
        i64::MAX
    } else {
        instance_cpu / task.cpu
    };
    let per_instance = by_cpu.min(instance_memory / task.memory);
    let mut previous = input.start_time;
    for (position, point) in input.demand.iter().enumerate() {
        if point.timestamp < previous {
            return Err(InputError::new(
                format!("demand[{position}].timestamp"),
                "Demand points must be in time order and not before startTime.",
            ));
        }
        previous = point.timestamp;
        if !(0..=MAX_TASKS).contains(&point.desired_tasks) {
            return Err(InputError::new(
                format!("demand[{position}].desiredTasks"),
                format!("Must be between 0 and {MAX_TASKS}."),
            ));
        }
    }
    let startup = input.instance_startup_seconds.unwrap_or(60);
    if !(0..=3600).contains(&startup) {
        return Err(InputError::new(
            "instanceStartupSeconds",
            "Must be between 0 and 3600.",
        ));
    }
    Ok(Settings {
        enabled,
        target,
        min_step,
        max_step,
        warmup_ms: warmup * 1000,
        protected,
        startup_ms: startup * 1000,
        per_instance,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const START: Timestamp = Timestamp(1_714_953_600_000);

    fn minute(n: i64) -> Timestamp {
        Timestamp(START.0 + n * MINUTE_MS)
    }

    fn input(demand: &[(i64, i64)], initial: i64, protected: bool) -> CapacityInput {
        CapacityInput {
            start_time: START,
            end_time: None,
            capacity_provider: CapacityProvider {
                name: "asg".to_owned(),
                auto_scaling_group_provider: AutoScalingGroupProvider {
                    auto_scaling_group_arn: None,
                    managed_scaling: ManagedScaling::default(),
                    managed_termination_protection: protected.then(|| "ENABLED".to_owned()),
                },
            },
            auto_scaling_group: AutoScalingGroup {
                min_size: 0,
                max_size: 20,
                desired_capacity: Some(initial),
            },
            // Two tasks per instance.
            instance: InstanceShape {
                instance_type: None,
                cpu: Some(2048),
                memory: Some(4096),
            },
            task: TaskShape {
                cpu: 1024,
                memory: 1024,
            },
            demand: demand
                .iter()
                .map(|(at, tasks)| DemandPoint {
                    timestamp: minute(*at),
                    desired_tasks: *tasks,
                })
                .collect(),
            instance_startup_seconds: None,
        }
    }

    fn sizes(output: &CapacityOutput) -> Vec<(i64, i64, i64)> {
        output
            .changes
            .iter()
            .map(|c| ((c.timestamp.0 - START.0) / MINUTE_MS, c.from, c.to))
            .collect()
    }

    #[test]
    fn reservation_and_desired_size_match_the_spec() {
        assert_eq!(capacity_provider_reservation(0, 0), 100.0);
        assert_eq!(capacity_provider_reservation(3, 0), 200.0);
        assert_eq!(capacity_provider_reservation(3, 4), 75.0);
        assert_eq!(capacity_provider_reservation(4, 2), 200.0);
        // (N, CPR, target, desired)
        for (instances, reservation, target, desired) in [
            (0, 200.0, 100, 2),
            (2, 200.0, 100, 4),
            (4, 75.0, 100, 3),
            (10, 100.0, 80, 13),
            (10, 100.0, 100, 10),
        ] {
            assert_eq!(
                desired_instances(instances, reservation, target),
                desired,
                "{instances} at {reservation}%"
            );
        }
    }

    #[test]
    fn follows_the_spec_example() {
        // 3 tasks from nothing ⇒ 2 instances; 8 tasks ⇒ 4 once the first pair is warm; back to
        // 5 tasks ⇒ one instance empty, CPR 75 for 15 minutes ⇒ 3.
        let output = simulate_capacity(&input(&[(0, 3), (10, 8), (30, 5)], 0, true)).unwrap();
        assert_eq!(sizes(&output), vec![(0, 0, 2), (10, 2, 4), (44, 4, 3)]);
        assert!(
            output.changes[0]
                .reason
                .contains("CPR 200% > target 100%: ceil(1 × 200 / 100) = 2"),
            "{}",
            output.changes[0].reason
        );
        let at = |n: i64| output.timeline[n as usize];
        assert_eq!(
            (
                at(0).capacity_provider_reservation,
                at(0).provisioning_tasks
            ),
            (200.0, 3)
        );
        assert_eq!(
            (
                at(2).running_tasks,
                at(2).busy_instances,
                at(2).capacity_provider_reservation
            ),
            (3, 2, 100.0)
        );
        assert_eq!(at(31).capacity_provider_reservation, 75.0);
        assert_eq!(output.final_instances, 3);
        assert_eq!(output.changes[2].tasks_interrupted, 0);
    }

    #[test]
    fn target_capacity_keeps_spare_instances() {
        let mut case = input(&[(0, 20)], 10, true);
        case.capacity_provider
            .auto_scaling_group_provider
            .managed_scaling
            .target_capacity = Some(80);
        let output = simulate_capacity(&case).unwrap();
        assert_eq!(sizes(&output)[0], (0, 10, 13));
    }

    #[test]
    fn step_sizes_warmup_and_max_size_limit_scale_out() {
        let mut case = input(&[(0, 20)], 0, true);
        let scaling = &mut case
            .capacity_provider
            .auto_scaling_group_provider
            .managed_scaling;
        scaling.maximum_scaling_step_size = Some(3);
        scaling.instance_warmup_period = Some(120);
        case.auto_scaling_group.max_size = 7;
        let output = simulate_capacity(&case).unwrap();
        assert_eq!(sizes(&output), vec![(0, 0, 2), (2, 2, 5), (4, 5, 7)]);
        let mut case = input(&[(0, 1)], 0, true);
        case.capacity_provider
            .auto_scaling_group_provider
            .managed_scaling
            .minimum_scaling_step_size = Some(4);
        assert_eq!(sizes(&simulate_capacity(&case).unwrap())[0], (0, 0, 4));
    }

    #[test]
    fn termination_without_protection_interrupts_tasks() {
        // 8 tasks on 4 instances, demand drops to 5: the oldest instance goes with its tasks.
        let output = simulate_capacity(&input(&[(0, 8), (5, 5)], 4, false)).unwrap();
        let scale_in = &output.changes[0];
        assert_eq!((scale_in.from, scale_in.to), (4, 3));
        assert!(scale_in.tasks_interrupted > 0);
    }

    #[test]
    fn a_task_too_large_for_the_instance_never_scales_anything() {
        let mut case = input(&[(0, 3)], 1, true);
        case.task.memory = 8192;
        let output = simulate_capacity(&case).unwrap();
        assert_eq!(output.tasks_per_instance, 0);
        assert!(
            output.changes.iter().all(|c| c.to <= c.from),
            "{:?}",
            output.changes
        );
        assert!(output.timeline.iter().all(|p| p.provisioning_tasks == 3));
    }

    #[test]
    fn bad_input_names_its_field() {
        let mut case = input(&[(0, 3)], 0, true);
        case.capacity_provider
            .auto_scaling_group_provider
            .managed_scaling
            .target_capacity = Some(0);
        assert_eq!(
            simulate_capacity(&case).unwrap_err().field,
            "capacityProvider.autoScalingGroupProvider.managedScaling.targetCapacity"
        );
        let mut case = input(&[(0, 3)], 0, true);
        case.instance = InstanceShape {
            instance_type: Some("m5.huge".to_owned()),
            cpu: None,
            memory: None,
        };
        assert_eq!(
            simulate_capacity(&case).unwrap_err().field,
            "instance.instanceType"
        );
        let mut case = input(&[(5, 3), (1, 2)], 0, true);
        assert_eq!(
            simulate_capacity(&case).unwrap_err().field,
            "demand[1].timestamp"
        );
        case = input(&[(0, 3)], 0, true);
        case.instance = InstanceShape {
            instance_type: Some("m5.large".to_owned()),
            cpu: None,
            memory: None,
        };
        assert_eq!(simulate_capacity(&case).unwrap().tasks_per_instance, 2);
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn stays_within_the_group_and_protection_never_interrupts(
            demand in prop::collection::vec((0i64..120, 0i64..40), 1..8),
            initial in 0i64..5,
            protected in any::<bool>(),
            target in 50i64..=100,
        ) {
            let mut demand = demand;
            demand.sort_by_key(|(at, _)| *at);
            let mut case = input(&demand, initial, protected);
            case.capacity_provider.auto_scaling_group_provider.managed_scaling.target_capacity = Some(target);
            let output = simulate_capacity(&case).unwrap();
            for point in &output.timeline {
                prop_assert!((0..=20).contains(&point.instances));
                prop_assert_eq!(point.running_tasks + point.provisioning_tasks, point.desired_tasks);
                prop_assert!(point.running_tasks <= point.registered_instances * 2);
            }
            if protected {
                prop_assert!(output.changes.iter().all(|c| c.tasks_interrupted == 0));
            }
        }
    }
}
