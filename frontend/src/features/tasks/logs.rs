//! A container's lines, on the task page and beside a deployment being watched: pick the
//! container, search (every word, on the server, over the stream's latest lines), and follow
//! the stream live (every two seconds, from where the last read ended). When there are no lines
//! the server's reason is shown in words, with the task's stopped reason.

use std::time::Duration;

use berth_shared::logs::{LogEvent, TaskLogs};
use berth_view::logs::{MAX_FOLLOWED_LINES, append, clock_time, line_tone};
use leptos::{html::Ol, prelude::*, task::spawn_local};

use crate::api;

/// How often a followed stream is read again.
const FOLLOW_EVERY: Duration = Duration::from_secs(2);
/// How long typing pauses before the search is sent.
const SEARCH_AFTER: Duration = Duration::from_millis(350);

/// One line, numbered in the order the view received it (its key when drawn).
#[derive(Debug, Clone, PartialEq)]
struct Line {
    number: u64,
    event: LogEvent,
}

/// What is read: cluster, task, container (the server's choice when none) and search.
type Reading = (String, String, Option<String>, String);

/// The lines of one task's containers.
#[component]
pub fn LogView(
    /// The task's cluster.
    #[prop(into)]
    cluster: Signal<String>,
    /// The task's id.
    #[prop(into)]
    task: Signal<String>,
) -> impl IntoView {
    let container = RwSignal::new(None::<String>);
    let typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let follow = RwSignal::new(true);
    let lines = RwSignal::new(Vec::<Line>::new());
    let numbered = StoredValue::new(0_u64);
    let answer = RwSignal::new(None::<TaskLogs>);
    let failed = RwSignal::new(None::<String>);
    let token = StoredValue::new(None::<String>);
    let busy = StoredValue::new(false);
    let reading: Memo<Reading> =
        Memo::new(move |_| (cluster.get(), task.get(), container.get(), search.get()));

    let read = move |from_start: bool| {
        if busy.get_value() {
            return;
        }
        busy.set_value(true);
        let asked = reading.get_untracked();
        let after = if from_start { None } else { token.get_value() };
        spawn_local(async move {
            let (cluster, task, container, search) = &asked;
            let read = api::task_logs(
                cluster,
                task,
                container.as_deref(),
                search,
                after.as_deref(),
            )
            .await;
            busy.set_value(false);
            if reading.try_get_untracked().as_ref() != Some(&asked) {
                return;
            }
            match read {
                Ok(mut logs) => {
                    let events = std::mem::take(&mut logs.events);
                    let numbered_lines: Vec<Line> = events
                        .into_iter()
                        .map(|event| {
                            let number = numbered.get_value();
                            numbered.set_value(number + 1);
                            Line { number, event }
                        })
                        .collect();
                    lines.update(|lines| {
                        if after.is_none() {
                            lines.clear();
                        }
                        append(lines, numbered_lines);
                    });
                    token.set_value(logs.next_token.clone());
                    answer.set(Some(logs));
                    failed.set(None);
                }
                Err(error) => failed.set(Some(error.to_string())),
            }
        });
    };

    // A new task, container or search reads from the start.
    Effect::new(move |_| {
        reading.track();
        token.set_value(None);
        busy.set_value(false);
        read(true);
    });

    // Typing searches once it pauses.
    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let on_search = move |ev| {
        typed.set(event_target_value(&ev));
        if let Some(handle) = pending_search.get_value() {
            handle.clear();
        }
        let handle =
            set_timeout_with_handle(move || search.set(typed.get_untracked()), SEARCH_AFTER).ok();
        pending_search.set_value(handle);
    };

    // Following: read on while the task can still write and its lines can be read.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let worth_it = answer.with_untracked(|a| {
                a.as_ref().is_none_or(|a| {
                    a.last_status != "STOPPED" && (a.location.is_some() || a.unavailable.is_none())
                })
            });
            if follow.get_untracked() && worth_it {
                let from_start = token.get_value().is_none();
                read(from_start);
            }
        },
        FOLLOW_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }

    // Keep the newest line in view while following.
    let list = NodeRef::<Ol>::new();
    Effect::new(move |_| {
        lines.track();
        if follow.get_untracked()
            && let Some(list) = list.get_untracked()
        {
            request_animation_frame(move || list.set_scroll_top(list.scroll_height()));
        }
    });

    let containers =
        move || answer.with(|a| a.as_ref().map(|a| a.containers.clone()).unwrap_or_default());
    let chosen =
        move || answer.with(|a| a.as_ref().map(|a| a.container.clone()).unwrap_or_default());
    view! {
        <section class="panel panel--flush logs" data-testid="logs">
            <div class="toolbar">
                <h2>"Logs"</h2>
                {move || (containers().len() > 1).then(|| view! {
                    <select
                        class="field__input logs__container"
                        aria-label="Container"
                        data-testid="logs-container"
                        on:change=move |ev| container.set(Some(event_target_value(&ev)))
                    >
                        {containers().into_iter().map(|name| {
                            let selected = name == chosen();
                            let label = name.clone();
                            view! { <option value=name selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                })}
                <input
                    type="search"
                    class="toolbar__search"
                    placeholder="Search lines (every word)"
                    aria-label="Search the lines"
                    data-testid="logs-search"
                    prop:value=move || typed.get()
                    on:input=on_search
                />
                <label class="check logs__follow">
                    <input type="checkbox" data-testid="logs-follow"
                        prop:checked=move || follow.get()
                        on:change=move |ev| follow.set(event_target_checked(&ev))/>
                    "Follow"
                </label>
            </div>
            {move || answer.get().map(|a| view! {
                <p class="logs__where muted" data-testid="logs-where">
                    {a.location.as_ref().map(|l| format!("{} · {} · {}", l.group, l.stream, l.region))}
                    {a.searched.map(|n| format!(" · searched the latest {n} lines"))}
                </p>
                {a.unavailable.clone().map(|reason| view! {
                    <div class="notice logs__none" data-testid="logs-unavailable">
                        <p>{reason}</p>
                        {a.stopped_reason.clone().map(|stopped| view! {
                            <p><strong>"The task stopped: "</strong>{stopped}</p>
                        })}
                    </div>
                })}
            })}
            {move || failed.get().map(|error| view! {
                <p class="notice notice--bad" data-testid="logs-error">{format!("The lines could not be read: {error}")}</p>
            })}
            <ol class="log-lines mono" node_ref=list data-testid="log-lines" aria-live="off" tabindex="0" aria-label="Log lines">
                <For each=move || lines.get() key=|line| line.number let:line>
                    {
                        let tone = line_tone(&line.event.message).as_str();
                        view! {
                            <li class=format!("log-line log-line--{tone}")>
                                <time class="log-line__time">{clock_time(line.event.timestamp)}</time>
                                <span class="log-line__text">{line.event.message}</span>
                            </li>
                        }
                    }
                </For>
            </ol>
            <p class="logs__count muted" data-testid="logs-count">{move || {
                let count = lines.with(Vec::len);
                let searching = !search.with(String::is_empty);
                let explained = answer.with(|a| a.as_ref().is_some_and(|a| a.unavailable.is_some()));
                let read = answer.with(Option::is_some) || failed.with(Option::is_some);
                match (count, searching) {
                    (0, _) if !read => "Reading the lines…".to_owned(),
                    (0, _) if explained => String::new(),
                    (0, true) => "No line matches this search.".to_owned(),
                    (0, false) => "No lines yet.".to_owned(),
                    (n, _) if n >= MAX_FOLLOWED_LINES => format!("The latest {n} lines."),
                    (1, _) => "1 line.".to_owned(),
                    (n, _) => format!("{n} lines."),
                }
            }}</p>
        </section>
    }
}
