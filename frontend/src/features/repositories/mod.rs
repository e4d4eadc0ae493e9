//! Amazon ECR: every repository of the registry, and the page of one repository with its
//! images, its lifecycle policy (rules in words and a preview of what would expire now) and
//! where each image runs.

mod images_table;
pub mod list_page;
pub mod model;
pub mod repository_page;

use leptos::prelude::*;

use model::Sort;

/// A sortable column header of the ECR tables: clicking sorts by `column` (again: reverses).
#[component]
fn SortHeader<C>(
    /// The header's text.
    label: &'static str,
    /// The column it sorts by.
    column: C,
    /// Numbers sort largest first and align right.
    numeric: bool,
    /// The table's sort order.
    sort: RwSignal<Sort<C>>,
) -> impl IntoView
where
    C: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <th aria-sort=move || sort.get().aria(column) class=if numeric { "numeric" } else { "" }>
            <button class="sort" on:click=move |_| sort.update(|s| *s = s.click(column, numeric))>
                {label}
            </button>
        </th>
    }
}
