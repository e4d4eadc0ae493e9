//! The details of the selected task or container instance (`?task=` / `?instance=`), beside
//! whichever tab is open.

use std::sync::Arc;

use berth_shared::{
    api::ClusterSnapshot,
    ecs::{ContainerInstance, Task},
};
use berth_view::{
    format,
    graph::{self, GraphFilter},
    table::Tone,
};
use leptos::prelude::*;

use crate::url_query::{UrlQuery, key};

/// The panel; nothing when nothing is selected.
#[component]
pub fn SelectionPanel(
    /// The cluster.
    #[prop(into)]
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let task = query.get(key::TASK);
    let instance = query.get(key::INSTANCE);
    let close = move |_| query.set(&[(key::TASK, None), (key::INSTANCE, None)], false);
    move || {
        if let Some(id) = task.get() {
            let found = snapshot.with(|s| {
                s.tasks
                    .iter()
                    .find(|t| t.short_id() == id)
                    .cloned()
                    .map(|t| {
                        let host = t.container_instance_arn.as_deref().and_then(|arn| {
                            s.container_instances
                                .iter()
                                .find(|i| i.container_instance_arn == arn)
                                .cloned()
                        });
                        (t, host, s.fetched_at)
                    })
            });
            return Some(view! {
                <aside class="details" data-testid="details" aria-label="Selected task">
                    <button type="button" class="details__close" aria-label="Close details" on:click=close>"×"</button>
                    {match found {
                        Some((task, host, now)) => task_details(task, host, now, query).into_any(),
                        None => missing("task", &id).into_any(),
                    }}
                </aside>
            }.into_any());
        }
        if let Some(id) = instance.get() {
            let found = snapshot.with(|s| {
                s.container_instances
                    .iter()
                    .find(|i| i.short_id() == id)
                    .cloned()
                    .map(|i| (i, Arc::clone(s)))
            });
            return Some(view! {
                <aside class="details" data-testid="details" aria-label="Selected container instance">
                    <button type="button" class="details__close" aria-label="Close details" on:click=close>"×"</button>
                    {match found {
                        Some((instance, snapshot)) => instance_details(instance, &snapshot, query).into_any(),
                        None => missing("container instance", &id).into_any(),
                    }}
                </aside>
            }.into_any());
        }
        None
    }
}

fn missing(what: &'static str, id: &str) -> impl IntoView {
    view! {
        <h2>{format!("No such {what}")}</h2>
        <p class="muted">{format!("{id} is not in this cluster any more; it may have stopped or been deregistered.")}</p>
    }
}

fn status_badge(status: &str) -> impl IntoView + use<> {
    let tone = Tone::of_status(status).as_str();
    view! { <span class=format!("status status--{tone}")>{status.to_owned()}</span> }
}

