//! Identifiers of the sandbox account: its account id and region, ARNs, and deterministic ids.

/// The simulated account id.
pub const ACCOUNT: &str = "123456789012";
/// The simulated region.
pub const REGION: &str = "us-east-1";

/// An ECS ARN in the sandbox account, e.g. `arn("task/demo-ec2/abc")`.
pub fn arn(resource: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:{resource}")
}

/// A stable 64-bit hash of `bytes` (FNV-1a): the identity of a simulated series or stream.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A well-spread 64-bit hash of `x` (one SplitMix64 step).
pub fn mix(x: u64) -> u64 {
    IdGenerator(x).next_u64()
}

/// Deterministic ids (SplitMix64): the same seed gives the same ids, so seeding and every
/// sequence of changes are reproducible.
#[derive(Debug, Clone)]
pub struct IdGenerator(pub u64);

impl IdGenerator {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 32 hex characters, like ECS task and container-instance ids.
    pub fn hex32(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    /// A UUID-shaped id (`8-4-4-4-12` hex), like Application Auto Scaling's policy ids.
    pub fn uuid(&mut self) -> String {
        let hex = self.hex32();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// A number below `bound` (which must not be 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}
