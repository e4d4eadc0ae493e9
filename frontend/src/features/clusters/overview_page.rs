//! `/clusters`: every cluster of the active source as cards.

use leptos::prelude::*;

use super::cluster_card::ClusterCard;
use crate::{api, components::error_panel::ErrorPanel};

/// The clusters overview (also the home page).
#[component]
pub fn OverviewPage() -> impl IntoView {
    let clusters = LocalResource::new(api::clusters);
    let retry = Callback::new(move |()| clusters.refetch());
    let content = move || {
        Suspend::new(async move {
            match clusters.await {
                Ok(list) if list.clusters.is_empty() => view! {
                    <section class="panel panel--empty" data-testid="empty">
                        <h2>"No clusters in this region"</h2>
                        <p>
                            "A cluster is a logical group of tasks and services, and of the capacity \
                             (EC2 instances or Fargate) they run on. Create one with "
                            <code>"aws ecs create-cluster --cluster-name NAME"</code>
                            " or switch to another region."
                        </p>
                    </section>
                }
                .into_any(),
                Ok(list) => {
                    let count = list.clusters.len();
                    view! {
                        <p class="summary" data-testid="summary">
                            {format!("{count} cluster{}", if count == 1 { "" } else { "s" })}
                            <span class="muted">" · read at " {list.fetched_at.to_string()}</span>
                        </p>
                        <div class="cards">
                            {list.clusters.into_iter().map(|cluster| view! { <ClusterCard cluster/> }).collect_view()}
                        </div>
                    }
                    .into_any()
                }
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <div class="page__header">
            <h1>"Clusters"</h1>
            <button class="button button--quiet" on:click=move |_| clusters.refetch()>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <div class="cards cards--loading" aria-busy="true"><div class="card card--skeleton"></div><div class="card card--skeleton"></div><div class="card card--skeleton"></div></div> }>
            {content}
        </Transition>
    }
}
