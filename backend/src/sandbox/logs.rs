//! The sandbox's CloudWatch Logs: believable lines for every container that logs with
//! `awslogs`, computed from the task's life — start-up lines when it starts running, requests
//! (a container with a port) or batches (one without) while it runs, draining when it stops —
//! so reading them stores nothing and the same task always reads the same lines. As in
//! CloudWatch, a container that never started has no stream: its task's stopped reason (a
//! `CannotPullContainerError` for a tag missing from the repository) says why.
//!
//! Streams are read like `GetLogEvents`: the latest lines, or forward from a token
//! (`f/<milliseconds>`: the lines written at or after that time).

use berth_shared::{
    ecs::{ContainerDefinition, Task, short_id},
    input::InputError,
    logs::{LogEvent, LogLocation, LogPage},
    ops::logs::{log_location, stream_owner},
    time::Timestamp,
};

use super::{
    ids::{fnv1a, mix},
    state::SandboxState,
};
use crate::error::SourceError;

/// When the first line after start-up comes, and the shortest and longest gap between lines.
const STEADY_AFTER_MS: i64 = 2_000;
const SHORTEST_GAP_MS: i64 = 2_000;
const GAP_SPREAD_MS: u64 = 6_000;

/// Lines of the stream at `location` as of `now`: the latest `limit`, or up to `limit` from
/// `token` on.
pub fn log_events(
    state: &SandboxState,
    location: &LogLocation,
    token: Option<&str>,
    limit: usize,
    now: Timestamp,
) -> Result<LogPage, SourceError> {
    let missing = || SourceError::NotFound {
        kind: "log stream",
        name: format!("{}/{}", location.group, location.stream),
    };
    let (container_name, task_id) = stream_owner(&location.stream).ok_or_else(missing)?;
    let task = state
        .clusters
        .iter()
        .flat_map(|cluster| &cluster.tasks)
        .find(|task| short_id(&task.task_arn) == task_id)
        .ok_or_else(missing)?;
    let definition = state.resolve_definition(&task.task_definition_arn)?;
    let written_here = log_location(definition, container_name, &task.task_arn, &state.region)
        .is_ok_and(|own| own == *location);
    let container = definition
        .container_definitions
        .iter()
        .find(|c| c.name == container_name)
        .filter(|_| written_here)
        .ok_or_else(missing)?;
    let stream = Stream::of(task, container, now).ok_or_else(missing)?;
    let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    let events = match token {
        None => {
            let from = stream.end - (limit + 8) * stream.gap;
            let mut events = stream.between(from, stream.end);
            let excess = events.len().saturating_sub(limit as usize);
            events.drain(..excess);
            events
        }
        Some(token) => {
            let from = forward_from(token)?;
            let until = stream
                .end
                .min(from.saturating_add((limit + 8) * stream.gap));
            let mut events = stream.between(from, until);
            events.truncate(limit as usize);
            events
        }
    };
    let next = events.last().map_or_else(
        || token.map_or(stream.end, |t| forward_from(t).unwrap_or(stream.end)),
        |last| last.timestamp.0 + 1,
    );
    Ok(LogPage {
        events,
        next_token: Some(format!("f/{next}")),
    })
}

/// The time a forward token starts at.
fn forward_from(token: &str) -> Result<i64, SourceError> {
    token
        .strip_prefix("f/")
        .and_then(|ms| ms.parse().ok())
        .ok_or_else(|| {
            InputError::new(
                "token",
                format!("{token:?} is not a token this stream gave"),
            )
            .into()
        })
}

/// One container's stream: when its lines start and end, and what it is.
struct Stream<'a> {
    identity: u64,
    started: i64,
    /// Lines are written before this (the task's stop, or now).
    end: i64,
    /// When the container was told to stop, if it was.
    stopping: Option<i64>,
    gap: i64,
    container: &'a ContainerDefinition,
}

impl<'a> Stream<'a> {
    /// The stream of a task that started running; none for one that never did.
    fn of(task: &Task, container: &'a ContainerDefinition, now: Timestamp) -> Option<Self> {
        let started = task.started_at?.0;
        let identity = fnv1a(format!("{}/{}", task.task_arn, container.name).as_bytes());
        let stopping = task.stopping_at.or(task.stopped_at).map(|t| t.0);
        let end = match task.stopped_at {
            Some(stopped) => (stopped.0 + 1).min(now.0 + 1),
            None => now.0 + 1,
        };
        Some(Self {
            identity,
            started,
            end,
            stopping,
            gap: SHORTEST_GAP_MS + (mix(identity) % GAP_SPREAD_MS) as i64,
            container,
        })
    }

    /// The lines written in `[from, until)`, oldest first.
    fn between(&self, from: i64, until: i64) -> Vec<LogEvent> {
        let until = until.min(self.end);
        let steady_until = self.stopping.unwrap_or(i64::MAX).min(until);
        let mut lines: Vec<(i64, String)> = self
            .start_up()
            .into_iter()
            .map(|(offset, line)| (self.started + offset, line))
            .filter(|(at, _)| *at < steady_until)
            .collect();
        let first = self.started + STEADY_AFTER_MS;
        let k_from = if from <= first {
            0
        } else {
            (from - first + self.gap - 1) / self.gap
        };
        let mut k = k_from;
        while first + k * self.gap < steady_until {
            lines.push((first + k * self.gap, self.steady_line(k as u64)));
            k += 1;
        }
        if let Some(stopping) = self.stopping {
            lines.push((
                stopping,
                "INFO  received SIGTERM: draining, then exiting".to_owned(),
            ));
            lines.push((stopping + 150, "INFO  stopped cleanly".to_owned()));
        }
        lines.retain(|(at, _)| (from..until).contains(at));
        lines.sort_by_key(|(at, _)| *at);
        lines
            .into_iter()
            .map(|(at, message)| LogEvent {
                timestamp: Timestamp(at),
                message,
            })
            .collect()
    }

