//! One cluster on the overview: status, counts, CPU and memory reservation, launch-type mix
//! and capacity providers.

use berth_shared::{api::ClusterReservation, ecs::Cluster};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{
    help::{Concept, Help},
    launch_type_bar::LaunchTypeBar,
};

/// What the overview knows of a cluster's reservation.
#[derive(Debug, Clone, PartialEq)]
pub enum Reservation {
    /// Still being read.
    Loading,
    /// Read (either figure may be missing).
    Known(ClusterReservation),
    /// The source could not say (the overview explains why once, above the cards).
    Unavailable,
}

/// A card linking to the cluster's page.
#[component]
pub fn ClusterCard(
    /// The cluster to show.
    cluster: Cluster,
    /// Its CPU and memory reservation.
    #[prop(into)]
    reservation: Signal<Reservation>,
) -> impl IntoView {
    let href = crate::source::link(&format!("/clusters/{}", cluster.cluster_name));
    let status_class = format!("badge badge--{}", cluster.status.to_ascii_lowercase());
    let mix = cluster.launch_type_mix();
    let providers = cluster.capacity_providers.clone();
    let no_figures = if cluster.registered_container_instances_count == 0 {
        "No container instances to reserve on"
    } else {
        "No recent reservation data (CloudWatch)"
    };
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
            <div class="reservation" data-testid="reservation">
                {move || match reservation.get() {
                    Reservation::Loading => view! { <p class="reservation__note muted">"Reading reservation…"</p> }.into_any(),
                    Reservation::Unavailable => view! { <p class="reservation__note muted">"Reservation unavailable"</p> }.into_any(),
                    Reservation::Known(r) if r.cpu_reservation.is_none() && r.memory_reservation.is_none() => view! {
                        <p class="reservation__note muted">{no_figures}</p>
                    }.into_any(),
                    Reservation::Known(r) => view! {
                        <ReservationMeter label="CPU" percent=r.cpu_reservation/>
                        <ReservationMeter label="Memory" percent=r.memory_reservation/>
                    }.into_any(),
                }}
                <Help concept=Concept::Reservation/>
            </div>
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

/// One reserved share as a bar: green below 70 %, amber below 90 %, red above.
#[component]
fn ReservationMeter(label: &'static str, percent: Option<f64>) -> impl IntoView {
    let value = percent.map_or_else(|| "–".to_owned(), |p| format!("{p:.0}% reserved"));
    let level = match percent {
        Some(p) if p >= 90.0 => "bad",
        Some(p) if p >= 70.0 => "warn",
        _ => "ok",
    };
    let width = format!("{:.1}%", percent.unwrap_or(0.0).clamp(0.0, 100.0));
    view! {
        <div class="meter" data-testid="reservation-meter">
            <span class="meter__label">{label}</span>
            <span class="meter__track">
                <span class=format!("meter__fill meter__fill--{level}") style:width=width></span>
            </span>
            <span class="meter__value">{value}</span>
        </div>
    }
}
