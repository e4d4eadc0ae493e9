//! The events tab: the events of every service merged, newest first, searchable.

use std::sync::Arc;

use berth_shared::api::ClusterSnapshot;
use berth_view::cluster_tables;
use leptos::prelude::*;

use crate::components::data_table::DataTable;
use crate::url_query::{UrlQuery, key};

/// The merged events.
#[component]
pub fn EventsTable(
    /// The cluster.
    #[prop(into)]
    snapshot: Signal<Arc<ClusterSnapshot>>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let table = Memo::new(move |_| snapshot.with(|s| cluster_tables::events_table(s)));
    let (on_text, on_sort, on_open) = query.table_callbacks();
    view! {
        <DataTable
            table
            text=query.get(key::TEXT)
            sort=query.get(key::SORT)
            on_text
            on_sort
            on_open
            placeholder="Search events"
            testid="events-table"
        />
    }
}
