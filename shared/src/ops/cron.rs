//! Schedule expressions of Application Auto Scaling scheduled actions: `at(…)`, `rate(…)` and
//! AWS's six-field `cron(…)`.
//!
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)` (docs/ECS-MODEL.md §5.5), in UTC.
//! Each field takes `*`, a value, a range `a-b`, a step `*/n`, `a/n` or `a-b/n`, and comma
//! lists of those. Months may be written `JAN`–`DEC`, days of the week `SUN`–`SAT` (1 = Sunday,
//! 7 = Saturday, as in AWS). Exactly one of day-of-month and day-of-week must be `?`.
//! Day-of-month also takes `L` (the last day of the month); day-of-week takes `nL` (the last
//! such weekday of the month) and `n#k` (the k-th such weekday). `W` (nearest weekday) is not
//! supported and is reported as such. Ranges: minutes 0–59, hours 0–23, days 1–31, months
//! 1–12, weekdays 1–7, years 1970–2199.
//!
//! `rate(n minute|minutes|hour|hours|day|days)` fires every n units from its anchor (the
//! action's `startTime`, else the start of the simulation), not at the anchor itself (MODEL).
//! `at(yyyy-mm-ddThh:mm:ss)` fires once. Time zones other than UTC are not modelled (no time
//! zone database in a pure crate).

use crate::time::{Timestamp, civil_from_days, days_from_civil};

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Once, at this time.
    At(Timestamp),
    /// Every this many minutes.
    Rate {
        /// The period in minutes.
        minutes: i64,
    },
    /// On every minute the expression matches.
    Cron(Box<CronExpression>),
}

impl Schedule {
    /// Parses `at(…)`, `rate(…)` or `cron(…)`. The error is a sentence for the user.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let inner = |prefix: &str| {
            text.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
                .map(str::trim)
        };
        if let Some(when) = inner("at(") {
            return Timestamp::parse_rfc3339(&format!("{when}Z"))
                .map(Schedule::At)
                .map_err(|_| format!("{text:?}: write at(yyyy-mm-ddThh:mm:ss)."));
        }
        if let Some(rate) = inner("rate(") {
            return parse_rate(rate).map(|minutes| Schedule::Rate { minutes });
        }
        if let Some(expression) = inner("cron(") {
            return CronExpression::parse(expression).map(|cron| Schedule::Cron(Box::new(cron)));
        }
        Err(format!(
            "{text:?} is not a schedule; write at(…), rate(…) or cron(…)."
        ))
    }
}

fn parse_rate(text: &str) -> Result<i64, String> {
    let fail =
        || format!("rate({text}): write rate(<n> minute|minutes|hour|hours|day|days) with n ≥ 1.");
    let (count, unit) = text.split_once(' ').ok_or_else(fail)?;
    let count: i64 = count.trim().parse().map_err(|_| fail())?;
    let per_unit = match unit.trim() {
        "minute" | "minutes" => 1,
        "hour" | "hours" => 60,
        "day" | "days" => 1440,
        _ => return Err(fail()),
    };
    if count < 1 {
        return Err(fail());
    }
    Ok(count * per_unit)
}

/// The calendar fields of a minute, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    /// 1 = Sunday … 7 = Saturday.
    weekday: i64,
    days_in_month: i64,
}

impl Civil {
    fn of(time: Timestamp) -> Self {
        let secs = time.secs();
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let next_month_start = if month == 12 {
            days_from_civil(year + 1, 1, 1)
        } else {
            days_from_civil(year, month + 1, 1)
        };
        let month_start = days_from_civil(year, month, 1);
        Self {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: (of_day / 60) % 60,
            // 1970-01-01 was a Thursday (weekday 5).
            weekday: (days + 4).rem_euclid(7) + 1,
            days_in_month: next_month_start - month_start,
        }
    }
}

/// The set of allowed values of one numeric field.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldSet {
    first: i64,
    allowed: Vec<bool>,
}

impl FieldSet {
    fn contains(&self, value: i64) -> bool {
        usize::try_from(value - self.first)
            .ok()
            .and_then(|offset| self.allowed.get(offset))
            .copied()
            .unwrap_or(false)
    }
}

/// Day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MonthDays {
    Unspecified,
    Days(FieldSet),
    Last,
}

/// Day-of-week field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WeekDays {
    Unspecified,
    Days(FieldSet),
    /// The last given weekday of the month (`6L`).
    LastOfMonth(i64),
    /// The k-th given weekday of the month (`2#1` = first Monday).
    Nth {
        weekday: i64,
        nth: i64,
    },
}

