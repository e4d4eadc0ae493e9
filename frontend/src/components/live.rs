//! Live cluster data: [`use_cluster_stream`] follows `GET /api/clusters/{name}/stream` (server-sent
//! events) with the browser's `EventSource`, and [`LiveIndicator`] says whether what is shown is
//! live, paused or stale.
//!
//! The first paint does not wait for the stream: the hook also asks `GET /api/clusters/{name}`
//! once and shows whichever answer comes first. When the stream reports an error (the server's
//! `error` event, or the connection dropping) the last snapshot stays on screen and the indicator
//! says since when it is stale and why; the browser reconnects by itself and the next snapshot
//! makes it live again. After the first snapshot the server sends only what changed (`delta`
//! events, applied here with the same shared code the server computes them with); a reconnection
//! tells the server the last event it got, so it resumes with a delta or, when that is not
//! enough, the whole snapshot. Pausing closes the stream; resuming opens a new one.
//!
//! Each event applied leaves a [`SHOWN_MEASURE`] on the browser's performance timeline: from the
//! event's arrival to the first paint after it, with the event's kind and how many tasks it
//! brought (or changed) as detail.

use std::sync::Arc;

use berth_shared::{
    api::{ClusterSnapshot, ErrorBody},
    delta::{SnapshotDelta, apply},
};
use leptos::{prelude::*, task::spawn_local, wasm_bindgen::JsCast, web_sys};
use wasm_bindgen::closure::Closure;

use crate::{
    api::{self, ClientError},
    components::{error_panel::ErrorPanel, timing},
};

/// The User Timing measure of one live event, from its arrival to the first paint showing it.
pub const SHOWN_MEASURE: &str = "berth: live event shown";

/// Records [`SHOWN_MEASURE`] for `event` (of `kind`, carrying `tasks` tasks) once painted.
fn measure_shown(event: &web_sys::Event, kind: &'static str, tasks: usize) {
    let arrived = event.time_stamp();
    timing::after_paint(arrived, move |_| {
        timing::measure(
            SHOWN_MEASURE,
            arrived,
            &[("event", kind.into()), ("tasks", (tasks as f64).into())],
        );
    });
}

/// Whether the data on screen follows the cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveState {
    /// Waiting for the first snapshot of the stream.
    Connecting,
    /// The last snapshot came from the open stream.
    Live,
    /// The user closed the stream.
    Paused,
    /// The stream failed; the data shown is the last snapshot received.
    Stale {
        /// The failure in words.
        message: String,
    },
}

/// What [`use_cluster_stream`] yields. Every field is a reactive handle (`Copy`).
#[derive(Debug, Clone, Copy)]
pub struct ClusterStream {
    /// The latest snapshot; `None` until the first arrives. Pages may write a changed resource
    /// into it (the answer to a change) so the page updates before the next event.
    pub snapshot: RwSignal<Option<Arc<ClusterSnapshot>>>,
    /// The connection's state.
    pub state: RwSignal<LiveState>,
    /// Why the first snapshot could not be read (shown when there is nothing else to show).
    pub error: RwSignal<Option<ClientError>>,
    /// Set to close the stream, clear to open it again.
    pub paused: RwSignal<bool>,
    /// The cluster followed.
    name: Signal<String>,
}

impl ClusterStream {
    /// Reads the cluster again now (one plain GET) and shows the answer, as the next event
    /// would.
    pub fn refresh(&self) {
        read_once(*self, self.name.get_untracked(), true);
    }

    /// Replaces part of the current snapshot (e.g. with the resource a change returned), in
    /// place: the snapshot is copied only if something else still holds it.
    pub fn patch(&self, change: impl FnOnce(&mut ClusterSnapshot)) {
        self.snapshot.update(|current| {
            if let Some(current) = current {
                change(Arc::make_mut(current));
            }
        });
    }
}

