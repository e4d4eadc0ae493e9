//! The placement graph: one lane per Availability Zone, each container instance a box with its
//! CPU and memory bars and its tasks as blocks as wide as the memory they reserve, marked by
//! service (colour and pattern); Fargate tasks in a pool of their zone.
//!
//! The layout is [`berth_view::graph::layout`]; this file only draws it. Instances are keyed
//! by ARN and content fingerprint, so a refresh redraws only the boxes that changed. Clicks are
//! handled once on the graph (event delegation) and the selection is highlighted by one
//! generated style rule, so 5,000 blocks carry no closures.
//!
//! A lane draws its instances in chunks of [`CHUNK`]: those starting among the graph's first
//! [`CHUNK`] instances at once, every other one when it comes within [`REVEAL_MARGIN`] of the viewport (an
//! `IntersectionObserver`); until then the chunk is as many empty cells, so the grid, the
//! lane's height and the scroll bar are already right. A cluster of 500 instances thus builds
//! a few dozen boxes on first render instead of 500; a change clones and rebuilds only the
//! drawn chunks whose boxes' fingerprints changed.

use std::sync::Arc;

use berth_shared::api::ClusterSnapshot;
use berth_view::{
    format,
    graph::{self, Choices, GraphLayout, GraphRow, InstanceBox, Pool, TaskBlock},
    table,
};
use leptos::{
    ev, html,
    prelude::*,
    wasm_bindgen::{JsCast, closure::Closure},
    web_sys::{self, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit},
};

use super::filters::{FilterSelects, Legend};
use crate::components::{
    help::{Concept, Help},
    keyboard::use_slash_focus,
};
use crate::url_query::{UrlQuery, key};

/// The graph tab: filters, legend, counts and the lanes (or the same data as a table).
#[component]
pub fn PlacementGraph(
    /// The cluster.
    #[prop(into)]
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// What the filters and legend offer.
    #[prop(into)]
    choices: Signal<Choices>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let filter = query.filter();
    // A new snapshot or filter practically always moves something, so the layout is not
    // compared with the last one (a deep comparison of every block); the lanes' chunks compare
    // fingerprints instead.
    let layout = Memo::new_with_compare(
        move |_| snapshot.with(|s| graph::layout(s, &filter.get())),
        |_, _| true,
    );
    let as_table = query.get(key::VIEW);
    let as_table = move || as_table.with(|v| v.as_deref() == Some("table"));
    let service_ref = NodeRef::<html::Select>::new();
    use_slash_focus(move || service_ref.get_untracked().map(|s| s.unchecked_into()));

    let count = move || {
        layout.with(|l| {
            format!(
                "{} of {} tasks · {} instances · {} zones",
                l.shown_tasks,
                l.total_tasks,
                l.shown_instances,
                l.lanes.len()
            )
        })
    };
    let set_view = move |table: bool| {
        query.set(&[(key::VIEW, table.then(|| "table".to_owned()))], true);
    };
    let on_click = move |event: ev::MouseEvent| {
        let Some(element) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        if let Ok(Some(block)) = element.closest("[data-task]") {
            query.set(
                &[
                    (key::TASK, block.get_attribute("data-task")),
                    (key::INSTANCE, None),
                ],
                false,
            );
        } else if let Ok(Some(node)) = element.closest("[data-instance]") {
            query.set(
                &[
                    (key::INSTANCE, node.get_attribute("data-instance")),
                    (key::TASK, None),
                ],
                false,
            );
        }
    };
    let selected_task = query.get(key::TASK);
    let selected_instance = query.get(key::INSTANCE);
    let highlight = move || selection_css(selected_task.get(), selected_instance.get());

    view! {
        <section class="graph" data-testid="graph">
            <style>{highlight}</style>
            <div class="toolbar">
                <FilterSelects choices query attributes=true service_ref/>
                <div class="segmented" role="group" aria-label="Draw as">
                    <button type="button" class="segmented__item" aria-pressed=move || (!as_table()).to_string() on:click=move |_| set_view(false)>"Boxes"</button>
                    <button type="button" class="segmented__item" aria-pressed=move || as_table().to_string() data-testid="graph-as-table" on:click=move |_| set_view(true)>"Table"</button>
                </div>
                <span class="toolbar__count" data-testid="graph-count" aria-live="polite">{count}</span>
            </div>
            <Legend choices query/>
            <p class="graph__intro muted">
                "Each box is a container instance" <Help concept=Concept::ContainerInstance/>
                " in its Availability Zone" <Help concept=Concept::AvailabilityZone/>
                "; each coloured block a task" <Help concept=Concept::Task/>
                " as wide as the memory it reserves" <Help concept=Concept::Reservation/>
                ", coloured (and patterned) by service" <Help concept=Concept::Service/> "; a diagonally hatched block is not running yet."
            </p>
            <Show
                when=move || layout.with(|l| !l.lanes.is_empty())
                fallback=|| view! { <p class="panel panel--empty" data-testid="graph-empty">"No container instances or tasks match. Registered instances and running tasks appear here."</p> }
            >
                <Show when=as_table fallback=move || view! { <Lanes layout on_click/> }>
                    <GraphTable layout/>
                </Show>
            </Show>
        </section>
    }
}

