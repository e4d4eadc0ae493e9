//! The container instances tab: every instance with its EC2 id, type, zone, status, agent,
//! running tasks and reserved CPU and memory.

use std::sync::Arc;

use berth_shared::api::ClusterSnapshot;
use berth_view::cluster_tables;
use leptos::prelude::*;

use crate::components::{
    data_table::DataTable,
    help::{Concept, Help},
};
use crate::url_query::{UrlQuery, key};

/// The container instances table.
#[component]
pub fn InstancesTable(
    /// The cluster.
    #[prop(into)]
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let table = Memo::new(move |_| snapshot.with(|s| cluster_tables::instances_table(s)));
    let (on_text, on_sort, on_open) = query.table_callbacks();
    view! {
        <DataTable
            table
            text=query.get(key::TEXT)
            sort=query.get(key::SORT)
            on_text
            on_sort
            on_open
            placeholder="Filter instances"
            testid="instances-table"
        >
            <span class="toolbar__concepts muted">
                "Container instance" <Help concept=Concept::ContainerInstance/>
                " · reserved" <Help concept=Concept::Reservation/>
            </span>
        </DataTable>
    }
}
