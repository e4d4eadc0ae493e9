//! Timestamps as ECS and ECR put them on the wire.
//!
//! The AWS APIs send epoch seconds (with a fraction) in JSON; the AWS CLI prints ISO 8601 /
//! RFC 3339 strings. [`Timestamp`] accepts both so users can paste either, and always writes
//! RFC 3339 in UTC with millisecond precision. It is a plain number of milliseconds since the
//! Unix epoch: `shared` never reads a clock, callers pass "now" in.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Builds a timestamp from whole seconds since the epoch.
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs * 1000)
    }

    /// Whole seconds since the epoch (rounded towards negative infinity).
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Parses RFC 3339 (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.5+02:00`, also with a
    /// space instead of `T`). Returns a description of the problem on failure.
    pub fn parse_rfc3339(text: &str) -> Result<Self, String> {
        let bytes = text.as_bytes();
        let fail = |what: &str| Err(format!("invalid timestamp {text:?}: {what}"));
        if bytes.len() < 19 {
            return fail("expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset");
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = text.get(range)?;
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let separators_ok = bytes[4] == b'-'
            && bytes[7] == b'-'
            && matches!(bytes[10], b'T' | b't' | b' ')
            && bytes[13] == b':'
            && bytes[16] == b':';
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
            number(0..4),
            number(5..7),
            number(8..10),
            number(11..13),
            number(14..16),
            number(17..19),
        ) else {
            return fail("expected YYYY-MM-DDTHH:MM:SS");
        };
        if !separators_ok {
            return fail("expected YYYY-MM-DDTHH:MM:SS");
        }
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return fail("a date or time field is out of range");
        }
        let mut rest = &text[19..];
        let mut millis = 0i64;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return fail("expected digits after the decimal point");
            }
            let padded: String = fraction[..digits]
                .chars()
                .chain("000".chars())
                .take(3)
                .collect();
            millis = padded.parse().unwrap_or(0);
            rest = &fraction[digits..];
        }
        let offset_minutes = match rest {
            "Z" | "z" | "" => 0,
            _ => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return fail("expected Z or a +HH:MM / -HH:MM offset"),
                };
                let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
                if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return fail("expected Z or a +HH:MM / -HH:MM offset");
                }
                let hours: i64 = digits[..2].parse().unwrap_or(0);
                let minutes: i64 = digits[2..].parse().unwrap_or(0);
                sign * (hours * 60 + minutes)
            }
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_minutes * 60;
        Ok(Self(secs * 1000 + millis))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, e.g. `2024-05-01T12:00:00.000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.secs();
        let millis = self.0.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            of_day / 3600,
            (of_day / 60) % 60,
            of_day % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("epoch seconds or an RFC 3339 timestamp")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                if v.is_finite() && v.abs() < 1e13 {
                    Ok(Timestamp((v * 1000.0).round() as i64))
                } else {
                    Err(E::custom(format!("epoch seconds out of range: {v}")))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                v.checked_mul(1000)
                    .map(Timestamp)
                    .ok_or_else(|| E::custom(format!("epoch seconds out of range: {v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                i64::try_from(v)
                    .map_err(|_| E::custom(format!("epoch seconds out of range: {v}")))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parses_the_forms_aws_prints() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2024-05-01T12:00:00Z", 1_714_564_800_000),
            ("2024-05-01T12:00:00.5Z", 1_714_564_800_500),
            ("2024-05-01T14:00:00.123000+02:00", 1_714_564_800_123),
            ("2024-05-01 12:00:00+00:00", 1_714_564_800_000),
            ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ];
        for (text, millis) in cases {
            assert_eq!(
                Timestamp::parse_rfc3339(text),
                Ok(Timestamp(millis)),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_malformed_text() {
        for text in [
            "",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-05-01T12:00:00+2",
        ] {
            assert!(Timestamp::parse_rfc3339(text).is_err(), "{text}");
        }
    }

    #[test]
    fn reads_epoch_seconds_and_writes_rfc3339() {
        let parsed: Timestamp = serde_json::from_str("1714564800.25").unwrap();
        assert_eq!(parsed, Timestamp(1_714_564_800_250));
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            "\"2024-05-01T12:00:00.250Z\""
        );
    }

    proptest! {
        #[test]
        fn display_round_trips(millis in -5_000_000_000_000i64..5_000_000_000_000) {
            let ts = Timestamp(millis);
            prop_assert_eq!(Timestamp::parse_rfc3339(&ts.to_string()), Ok(ts));
        }

        #[test]
        fn parsing_never_panics(text in ".{0,40}") {
            let _ = Timestamp::parse_rfc3339(&text);
        }
    }
}
