//! `/clusters/:cluster/services/:service`: one service, live.
//!
//! Also the small pieces the task and container-instance pages share with it: links to task
//! definitions, tasks, instances and services, and times shown both relative and absolute.

pub mod actions;
pub mod scaling;
pub mod service_page;

use berth_shared::time::Timestamp;
use berth_view::format::{absolute_time, relative_time, task_definition_label};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    links::{target_href, task_definition_href},
    source::link,
    url_query::{UrlQuery, key},
};

/// A link to a task definition, labelled `family:revision`.
#[component]
pub fn TaskDefinitionLink(
    /// ARN or `family:revision`.
    #[prop(into)]
    definition: String,
) -> impl IntoView {
    let href = task_definition_href(&definition);
    let label = task_definition_label(&definition).to_owned();
    view! { <A href=href attr:class="mono">{label}</A> }
}

/// `12 min ago` with the absolute time under it; `–` when unknown.
#[component]
pub fn When(
    /// The moment.
    at: Option<Timestamp>,
    /// The snapshot's time.
    now: Timestamp,
) -> impl IntoView {
    at.map_or_else(
        || view! { <span class="muted">"–"</span> }.into_any(),
        |at| {
            view! {
                <span class="when" title=absolute_time(at)>
                    {relative_time(at, now)}
                    <span class="when__absolute">{absolute_time(at)}</span>
                </span>
            }
            .into_any()
        },
    )
}

/// What the page of a service, task or container instance shows when the cluster's snapshot
/// has no such item: `title`, the `sentence` saying why, and a link back to the cluster (its
/// `tab`, when given).
#[component]
pub fn NotInCluster(
    /// `No such task`.
    title: &'static str,
    /// What the cluster lacks, in words.
    #[prop(into)]
    sentence: Signal<String>,
    /// The cluster's name.
    cluster: Signal<String>,
    /// The cluster tab the link opens (`tasks`), or its first tab.
    tab: Option<&'static str>,
    /// The link's text.
    link_label: &'static str,
) -> impl IntoView {
    let href = move || {
        let query = tab.map(|tab| format!("?tab={tab}")).unwrap_or_default();
        link(&format!("/clusters/{}{query}", cluster.get()))
    };
    view! {
        <section class="panel panel--empty" data-testid="not-found">
            <h2>{title}</h2>
            <p>{sentence}</p>
            <A href=href>{link_label}</A>
        </section>
    }
}

/// The frame of the page of one task or container instance: breadcrumbs back to the cluster's
/// tab, the title with the live indicator, then `children` once the cluster's stream has a
/// snapshot (a skeleton before, an error panel if the cluster cannot be read).
#[component]
pub fn ClusterItemPage(
    /// The cluster's name.
    cluster: Signal<String>,
    /// The cluster page's tab listing such items (`tasks`, `instances`).
    tab: &'static str,
    /// That tab's breadcrumb label.
    tab_label: &'static str,
    /// What the item is (`Task`, `Instance`).
    kind: &'static str,
    /// The item's id.
    id: Signal<String>,
    /// `data-testid` of the id in the title.
    id_testid: &'static str,
    /// The cluster's live stream.
    stream: crate::components::live::ClusterStream,
    /// The page's content.
    children: ChildrenFn,
) -> impl IntoView {
    use crate::components::live::{LiveIndicator, WhenLoaded};
    view! {
        <nav class="breadcrumbs">
            <A href=link("/clusters")>"Clusters"</A>" / "
            <A href=move || link(&format!("/clusters/{}", cluster.get()))>{cluster}</A>" / "
            <A href=move || link(&format!("/clusters/{}?tab={tab}", cluster.get()))>{tab_label}</A>
        </nav>
        <div class="page__header">
            <h1 class="page__title"><span class="muted">{format!("{kind} ")}</span><span class="mono" data-testid=id_testid>{id}</span></h1>
            <LiveIndicator stream/>
        </div>
        <WhenLoaded stream>{children()}</WhenLoaded>
    }
}

/// A tasks table (see [`berth_view::cluster_tables::tasks_table`]) whose rows open the task page.
/// Its filter and sort order are the page's `?q=` and `?sort=`, so they survive a reload and
/// can be linked to.
#[component]
pub fn LinkedTable(
    /// The cluster's name, for the links.
    #[prop(into)]
    cluster: Signal<String>,
    /// The rows.
    #[prop(into)]
    table: Signal<berth_view::table::Table>,
    /// Placeholder of the filter box.
    placeholder: &'static str,
    /// `data-testid` of the table.
    testid: &'static str,
) -> impl IntoView {
    let query = UrlQuery::new();
    let text = query.get(key::TEXT);
    let sort = query.get(key::SORT);
    let navigate = leptos_router::hooks::use_navigate();
    let on_open = Callback::new(move |target: berth_view::table::Target| {
        navigate(
            &target_href(&cluster.get_untracked(), &target),
            Default::default(),
        );
    });
    view! {
        <crate::components::data_table::DataTable
            table
            text
            sort
            on_text=Callback::new(move |t: String| query.set(&[(key::TEXT, Some(t))], true))
            on_sort=Callback::new(move |s: String| query.set(&[(key::SORT, Some(s))], true))
            on_open
            placeholder
            testid
        />
    }
}

/// A table computed from the stream's snapshot by `build`; while there is no snapshot (another
/// cluster loading) the previous table stays.
pub fn table_of(
    stream: crate::components::live::ClusterStream,
    build: impl Fn(&berth_shared::api::ClusterSnapshot) -> berth_view::table::Table
    + Send
    + Sync
    + 'static,
) -> Memo<berth_view::table::Table> {
    Memo::new(move |previous: Option<&berth_view::table::Table>| {
        stream.snapshot.with(|snapshot| match snapshot {
            Some(snapshot) => build(snapshot),
            None => previous
                .cloned()
                .unwrap_or_else(|| berth_view::table::Table {
                    noun: ("row", "rows"),
                    columns: Vec::new(),
                    rows: Vec::new(),
                    default_sort: berth_view::table::SortOrder {
                        column: 0,
                        descending: false,
                    },
                }),
        })
    })
}
