//! The services tab: every service with its counts, launch type, placement in words and task
//! definition revision.

use std::sync::Arc;

use berth_shared::api::ClusterSnapshot;
use berth_view::cluster_tables;
use leptos::prelude::*;

use crate::components::{
    data_table::DataTable,
    help::{Concept, Help},
};
use crate::url_query::{UrlQuery, key};

/// The services table.
#[component]
pub fn ServicesTable(
    /// The cluster.
    #[prop(into)]
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let table = Memo::new(move |_| snapshot.with(|s| cluster_tables::services_table(s)));
    let (on_text, on_sort, on_open) = query.table_callbacks();
    view! {
        <DataTable
            table
            text=query.get(key::TEXT)
            sort=query.get(key::SORT)
            on_text
            on_sort
            on_open
            placeholder="Filter services"
            testid="services-table"
        >
            <span class="toolbar__concepts muted">
                "Service" <Help concept=Concept::Service/>
                " · launch type" <Help concept=Concept::LaunchType/>
                " · placement strategy" <Help concept=Concept::PlacementStrategy/>
                " and constraint" <Help concept=Concept::PlacementConstraint/>
            </span>
        </DataTable>
    }
}
