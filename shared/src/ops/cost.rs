//! Cost of a workload, or of a change to it: Fargate tasks (on-demand and Spot, x86 and ARM,
//! Linux and Windows, extra ephemeral storage) and EC2 instances, per hour and per month.
//!
//! All prices come from [`super::pricing`] (us-east-1, dated there). A month is 730 hours
//! (365 × 24 / 12), as in AWS's own calculators. A service's tasks are split over its
//! capacity provider strategy with [`super::strategy`], so `FARGATE` base 2 weight 1 plus
//! `FARGATE_SPOT` weight 3 prices 4 of 10 tasks on-demand and 6 on Spot. Task sizes are
//! written as in a task definition (`"1 vCPU"`, `"2 GB"`, `"1024"`) and must be valid Fargate
//! sizes. Tasks on EC2 capacity cost nothing by themselves: price their instances instead.
//! Fargate Spot on ARM and the EC2 table are estimates; the output's `notes` say so whenever
//! they were used. Costs are rounded to 8 decimal places
//! (Fargate rates have up to 8), only to keep float noise out of the JSON.

use serde::{Deserialize, Serialize};

use super::pricing::{
    self, FARGATE_EPHEMERAL_GB_HOUR, FARGATE_FREE_EPHEMERAL_GIB, FARGATE_LINUX_ARM,
    FARGATE_LINUX_X86, FARGATE_SPOT_LINUX_X86, FARGATE_WINDOWS_LICENSE_VCPU_HOUR,
    FARGATE_WINDOWS_X86, FargateRates, HOURS_PER_MONTH,
};
use super::size::{MIB_PER_GB, UNITS_PER_VCPU, parse_cpu_units, parse_memory_mib};
use super::strategy::{MAX_TASKS, check_strategy, split_checked};
use super::validate::fargate_size_is_valid;
use crate::ecs::CapacityProviderStrategyItem;
use crate::input::InputError;

/// A cost question: the current workload, and optionally a proposed one to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostInput {
    /// What runs now.
    pub current: Workload,
    /// What would run after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<Workload>,
}

/// Fargate services and EC2 instances.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    /// Services on Fargate.
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// EC2 instances (for EC2 capacity).
    #[serde(default)]
    pub instances: Vec<InstanceGroup>,
}

/// A service's tasks on Fargate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// Name shown on the cost lines.
    pub name: String,
    /// Running tasks (the desired count).
    pub task_count: i64,
    /// Task CPU as in a task definition (`"512"`, `"1 vCPU"`).
    pub cpu: String,
    /// Task memory as in a task definition (`"1024"`, `"2 GB"`).
    pub memory: String,
    /// `FARGATE` (default) when no strategy is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// FARGATE / FARGATE_SPOT split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// OS and CPU architecture (default Linux on x86_64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_platform: Option<RuntimePlatform>,
    /// `ephemeralStorage.sizeInGiB` (default 20, free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage_gib: Option<i64>,
}

/// `runtimePlatform` of a task definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimePlatform {
    /// `LINUX` (default) or a `WINDOWS_SERVER_…` family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating_system_family: Option<String>,
    /// `X86_64` (default) or `ARM64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_architecture: Option<String>,
}

/// Some EC2 instances of one type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceGroup {
    /// E.g. `m6g.large`.
    pub instance_type: String,
    /// How many.
    pub count: i64,
    /// USD per hour, for types missing from the built-in table (or to override it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hourly_price: Option<f64>,
}

/// One priced item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostLine {
    /// Service name or instance type.
    pub name: String,
    /// What is priced, e.g. `4 × 1 vCPU / 2 GB on FARGATE_SPOT (Linux/ARM64)`.
    pub description: String,
    /// Tasks or instances.
    pub quantity: i64,
    /// USD per hour for all of them.
    pub hourly: f64,
    /// USD per 730-hour month.
    pub monthly: f64,
}

