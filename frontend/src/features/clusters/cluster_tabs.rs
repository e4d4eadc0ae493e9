//! The tabs under a cluster's summary: the placement graph, services, tasks, instances and
//! events, with the selection's details beside them. The tab is `?tab=` in the URL. Every
//! new snapshot of the cluster (from the live stream) replaces the one shown.

use std::sync::Arc;

use berth_shared::api::ClusterSnapshot;
use berth_view::graph;
use leptos::prelude::*;

use super::{
    events_table::EventsTable, instances_table::InstancesTable, placement_graph::PlacementGraph,
    query::Tab, selection_panel::SelectionPanel, services_table::ServicesTable,
    tasks_table::TasksTable,
};
use crate::url_query::{UrlQuery, key};

/// The tab bar and the open tab.
#[component]
pub fn ClusterTabs(
    /// The cluster, as last read.
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let choices = Memo::new(move |_| snapshot.with(|s| graph::choices(s)));
    let tab = query.get(key::TAB);
    let tab = Memo::new(move |_| Tab::parse(tab.get().as_deref()));
    let counts = Memo::new(move |_| {
        snapshot.with(|s| {
            (
                s.services.len(),
                s.tasks.len(),
                s.container_instances.len(),
                s.services.iter().map(|s| s.events.len()).sum::<usize>(),
            )
        })
    });
    let tabs = Tab::ALL
        .into_iter()
        .map(|t| {
            let href = move || {
                let value = (t != Tab::Graph).then(|| t.as_str().to_owned());
                query.href(&[(key::TAB, value), (key::TEXT, None), (key::SORT, None)])
            };
            let count = move || {
                let (services, tasks, instances, events) = counts.get();
                match t {
                    Tab::Graph => None,
                    Tab::Services => Some(services),
                    Tab::Tasks => Some(tasks),
                    Tab::Instances => Some(instances),
                    Tab::Events => Some(events),
                }
                .map(|n| view! { <span class="tabs__count">{n}</span> })
            };
            view! {
                <a
                    href=href
                    class="tabs__tab"
                    role="tab"
                    aria-selected=move || (tab.get() == t).to_string()
                    data-tab=t.as_str()
                >
                    {t.label()}
                    {count}
                </a>
            }
        })
        .collect_view();
    let body = move || match tab.get() {
        Tab::Graph => view! { <PlacementGraph snapshot choices query/> }.into_any(),
        Tab::Services => view! { <ServicesTable snapshot query/> }.into_any(),
        Tab::Tasks => view! { <TasksTable snapshot choices query/> }.into_any(),
        Tab::Instances => view! { <InstancesTable snapshot query/> }.into_any(),
        Tab::Events => view! { <EventsTable snapshot query/> }.into_any(),
    };
    let task = query.get(key::TASK);
    let instance = query.get(key::INSTANCE);
    let selected = move || task.with(Option::is_some) || instance.with(Option::is_some);
    view! {
        <nav class="tabs" role="tablist" aria-label="Cluster views" data-testid="tabs">{tabs}</nav>
        <div class="cluster-body" class:cluster-body--with-details=selected>
            <div class="cluster-body__main" role="tabpanel">{body}</div>
            <SelectionPanel snapshot query/>
        </div>
    }
}
