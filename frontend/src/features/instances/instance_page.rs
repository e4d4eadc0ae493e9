//! The container instance page: status (DRAINING stands out), agent, registered against
//! remaining CPU and memory as bars, ports in use, attributes, and the tasks on it.

use berth_shared::{
    api::ClusterSnapshot,
    ecs::{ContainerInstance, Resource},
};
use berth_view::{
    cluster_tables,
    format::{format_memory, format_units},
    graph,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::{
    components::live::{ClusterStream, use_cluster_stream},
    features::services::{
        ClusterItemPage, LinkedTable, NotInCluster, When, service_page::StatusBadge, table_of,
    },
};

/// The page of one container instance.
#[component]
pub fn InstancePage() -> impl IntoView {
    let params = use_params_map();
    let cluster = Signal::derive(move || params.read().get("cluster").unwrap_or_default());
    let id = Signal::derive(move || params.read().get("instance").unwrap_or_default());
    let stream = use_cluster_stream(cluster);
    view! {
        <ClusterItemPage cluster tab="instances" tab_label="Instances" kind="Instance" id id_testid="instance-id" stream>
            <InstanceBody cluster id stream/>
        </ClusterItemPage>
    }
}

#[component]
fn InstanceBody(
    cluster: Signal<String>,
    id: Signal<String>,
    stream: ClusterStream,
) -> impl IntoView {
    let instance = Memo::new(move |_| {
        let id = id.get();
        stream.snapshot.with(|s| {
            s.as_ref().and_then(|s| {
                s.container_instances
                    .iter()
                    .find(|i| {
                        i.short_id() == id || i.ec2_instance_id.as_deref() == Some(id.as_str())
                    })
                    .cloned()
            })
        })
    });
    let exists = Memo::new(move |_| instance.with(Option::is_some));
    move || {
        if exists.get() {
            view! { <InstanceDetails cluster instance stream/> }.into_any()
        } else {
            view! {
                <NotInCluster
                    title="No such container instance"
                    sentence=move || format!("Cluster {} has no container instance {}.", cluster.get(), id.get())
                    cluster
                    tab=Some("instances")
                    link_label="See the cluster's instances"
                />
            }
            .into_any()
        }
    }
}

/// A resource's number by name (`CPU`, `MEMORY`).
fn number(resources: &[Resource], name: &str) -> i64 {
    resources
        .iter()
        .find(|r| r.name == name)
        .and_then(Resource::number)
        .unwrap_or(0)
}

/// A resource's port list by name (`PORTS`, `PORTS_UDP`).
fn ports(resources: &[Resource], name: &str) -> Vec<String> {
    resources
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.string_set_value.clone())
        .unwrap_or_default()
}

