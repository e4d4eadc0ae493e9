//! One cluster on the overview: status, counts, launch-type mix and capacity providers.

use berth_shared::ecs::Cluster;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::launch_type_bar::LaunchTypeBar;

/// A card linking to the cluster's page.
#[component]
pub fn ClusterCard(
    /// The cluster to show.
    cluster: Cluster,
) -> impl IntoView {
    let href = format!("/clusters/{}", cluster.cluster_name);
    let status_class = format!("badge badge--{}", cluster.status.to_ascii_lowercase());
    let mix = cluster.launch_type_mix();
    let providers = cluster.capacity_providers.clone();
    view! {
        <article class="card" data-testid="cluster-card">
            <header class="card__header">
                <A href=href attr:class="card__title">{cluster.cluster_name.clone()}</A>
                <span class=status_class>{cluster.status.clone()}</span>
            </header>
            <dl class="stats">
                <div><dt>"Container instances"</dt><dd>{cluster.registered_container_instances_count}</dd></div>
                <div><dt>"Services"</dt><dd>{cluster.active_services_count}</dd></div>
                <div><dt>"Running tasks"</dt><dd>{cluster.running_tasks_count}</dd></div>
                <div><dt>"Pending tasks"</dt><dd>{cluster.pending_tasks_count}</dd></div>
            </dl>
            {match mix {
                Some(mix) => view! { <LaunchTypeBar mix/> }.into_any(),
                None => view! { <p class="mix mix--empty">"Launch types not reported by this source"</p> }.into_any(),
            }}
            <footer class="card__footer">
                {if providers.is_empty() {
                    view! { <span class="muted">"No capacity providers"</span> }.into_any()
                } else {
                    providers
                        .into_iter()
                        .map(|p| view! { <span class="chip">{p}</span> })
                        .collect_view()
                        .into_any()
                }}
            </footer>
        </article>
    }
}