/// The cost of one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadCost {
    /// Line items.
    pub lines: Vec<CostLine>,
    /// USD per hour.
    pub hourly: f64,
    /// USD per month.
    pub monthly: f64,
}

/// Proposed minus current.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostDifference {
    /// USD per hour (negative = saving).
    pub hourly: f64,
    /// USD per month.
    pub monthly: f64,
}

/// The estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostOutput {
    /// Region of the prices.
    pub region: String,
    /// Date of the prices.
    pub prices_as_of: String,
    /// Hours in a month.
    pub hours_per_month: f64,
    /// The current workload.
    pub current: WorkloadCost,
    /// The proposed workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<WorkloadCost>,
    /// Proposed minus current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<CostDifference>,
    /// Which figures are estimates.
    pub notes: Vec<String>,
}

/// Prices the workload (and the proposal, if any).
pub fn estimate_cost(input: &CostInput) -> Result<CostOutput, InputError> {
    let mut notes = Vec::new();
    let current = price_workload(&input.current, "current", &mut notes)?;
    let proposed = input
        .proposed
        .as_ref()
        .map(|workload| price_workload(workload, "proposed", &mut notes))
        .transpose()?;
    let difference = proposed.as_ref().map(|proposed| CostDifference {
        hourly: round8(proposed.hourly - current.hourly),
        monthly: round8(proposed.monthly - current.monthly),
    });
    notes.sort();
    notes.dedup();
    Ok(CostOutput {
        region: pricing::REGION.to_owned(),
        prices_as_of: pricing::PRICES_AS_OF.to_owned(),
        hours_per_month: HOURS_PER_MONTH,
        current,
        proposed,
        difference,
        notes,
    })
}

/// USD per hour of one Fargate task.
pub fn fargate_task_hourly(
    rates: FargateRates,
    cpu_units: i64,
    memory_mib: i64,
    windows: bool,
    ephemeral_gib: i64,
) -> f64 {
    let vcpus = cpu_units as f64 / UNITS_PER_VCPU as f64;
    let gigabytes = memory_mib as f64 / MIB_PER_GB as f64;
    let licence = if windows {
        FARGATE_WINDOWS_LICENSE_VCPU_HOUR * vcpus
    } else {
        0.0
    };
    let extra_storage = (ephemeral_gib - FARGATE_FREE_EPHEMERAL_GIB).max(0) as f64;
    rates.vcpu_hour * vcpus
        + rates.gb_hour * gigabytes
        + licence
        + extra_storage * FARGATE_EPHEMERAL_GB_HOUR
}

fn round8(value: f64) -> f64 {
    (value * 1e8).round() / 1e8
}

fn line(name: &str, description: String, quantity: i64, hourly: f64) -> CostLine {
    CostLine {
        name: name.to_owned(),
        description,
        quantity,
        hourly: round8(hourly),
        monthly: round8(hourly * HOURS_PER_MONTH),
    }
}

fn price_workload(
    workload: &Workload,
    path: &str,
    notes: &mut Vec<String>,
) -> Result<WorkloadCost, InputError> {
    let mut lines = Vec::new();
    for (position, service) in workload.services.iter().enumerate() {
        lines.extend(price_service(
            service,
            &format!("{path}.services[{position}]"),
            notes,
        )?);
    }
    for (position, group) in workload.instances.iter().enumerate() {
        let group_path = format!("{path}.instances[{position}]");
        if group.count < 0 {
            return Err(InputError::new(
                format!("{group_path}.count"),
                "Cannot be negative.",
            ));
        }
        let hourly = match (
            group.hourly_price,
            pricing::ec2_instance(&group.instance_type),
        ) {
            (Some(price), _) if price.is_finite() && price >= 0.0 => price,
            (Some(_), _) => {
                return Err(InputError::new(
                    format!("{group_path}.hourlyPrice"),
                    "Must be a price of 0 or more.",
                ));
            }
            (None, Some(entry)) => {
                notes.push(format!(
                    "EC2 prices are Linux on-demand list prices in {} from Berth's built-in table; pass hourlyPrice to override.",
                    pricing::REGION
                ));
                entry.hourly
            }
            (None, None) => {
                return Err(InputError::new(
                    format!("{group_path}.instanceType"),
                    format!(
                        "Berth has no price for {:?}; pass hourlyPrice.",
                        group.instance_type
                    ),
                ));
            }
        };
        lines.push(line(
            &group.instance_type,
            format!("{} × {} at ${hourly}/h", group.count, group.instance_type),
            group.count,
            hourly * group.count as f64,
        ));
    }
    let hourly: f64 = lines.iter().map(|l| l.hourly).sum();
    Ok(WorkloadCost {
        lines,
        hourly: round8(hourly),
        monthly: round8(hourly * HOURS_PER_MONTH),
    })
}