/// A parsed six-field AWS cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpression {
    minutes: FieldSet,
    hours: FieldSet,
    month_days: MonthDays,
    months: FieldSet,
    week_days: WeekDays,
    years: FieldSet,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl CronExpression {
    /// Parses the six fields inside `cron(…)`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [minutes, hours, month_days, months, week_days, years] = fields[..] else {
            return Err(format!(
                "cron({text}) has {} fields; AWS cron has six: minutes hours day-of-month month day-of-week year.",
                fields.len()
            ));
        };
        let in_field =
            |name: &'static str| move |error: String| format!("cron({text}), {name}: {error}");
        let expression = Self {
            minutes: parse_set(minutes, 0, 59, &[]).map_err(in_field("minutes"))?,
            hours: parse_set(hours, 0, 23, &[]).map_err(in_field("hours"))?,
            month_days: parse_month_days(month_days).map_err(in_field("day-of-month"))?,
            months: parse_set(months, 1, 12, &MONTHS).map_err(in_field("month"))?,
            week_days: parse_week_days(week_days).map_err(in_field("day-of-week"))?,
            years: parse_set(years, 1970, 2199, &[]).map_err(in_field("year"))?,
        };
        let both_unspecified = expression.month_days == MonthDays::Unspecified
            && expression.week_days == WeekDays::Unspecified;
        let neither_unspecified = expression.month_days != MonthDays::Unspecified
            && expression.week_days != WeekDays::Unspecified;
        if both_unspecified || neither_unspecified {
            return Err(format!(
                "cron({text}): exactly one of day-of-month and day-of-week must be \"?\"."
            ));
        }
        Ok(expression)
    }

    /// Whether the expression fires in the minute that contains `time` (UTC).
    pub fn matches(&self, time: Timestamp) -> bool {
        let civil = Civil::of(time);
        let day_matches = match (&self.month_days, &self.week_days) {
            (MonthDays::Days(days), _) => days.contains(civil.day),
            (MonthDays::Last, _) => civil.day == civil.days_in_month,
            (MonthDays::Unspecified, WeekDays::Days(days)) => days.contains(civil.weekday),
            (MonthDays::Unspecified, WeekDays::LastOfMonth(weekday)) => {
                civil.weekday == *weekday && civil.day + 7 > civil.days_in_month
            }
            (MonthDays::Unspecified, WeekDays::Nth { weekday, nth }) => {
                civil.weekday == *weekday && (civil.day - 1) / 7 + 1 == *nth
            }
            (MonthDays::Unspecified, WeekDays::Unspecified) => false,
        };
        day_matches
            && self.minutes.contains(civil.minute)
            && self.hours.contains(civil.hour)
            && self.months.contains(civil.month)
            && self.years.contains(civil.year)
    }
}

fn parse_month_days(text: &str) -> Result<MonthDays, String> {
    match text {
        "?" => Ok(MonthDays::Unspecified),
        "L" => Ok(MonthDays::Last),
        _ if text.contains('W') => Err("\"W\" (nearest weekday) is not supported.".to_owned()),
        _ => parse_set(text, 1, 31, &[]).map(MonthDays::Days),
    }
}

fn parse_week_days(text: &str) -> Result<WeekDays, String> {
    if text == "?" {
        return Ok(WeekDays::Unspecified);
    }
    if let Some(day) = text.strip_suffix('L') {
        let weekday = parse_value(if day.is_empty() { "7" } else { day }, 1, 7, &WEEKDAYS)?;
        return Ok(WeekDays::LastOfMonth(weekday));
    }
    if let Some((day, nth)) = text.split_once('#') {
        let weekday = parse_value(day, 1, 7, &WEEKDAYS)?;
        let nth = parse_value(nth, 1, 5, &[])?;
        return Ok(WeekDays::Nth { weekday, nth });
    }
    parse_set(text, 1, 7, &WEEKDAYS).map(WeekDays::Days)
}

/// Parses `*`, values, ranges, steps and lists into the allowed set over `first..=last`.
fn parse_set(text: &str, first: i64, last: i64, names: &[&str]) -> Result<FieldSet, String> {
    let mut allowed = vec![false; (last - first + 1) as usize];
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: i64 =
                    step.parse().ok().filter(|step| *step >= 1).ok_or_else(|| {
                        format!("{item:?} has a step that is not a positive number.")
                    })?;
                (range, step)
            }
            None => (item, 1),
        };
        let (low, high) = match range {
            "*" => (first, last),
            _ => match range.split_once('-') {
                Some((low, high)) => (
                    parse_value(low, first, last, names)?,
                    parse_value(high, first, last, names)?,
                ),
                None => {
                    let value = parse_value(range, first, last, names)?;
                    // `a/n` runs from a to the end of the field.
                    (value, if item.contains('/') { last } else { value })
                }
            },
        };
        if low > high {
            return Err(format!("{item:?} is a range that runs backwards."));
        }
        let mut value = low;
        while value <= high {
            allowed[(value - first) as usize] = true;
            value += step;
        }
    }
    Ok(FieldSet { first, allowed })
}

