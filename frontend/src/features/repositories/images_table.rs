//! The images of a repository: tags, digest (short, copyable), size, push time, scan findings,
//! the lifecycle verdict and where the image runs (each service a link to its page); filtered
//! and sorted through the URL (`?q=`, `?sort=`), with the keyboard use of every table
//! (Enter follows the highlighted image's first service).

use berth_shared::time::Timestamp;
use berth_view::{
    format::{absolute_time, format_bytes, plural, relative_time, shown_of, task_definition_label},
    repositories::{ImageRow, ImageSort, select_images, severity_counts, short_digest},
    table::Sort,
};
use leptos::prelude::*;
use leptos_router::components::A;
use wasm_bindgen::prelude::*;

use super::{EcrSortHeader, ShownRows, TableQuery};
use crate::{
    components::{
        data_table::{FilterBox, KeyHints},
        keyboard::ACTIVE_ROW_CLASS,
    },
    links::service_href,
};

#[wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText(text)`; throws where the Clipboard API is missing.
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    fn write_clipboard(text: &str) -> Result<JsValue, JsValue>;
}

/// The images table with its filter box.
#[component]
pub fn ImagesTable(
    /// One row per image, most recently pushed first.
    rows: Vec<ImageRow>,
    /// The moment relative times are counted from (when the data was read).
    now: Timestamp,
    /// Whether a lifecycle policy was evaluated (shows the Lifecycle column).
    has_policy: bool,
) -> impl IntoView {
    let total = rows.len();
    let table = TableQuery::new(Sort {
        column: ImageSort::Pushed,
        descending: true,
    });
    let ShownRows {
        rows: selected,
        input,
        highlight,
    } = table.shown(rows, select_images, |row| row.image.image_digest.clone());
    let header = move |label: &'static str, column: ImageSort, numeric: bool| {
        view! { <EcrSortHeader label column numeric table/> }
    };
    view! {
        <section class="panel panel--flush" data-testid="images">
            <div class="toolbar">
                <h2>"Images"</h2>
                <FilterBox
                    placeholder="Filter by tag, digest, service, or “expiring”"
                    testid="image-filter"
                    input
                    text=Signal::derive(move || table.text())
                    on_text=Callback::new(move |text| table.set_text(text))
                />
                <span class="muted toolbar__count" data-testid="image-count-label">
                    {move || shown_of(selected.with(Vec::len), total, "image", "images")}
                </span>
                <KeyHints/>
            </div>
            <table class="table table--ecr">
                <thead>
                    <tr>
                        {header("Tags", ImageSort::Tags, false)}
                        <th>"Digest"</th>
                        {header("Size", ImageSort::Size, true)}
                        {header("Pushed", ImageSort::Pushed, true)}
                        {header("Scan findings", ImageSort::Findings, true)}
                        {has_policy.then(|| view! { <th>"Lifecycle"</th> })}
                        <th>"Runs in"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || selected.get()
                        key=|row| row.image.image_digest.clone()
                        children=move |row| view! { <ImageRowView row now has_policy highlight/> }
                    />
                </tbody>
            </table>
            <Show when=move || selected.with(Vec::is_empty)>
                <p class="panel__none">
                    {move || if total == 0 {
                        "This repository has no images yet.".to_owned()
                    } else {
                        format!("No image matches “{}”.", table.text())
                    }}
                </p>
            </Show>
        </section>
    }
}