fn task_details(
    task: Task,
    host: Option<ContainerInstance>,
    now: berth_shared::time::Timestamp,
    query: UrlQuery,
) -> impl IntoView {
    let reserved = graph::task_reservation(&task);
    let service = graph::group_label(&task).to_owned();
    let swatch = graph::service_swatch(&service);
    let started = task.started_at.map(|at| {
        format!(
            "{} ({})",
            format::relative_time(at, now),
            format::absolute_time(at)
        )
    });
    let host_view = match host {
        Some(host) => {
            let id = host.short_id().to_owned();
            let label = host.ec2_instance_id.unwrap_or_else(|| id.clone());
            view! {
                <button type="button" class="link-button mono" on:click=move |_| query.set(&[(key::INSTANCE, Some(id.clone())), (key::TASK, None)], false)>
                    {label}
                </button>
            }
            .into_any()
        }
        None if task.launch_type.as_deref() == Some("FARGATE") => {
            "Fargate (no instance to manage)".into_any()
        }
        None => "not on an instance".into_any(),
    };
    let containers = task
        .containers
        .iter()
        .map(|c| {
            let sizes = [
                format::format_container_cpu(c),
                format::format_container_memory(c),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            view! {
                <li class="details__container">
                    <strong>{c.name.clone()}</strong>
                    " "{c.last_status.clone().map(|s| status_badge(&s))}
                    <span class="details__image mono">{c.image.clone().unwrap_or_default()}</span>
                    <span class="muted">{sizes}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="details__kind">"Task"</p>
        <h2 class="details__title mono" data-testid="details-title">{task.short_id().to_owned()}</h2>
        <dl class="details__facts">
            <dt>"Service"</dt>
            <dd><span class="swatch" style:background=swatch.css()></span>{service}</dd>
            <dt>"Status"</dt>
            <dd>{status_badge(&task.last_status)}{task.desired_status.clone().filter(|d| *d != task.last_status).map(|d| format!(" → desired {d}"))}</dd>
            <dt>"Task definition"</dt>
            <dd class="mono">{format::task_definition_label(&task.task_definition_arn).to_owned()}</dd>
            <dt>"Launch type"</dt>
            <dd>{task.launch_type.clone().or(task.capacity_provider_name.clone()).unwrap_or_else(|| "–".to_owned())}</dd>
            <dt>"Instance"</dt>
            <dd>{host_view}</dd>
            <dt>"Zone"</dt>
            <dd>{task.availability_zone.clone().unwrap_or_else(|| "–".to_owned())}</dd>
            <dt>"Reserves"</dt>
            <dd>{format::format_task_size(reserved.cpu, reserved.memory)}</dd>
            <dt>"Started"</dt>
            <dd>{started.unwrap_or_else(|| "not started".to_owned())}</dd>
            {task.health_status.clone().map(|h| view! { <dt>"Health"</dt><dd>{status_badge(&h)}</dd> })}
            {task.stopped_reason.clone().map(|r| view! { <dt>"Stopped because"</dt><dd>{r}</dd> })}
        </dl>
        <h3 class="details__subtitle">{format!("Containers ({})", task.containers.len())}</h3>
        <ul class="details__list">{containers}</ul>
        <p class="details__arn arn">{task.task_arn.clone()}</p>
    }
}

fn instance_details(
    instance: ContainerInstance,
    snapshot: &ClusterSnapshot,
    query: UrlQuery,
) -> impl IntoView {
    let layout = graph::layout(snapshot, &GraphFilter::default());
    let drawn = layout
        .lanes
        .iter()
        .flat_map(|l| l.instances.iter())
        .find(|b| b.arn == instance.container_instance_arn)
        .cloned();
    let (cpu, memory, tasks) = drawn.map_or_else(
        || (graph::Usage::default(), graph::Usage::default(), Vec::new()),
        |b| (b.cpu, b.memory, b.tasks),
    );
    let attributes = instance
        .attributes
        .iter()
        .filter_map(|a| a.value.as_ref().map(|v| (a.name.clone(), v.clone())))
        .map(|(name, value)| view! { <li class="chip">{format!("{name} = {value}")}</li> })
        .collect_view();
    let task_list = tasks
        .into_iter()
        .map(|t| {
            let id = t.id.clone();
            view! {
                <li>
                    <button type="button" class="link-button" on:click=move |_| query.set(&[(key::TASK, Some(id.clone())), (key::INSTANCE, None)], false)>
                        <span class="swatch" style:background=t.swatch.css()></span>
                        {t.service.to_string()}" "<span class="mono muted">{t.id.chars().take(8).collect::<String>()}</span>
                    </button>
                    " "<span class="muted">{format!("{} · {}", t.reserved.cpu, format::format_memory(t.reserved.memory))}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="details__kind">"Container instance"</p>
        <h2 class="details__title mono" data-testid="details-title">{instance.ec2_instance_id.clone().unwrap_or_else(|| instance.short_id().to_owned())}</h2>
        <dl class="details__facts">
            <dt>"Status"</dt>
            <dd>{status_badge(&instance.status)}</dd>
            <dt>"Agent"</dt>
            <dd>{if instance.agent_connected { view! { <span class="status status--ok">"CONNECTED"</span> } } else { view! { <span class="status status--bad">"DISCONNECTED"</span> } }}
                {instance.version_info.agent_version.clone().map(|v| format!(" v{v}"))}</dd>
            <dt>"Type"</dt>
            <dd>{instance.instance_type().unwrap_or("–").to_owned()}</dd>
            <dt>"Zone"</dt>
            <dd>{instance.availability_zone().unwrap_or(graph::UNKNOWN_ZONE).to_owned()}</dd>
            <dt>"CPU"</dt>
            <dd>{format!("{} of {} reserved ({}%)", format::format_units(cpu.reserved), format::format_units(cpu.registered), cpu.percent())}</dd>
            <dt>"Memory"</dt>
            <dd>{format!("{} of {} reserved ({}%)", format::format_memory(memory.reserved), format::format_memory(memory.registered), memory.percent())}</dd>
            <dt>"Tasks"</dt>
            <dd>{format!("{} running, {} pending", instance.running_tasks_count, instance.pending_tasks_count)}</dd>
            {instance.status_reason.clone().map(|r| view! { <dt>"Reason"</dt><dd>{r}</dd> })}
        </dl>
        <h3 class="details__subtitle">"Tasks on it"</h3>
        <ul class="details__list">{task_list}</ul>
        <h3 class="details__subtitle">"Attributes"</h3>
        <ul class="chips">{attributes}</ul>
        <p class="details__arn arn">{instance.container_instance_arn.clone()}</p>
    }
}
