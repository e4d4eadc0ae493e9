//! `/clusters`: every cluster of the page's source as cards, with their CPU and memory
//! reservation read beside the list (a source that cannot report it still lists clusters),
//! and the switch to another source.

use berth_view::format::absolute_time;
use leptos::prelude::*;

use super::{
    cluster_card::{ClusterCard, Reservation},
    source_switch::SourceSwitch,
};
use crate::{
    api,
    components::{
        error_panel::ErrorPanel,
        help::{Concept, Help},
    },
};

/// The clusters overview (also the home page).
#[component]
pub fn OverviewPage() -> impl IntoView {
    let clusters = LocalResource::new(api::clusters);
    let reservations = LocalResource::new(api::cluster_reservations);
    let retry = Callback::new(move |()| clusters.refetch());
    let reservation_of = move |name: String| {
        Signal::derive(move || match reservations.get() {
            None => Reservation::Loading,
            Some(Err(_)) => Reservation::Unavailable,
            Some(Ok(list)) => list
                .clusters
                .iter()
                .find(|r| r.cluster_name == name)
                .cloned()
                .map_or(Reservation::Unavailable, Reservation::Known),
        })
    };
    let reservation_error = move || {
        reservations.get().and_then(Result::err).map(|error| {
            view! {
                <p class="notice notice--bad" data-testid="reservation-error">
                    "CPU and memory reservation could not be read: " {error.to_string()}
                </p>
            }
        })
    };
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
                            <span class="muted">" · read at " {absolute_time(list.fetched_at)}</span>
                        </p>
                        {reservation_error}
                        <div class="cards">
                            {list.clusters.into_iter().map(|cluster| {
                                let reservation = reservation_of(cluster.cluster_name.clone());
                                view! { <ClusterCard cluster reservation/> }
                            }).collect_view()}
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
            <h1>"Clusters" <Help concept=Concept::Cluster/></h1>
            <SourceSwitch/>
            <button class="button button--quiet" on:click=move |_| { clusters.refetch(); reservations.refetch(); }>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <div class="cards cards--loading" aria-busy="true"><div class="card card--skeleton"></div><div class="card card--skeleton"></div><div class="card card--skeleton"></div></div> }>
            {content}
        </Transition>
    }
}