    /// The start-up lines, with their offsets from the start.
    fn start_up(&self) -> Vec<(i64, String)> {
        let container = self.container;
        let mut lines = vec![(
            0,
            format!("INFO  starting {} ({})", container.name, container.image),
        )];
        if !container.environment.is_empty() {
            let names: Vec<&str> = container
                .environment
                .iter()
                .map(|pair| pair.name.as_str())
                .collect();
            lines.push((35, format!("INFO  environment: {}", names.join(", "))));
        }
        if let Some(port) = self.port() {
            lines.push((120, format!("INFO  listening on 0.0.0.0:{port}")));
        }
        let ready = 400 + (self.identity % 600) as i64;
        lines.push((ready, format!("INFO  ready in {ready} ms")));
        lines
    }

    fn port(&self) -> Option<i64> {
        self.container
            .port_mappings
            .first()
            .and_then(|mapping| mapping.container_port)
    }

    /// The `k`th line after start-up: a request for a container with a port, a batch for one
    /// without.
    fn steady_line(&self, k: u64) -> String {
        let roll = mix(self.identity ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let pick = roll % 100;
        let number = (roll >> 8) % 1_000;
        let millis = 3 + (roll >> 20) % 90;
        if self.port().is_some() {
            match pick {
                0..=34 => format!("INFO  GET /health 200 {}ms", 1 + millis % 3),
                35..=69 => format!("INFO  GET /api/items 200 {millis}ms"),
                70..=84 => format!("INFO  GET /api/items/{number} 200 {}ms", millis / 2 + 2),
                85..=93 => format!("INFO  POST /api/orders 201 {}ms", millis + 30),
                94..=96 => format!("WARN  GET /api/items/{number} 404 2ms"),
                97..=98 => format!(
                    "WARN  slow request: GET /api/search took {}ms",
                    800 + number
                ),
                _ => "ERROR upstream timed out: POST /api/payments after 3000ms".to_owned(),
            }
        } else {
            match pick {
                0..=79 => format!(
                    "INFO  processed batch {}: {} messages in {}ms",
                    k + 1,
                    1 + number % 50,
                    millis * 4
                ),
                80..=94 => format!("INFO  queue depth {}", number % 200),
                _ => format!("WARN  retrying message {number} (attempt 2 of 5)"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::seed;

    const NOW: Timestamp = Timestamp(1_780_000_000_000);

    /// A running task of the demo fleet whose container logs with awslogs, and its location.
    fn running(state: &SandboxState) -> (Task, LogLocation) {
        state
            .clusters
            .iter()
            .flat_map(|cluster| &cluster.tasks)
            .filter(|task| task.last_status == "RUNNING")
            .find_map(|task| {
                let definition = state.resolve_definition(&task.task_definition_arn).ok()?;
                let container = &definition.container_definitions.first()?.name;
                let location =
                    log_location(definition, container, &task.task_arn, &state.region).ok()?;
                Some((task.clone(), location))
            })
            .expect("the demo fleet has a running task that logs")
    }

    #[test]
    fn a_running_container_starts_up_then_serves_and_reads_forward() {
        let state = seed::demo_fleet(NOW);
        let (task, location) = running(&state);
        let later = Timestamp(task.started_at.unwrap().0 + 60_000);
        let page = log_events(&state, &location, None, 1_000, later).unwrap();
        assert!(page.events[0].message.contains("starting"), "{page:?}");
        assert!(page.events.len() > 8, "a minute of lines: {page:?}");
        assert!(
            page.events
                .windows(2)
                .all(|w| w[0].timestamp <= w[1].timestamp)
        );
        assert!(page.events.iter().all(|e| e.timestamp <= later));

        // The same read reads the same lines; the latest 5 are the tail of them.
        assert_eq!(
            page,
            log_events(&state, &location, None, 1_000, later).unwrap()
        );
        let tail = log_events(&state, &location, None, 5, later).unwrap();
        assert_eq!(tail.events, page.events[page.events.len() - 5..]);

        // Following: nothing new at the same moment, new lines later, none twice.
        let token = tail.next_token.unwrap();
        let none = log_events(&state, &location, Some(&token), 100, later).unwrap();
        assert!(none.events.is_empty());
        assert_eq!(none.next_token.as_deref(), Some(token.as_str()));
        let after = Timestamp(later.0 + 30_000);
        let more = log_events(&state, &location, Some(&token), 100, after).unwrap();
        assert!(!more.events.is_empty());
        assert!(more.events[0].timestamp > page.events.last().unwrap().timestamp);
    }

    #[test]
    fn streams_that_do_not_exist_and_bad_tokens_are_refused() {
        let state = seed::demo_fleet(NOW);
        let (_, location) = running(&state);
        let elsewhere = LogLocation {
            group: "/ecs/elsewhere".into(),
            ..location.clone()
        };
        let unknown = LogLocation {
            stream: "web/web/0000".into(),
            ..location.clone()
        };
        for wrong in [elsewhere, unknown] {
            assert!(matches!(
                log_events(&state, &wrong, None, 10, NOW),
                Err(SourceError::NotFound {
                    kind: "log stream",
                    ..
                })
            ));
        }
        assert!(matches!(
            log_events(&state, &location, Some("yesterday"), 10, NOW),
            Err(SourceError::InvalidInput(_))
        ));
    }
}
