//! `/repositories`: every ECR repository of the page's source in a table sorted and filtered
//! through the URL (`?q=`, `?sort=`), with the keyboard use of every table (`/`, `j`/`k`,
//! Enter opens the repository).

use berth_shared::{
    api::{RepositoryList, RepositorySummary},
    time::Timestamp,
};
use berth_view::{
    format::{absolute_time, format_bytes, plural, relative_time, shown_of},
    repositories::{RepositorySort, select_repositories},
    table::Sort,
};
use leptos::prelude::*;
use leptos_router::components::A;

use super::{EcrSortHeader, ShownRows, TableQuery};
use crate::{
    api,
    components::{
        data_table::{FilterBox, KeyHints},
        error_panel::ErrorPanel,
        keyboard::ACTIVE_ROW_CLASS,
    },
};

/// The repositories page.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    let list = LocalResource::new(api::repositories);
    let retry = Callback::new(move |()| list.refetch());
    let content = move || {
        Suspend::new(async move {
            match list.await {
                Ok(list) if list.repositories.is_empty() => view! {
                    <section class="panel panel--empty" data-testid="empty">
                        <h2>"No repositories in this registry"</h2>
                        <p>
                            "An ECR repository holds the versions of one container image. Create one with "
                            <code>"aws ecr create-repository --repository-name NAME"</code>
                            " and push an image to it."
                        </p>
                    </section>
                }
                .into_any(),
                Ok(list) => view! { <RepositoryTable list/> }.into_any(),
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <div class="page__header">
            <h1>"Repositories"</h1>
            <button class="button button--quiet" on:click=move |_| list.refetch()>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <section class="panel card--skeleton" aria-busy="true"></section> }>
            {content}
        </Transition>
    }
}

/// The table with its filter box and totals.
#[component]
fn RepositoryTable(
    /// What the API returned.
    list: RepositoryList,
) -> impl IntoView {
    let now = list.fetched_at;
    let images: usize = list.repositories.iter().map(|r| r.image_count).sum();
    let bytes: i64 = list
        .repositories
        .iter()
        .map(|r| r.total_size_in_bytes)
        .sum();
    let total = list.repositories.len();
    let table = TableQuery::new(Sort {
        column: RepositorySort::Name,
        descending: false,
    });
    let ShownRows {
        rows: selected,
        input,
        highlight,
    } = table.shown(list.repositories, select_repositories, |summary| {
        summary.repository.repository_name.clone()
    });
    let header = move |label: &'static str, column: RepositorySort, numeric: bool| {
        view! { <EcrSortHeader label column numeric table/> }
    };
    view! {
        <p class="summary" data-testid="summary">
            {plural(total, "repository", "repositories")}
            " · " {plural(images, "image", "images")}
            " · " {format_bytes(bytes)}
            <span class="muted">" · read at " {absolute_time(now)}</span>
        </p>
        <section class="panel panel--flush">
            <div class="toolbar">
                <FilterBox
                    placeholder="Filter by name or URI"
                    testid="filter"
                    input
                    text=Signal::derive(move || table.text())
                    on_text=Callback::new(move |text| table.set_text(text))
                />
                <span class="muted toolbar__count" data-testid="repository-count-label">
                    {move || shown_of(selected.with(Vec::len), total, "repository", "repositories")}
                </span>
                <KeyHints/>
            </div>
            <table class="table table--ecr" data-testid="repositories">
                <thead>
                    <tr>
                        {header("Name", RepositorySort::Name, false)}
                        <th>"URI"</th>
                        {header("Images", RepositorySort::Images, true)}
                        {header("Size", RepositorySort::Size, true)}
                        {header("Last push", RepositorySort::Pushed, true)}
                        <th>"Tag mutability"</th>
                        {header("Created", RepositorySort::Created, true)}
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || selected.get()
                        key=|summary| summary.repository.repository_arn.clone()
                        children=move |summary| view! { <RepositoryRow summary now highlight/> }
                    />
                </tbody>
            </table>
            <Show when=move || selected.with(Vec::is_empty)>
                <p class="panel__none">"No repository matches “" {move || table.text()} "”."</p>
            </Show>
        </section>
    }
}

/// One repository.
#[component]
fn RepositoryRow(
    /// The repository and its figures.
    summary: RepositorySummary,
    /// The moment relative times are counted from.
    now: Timestamp,
    /// The name of the repository highlighted with the keyboard.
    highlight: RwSignal<Option<String>>,
) -> impl IntoView {
    let repository = summary.repository;
    let href = crate::source::link(&format!("/repositories/{}", repository.repository_name));
    let name = repository.repository_name.clone();
    let active = move || highlight.with(|h| h.as_deref() == Some(name.as_str()));
    let mutability = repository
        .image_tag_mutability
        .clone()
        .unwrap_or_else(|| "MUTABLE".to_owned());
    let mutability_class = format!("badge badge--{}", mutability.to_ascii_lowercase());
    let mutability_label = if mutability == "IMMUTABLE" {
        "Immutable"
    } else {
        "Mutable"
    };
    let time = |at: Option<Timestamp>| match at {
        Some(at) => {
            view! { <span title=absolute_time(at)>{relative_time(at, now)}</span> }.into_any()
        }
        None => view! { <span class="muted">"–"</span> }.into_any(),
    };
    view! {
        <tr data-testid="repository-row" class=(ACTIVE_ROW_CLASS, active)>
            <td><A href=href attr:class="strong">{repository.repository_name.clone()}</A></td>
            <td class="mono muted uri">{repository.repository_uri.clone()}</td>
            <td class="numeric">{summary.image_count}</td>
            <td class="numeric">{format_bytes(summary.total_size_in_bytes)}</td>
            <td class="numeric">{time(summary.last_pushed_at)}</td>
            <td><span class=mutability_class>{mutability_label}</span></td>
            <td class="numeric">{time(repository.created_at)}</td>
        </tr>
    }
}