/// CSS outlining the selected task block or instance box. Ids are reduced to the characters
/// ECS uses so the URL cannot inject rules.
fn selection_css(task: Option<String>, instance: Option<String>) -> String {
    let clean = |id: String| -> String {
        id.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    };
    let mut css = String::new();
    if let Some(task) = task.map(clean).filter(|t| !t.is_empty()) {
        css.push_str(&format!(
            ".block[data-task=\"{task}\"]{{outline:2px solid var(--text);outline-offset:1px;z-index:1}}"
        ));
    }
    if let Some(instance) = instance.map(clean).filter(|t| !t.is_empty()) {
        css.push_str(&format!(
            ".node[data-instance=\"{instance}\"]{{border-color:var(--accent);box-shadow:0 0 0 2px var(--accent)}}"
        ));
    }
    css
}

#[component]
fn Lanes(
    /// The layout.
    layout: Memo<GraphLayout>,
    /// The delegated click handler.
    on_click: impl Fn(ev::MouseEvent) + 'static,
) -> impl IntoView {
    view! {
        <div class="lanes" on:click=on_click>
            <For each=move || layout.with(|l| l.lanes.iter().map(|lane| lane.zone.clone()).collect::<Vec<_>>()) key=String::clone let:zone>
                <LaneView layout zone/>
            </For>
        </div>
    }
}

/// Instances per chunk of a lane (six rows of four boxes at 1,400 px).
const CHUNK: usize = 24;
/// How close to the viewport a chunk is drawn.
const REVEAL_MARGIN: &str = "1200px 0px";

#[component]
fn LaneView(
    /// The layout.
    layout: Memo<GraphLayout>,
    /// The lane's zone.
    zone: String,
) -> impl IntoView {
    let data_zone = zone.clone();
    let lane_zone = StoredValue::new(zone.clone());
    // Small memos rather than a copy of the lane, so a change clones only what it touches.
    let chunks = Memo::new(move |_| {
        layout.with(|l| {
            lane_zone.with_value(|z| {
                lane_of(l, z).map_or(0, |lane| lane.instances.len().div_ceil(CHUNK))
            })
        })
    });
    let summary = Memo::new(move |_| {
        layout.with(|l| lane_zone.with_value(|z| lane_of(l, z).map(graph::Lane::summary)))
    });
    let pools = Memo::new(move |_| {
        layout.with(|l| {
            lane_zone.with_value(|z| {
                lane_of(l, z)
                    .map(|lane| lane.pools.clone())
                    .unwrap_or_default()
            })
        })
    });
    view! {
        <section class="lane" data-testid="lane" data-zone=data_zone>
            <header class="lane__head">
                <h3 class="lane__zone">{zone}</h3>
                <span class="lane__summary muted">{summary}</span>
            </header>
            <div class="lane__nodes">
                <For each=move || 0..chunks.get() key=|index: &usize| *index let:index>
                    <ChunkView layout zone=lane_zone.get_value() index/>
                </For>
                <For
                    each=move || pools.get()
                    key=|p: &Pool| p.clone()
                    let:pool
                >
                    <PoolView pool/>
                </For>
            </div>
        </section>
    }
}

/// The lane of `zone`.
fn lane_of<'a>(layout: &'a GraphLayout, zone: &str) -> Option<&'a graph::Lane> {
    layout.lanes.iter().find(|lane| lane.zone == zone)
}

/// The instances of chunk `index` of the lane of `zone`.
fn chunk_of<'a>(layout: &'a GraphLayout, zone: &str, index: usize) -> &'a [InstanceBox] {
    lane_of(layout, zone).map_or(&[][..], |lane| {
        let start = (index * CHUNK).min(lane.instances.len());
        let end = (start + CHUNK).min(lane.instances.len());
        &lane.instances[start..end]
    })
}

