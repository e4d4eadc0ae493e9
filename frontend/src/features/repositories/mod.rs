//! Amazon ECR: every repository of the registry, and the page of one repository with its
//! images, its lifecycle policy (rules in words and a preview of what would expire now) and
//! where each image runs.

mod images_table;
pub mod list_page;
pub mod model;
pub mod repository_page;

use leptos::prelude::*;

use crate::features::clusters::query::{UrlQuery, key};
use model::{Sort, SortColumn};

/// An ECR table's filter text and sort order, kept in the page URL (`?q=`, `?sort=`) so a
/// filtered, sorted table can be linked to and survives a reload. Typing and sorting replace
/// the history entry.
#[derive(Debug)]
struct TableQuery<C: SortColumn> {
    url: UrlQuery,
    text: Memo<Option<String>>,
    sort: Memo<Sort<C>>,
}

impl<C: SortColumn> Clone for TableQuery<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: SortColumn> Copy for TableQuery<C> {}

impl<C: SortColumn> TableQuery<C> {
    /// The current route's query, sorted by `default` when `?sort=` names no column.
    fn new(default: Sort<C>) -> Self {
        let url = UrlQuery::new();
        let param = url.get(key::SORT);
        Self {
            url,
            text: url.get(key::TEXT),
            sort: Memo::new(move |_| {
                param
                    .get()
                    .and_then(|text| Sort::parse(&text))
                    .unwrap_or(default)
            }),
        }
    }

    /// The filter text (reactive).
    fn text(self) -> String {
        self.text.get().unwrap_or_default()
    }

    /// Writes the filter text.
    fn set_text(self, text: String) {
        self.url.set(&[(key::TEXT, Some(text))], true);
    }

    /// Writes the sort order.
    fn set_sort(self, sort: Sort<C>) {
        self.url.set(&[(key::SORT, Some(sort.param()))], true);
    }
}

/// A sortable column header of the ECR tables: clicking sorts by `column` (again: reverses).
#[component]
fn SortHeader<C>(
    /// The header's text.
    label: &'static str,
    /// The column it sorts by.
    column: C,
    /// Numbers sort largest first and align right.
    numeric: bool,
    /// The table's filter and sort order.
    table: TableQuery<C>,
) -> impl IntoView
where
    C: SortColumn,
{
    let sort = table.sort;
    view! {
        <th aria-sort=move || sort.get().aria(column) class=if numeric { "numeric" } else { "" }>
            <button
                class="sort"
                data-sort=column.name()
                on:click=move |_| table.set_sort(sort.get_untracked().click(column, numeric))
            >
                {label}
            </button>
        </th>
    }
}
