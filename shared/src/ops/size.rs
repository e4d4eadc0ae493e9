//! Task sizes as ECS writes them: CPU in units or vCPU, memory in MiB or GB.
//!
//! `RegisterTaskDefinition` takes task-level `cpu` and `memory` as strings: `"1024"` or
//! `"1 vCPU"` (also `"1vcpu"`, any case) for CPU, `"2048"` or `"2 GB"` (also `"2GB"`, `"2 gb"`)
//! for memory, and stores integer CPU units (1 vCPU = 1024) and MiB (1 GB = 1024 MiB). A
//! fractional result (`"0.1 vCPU"` = 102.4 units) is rejected, as ECS rejects it.

/// CPU units in one vCPU.
pub const UNITS_PER_VCPU: i64 = 1024;
/// MiB in one GB as ECS counts task memory.
pub const MIB_PER_GB: i64 = 1024;

/// Parses a task-level CPU value into CPU units. The error is a sentence for the user.
pub fn parse_cpu_units(text: &str) -> Result<i64, String> {
    parse_with_unit(text, &["vcpu"], UNITS_PER_VCPU).map_err(|reason| {
        format!("{reason}; write CPU units such as \"1024\" or vCPU such as \"1 vCPU\"")
    })
}

/// Parses a task-level memory value into MiB. The error is a sentence for the user.
pub fn parse_memory_mib(text: &str) -> Result<i64, String> {
    parse_with_unit(text, &["gb", "gib"], MIB_PER_GB)
        .map_err(|reason| format!("{reason}; write MiB such as \"2048\" or GB such as \"2 GB\""))
}

/// `"<integer>"` or `"<decimal> <unit>"`, the unit scaled by `per_unit`.
fn parse_with_unit(text: &str, units: &[&str], per_unit: i64) -> Result<i64, String> {
    let trimmed = text.trim();
    // A plain integer, as AWS answers, needs no lowercased copy.
    if let Ok(value) = trimmed.parse::<i64>() {
        return if value >= 0 {
            Ok(value)
        } else {
            Err(format!("{text:?} is not a size"))
        };
    }
    let lower = trimmed.to_ascii_lowercase();
    let with_unit = units
        .iter()
        .find_map(|unit| lower.strip_suffix(unit).map(str::trim_end));
    let Some(number) = with_unit else {
        return Err(format!("{text:?} is not a size"));
    };
    let scaled =
        parse_decimal_scaled(number, per_unit).ok_or_else(|| format!("{text:?} is not a size"))?;
    Ok(scaled)
}

/// Parses a non-negative decimal and multiplies it by `factor`, demanding an integral result.
/// Done on integers so `"0.25 vCPU"` is exactly 256.
fn parse_decimal_scaled(number: &str, factor: i64) -> Option<i64> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return None;
    }
    if fraction.len() > 9 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let scale = 10i64.pow(fraction.len() as u32);
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let numerator = whole.checked_mul(scale)?.checked_add(fraction)?;
    let product = numerator.checked_mul(factor)?;
    (product % scale == 0).then_some(product / scale)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reads_every_form_ecs_accepts() {
        let cpu = [
            ("256", 256),
            ("1 vCPU", 1024),
            ("1vcpu", 1024),
            ("0.25 vCPU", 256),
            (".5 VCPU", 512),
            ("16 vCPU", 16384),
        ];
        for (text, units) in cpu {
            assert_eq!(parse_cpu_units(text), Ok(units), "{text}");
        }
        let memory = [
            ("512", 512),
            ("0.5 GB", 512),
            ("1GB", 1024),
            ("30 gb", 30720),
        ];
        for (text, mib) in memory {
            assert_eq!(parse_memory_mib(text), Ok(mib), "{text}");
        }
    }

    #[test]
    fn rejects_words_negatives_and_fractions_of_a_unit() {
        for text in [
            "lots", "", "-1", "1.5", "0.1 vCPU", "1 GHz", "vCPU", "1.2.3 GB",
        ] {
            assert!(parse_cpu_units(text).is_err(), "{text}");
        }
        assert!(parse_memory_mib("0.0001 GB").is_err());
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn whole_vcpus_and_gigabytes_round_trip(units in 0i64..200, text in ".{0,20}") {
            prop_assert_eq!(parse_cpu_units(&format!("{units} vCPU")), Ok(units * 1024));
            prop_assert_eq!(parse_memory_mib(&format!("{units}GB")), Ok(units * 1024));
            prop_assert_eq!(parse_cpu_units(&units.to_string()), Ok(units));
            let _ = parse_cpu_units(&text);
            let _ = parse_memory_mib(&text);
        }
    }
}
