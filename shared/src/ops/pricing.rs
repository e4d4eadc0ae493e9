//! Every price Berth knows, in one place: update this file and nothing else when AWS changes
//! its rates.
//!
//! Region us-east-1 (N. Virginia), USD. Fargate rates are those of docs/ECS-MODEL.md §7.3 (as
//! of March 2026, unchanged since 2019). Fargate Spot (Linux/x86) is a figure AWS's pages do
//! not settle (sources disagree on its Region, and Spot prices float); Fargate Spot on ARM has
//! no published figure, so Berth estimates it with the x86 Spot discount per dimension (see
//! [`fargate_spot_arm`]). The EC2 table holds Linux on-demand list prices of common ECS
//! instance types as AWS publishes them on aws.amazon.com/ec2/pricing/on-demand; treat it as a
//! starting point and pass `hourlyPrice` for anything else.

/// The Region of every price here.
pub const REGION: &str = "us-east-1";
/// When the Fargate figures were last confirmed.
pub const PRICES_AS_OF: &str = "2026-03";
/// Hours in Berth's month: 365 × 24 / 12 = 730, the month AWS's own calculators use.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Fargate rates per vCPU-hour and per GB-hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FargateRates {
    /// USD per vCPU per hour.
    pub vcpu_hour: f64,
    /// USD per GB of memory per hour.
    pub gb_hour: f64,
}

/// Fargate on-demand, Linux on x86_64.
pub const FARGATE_LINUX_X86: FargateRates = FargateRates {
    vcpu_hour: 0.04048,
    gb_hour: 0.004445,
};
/// Fargate on-demand, Linux on ARM64 (Graviton).
pub const FARGATE_LINUX_ARM: FargateRates = FargateRates {
    vcpu_hour: 0.03238,
    gb_hour: 0.00356,
};
/// Fargate on-demand, Windows on x86_64 (without the OS licence).
pub const FARGATE_WINDOWS_X86: FargateRates = FargateRates {
    vcpu_hour: 0.09148,
    gb_hour: 0.01005,
};
/// Windows OS licence on Fargate, per vCPU-hour.
pub const FARGATE_WINDOWS_LICENSE_VCPU_HOUR: f64 = 0.046;
/// Fargate Spot, Linux on x86_64 (UNCONFIRMED; Spot prices float).
pub const FARGATE_SPOT_LINUX_X86: FargateRates = FargateRates {
    vcpu_hour: 0.01334053,
    gb_hour: 0.00146489,
};
/// Fargate ephemeral storage above the free amount, per GB-hour.
pub const FARGATE_EPHEMERAL_GB_HOUR: f64 = 0.000111;
/// Ephemeral storage included with every Fargate task, in GiB.
pub const FARGATE_FREE_EPHEMERAL_GIB: i64 = 20;

/// Estimated Fargate Spot rates on ARM64: the ARM on-demand rates times the x86 Spot/on-demand
/// ratio of each dimension (no published figure; an estimate).
pub fn fargate_spot_arm() -> FargateRates {
    FargateRates {
        vcpu_hour: FARGATE_LINUX_ARM.vcpu_hour * FARGATE_SPOT_LINUX_X86.vcpu_hour
            / FARGATE_LINUX_X86.vcpu_hour,
        gb_hour: FARGATE_LINUX_ARM.gb_hour * FARGATE_SPOT_LINUX_X86.gb_hour
            / FARGATE_LINUX_X86.gb_hour,
    }
}

/// An EC2 instance type with its size and Linux on-demand price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstancePrice {
    /// E.g. `m5.large`.
    pub instance_type: &'static str,
    /// vCPUs.
    pub vcpus: i64,
    /// Memory in MiB (the marketing figure; an ECS agent registers a little less).
    pub memory_mib: i64,
    /// USD per hour.
    pub hourly: f64,
}

const fn instance(
    instance_type: &'static str,
    vcpus: i64,
    memory_gib: i64,
    hourly: f64,
) -> InstancePrice {
    InstancePrice {
        instance_type,
        vcpus,
        memory_mib: memory_gib * 1024,
        hourly,
    }
}