/// One chunk of a lane's instances: drawn, or empty cells until it nears the viewport.
#[component]
fn ChunkView(
    /// The layout.
    layout: Memo<GraphLayout>,
    /// The lane's zone.
    zone: String,
    /// Which chunk.
    index: usize,
) -> impl IntoView {
    let zone = StoredValue::new(zone);
    // The first CHUNK instances of the graph (across lanes) are drawn at once; everything else
    // when it nears the viewport, which is also at once for what the first screen shows.
    let eager = layout.with_untracked(|l| {
        let before: usize = zone.with_value(|zone| {
            l.lanes
                .iter()
                .take_while(|lane| &lane.zone != zone)
                .map(|lane| lane.instances.len())
                .sum()
        });
        before + index * CHUNK < CHUNK
    });
    let shown = RwSignal::new(eager);
    // The chunk's boxes are cloned out of the layout only when their fingerprints change.
    let version = Memo::new(move |_| {
        layout.with(|l| {
            zone.with_value(|zone| chunk_of(l, zone, index))
                .iter()
                .map(InstanceBox::fingerprint)
                .fold(0xcbf2_9ce4_8422_2325_u64, |hash, print| {
                    (hash ^ print).wrapping_mul(0x0100_0000_01b3)
                })
        })
    });
    let size =
        Memo::new(move |_| layout.with(|l| zone.with_value(|zone| chunk_of(l, zone, index).len())));
    let instances = move || {
        // Read (not just tracked) so the lazy memo computes and follows the layout.
        let _ = version.get();
        layout.with_untracked(|l| zone.with_value(|zone| chunk_of(l, zone, index).to_vec()))
    };
    let sentinel = NodeRef::<html::Div>::new();
    let watcher = StoredValue::new_local(None::<RevealWatcher>);
    Effect::new(move |_| {
        if shown.get() {
            return;
        }
        if let Some(cell) = sentinel.get() {
            let watching = RevealWatcher::watch(&cell, move || shown.set(true));
            watcher.set_value(watching);
        }
    });
    on_cleanup(move || {
        if let Some(Some(watching)) = watcher.try_update_value(Option::take) {
            watching.stop();
        }
    });
    move || {
        if shown.get() {
            view! {
                <For each=instances key=|b: &InstanceBox| (b.arn.clone(), b.fingerprint()) let:instance>
                    <InstanceView instance zone=zone.get_value()/>
                </For>
            }
            .into_any()
        } else {
            let cells = size.get().saturating_sub(1);
            view! {
                <div class="node node--placeholder" node_ref=sentinel aria-hidden="true"></div>
                {(0..cells).map(|_| view! { <div class="node node--placeholder" aria-hidden="true"></div> }).collect_view()}
            }
            .into_any()
        }
    }
}

/// Calls back once when an element comes within [`REVEAL_MARGIN`] of the viewport.
struct RevealWatcher {
    observer: IntersectionObserver,
    _callback: Closure<dyn FnMut(leptos::web_sys::js_sys::Array)>,
}

impl RevealWatcher {
    /// Watches `element`; `None` when the browser has no `IntersectionObserver`, in which
    /// case `reveal` runs at once.
    fn watch(element: &web_sys::Element, reveal: impl Fn() + 'static) -> Option<Self> {
        let reveal = std::rc::Rc::new(reveal);
        let on_entries = std::rc::Rc::clone(&reveal);
        let callback = Closure::<dyn FnMut(leptos::web_sys::js_sys::Array)>::new(
            move |entries: leptos::web_sys::js_sys::Array| {
                let near = entries.iter().any(|entry| {
                    entry
                        .dyn_into::<IntersectionObserverEntry>()
                        .is_ok_and(|e| e.is_intersecting())
                });
                if near {
                    on_entries();
                }
            },
        );
        let options = IntersectionObserverInit::new();
        options.set_root_margin(REVEAL_MARGIN);
        let Ok(observer) =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
        else {
            reveal();
            return None;
        };
        observer.observe(element);
        Some(Self {
            observer,
            _callback: callback,
        })
    }

    fn stop(self) {
        self.observer.disconnect();
    }
}

impl std::fmt::Debug for RevealWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RevealWatcher")
    }
}

#[component]
fn Meter(
    /// `CPU` or `Memory`.
    label: &'static str,
    /// Usage.
    usage: graph::Usage,
    /// Formats amounts.
    format: fn(i64) -> String,
) -> impl IntoView {
    let permille = usage.permille();
    let level = match permille {
        0..=699 => "ok",
        700..=899 => "warn",
        _ => "bad",
    };
    view! {
        <div class="meter" title=format!("{label}: {} of {} reserved ({}%)", format(usage.reserved), format(usage.registered), usage.percent())>
            <span class="meter__label">{label}</span>
            <span class="meter__track">
                <span class=format!("meter__fill meter__fill--{level}") style:width=graph::BlockWidth::Share(permille).css()></span>
            </span>
            <span class="meter__value">{format!("{} / {}", format(usage.reserved), format(usage.registered))}</span>
        </div>
    }
}