#[component]
fn InstanceDetails(
    cluster: Signal<String>,
    instance: Memo<Option<ContainerInstance>>,
    stream: ClusterStream,
) -> impl IntoView {
    let now = Memo::new(move |_| {
        stream
            .snapshot
            .with(|s| s.as_ref().map(|s| s.fetched_at).unwrap_or_default())
    });
    let tasks = table_of(stream, move |snapshot: &ClusterSnapshot| {
        let arn = instance.with(|i| i.as_ref().map(|i| i.container_instance_arn.clone()));
        let mut only = snapshot.clone();
        only.tasks
            .retain(|t| t.container_instance_arn.is_some() && t.container_instance_arn == arn);
        cluster_tables::tasks_table(&only, &graph::GraphFilter::default())
    });
    let summary = move || {
        let now = now.get();
        instance.get().map(|i| {
            let status = i.status.clone();
            let draining = status == "DRAINING";
            view! {
                {draining.then(|| view! {
                    <div class="callout callout--warn" data-testid="draining">
                        <strong>"Draining. "</strong>
                        "No new tasks are placed here; service tasks are moved to other instances."
                        {i.status_reason.clone().map(|r| view! { <span class="muted">{format!(" ({r})")}</span> })}
                    </div>
                })}
                <dl class="facts facts--two">
                    <dt>"Status"</dt><dd data-testid="instance-status"><StatusBadge status=Signal::stored(status)/></dd>
                    <dt>"Agent"</dt>
                    <dd data-testid="agent">
                        {if i.agent_connected {
                            view! { <span class="status status--ok">"connected"</span> }.into_any()
                        } else {
                            view! { <span class="status status--bad">"disconnected"</span> }.into_any()
                        }}
                        <span class="muted">{format!(" · agent {}", i.version_info.agent_version.clone().unwrap_or_else(|| "unknown".to_owned()))}</span>
                        {i.version_info.docker_version.clone().map(|d| view! { <span class="muted">{format!(" · {d}")}</span> })}
                    </dd>
                    <dt>"EC2 instance"</dt><dd class="mono">{i.ec2_instance_id.clone().unwrap_or_else(|| "–".to_owned())}</dd>
                    <dt>"Type"</dt><dd>{i.instance_type().unwrap_or("–").to_owned()}</dd>
                    <dt>"Availability Zone"</dt><dd>{i.availability_zone().unwrap_or("–").to_owned()}</dd>
                    <dt>"Capacity provider"</dt><dd>{i.capacity_provider_name.clone().unwrap_or_else(|| "–".to_owned())}</dd>
                    <dt>"Tasks"</dt><dd>{format!("{} running, {} pending", i.running_tasks_count, i.pending_tasks_count)}</dd>
                    <dt>"Registered"</dt><dd><When at=i.registered_at now/></dd>
                </dl>
                <p class="muted arn">{i.container_instance_arn.clone()}</p>
            }
        })
    };
    let resources = move || {
        instance.get().map(|i| {
            let bar = |label: &'static str, name: &str, format: fn(i64) -> String| {
                let registered = number(&i.registered_resources, name);
                let remaining = number(&i.remaining_resources, name);
                let used = (registered - remaining).max(0);
                let percent = if registered > 0 { used * 100 / registered } else { 0 };
                let tone = match percent {
                    0..=69 => "ok",
                    70..=89 => "warn",
                    _ => "bad",
                };
                view! {
                    <div class="gauge" data-testid="meter">
                        <div class="gauge__head">
                            <strong>{label}</strong>
                            <span>{format!("{} of {} reserved · {} free", format(used), format(registered), format(remaining))}</span>
                        </div>
                        <div class="gauge__bar" role="meter" aria-label=label aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent>
                            <span class=format!("gauge__fill gauge__fill--{tone}") style:width=format!("{percent}%")></span>
                        </div>
                        <span class="gauge__percent">{format!("{percent}%")}</span>
                    </div>
                }
            };
            let tcp = ports(&i.remaining_resources, "PORTS");
            let udp = ports(&i.remaining_resources, "PORTS_UDP");
            view! {
                {bar("CPU", "CPU", format_units)}
                {bar("Memory", "MEMORY", format_memory)}
                <dl class="facts">
                    <dt>"TCP ports in use"</dt><dd class="mono">{if tcp.is_empty() { "none".to_owned() } else { tcp.join(", ") }}</dd>
                    <dt>"UDP ports in use"</dt><dd class="mono">{if udp.is_empty() { "none".to_owned() } else { udp.join(", ") }}</dd>
                </dl>
            }
        })
    };
    let attributes = move || {
        instance.with(|i| {
            i.iter()
                .flat_map(|i| i.attributes.iter())
                .map(|a| view! {
                    <tr><td class="mono">{a.name.clone()}</td><td class="mono wrap">{a.value.clone().unwrap_or_else(|| "(set)".to_owned())}</td></tr>
                })
                .collect_view()
        })
    };
    view! {
        <section class="panel" data-testid="instance-summary">{summary}</section>
        <div class="columns">
            <section class="panel" data-testid="resources">
                <h2>"Resources"</h2>
                <p class="muted">"What the instance registered, and how much running tasks have reserved."</p>
                {resources}
            </section>
            <section class="panel panel--flush" data-testid="attributes" tabindex="0" aria-label="Attributes">
                <div class="toolbar"><h2>"Attributes"</h2></div>
                <table class="table">
                    <thead><tr><th>"Name"</th><th>"Value"</th></tr></thead>
                    <tbody>{attributes}</tbody>
                </table>
            </section>
        </div>
        <section class="table-section">
            <h2 class="table-section__title">"Tasks on this instance"</h2>
            <LinkedTable cluster table=tasks placeholder="Filter tasks on this instance" testid="instance-tasks"/>
        </section>
    }
}
