//! The tasks tab: every task with its service, status, instance, zone, reservation and start
//! time, filtered by the same service and status as the graph.

use std::sync::Arc;

use berth_shared::api::ClusterSnapshot;
use berth_view::{cluster_tables, graph::Choices};
use leptos::prelude::*;

use super::filters::FilterSelects;
use crate::components::{
    data_table::DataTable,
    help::{Concept, Help},
};
use crate::url_query::{UrlQuery, key};

/// The tasks table.
#[component]
pub fn TasksTable(
    /// The cluster.
    #[prop(into)]
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// What the filters offer.
    #[prop(into)]
    choices: Signal<Choices>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let filter = query.filter();
    let table =
        Memo::new(move |_| snapshot.with(|s| cluster_tables::tasks_table(s, &filter.get())));
    let (on_text, on_sort, on_open) = query.table_callbacks();
    view! {
        <DataTable
            table
            text=query.get(key::TEXT)
            sort=query.get(key::SORT)
            on_text
            on_sort
            on_open
            placeholder="Filter tasks"
            testid="tasks-table"
        >
            <FilterSelects choices query/>
            <Help concept=Concept::Task/>
        </DataTable>
    }
}