fn parse_value(text: &str, first: i64, last: i64, names: &[&str]) -> Result<i64, String> {
    let upper = text.to_ascii_uppercase();
    let value = match names.iter().position(|name| *name == upper) {
        Some(position) => position as i64 + first,
        None => text
            .parse::<i64>()
            .map_err(|_| format!("{text:?} is not a number{}.", name_hint(names)))?,
    };
    if !(first..=last).contains(&value) {
        return Err(format!("{value} is outside {first}–{last}."));
    }
    Ok(value)
}

fn name_hint(names: &[&str]) -> String {
    match (names.first(), names.last()) {
        (Some(first), Some(last)) => format!(" or a name {first}–{last}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn matches_the_minutes_it_should() {
        // (expression, time, matches)
        let cases = [
            ("0 9 ? * MON-FRI *", "2024-05-06T09:00:00Z", true), // a Monday
            ("0 9 ? * MON-FRI *", "2024-05-05T09:00:00Z", false), // a Sunday
            ("0 9 ? * MON-FRI *", "2024-05-06T09:01:00Z", false),
            ("0 9 ? * 2-6 *", "2024-05-10T09:00:30Z", true), // Friday, inside the minute
            ("*/15 * * * ? *", "2024-05-06T13:45:00Z", true),
            ("*/15 * * * ? *", "2024-05-06T13:50:00Z", false),
            ("5/20 8-10 * * ? *", "2024-05-06T10:45:00Z", true),
            ("0 0 1 JAN,jul ? 2024", "2024-07-01T00:00:00Z", true),
            ("0 0 1 JAN,jul ? 2025", "2024-07-01T00:00:00Z", false),
            ("0 0 L * ? *", "2024-02-29T00:00:00Z", true),
            ("0 0 L * ? *", "2023-02-28T00:00:00Z", true),
            ("0 0 L * ? *", "2024-02-28T00:00:00Z", false),
            ("0 12 ? * 6L *", "2024-05-31T12:00:00Z", true), // last Friday of May 2024
            ("0 12 ? * 6L *", "2024-05-24T12:00:00Z", false),
            ("0 12 ? * 2#1 *", "2024-05-06T12:00:00Z", true), // first Monday
            ("0 12 ? * 2#1 *", "2024-05-13T12:00:00Z", false),
            ("30 23 31 12 ? *", "2024-12-31T23:30:00Z", true),
        ];
        for (expression, time, expected) in cases {
            let cron = CronExpression::parse(expression).unwrap();
            assert_eq!(cron.matches(at(time)), expected, "{expression} at {time}");
        }
    }

    #[test]
    fn rejects_what_aws_rejects() {
        for expression in [
            "0 9 * * MON *",
            "0 9 ? * ? *",
            "0 9 * *",
            "60 9 * * ? *",
            "0 9 15W * ? *",
            "0 9 * * ? 1969",
            "0 9 * 13 ? *",
            "0 9 10-5 * ? *",
            "*/0 9 * * ? *",
            "0 9 ? * FUNDAY *",
        ] {
            assert!(CronExpression::parse(expression).is_err(), "{expression}");
        }
    }

    #[test]
    fn parses_at_and_rate() {
        assert_eq!(
            Schedule::parse("at(2024-05-06T09:00:00)"),
            Ok(Schedule::At(at("2024-05-06T09:00:00Z")))
        );
        assert_eq!(
            Schedule::parse("rate(5 minutes)"),
            Ok(Schedule::Rate { minutes: 5 })
        );
        assert_eq!(
            Schedule::parse("rate(1 hour)"),
            Ok(Schedule::Rate { minutes: 60 })
        );
        assert_eq!(
            Schedule::parse("rate(2 days)"),
            Ok(Schedule::Rate { minutes: 2880 })
        );
        for text in [
            "rate(0 minutes)",
            "rate(5 weeks)",
            "at(tomorrow)",
            "every day",
            "cron(0 9 * * ? *",
        ] {
            assert!(Schedule::parse(text).is_err(), "{text}");
        }
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn parsing_never_panics(text in "[0-9A-Za-z*?,/#L -]{0,30}") {
            let _ = Schedule::parse(&format!("cron({text})"));
            let _ = Schedule::parse(&text);
        }

        #[test]
        fn daily_expressions_fire_once_a_day(minute in 0i64..60, hour in 0i64..24, day in 0i64..3650) {
            let cron = CronExpression::parse(&format!("{minute} {hour} * * ? *")).unwrap();
            let midnight = 1_577_836_800_000 + day * 86_400_000; // from 2020-01-01
            let firing: Vec<i64> = (0..1440)
                .filter(|m| cron.matches(Timestamp(midnight + m * 60_000)))
                .collect();
            prop_assert_eq!(firing, vec![hour * 60 + minute]);
        }
    }
}
