//! How numbers, sizes, times and counts read on every page: one formatter per quantity, so the
//! same value reads the same on the cluster, service, task, instance, task-definition and
//! repository pages.
//!
//! - CPU in vCPU (1,024 units each), exact to the thousandth: `256` → `0.25 vCPU`.
//! - Memory in MiB below 1 GiB, else GiB to two decimals: `512 MiB`, `1536` → `1.5 GiB`.
//! - Bytes (image sizes) in binary units, one decimal from MiB on: `46.0 MiB`.
//! - Times relative to the data's own `fetchedAt` (`12 min ago`) with the absolute UTC time.
//! - Counts with their noun (`1 image`, `3 images`, `3 of 7 images`).

use berth_shared::{
    ecs::{Container, short_id},
    ops::size::{parse_cpu_units, parse_memory_mib},
    time::Timestamp,
};

/// A decimal with at most `places` decimals, trailing zeros dropped: `1.50` → `1.5`.
fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// CPU units in vCPU: `256` → `0.25 vCPU`, `4096` → `4 vCPU`, `128` → `0.125 vCPU`.
pub fn format_cpu(units: i64) -> String {
    format!("{} vCPU", decimal(units as f64 / 1024.0, 3))
}

/// CPU units with their vCPU: `256 units (0.25 vCPU)` (what a task or container reserves).
pub fn format_cpu_units(units: i64) -> String {
    format!("{units} units ({})", format_cpu(units))
}

/// CPU units alone: `2048 units` (what an instance registers and has reserved).
pub fn format_units(units: i64) -> String {
    format!("{units} units")
}

/// What a task reserves: `1280 units (1.25 vCPU) · 1.12 GiB`.
pub fn format_task_size(cpu: i64, memory_mib: i64) -> String {
    format!("{} · {}", format_cpu_units(cpu), format_memory(memory_mib))
}

/// A container's memory limits: `512 MiB reserved, stopped above 1 GiB`, `1 GiB (hard
/// limit)`, `512 MiB reserved, no hard limit`, or `None` when it sets neither.
pub fn format_memory_limits(soft: Option<i64>, hard: Option<i64>) -> Option<String> {
    match (hard, soft) {
        (Some(hard), Some(soft)) => Some(format!(
            "{} reserved, stopped above {}",
            format_memory(soft),
            format_memory(hard)
        )),
        (Some(hard), None) => Some(format!("{} (hard limit)", format_memory(hard))),
        (None, Some(soft)) => Some(format!("{} reserved, no hard limit", format_memory(soft))),
        (None, None) => None,
    }
}

/// MiB of memory: `512 MiB`; from 1 GiB on in GiB, `1536` → `1.5 GiB`, `15722` → `15.35 GiB`.
pub fn format_memory(mib: i64) -> String {
    if mib.abs() < 1024 {
        format!("{mib} MiB")
    } else {
        format!("{} GiB", decimal(mib as f64 / 1024.0, 2))
    }
}

/// `48_213_004` → `46.0 MiB`: binary units, one decimal from MiB on.
pub fn format_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes.abs() < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A running container's CPU as ECS reports it (`1024 units (1 vCPU)`); `None` when unset.
pub fn format_container_cpu(container: &Container) -> Option<String> {
    let text = container.cpu.as_deref()?;
    Some(parse_cpu_units(text).map_or_else(|_| text.to_owned(), format_cpu_units))
}

/// A running container's memory limits (see [`format_memory_limits`]); `None` when unset.
pub fn format_container_memory(container: &Container) -> Option<String> {
    let mib = |text: Option<&String>| text.and_then(|t| parse_memory_mib(t).ok());
    format_memory_limits(
        mib(container.memory_reservation.as_ref()),
        mib(container.memory.as_ref()),
    )
}