/// One image.
#[component]
fn ImageRowView(
    /// The image, its verdict and its usage.
    row: ImageRow,
    /// The moment relative times are counted from.
    now: Timestamp,
    /// Whether the Lifecycle column is shown.
    has_policy: bool,
    /// The digest of the image highlighted with the keyboard.
    highlight: RwSignal<Option<String>>,
) -> impl IntoView {
    let digest = row.image.image_digest.clone();
    let active = move || highlight.with(|h| h.as_deref() == Some(digest.as_str()));
    let expires = row.expires();
    let in_use = row.in_use();
    let class = match (expires, in_use) {
        (true, true) => "row--expiring row--danger",
        (true, false) => "row--expiring",
        _ => "",
    };
    let image = row.image;
    let tags = if image.image_tags.is_empty() {
        view! { <span class="muted untagged">"untagged"</span> }.into_any()
    } else {
        image
            .image_tags
            .iter()
            .map(|tag| view! { <span class="chip chip--image-tag">{tag.clone()}</span> })
            .collect_view()
            .into_any()
    };
    let pushed = image.image_pushed_at.map(|at| {
        view! {
            <span>{relative_time(at, now)}</span>
            <span class="cell__detail">{absolute_time(at)}</span>
        }
    });
    let scan = {
        let counts = severity_counts(&image);
        let status = image.image_scan_status.as_ref().map(|s| s.status.clone());
        if counts.is_empty() {
            let label = match status.as_deref() {
                Some("COMPLETE") => "No findings",
                Some("IN_PROGRESS" | "PENDING") => "Scanning…",
                Some("FAILED") => "Scan failed",
                _ => "Not scanned",
            };
            view! { <span class="muted">{label}</span> }.into_any()
        } else {
            counts
                .into_iter()
                .map(|(severity, count)| {
                    view! {
                        <span class=format!("severity severity--{}", severity.to_ascii_lowercase()) title=format!("{count} {severity} findings")>
                            {format!("{count} {}", &severity[..1])}
                        </span>
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    let lifecycle = has_policy.then(|| {
        let verdict = row.verdict.clone();
        let reason = verdict.as_ref().map(|v| v.reason.clone()).unwrap_or_default();
        let label = match verdict.as_ref().and_then(|v| v.applied_rule_priority) {
            Some(priority) => view! {
                <span class="badge badge--expiring">{format!("Expires · rule {priority}")}</span>
            }
            .into_any(),
            None => view! { <span class="muted">"Kept"</span> }.into_any(),
        };
        view! {
            <td title=reason>
                {label}
                {(expires && in_use).then(|| view! {
                    <span class="warning" title="Still in use: tasks that pull it again will fail">"⚠ in use"</span>
                })}
            </td>
        }
    });
    let runs = match row.usage {
        None => view! { <span class="muted">"Not in use"</span> }.into_any(),
        Some(usage) => {
            let services = usage
                .services
                .into_iter()
                .map(|s| {
                    let href = service_href(&s.cluster_name, &s.service_name);
                    let title = format!(
                        "{} in {} · {} · {} running",
                        s.service_name,
                        s.cluster_name,
                        task_definition_label(&s.task_definition),
                        s.running_count
                    );
                    view! {
                        <A href=href attr:class="chip chip--service" attr:title=title>
                            {s.service_name}<span class="muted">" · " {s.cluster_name}</span>
                        </A>
                    }
                })
                .collect_view();
            let mut notes = Vec::new();
            if !usage.tasks.is_empty() {
                notes.push(plural(usage.tasks.len(), "running task", "running tasks"));
            }
            if !usage.task_definitions.is_empty() {
                let labels: Vec<&str> = usage
                    .task_definitions
                    .iter()
                    .map(|arn| task_definition_label(arn))
                    .collect();
                let noun = if labels.len() == 1 {
                    "Task definition"
                } else {
                    "Task definitions"
                };
                notes.push(format!("{noun} {}", labels.join(", ")));
            }
            view! {
                <div class="runs">
                    {services}
                    <span class="cell__detail">{notes.join(" · ")}</span>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <tr class=class class=(ACTIVE_ROW_CLASS, active) data-testid="image-row" data-expires=expires.to_string() data-in-use=in_use.to_string()>
            <td class="tags">{tags}</td>
            <td><Digest digest=image.image_digest.clone()/></td>
            <td class="numeric">{format_bytes(image.image_size_in_bytes)}</td>
            <td class="numeric">{pushed}</td>
            <td class="scan">{scan}</td>
            {lifecycle}
            <td>{runs}</td>
        </tr>
    }
}

/// A short digest with a button that copies the full one.
#[component]
fn Digest(
    /// `sha256:…`.
    digest: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let full = digest.clone();
    let short = short_digest(&digest).to_owned();
    let copy = move |_| {
        if write_clipboard(&full).is_ok() {
            copied.set(true);
            set_timeout(
                move || copied.set(false),
                std::time::Duration::from_millis(1500),
            );
        }
    };
    view! {
        <span class="digest" title=digest>
            <code>{short}</code>
            <button class="copy" title="Copy the full digest" aria-label="Copy the full digest" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </span>
    }
}
