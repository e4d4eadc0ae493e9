//! How the console shows a container's lines: the time of a line, the tone of its level, and
//! keeping a followed stream to a bounded number of lines without repeating any.

use berth_shared::time::Timestamp;

use crate::table::Tone;

/// The most lines a log view keeps while following; older ones scroll away.
pub const MAX_FOLLOWED_LINES: usize = 2_000;

/// `09:12:05.123` (UTC): the time of a line, to the millisecond.
pub fn clock_time(at: Timestamp) -> String {
    let text = at.to_string();
    text.get(11..23).unwrap_or(&text).to_owned()
}

/// The tone of a line by its level word (the first of its first four words that names a
/// level, `[ERROR]` and `level=warn` alike): errors bad, warnings warn, anything else plain.
pub fn line_tone(message: &str) -> Tone {
    for word in message.split_whitespace().take(4) {
        let word = word.rsplit('=').next().unwrap_or(word);
        let level: String = word
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_uppercase();
        match level.as_str() {
            "ERROR" | "ERR" | "FATAL" | "PANIC" | "CRITICAL" | "CRIT" => return Tone::Bad,
            "WARN" | "WARNING" => return Tone::Warn,
            "INFO" | "DEBUG" | "TRACE" | "NOTICE" => return Tone::Plain,
            _ => {}
        }
    }
    Tone::Plain
}

/// `lines` followed by `more`, keeping the last [`MAX_FOLLOWED_LINES`].
pub fn append<T>(lines: &mut Vec<T>, more: impl IntoIterator<Item = T>) {
    lines.extend(more);
    let excess = lines.len().saturating_sub(MAX_FOLLOWED_LINES);
    lines.drain(..excess);
}

#[cfg(test)]
mod tests {
    use berth_shared::logs::LogEvent;

    use super::*;

    #[test]
    fn a_line_shows_its_time_to_the_millisecond() {
        let at: Timestamp = serde_json::from_str("\"2026-12-07T09:12:05.123Z\"").unwrap();
        assert_eq!(clock_time(at), "09:12:05.123");
    }

    #[test]
    fn levels_set_the_tone() {
        let cases = [
            ("ERROR upstream timed out", Tone::Bad),
            ("2026-12-07 fatal: cannot bind", Tone::Bad),
            ("WARN  slow request", Tone::Warn),
            ("INFO  GET /health 200", Tone::Plain),
            ("INFO  GET /errors 200 (a path, not a level)", Tone::Plain),
            ("time=09:12 level=warn msg=slow", Tone::Warn),
            ("[ERROR] cannot connect", Tone::Bad),
        ];
        for (line, tone) in cases {
            assert_eq!(line_tone(line), tone, "{line}");
        }
    }

    #[test]
    fn following_keeps_the_latest_lines() {
        let line = |i: i64| LogEvent {
            timestamp: Timestamp(i),
            message: i.to_string(),
        };
        let mut lines: Vec<LogEvent> = (0..MAX_FOLLOWED_LINES as i64).map(line).collect();
        append(&mut lines, vec![line(9_000), line(9_001)]);
        assert_eq!(lines.len(), MAX_FOLLOWED_LINES);
        assert_eq!(lines[0].timestamp, Timestamp(2));
        assert_eq!(lines.last().unwrap().timestamp, Timestamp(9_001));
    }
}