/// An open `EventSource` and the callbacks it calls; dropping it closes the stream.
struct Connection {
    source: web_sys::EventSource,
    _on_snapshot: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_delta: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Follows cluster `name`: opens the stream whenever the name changes or the user resumes,
/// closes it on pause and when the calling component is cleaned up.
pub fn use_cluster_stream(name: Signal<String>) -> ClusterStream {
    let stream = ClusterStream {
        snapshot: RwSignal::new(None),
        state: RwSignal::new(LiveState::Connecting),
        error: RwSignal::new(None),
        paused: RwSignal::new(false),
        name,
    };
    let connection = StoredValue::new_local(None::<Connection>);
    // Bumped to open a fresh connection, which starts with the whole snapshot.
    let reconnect = RwSignal::new(0_u32);

    // A new cluster starts from nothing, with one plain GET for a fast first paint.
    Effect::new(move |previous: Option<String>| {
        let current = name.get();
        if previous.as_deref() != Some(current.as_str()) {
            stream.snapshot.set(None);
            stream.error.set(None);
            read_once(stream, current.clone(), false);
        }
        current
    });

    Effect::new(move |_| {
        let name = name.get();
        let paused = stream.paused.get();
        reconnect.track();
        connection.set_value(None);
        if paused {
            stream.state.set(LiveState::Paused);
        } else {
            stream.state.set(LiveState::Connecting);
            match open(&name, stream, reconnect) {
                Ok(open) => connection.set_value(Some(open)),
                Err(message) => stream.state.set(LiveState::Stale { message }),
            }
        }
    });

    on_cleanup(move || {
        connection.try_set_value(None);
    });
    stream
}

/// Reads cluster `wanted` with one GET and shows it, unless the page has moved to another
/// cluster meanwhile, or (without `replace`) a snapshot came first.
fn read_once(stream: ClusterStream, wanted: String, replace: bool) {
    spawn_local(async move {
        let answer = api::cluster(&wanted).await;
        if stream.name.try_get_untracked().as_deref() != Some(wanted.as_str())
            || !(replace || stream.snapshot.with_untracked(Option::is_none))
        {
            return;
        }
        match answer {
            Ok(snapshot) => {
                stream.snapshot.set(Some(Arc::new(snapshot)));
                stream.error.set(None);
            }
            Err(error) => {
                if stream.snapshot.with_untracked(Option::is_none) {
                    stream.error.set(Some(error));
                }
            }
        }
    });
}

fn open(name: &str, stream: ClusterStream, reconnect: RwSignal<u32>) -> Result<Connection, String> {
    let source = web_sys::EventSource::new(&api::cluster_stream_url(name))
        .map_err(|_| "this browser could not open the live stream".to_owned())?;
    let on_snapshot =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ClusterSnapshot>(&text) {
                Ok(snapshot) => {
                    let tasks = snapshot.tasks.len();
                    stream.snapshot.set(Some(Arc::new(snapshot)));
                    stream.error.set(None);
                    stream.state.set(LiveState::Live);
                    measure_shown(&event, "snapshot", tasks);
                }
                Err(error) => stream.state.set(LiveState::Stale {
                    message: format!(
                        "the server sent a snapshot this console cannot read ({error})"
                    ),
                }),
            }
        });
    let on_delta =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let delta = match serde_json::from_str::<SnapshotDelta>(&text) {
                Ok(delta) => delta,
                Err(error) => {
                    stream.state.set(LiveState::Stale {
                        message: format!(
                            "the server sent a change this console cannot read ({error})"
                        ),
                    });
                    return;
                }
            };
            if stream.snapshot.with_untracked(Option::is_none) {
                // Nothing to apply it to: start again from a whole snapshot.
                reconnect.update(|n| *n = n.wrapping_add(1));
                return;
            }
            stream.patch(|current| apply(current, &delta));
            stream.error.set(None);
            stream.state.set(LiveState::Live);
            let tasks = &delta.tasks;
            let changed = tasks
                .replaced
                .as_ref()
                .map_or(tasks.upserted.len() + tasks.removed.len(), Vec::len);
            measure_shown(&event, "delta", changed);
        });
    // The server's `error` events carry an ErrorBody; the browser's own `error` (connection
    // lost, reconnecting) carries nothing.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let body = event
            .dyn_ref::<web_sys::MessageEvent>()
            .and_then(|m| m.data().as_string())
            .and_then(|text| serde_json::from_str::<ErrorBody>(&text).ok());
        let message = body.map_or_else(
            || "lost the connection to the Berth server; reconnecting".to_owned(),
            |body| body.message,
        );
        stream.state.set(LiveState::Stale { message });
    });
    source
        .add_event_listener_with_callback("snapshot", on_snapshot.as_ref().unchecked_ref())
        .map_err(|_| "could not listen to the live stream".to_owned())?;
    source
        .add_event_listener_with_callback("delta", on_delta.as_ref().unchecked_ref())
        .map_err(|_| "could not listen to the live stream".to_owned())?;
    source
        .add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
        .map_err(|_| "could not listen to the live stream".to_owned())?;
    Ok(Connection {
        source,
        _on_snapshot: on_snapshot,
        _on_delta: on_delta,
        _on_error: on_error,
    })
}

/// `HH:MM:SS UTC` of the snapshot on screen.
fn clock(snapshot: &ClusterSnapshot) -> String {
    let text = snapshot.fetched_at.to_string();
    format!("{} UTC", text.get(11..19).unwrap_or(&text))
}

/// "● Live" / "Paused" / "Stale since HH:MM:SS — why", with a button that pauses or resumes.
#[component]
pub fn LiveIndicator(
    /// The stream to show and control.
    stream: ClusterStream,
) -> impl IntoView {
    let label = move || {
        let since = stream
            .snapshot
            .with(|s| s.as_deref().map(clock))
            .unwrap_or_else(|| "the start".to_owned());
        match stream.state.get() {
            LiveState::Connecting => "Connecting…".to_owned(),
            LiveState::Live => "Live".to_owned(),
            LiveState::Paused => format!("Paused · data from {since}"),
            LiveState::Stale { message } => format!("Stale since {since} — {message}"),
        }
    };
    let tone = move || match stream.state.get() {
        LiveState::Live => "live live--on",
        LiveState::Connecting => "live live--connecting",
        LiveState::Paused => "live live--paused",
        LiveState::Stale { .. } => "live live--stale",
    };
    view! {
        <div class=tone data-testid="live" role="status" aria-live="polite">
            <span class="live__dot" aria-hidden="true">"●"</span>
            <span class="live__label" data-testid="live-label">{label}</span>
            <button
                type="button"
                class="button button--quiet live__toggle"
                data-testid="live-toggle"
                on:click=move |_| stream.paused.update(|p| *p = !*p)
            >
                {move || if stream.paused.get() { "Resume" } else { "Pause" }}
            </button>
        </div>
    }
}

/// Shows `children` once the first snapshot is there; a skeleton before it, and an error panel
/// when the cluster could not be read at all.
#[component]
pub fn WhenLoaded(
    /// The stream whose snapshot the children read.
    stream: ClusterStream,
    /// The page's content.
    children: ChildrenFn,
) -> impl IntoView {
    let loaded = Memo::new(move |_| stream.snapshot.with(Option::is_some));
    move || {
        if loaded.get() {
            children().into_any()
        } else if let Some(error) = stream.error.get() {
            view! { <ErrorPanel error/> }.into_any()
        } else {
            view! {
                <section class="panel card--skeleton" aria-busy="true" data-testid="loading"></section>
            }
            .into_any()
        }
    }
}
