//! `/task-definitions`: every task-definition family in a sortable table, filtered as you
//! type; the filter (`q`) and sort (`sort`) live in the URL.

use berth_shared::api::TaskDefinitionFamilies;
use leptos::prelude::*;
use leptos_router::{
    NavigateOptions,
    hooks::{use_location, use_navigate, use_query_map},
};

use crate::{
    api,
    components::{
        data_table::DataTable,
        error_panel::ErrorPanel,
        help::{Concept, Help},
    },
};
use berth_view::{
    format::absolute_time,
    table::Target,
    task_definitions::{active_count, families_table},
};

/// The task definitions page.
#[component]
pub fn TaskDefinitionsPage() -> impl IntoView {
    let list = LocalResource::new(api::task_definition_families);
    let retry = Callback::new(move |()| list.refetch());
    let content = move || {
        Suspend::new(async move {
            match list.await {
                Ok(list) if list.families.is_empty() => view! {
                    <section class="panel panel--empty" data-testid="empty">
                        <h2>"No task definitions yet"</h2>
                        <p>
                            "A task definition describes the containers of a task: images, CPU, memory, ports and logs. Register one with "
                            <code>"aws ecs register-task-definition --cli-input-json file://task.json"</code>
                            "."
                        </p>
                    </section>
                }
                .into_any(),
                Ok(list) => view! { <FamiliesTable list/> }.into_any(),
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <div class="page__header">
            <h1>"Task definitions" <Help concept=Concept::TaskDefinition/></h1>
            <button class="button button--quiet" on:click=move |_| list.refetch()>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <section class="panel card--skeleton" aria-busy="true" data-testid="loading"></section> }>
            {content}
        </Transition>
    }
}

/// The summary line and the table.
#[component]
fn FamiliesTable(
    /// What the API returned.
    list: TaskDefinitionFamilies,
) -> impl IntoView {
    let query = use_query_map();
    let text = Memo::new(move |_| query.read().get("q").filter(|q| !q.is_empty()));
    let sort = Memo::new(move |_| query.read().get("sort").filter(|s| !s.is_empty()));
    let location = use_location();
    let revisions: usize = list.families.iter().map(|f| f.revisions.len()).sum();
    let active: usize = list.families.iter().map(active_count).sum();
    let families = list.families.len();
    let fetched = absolute_time(list.fetched_at);
    let table = Signal::stored(families_table(&list));
    let navigate = StoredValue::new(use_navigate());
    let on_open = Callback::new(move |target: Target| {
        if let Target::Service(family) = target {
            navigate.with_value(|go| {
                go(
                    &crate::source::link(&format!("/task-definitions/{family}")),
                    NavigateOptions::default(),
                )
            });
        }
    });
    // Writes one query key, keeping the other, and replaces the history entry.
    let set = move |key: &'static str, value: String| {
        let mut map = query.get_untracked();
        if value.is_empty() {
            map.remove(key);
        } else {
            map.replace(key, value);
        }
        let href = format!(
            "{}{}",
            location.pathname.get_untracked(),
            map.to_query_string()
        );
        navigate.with_value(|go| {
            go(
                &href,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..NavigateOptions::default()
                },
            )
        });
    };
    let on_text = Callback::new(move |text: String| set("q", text));
    let on_sort = Callback::new(move |sort: String| set("sort", sort));
    view! {
        <p class="summary" data-testid="summary">
            {format!("{families} families · {revisions} revisions · {active} active · {} inactive", revisions - active)}
            <span class="muted">" · read at " {fetched}</span>
        </p>
        <DataTable
            table
            text
            sort
            on_text
            on_sort
            on_open
            placeholder="Filter families"
            testid="families"
        />
    }
}
