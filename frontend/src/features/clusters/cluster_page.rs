//! `/clusters/:name`: one cluster's counts, then its placement graph and tables in tabs
//! (state in the URL query, see [`super::query`]), then its capacity and settings. The tabs
//! follow the cluster's live stream; the indicator says whether they are live, paused or stale.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{bench, cluster_tabs::ClusterTabs};
use crate::{
    api,
    components::{
        error_panel::ErrorPanel,
        help::{Concept, Help},
        launch_type_bar::LaunchTypeBar,
        live::{LiveIndicator, use_cluster_stream},
    },
    links::{new_service_href, run_task_href},
    url_query::{UrlQuery, key},
};

/// The page of one cluster.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let query = UrlQuery::new();
    let synthetic = query.get(key::SYNTHETIC);
    let detail = LocalResource::new(move || {
        let name = name();
        let generated = synthetic
            .get()
            .as_deref()
            .and_then(bench::parse)
            .and_then(|(instances, tasks)| bench::generate(&name, instances, tasks));
        async move {
            match generated {
                Some((snapshot, timing)) => Ok((snapshot, Some(timing))),
                None => api::cluster(&name).await.map(|snapshot| (snapshot, None)),
            }
        }
    });
    let retry = Callback::new(move |()| detail.refetch());
    // A generated benchmark cluster has no server side to follow.
    let live = synthetic
        .get_untracked()
        .and_then(|text| bench::parse(&text).filter(|_| bench::AVAILABLE))
        .is_none()
        .then(|| use_cluster_stream(Signal::derive(name)));
    let content = move || {
        Suspend::new(async move {
            match detail.await {
                Ok((detail, synthetic)) => {
                    let cluster = detail.cluster.clone();
                    // The summary follows the live stream too, once it has brought a snapshot.
                    let read = cluster.clone();
                    let current = Signal::derive(move || {
                        live.and_then(|l| {
                            l.snapshot.with(|s| s.as_ref().map(|s| s.cluster.clone()))
                        })
                        .unwrap_or_else(|| read.clone())
                    });
                    view! {
                        <section class="panel">
                            <dl class="stats stats--wide">
                                <div><dt>"Status"</dt><dd>{move || current.with(|c| c.status.clone())}</dd></div>
                                <div><dt>"Container instances"</dt><dd data-testid="instances">{move || current.with(|c| c.registered_container_instances_count)}</dd></div>
                                <div><dt>"Active services"</dt><dd data-testid="services">{move || current.with(|c| c.active_services_count)}</dd></div>
                                <div><dt>"Running tasks"</dt><dd data-testid="running">{move || current.with(|c| c.running_tasks_count)}</dd></div>
                                <div><dt>"Pending tasks"</dt><dd>{move || current.with(|c| c.pending_tasks_count)}</dd></div>
                            </dl>
                            {move || current.with(|c| c.launch_type_mix()).map(|mix| view! { <LaunchTypeBar mix/> })}
                        </section>
                        {match synthetic {
                            Some(synthetic) => view! { <ClusterTabs snapshot=detail query synthetic/> }.into_any(),
                            None => match live {
                                Some(live) => view! { <ClusterTabs snapshot=detail query live/> }.into_any(),
                                None => view! { <ClusterTabs snapshot=detail query/> }.into_any(),
                            },
                        }}
                        <section class="panel">
                            <h2>"Capacity" <Help concept=Concept::CapacityProvider/></h2>
                            <p class="muted">
                                "Capacity providers decide where tasks get their compute: Fargate, Fargate Spot, \
                                 or an Auto Scaling group of EC2 instances."
                            </p>
                            <table class="table">
                                <thead><tr><th>"Capacity provider"</th><th>"Base"</th><th>"Weight"</th></tr></thead>
                                <tbody>
                                    {cluster.capacity_providers.iter().map(|provider| {
                                        let item = cluster.default_capacity_provider_strategy.iter().find(|i| &i.capacity_provider == provider);
                                        view! {
                                            <tr>
                                                <td>{provider.clone()}</td>
                                                <td>{item.map_or_else(|| "–".to_owned(), |i| i.base.to_string())}</td>
                                                <td>{item.map_or_else(|| "–".to_owned(), |i| i.weight.to_string())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {cluster.capacity_providers.is_empty().then(|| view! { <p class="muted">"No capacity providers: tasks use a launch type directly."</p> })}
                        </section>
                        <section class="panel">
                            <h2>"Settings and tags"</h2>
                            <ul class="chips">
                                {cluster.settings.iter().map(|s| view! { <li class="chip">{format!("{} = {}", s.name, s.value)}</li> }).collect_view()}
                                {cluster.tags.iter().map(|t| view! { <li class="chip chip--tag">{format!("{}: {}", t.key, t.value)}</li> }).collect_view()}
                            </ul>
                            <p class="muted arn">{cluster.cluster_arn.clone()}</p>
                        </section>
                    }
                    .into_any()
                }
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <nav class="breadcrumbs"><A href=crate::source::link("/clusters")>"Clusters"</A>" / "<span>{name}</span></nav>
        <div class="page__header">
            <h1 data-testid="cluster-name">{name}</h1>
            {live.map(|stream| view! { <LiveIndicator stream/> })}
            <button class="button button--quiet" on:click=move |_| detail.refetch()>"Refresh"</button>
            <A href=move || run_task_href(&name()) attr:class="button button--quiet" attr:data-testid="run-task-link">"Run task…"</A>
            <A href=move || new_service_href(&name()) attr:class="button button--quiet" attr:data-testid="new-service-link">"Create service…"</A>
        </div>
        <Transition fallback=|| view! {
            <section class="panel card--skeleton" aria-busy="true"></section>
            <section class="panel card--skeleton card--skeleton-tall" aria-busy="true" data-testid="loading"></section>
        }>{content}</Transition>
    }
}