/// Linux on-demand prices of common ECS instance types in us-east-1.
pub const EC2_ON_DEMAND_LINUX: &[InstancePrice] = &[
    instance("t3.micro", 2, 1, 0.0104),
    instance("t3.small", 2, 2, 0.0208),
    instance("t3.medium", 2, 4, 0.0416),
    instance("t3.large", 2, 8, 0.0832),
    instance("t3.xlarge", 4, 16, 0.1664),
    instance("t4g.small", 2, 2, 0.0168),
    instance("t4g.medium", 2, 4, 0.0336),
    instance("t4g.large", 2, 8, 0.0672),
    instance("m5.large", 2, 8, 0.096),
    instance("m5.xlarge", 4, 16, 0.192),
    instance("m5.2xlarge", 8, 32, 0.384),
    instance("m5.4xlarge", 16, 64, 0.768),
    instance("m6i.large", 2, 8, 0.096),
    instance("m6i.xlarge", 4, 16, 0.192),
    instance("m6i.2xlarge", 8, 32, 0.384),
    instance("m6g.medium", 1, 4, 0.0385),
    instance("m6g.large", 2, 8, 0.077),
    instance("m6g.xlarge", 4, 16, 0.154),
    instance("m6g.2xlarge", 8, 32, 0.308),
    instance("m7g.medium", 1, 4, 0.0408),
    instance("m7g.large", 2, 8, 0.0816),
    instance("m7g.xlarge", 4, 16, 0.1632),
    instance("m7g.2xlarge", 8, 32, 0.3264),
    instance("c5.large", 2, 4, 0.085),
    instance("c5.xlarge", 4, 8, 0.17),
    instance("c5.2xlarge", 8, 16, 0.34),
    instance("c5.4xlarge", 16, 32, 0.68),
    instance("c6i.large", 2, 4, 0.085),
    instance("c6i.xlarge", 4, 8, 0.17),
    instance("c6i.2xlarge", 8, 16, 0.34),
    instance("c6g.large", 2, 4, 0.068),
    instance("c6g.xlarge", 4, 8, 0.136),
    instance("c6g.2xlarge", 8, 16, 0.272),
    instance("c7g.large", 2, 4, 0.0725),
    instance("c7g.xlarge", 4, 8, 0.145),
    instance("r5.large", 2, 16, 0.126),
    instance("r5.xlarge", 4, 32, 0.252),
    instance("r6i.large", 2, 16, 0.126),
    instance("r6i.xlarge", 4, 32, 0.252),
    instance("r6g.large", 2, 16, 0.1008),
    instance("r6g.xlarge", 4, 32, 0.2016),
];

/// The table entry of an instance type.
pub fn ec2_instance(instance_type: &str) -> Option<&'static InstancePrice> {
    EC2_ON_DEMAND_LINUX
        .iter()
        .find(|entry| entry.instance_type == instance_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_types_are_listed_once() {
        for (position, entry) in EC2_ON_DEMAND_LINUX.iter().enumerate() {
            assert!(
                EC2_ON_DEMAND_LINUX[..position]
                    .iter()
                    .all(|other| other.instance_type != entry.instance_type),
                "{} twice",
                entry.instance_type
            );
            assert!(entry.hourly > 0.0 && entry.vcpus > 0 && entry.memory_mib > 0);
        }
        assert_eq!(ec2_instance("m5.large").map(|e| e.hourly), Some(0.096));
        assert_eq!(ec2_instance("m5.huge"), None);
    }

    #[test]
    fn arm_spot_keeps_the_x86_discount() {
        let arm = fargate_spot_arm();
        let x86_ratio = FARGATE_SPOT_LINUX_X86.vcpu_hour / FARGATE_LINUX_X86.vcpu_hour;
        assert!((arm.vcpu_hour / FARGATE_LINUX_ARM.vcpu_hour - x86_ratio).abs() < 1e-12);
        assert!(
            arm.vcpu_hour < FARGATE_LINUX_ARM.vcpu_hour && arm.gb_hour < FARGATE_LINUX_ARM.gb_hour
        );
    }
}
