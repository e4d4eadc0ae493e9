//! The one sortable column header of every table: a button that sorts by its column (a second
//! click reverses), `aria-sort` for screen readers, an arrow for the eye, and the column's id
//! as `data-sort`. The order itself is [`berth_view::table::Sort`], written `id` or `-id` in
//! the page URL.

use leptos::prelude::*;

/// A sortable column header.
#[component]
pub fn SortHeader(
    /// The header's text.
    label: &'static str,
    /// The column's id in the URL (`?sort=id`).
    id: &'static str,
    /// Numbers align right.
    numeric: bool,
    /// `aria-sort`: `none`, `ascending` or `descending`.
    #[prop(into)]
    aria: Signal<&'static str>,
    /// Called when the header is clicked.
    on_click: Callback<()>,
) -> impl IntoView {
    let arrow = move || match aria.get() {
        "ascending" => "▲",
        "descending" => "▼",
        _ => "",
    };
    view! {
        <th aria-sort=aria class:numeric=numeric>
            <button type="button" class="sort" data-sort=id on:click=move |_| on_click.run(())>
                {label}
                <span class="sort__arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}
