//! `/clusters/:name`: one cluster's counts, then its placement graph and tables in tabs
//! (state in the URL query, see [`super::query`]), then its capacity and settings. The tabs
//! follow the cluster's live stream; the indicator says whether they are live, paused or stale.
//! With `?synthetic=` (a console built for benchmarks) the cluster is generated in the page.

use std::sync::Arc;

use berth_shared::{api::ClusterSnapshot, ecs::Cluster};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    bench::{self, SyntheticBar},
    cluster_tabs::ClusterTabs,
};
use crate::{
    components::{
        help::{Concept, Help},
        launch_type_bar::LaunchTypeBar,
        live::{LiveIndicator, WhenLoaded, use_cluster_stream},
    },
    links::{new_service_href, run_task_href},
    url_query::{UrlQuery, key},
};

/// The page of one cluster.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let params = use_params_map();
    let name = Signal::derive(move || params.read().get("name").unwrap_or_default());
    let query = UrlQuery::new();
    // A generated benchmark cluster (`?synthetic=`) has no server side to follow.
    let generated = query
        .get(key::SYNTHETIC)
        .get_untracked()
        .as_deref()
        .and_then(bench::parse)
        .and_then(|(instances, tasks)| bench::generate(&name.get_untracked(), instances, tasks));
    let live = generated.is_none().then(|| use_cluster_stream(name));
    let body = match (generated, live) {
        (Some((snapshot, timing)), _) => {
            let data = RwSignal::new(Arc::new(snapshot));
            view! {
                <SyntheticBar snapshot=data timing/>
                <ClusterBody snapshot=data.into() query/>
            }
            .into_any()
        }
        (None, Some(stream)) => {
            // Only shown while the stream has a snapshot; no other copy of it is kept, so a
            // live change is applied in place.
            let snapshot = Signal::derive(move || stream.snapshot.get().unwrap_or_default());
            view! { <WhenLoaded stream><ClusterBody snapshot query/></WhenLoaded> }.into_any()
        }
        (None, None) => ().into_any(),
    };
    view! {
        <nav class="breadcrumbs"><A href=crate::source::link("/clusters")>"Clusters"</A>" / "<span>{name}</span></nav>
        <div class="page__header">
            <h1 data-testid="cluster-name">{name}</h1>
            {live.map(|stream| view! {
                <LiveIndicator stream/>
                <button class="button button--quiet" on:click=move |_| stream.refresh()>"Refresh"</button>
            })}
            <A href=move || run_task_href(&name.get()) attr:class="button button--quiet" attr:data-testid="run-task-link">"Run task…"</A>
            <A href=move || new_service_href(&name.get()) attr:class="button button--quiet" attr:data-testid="new-service-link">"Create service…"</A>
        </div>
        {body}
    }
}

/// The cluster's counts, tabs, capacity and settings.
#[component]
fn ClusterBody(
    /// The cluster, as last read.
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let cluster = Memo::new(move |_| snapshot.with(|s| s.cluster.clone()));
    let count = move |read: fn(&Cluster) -> i64| move || cluster.with(read);
    let capacity = move || {
        cluster.with(|cluster| {
            cluster
                .capacity_providers
                .iter()
                .map(|provider| {
                    let item = cluster
                        .default_capacity_provider_strategy
                        .iter()
                        .find(|i| &i.capacity_provider == provider);
                    view! {
                        <tr>
                            <td>{provider.clone()}</td>
                            <td>{item.map_or_else(|| "–".to_owned(), |i| i.base.to_string())}</td>
                            <td>{item.map_or_else(|| "–".to_owned(), |i| i.weight.to_string())}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let chips = move || {
        cluster.with(|cluster| {
            let settings = cluster.settings.iter().map(|s| {
                view! { <li class="chip">{format!("{} = {}", s.name, s.value)}</li> }.into_any()
            });
            let tags = cluster.tags.iter().map(|t| {
                view! { <li class="chip chip--tag">{format!("{}: {}", t.key, t.value)}</li> }
                    .into_any()
            });
            settings.chain(tags).collect_view()
        })
    };
    view! {
        <section class="panel">
            <dl class="stats stats--wide">
                <div><dt>"Status"</dt><dd>{move || cluster.with(|c| c.status.clone())}</dd></div>
                <div><dt>"Container instances"</dt><dd data-testid="instances">{count(|c| c.registered_container_instances_count)}</dd></div>
                <div><dt>"Active services"</dt><dd data-testid="services">{count(|c| c.active_services_count)}</dd></div>
                <div><dt>"Running tasks"</dt><dd data-testid="running">{count(|c| c.running_tasks_count)}</dd></div>
                <div><dt>"Pending tasks"</dt><dd>{count(|c| c.pending_tasks_count)}</dd></div>
            </dl>
            {move || cluster.with(Cluster::launch_type_mix).map(|mix| view! { <LaunchTypeBar mix/> })}
        </section>
        <ClusterTabs snapshot query/>
        <section class="panel">
            <h2>"Capacity" <Help concept=Concept::CapacityProvider/></h2>
            <p class="muted">
                "Capacity providers decide where tasks get their compute: Fargate, Fargate Spot, \
                 or an Auto Scaling group of EC2 instances."
            </p>
            <table class="table">
                <thead><tr><th>"Capacity provider"</th><th>"Base"</th><th>"Weight"</th></tr></thead>
                <tbody>{capacity}</tbody>
            </table>
            {move || cluster.with(|c| c.capacity_providers.is_empty()).then(|| view! { <p class="muted">"No capacity providers: tasks use a launch type directly."</p> })}
        </section>
        <section class="panel">
            <h2>"Settings and tags"</h2>
            <ul class="chips">{chips}</ul>
            <p class="muted arn">{move || cluster.with(|c| c.cluster_arn.clone())}</p>
        </section>
    }
}