fn price_service(
    service: &ServiceSpec,
    path: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<CostLine>, InputError> {
    if !(0..=MAX_TASKS).contains(&service.task_count) {
        return Err(InputError::new(
            format!("{path}.taskCount"),
            format!("Must be between 0 and {MAX_TASKS}."),
        ));
    }
    let cpu = parse_cpu_units(&service.cpu)
        .map_err(|message| InputError::new(format!("{path}.cpu"), message))?;
    let memory = parse_memory_mib(&service.memory)
        .map_err(|message| InputError::new(format!("{path}.memory"), message))?;
    if !fargate_size_is_valid(cpu, memory) {
        return Err(InputError::new(
            format!("{path}.memory"),
            format!("Fargate has no task size with {cpu} CPU units and {memory} MiB."),
        ));
    }
    let platform = service.runtime_platform.clone().unwrap_or_default();
    let windows = platform
        .operating_system_family
        .as_deref()
        .is_some_and(|family| family.starts_with("WINDOWS"));
    let arm = match platform.cpu_architecture.as_deref() {
        None | Some("X86_64") => false,
        Some("ARM64") => true,
        Some(other) => {
            return Err(InputError::new(
                format!("{path}.runtimePlatform.cpuArchitecture"),
                format!("{other:?} is not an architecture; use \"X86_64\" or \"ARM64\"."),
            ));
        }
    };
    if windows && arm {
        return Err(InputError::new(
            format!("{path}.runtimePlatform.cpuArchitecture"),
            "Windows tasks run only on X86_64.",
        ));
    }
    let storage = service
        .ephemeral_storage_gib
        .unwrap_or(FARGATE_FREE_EPHEMERAL_GIB);
    if service.ephemeral_storage_gib.is_some() && !(21..=200).contains(&storage) {
        return Err(InputError::new(
            format!("{path}.ephemeralStorageGib"),
            "Must be between 21 and 200 GiB.",
        ));
    }
    let split: Vec<(String, i64)> = if service.capacity_provider_strategy.is_empty() {
        match service.launch_type.as_deref() {
            None | Some("FARGATE") => vec![("FARGATE".to_owned(), service.task_count)],
            Some(other) => {
                return Err(InputError::new(
                    format!("{path}.launchType"),
                    format!(
                        "Tasks on {other} capacity are paid through their instances; price those under instances."
                    ),
                ));
            }
        }
    } else {
        let strategy_path = format!("{path}.capacityProviderStrategy");
        check_strategy(&service.capacity_provider_strategy, &strategy_path)?;
        if let Some(position) = service.capacity_provider_strategy.iter().position(|item| {
            !["FARGATE", "FARGATE_SPOT"].contains(&item.capacity_provider.as_str())
        }) {
            return Err(InputError::new(
                format!("{strategy_path}[{position}].capacityProvider"),
                "Only FARGATE and FARGATE_SPOT are priced per task; price Auto Scaling group capacity under instances.",
            ));
        }
        split_checked(service.task_count, &service.capacity_provider_strategy)
            .providers
            .into_iter()
            .map(|share| (share.capacity_provider, share.tasks))
            .collect()
    };
    let platform_name = match (windows, arm) {
        (true, _) => "Windows/X86_64",
        (false, true) => "Linux/ARM64",
        (false, false) => "Linux/X86_64",
    };
    let mut lines = Vec::new();
    for (provider, tasks) in split {
        let spot = provider == "FARGATE_SPOT";
        let rates = match (spot, windows, arm) {
            (true, true, _) => {
                return Err(InputError::new(
                    format!("{path}.capacityProviderStrategy"),
                    "Fargate Spot does not run Windows tasks.",
                ));
            }
            (true, false, true) => {
                notes.push("Fargate Spot on ARM64 has no published price here; it is estimated from the x86 Spot discount.".to_owned());
                pricing::fargate_spot_arm()
            }
            (true, false, false) => {
                notes.push(
                    "Fargate Spot prices float; the figure used is UNCONFIRMED for the Region."
                        .to_owned(),
                );
                FARGATE_SPOT_LINUX_X86
            }
            (false, true, _) => FARGATE_WINDOWS_X86,
            (false, false, true) => FARGATE_LINUX_ARM,
            (false, false, false) => FARGATE_LINUX_X86,
        };
        let per_task = fargate_task_hourly(rates, cpu, memory, windows, storage);
        let storage_note = if storage > FARGATE_FREE_EPHEMERAL_GIB {
            format!(", {storage} GiB storage")
        } else {
            String::new()
        };
        lines.push(line(
            &service.name,
            format!(
                "{tasks} × {} vCPU / {} GB on {provider} ({platform_name}{storage_note})",
                cpu as f64 / UNITS_PER_VCPU as f64,
                memory as f64 / MIB_PER_GB as f64
            ),
            tasks,
            per_task * tasks as f64,
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(tasks: i64, cpu: &str, memory: &str) -> ServiceSpec {
        ServiceSpec {
            name: "web".to_owned(),
            task_count: tasks,
            cpu: cpu.to_owned(),
            memory: memory.to_owned(),
            launch_type: None,
            capacity_provider_strategy: Vec::new(),
            runtime_platform: None,
            ephemeral_storage_gib: None,
        }
    }

    fn cost(services: Vec<ServiceSpec>) -> Result<CostOutput, InputError> {
        estimate_cost(&CostInput {
            current: Workload {
                services,
                instances: Vec::new(),
            },
            proposed: None,
        })
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn matches_the_spec_quick_check() {
        // 0.25 vCPU / 0.5 GB for 24 h on-demand = $0.29622.
        let output = cost(vec![service(1, "256", "512")]).unwrap();
        assert!(
            close(output.current.hourly * 24.0, 0.29622),
            "{}",
            output.current.hourly
        );
        assert!(close(output.current.monthly, 0.0123425 * 730.0));
        assert_eq!(output.hours_per_month, 730.0);
        assert_eq!(output.region, "us-east-1");
    }

    #[test]
    fn prices_each_platform_and_market() {
        let hourly = |rates: FargateRates, windows: bool| {
            fargate_task_hourly(rates, 1024, 2048, windows, 20)
        };
        // (platform, strategy, expected per-task hourly for 1 vCPU / 2 GB)
        let arm = Some(RuntimePlatform {
            operating_system_family: None,
            cpu_architecture: Some("ARM64".to_owned()),
        });
        let windows = Some(RuntimePlatform {
            operating_system_family: Some("WINDOWS_SERVER_2022_CORE".to_owned()),
            cpu_architecture: None,
        });
        let spot = vec![CapacityProviderStrategyItem {
            capacity_provider: "FARGATE_SPOT".to_owned(),
            weight: 1,
            base: 0,
        }];
        let cases = [
            (None, Vec::new(), 0.04048 + 2.0 * 0.004445),
            (arm.clone(), Vec::new(), 0.03238 + 2.0 * 0.00356),
            (windows, Vec::new(), 0.09148 + 0.046 + 2.0 * 0.01005),
            (None, spot.clone(), 0.01334053 + 2.0 * 0.00146489),
            (arm, spot, hourly(pricing::fargate_spot_arm(), false)),
        ];
        for (platform, strategy, expected) in cases {
            let mut spec = service(1, "1 vCPU", "2 GB");
            spec.runtime_platform = platform.clone();
            spec.capacity_provider_strategy = strategy.clone();
            let output = cost(vec![spec]).unwrap();
            assert!(
                close(output.current.hourly, expected),
                "{platform:?} {strategy:?}: {}",
                output.current.hourly
            );
        }
        let mut storage = service(1, "256", "512");
        storage.ephemeral_storage_gib = Some(50);
        let output = cost(vec![storage]).unwrap();
        assert!(close(output.current.hourly, 0.0123425 + 30.0 * 0.000111));
    }

    #[test]
    fn splits_a_service_over_its_strategy_and_compares_a_change() {
        let mut mixed = service(10, "1 vCPU", "2 GB");
        mixed.capacity_provider_strategy = vec![
            CapacityProviderStrategyItem {
                capacity_provider: "FARGATE".to_owned(),
                weight: 1,
                base: 2,
            },
            CapacityProviderStrategyItem {
                capacity_provider: "FARGATE_SPOT".to_owned(),
                weight: 3,
                base: 0,
            },
        ];
        let input = CostInput {
            current: Workload {
                services: vec![service(10, "1 vCPU", "2 GB")],
                instances: Vec::new(),
            },
            proposed: Some(Workload {
                services: vec![mixed],
                instances: vec![InstanceGroup {
                    instance_type: "m6g.large".to_owned(),
                    count: 2,
                    hourly_price: None,
                }],
            }),
        };
        let output = estimate_cost(&input).unwrap();
        let proposed = output.proposed.as_ref().unwrap();
        let quantities: Vec<i64> = proposed.lines.iter().map(|l| l.quantity).collect();
        assert_eq!(quantities, vec![4, 6, 2]);
        let on_demand = 0.04048 + 2.0 * 0.004445;
        let spot = 0.01334053 + 2.0 * 0.00146489;
        assert!(close(output.current.hourly, 10.0 * on_demand));
        assert!(close(
            proposed.hourly,
            4.0 * on_demand + 6.0 * spot + 2.0 * 0.077
        ));
        let difference = output.difference.unwrap();
        assert!(close(
            difference.hourly,
            proposed.hourly - output.current.hourly
        ));
        assert!(difference.monthly < 0.0, "Spot saves money");
        assert_eq!(output.notes.len(), 2, "{:?}", output.notes);
    }

    #[test]
    fn bad_input_names_its_field() {
        let mut windows_spot = service(2, "1 vCPU", "2 GB");
        windows_spot.runtime_platform = Some(RuntimePlatform {
            operating_system_family: Some("WINDOWS_SERVER_2019_FULL".to_owned()),
            cpu_architecture: None,
        });
        windows_spot.capacity_provider_strategy = vec![CapacityProviderStrategyItem {
            capacity_provider: "FARGATE_SPOT".to_owned(),
            weight: 1,
            base: 0,
        }];
        let mut ec2 = service(2, "1 vCPU", "2 GB");
        ec2.launch_type = Some("EC2".to_owned());
        let cases = [
            (service(1, "lots", "512"), "current.services[0].cpu"),
            (service(1, "256", "4 GB"), "current.services[0].memory"),
            (service(-1, "256", "512"), "current.services[0].taskCount"),
            (windows_spot, "current.services[0].capacityProviderStrategy"),
            (ec2, "current.services[0].launchType"),
        ];
        for (spec, field) in cases {
            assert_eq!(cost(vec![spec]).unwrap_err().field, field);
        }
        let unknown = CostInput {
            current: Workload {
                services: Vec::new(),
                instances: vec![InstanceGroup {
                    instance_type: "z9.mega".to_owned(),
                    count: 1,
                    hourly_price: None,
                }],
            },
            proposed: None,
        };
        assert_eq!(
            estimate_cost(&unknown).unwrap_err().field,
            "current.instances[0].instanceType"
        );
    }
}