#[component]
fn InstanceView(
    /// The instance box.
    instance: InstanceBox,
    /// Its Availability Zone.
    zone: String,
) -> impl IntoView {
    let draining = instance.is_draining();
    let status_tone = table::Tone::of_status(&instance.status).as_str();
    let name = instance
        .ec2_instance_id
        .clone()
        .unwrap_or_else(|| instance.id.clone());
    let hidden = instance.hidden_tasks;
    let task_count = format!("{} tasks", instance.tasks.len());
    let subtitle = format!(
        "{} · {} task{}",
        instance.instance_type.as_deref().unwrap_or("unknown type"),
        instance.tasks.len() + hidden,
        if instance.tasks.len() + hidden == 1 {
            ""
        } else {
            "s"
        }
    );
    let title = instance.title(&zone);
    let blocks = instance.tasks.into_iter().map(block_view).collect_view();
    view! {
        <article
            class="node"
            class:node--draining=draining
            class:node--disconnected=!instance.agent_connected
            data-instance=instance.id
            data-testid="instance"
            title=title
        >
            <header class="node__head">
                <span class="node__name mono">{name}</span>
                <span class=format!("status status--{status_tone}")>{instance.status.clone()}</span>
            </header>
            <p class="node__type">{subtitle}</p>
            <Meter label="CPU" usage=instance.cpu format=format::format_units/>
            <Meter label="Memory" usage=instance.memory format=format::format_memory/>
            <div class="node__tasks" role="group" aria-label=task_count>
                {blocks}
            </div>
            {(hidden > 0).then(|| view! { <p class="node__hidden">{format!("+{hidden} hidden by the filter")}</p> })}
            {(!instance.agent_connected).then(|| view! { <p class="node__hidden node__hidden--bad">"Agent disconnected"</p> })}
        </article>
    }
}

#[component]
fn PoolView(
    /// The pool.
    pool: Pool,
) -> impl IntoView {
    let count = pool.tasks.len();
    view! {
        <article class="node node--pool" data-testid="pool">
            <header class="node__head">
                <span class="node__name">{pool.label.clone()}</span>
                {(pool.label == "Fargate").then(|| view! { <Help concept=Concept::LaunchType/> })}
                <span class="node__type">{format!("{count} task{}", if count == 1 { "" } else { "s" })}</span>
            </header>
            <div class="node__tasks node__tasks--wrap">
                {pool.tasks.into_iter().map(block_view).collect_view()}
            </div>
        </article>
    }
}

fn block_view(task: TaskBlock) -> impl IntoView {
    let title = task.title();
    view! {
        <span
            class="block"
            role="img"
            class:block--pending=&*task.status != "RUNNING"
            data-task=task.id
            data-service=task.service
            style:width=task.width.css()
            style:background=task.swatch.css()
            title=title
        ></span>
    }
}

#[component]
fn GraphTable(
    /// The layout.
    layout: Memo<GraphLayout>,
) -> impl IntoView {
    let rows = move || layout.with(graph::graph_rows);
    view! {
        <div class="data-table data-table__scroll">
            <table class="table table--data" data-testid="graph-table">
                <thead>
                    <tr>
                        <th>"Zone"</th><th>"Instance or pool"</th><th>"Status"</th>
                        <th class="data-table__numeric">"CPU units reserved"</th>
                        <th class="data-table__numeric">"Memory reserved"</th>
                        <th>"Tasks by service"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=rows key=GraphRow::clone let:row>
                        <tr>
                            <td>{row.zone}</td>
                            <td class="mono">{row.name}</td>
                            <td>
                                {row.status.map(|status| {
                                    let tone = table::Tone::of_status(&status).as_str();
                                    view! { <span class=format!("status status--{tone}")>{status}</span> }
                                })}
                            </td>
                            <td class="data-table__numeric">{row.cpu}</td>
                            <td class="data-table__numeric">{row.memory}</td>
                            <td>
                                {row.services.into_iter().map(|(service, swatch, n)| view! {
                                    <span class="count-chip"><span class="swatch" style:background=swatch.css()></span>{format!("{service} ×{n}")}</span>
                                }).collect_view()}
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}