/// `then` relative to `now`: `just now`, `45 s ago`, `12 min ago`, `3 h ago`, `2 d ago`, or
/// `in 5 min` for the future.
pub fn relative_time(then: Timestamp, now: Timestamp) -> String {
    let seconds = (now.0 - then.0) / 1000;
    let span = seconds.abs();
    let amount = match span {
        0..=9 => return "just now".to_owned(),
        10..=59 => format!("{span} s"),
        60..=3599 => format!("{} min", span / 60),
        3600..=86_399 => format!("{} h", span / 3600),
        _ => format!("{} d", span / 86_400),
    };
    if seconds >= 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// `2026-11-21 09:12 UTC`.
pub fn absolute_time(at: Timestamp) -> String {
    let text = at.to_string();
    format!("{} {} UTC", &text[..10], &text[11..16])
}

/// `arn:…:task-definition/api:7` → `api:7`.
pub fn task_definition_label(arn: &str) -> &str {
    short_id(arn)
}

/// `1 image` / `3 images`.
pub fn plural(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

/// `7 images`, or `3 of 7 images` while a filter hides some.
pub fn shown_of(shown: usize, total: usize, singular: &str, plural_form: &str) -> String {
    if shown == total {
        plural(total, singular, plural_form)
    } else {
        format!("{shown} of {}", plural(total, singular, plural_form))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-23T09:00:00Z").unwrap()
    }

    #[test]
    fn sizes_read_the_same_everywhere() {
        let cpu = [
            (128, "0.125 vCPU"),
            (256, "0.25 vCPU"),
            (512, "0.5 vCPU"),
            (1024, "1 vCPU"),
            (1536, "1.5 vCPU"),
            (4096, "4 vCPU"),
            (0, "0 vCPU"),
        ];
        for (units, text) in cpu {
            assert_eq!(format_cpu(units), text, "{units} units");
        }
        assert_eq!(format_cpu_units(256), "256 units (0.25 vCPU)");
        assert_eq!(format_units(2048), "2048 units");
        assert_eq!(
            format_task_size(1280, 1152),
            "1280 units (1.25 vCPU) · 1.12 GiB"
        );
        let limits = [
            (
                (Some(512), Some(1024)),
                Some("512 MiB reserved, stopped above 1 GiB"),
            ),
            ((None, Some(2048)), Some("2 GiB (hard limit)")),
            ((Some(512), None), Some("512 MiB reserved, no hard limit")),
            ((None, None), None),
        ];
        for ((soft, hard), text) in limits {
            assert_eq!(format_memory_limits(soft, hard).as_deref(), text);
        }
        let memory = [
            (512, "512 MiB"),
            (1023, "1023 MiB"),
            (1024, "1 GiB"),
            (1536, "1.5 GiB"),
            (15_722, "15.35 GiB"),
            (30_720, "30 GiB"),
        ];
        for (mib, text) in memory {
            assert_eq!(format_memory(mib), text, "{mib} MiB");
        }
        let bytes = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1 KiB"),
            (48_213_004, "46.0 MiB"),
            (1_610_612_736, "1.5 GiB"),
            (3 * 1024_i64.pow(4), "3.0 TiB"),
        ];
        for (count, text) in bytes {
            assert_eq!(format_bytes(count), text, "{count} bytes");
        }
    }

    #[test]
    fn containers_read_like_their_definitions() {
        let container: Container = serde_json::from_value(serde_json::json!({
            "name": "api", "cpu": "1024", "memory": "2048", "memoryReservation": "1024"
        }))
        .unwrap();
        assert_eq!(
            format_container_cpu(&container).as_deref(),
            Some("1024 units (1 vCPU)")
        );
        assert_eq!(
            format_container_memory(&container).as_deref(),
            Some("1 GiB reserved, stopped above 2 GiB")
        );
        let bare: Container = serde_json::from_value(serde_json::json!({"name": "x"})).unwrap();
        assert_eq!(format_container_cpu(&bare), None);
        assert_eq!(format_container_memory(&bare), None);
    }

    #[test]
    fn times_are_relative_to_the_data() {
        let at = |seconds_ago: i64| Timestamp(now().0 - seconds_ago * 1000);
        let cases = [
            (3, "just now"),
            (45, "45 s ago"),
            (720, "12 min ago"),
            (3 * 3600 + 5, "3 h ago"),
            (2 * 86_400, "2 d ago"),
            (-300, "in 5 min"),
        ];
        for (ago, text) in cases {
            assert_eq!(relative_time(at(ago), now()), text);
        }
        assert_eq!(absolute_time(now()), "2026-11-23 09:00 UTC");
    }

    #[test]
    fn counts_carry_their_noun() {
        assert_eq!(plural(1, "image", "images"), "1 image");
        assert_eq!(plural(70, "image", "images"), "70 images");
        assert_eq!(shown_of(7, 7, "image", "images"), "7 images");
        assert_eq!(shown_of(3, 7, "image", "images"), "3 of 7 images");
        assert_eq!(
            task_definition_label("arn:aws:ecs:us-east-1:1:task-definition/api:7"),
            "api:7"
        );
    }
}
