//! A sortable, filterable table of [`berth_view::table::Table`] rows, with counts, empty
//! states and keyboard use: `/` focuses the filter, `j`/`k` move the highlighted row, Enter
//! opens it.

use std::hash::{DefaultHasher, Hash, Hasher};

use berth_view::table::{Cell, Row, SortOrder, Table, Target};
use leptos::{html, prelude::*};

use crate::components::{
    keyboard::{ACTIVE_ROW_CLASS, use_table_keys},
    sort_header::SortHeader,
};

/// Rows drawn before "Show all" is pressed.
const LIMIT: usize = 300;

/// The table with its filter box, count and extra controls.
#[component]
pub fn DataTable(
    /// The rows and columns.
    #[prop(into)]
    table: Signal<Table>,
    /// The free-text filter.
    #[prop(into)]
    text: Signal<Option<String>>,
    /// The sort order as written in the URL (`col` or `-col`); the table's default otherwise.
    #[prop(into)]
    sort: Signal<Option<String>>,
    /// Called with the filter text as the user types.
    on_text: Callback<String>,
    /// Called with the new sort order (URL form) when a header is clicked.
    on_sort: Callback<String>,
    /// Called when a row is clicked or opened with Enter.
    on_open: Callback<Target>,
    /// Placeholder of the filter box.
    placeholder: &'static str,
    /// `data-testid` of the table's section.
    testid: &'static str,
    /// Controls shown beside the filter box (selects, help).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let order: Memo<SortOrder> = Memo::new(move |_| {
        table.with(|t| {
            sort.get()
                .and_then(|s| t.parse_sort(&s))
                .unwrap_or(t.default_sort)
        })
    });
    let picked = Memo::new(move |_| {
        let query = text.get().unwrap_or_default();
        table.with(|t| t.select(&query, order.get()))
    });
    let show_all = RwSignal::new(false);
    let highlight = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();

    let visible = move || {
        let limit = if show_all.get() { usize::MAX } else { LIMIT };
        picked.with(|picked| {
            table.with(|t| {
                picked
                    .iter()
                    .take(limit)
                    .map(|i| t.rows[*i].clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    let visible_keys = move || {
        picked.with(|picked| {
            table.with(|t| {
                picked
                    .iter()
                    .take(if show_all.get() { usize::MAX } else { LIMIT })
                    .map(|i| t.rows[*i].key.clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    let open_key = move |key: &str| {
        let target = table.with_untracked(|t| {
            t.rows
                .iter()
                .find(|r| r.key == key)
                .and_then(|r| r.target.clone())
        });
        if let Some(target) = target {
            on_open.run(target);
        }
    };
    use_table_keys(input, visible_keys, open_key, highlight);

    let columns = table.with_untracked(|t| t.columns.clone());
    let layout: Vec<(bool, bool)> = columns.iter().map(|c| (c.numeric, c.wrap)).collect();
    let headers = columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let aria = Signal::derive(move || order.get().aria(index));
            let on_click = Callback::new(move |()| {
                let next = table.with_untracked(|t| t.sort_param(t.next_sort(order.get_untracked(), index)));
                on_sort.run(next);
            });
            view! { <SortHeader label=column.label id=column.id numeric=column.numeric aria on_click/> }
        })
        .collect_view();

    let count = move || table.with(|t| t.count_label(picked.with(Vec::len)));
    let total = move || table.with(|t| t.rows.len());
    let empty = move || {
        let (shown, total) = (picked.with(Vec::len), total());
        let noun = table.with(|t| t.noun.1);
        match (shown, total) {
            (_, 0) => Some(view! {
                <p class="data-table__empty" data-testid="table-empty">{format!("No {noun} in this cluster.")}</p>
            }.into_any()),
            (0, _) => Some(view! {
                <p class="data-table__empty" data-testid="table-empty">
                    {format!("No {noun} match this filter. ")}
                    <button type="button" class="link-button" on:click=move |_| on_text.run(String::new())>"Clear the filter"</button>
                </p>
            }.into_any()),
            _ => None,
        }
    };
    let more = move || {
        let hidden = picked.with(Vec::len).saturating_sub(LIMIT);
        (hidden > 0 && !show_all.get()).then(|| view! {
            <p class="data-table__more">
                {format!("Showing the first {LIMIT}. ")}
                <button type="button" class="link-button" on:click=move |_| show_all.set(true)>{format!("Show all {} rows", LIMIT + hidden)}</button>
            </p>
        })
    };

    view! {
        <section class="data-table" data-testid=testid>
            <div class="toolbar">
                <FilterBox
                    placeholder
                    testid="filter"
                    input
                    text=Signal::derive(move || text.get().unwrap_or_default())
                    on_text
                />
                {children.map(|c| c())}
                <span class="toolbar__count" data-testid="count" aria-live="polite">{count}</span>
                <KeyHints/>
            </div>
            <div class="data-table__scroll">
                <table class="table table--data">
                    <thead><tr>{headers}</tr></thead>
                    <tbody>
                        <For each=visible key=row_key let:row>
                            <DataRow row layout=layout.clone() highlight on_open/>
                        </For>
                    </tbody>
                </table>
            </div>
            {empty}
            {more}
        </section>
    }
}

/// A table's filter box: `/` (see [`use_table_keys`]) focuses it, Escape leaves it.
#[component]
pub fn FilterBox(
    /// Placeholder and accessible name.
    placeholder: &'static str,
    /// `data-testid` of the box.
    testid: &'static str,
    /// The box, for [`use_table_keys`].
    input: NodeRef<html::Input>,
    /// The filter text.
    text: Signal<String>,
    /// Called with the text as the user types.
    on_text: Callback<String>,
) -> impl IntoView {
    view! {
        <input
            type="search"
            class="toolbar__search"
            placeholder=placeholder
            aria-label=placeholder
            data-testid=testid
            node_ref=input
            prop:value=move || text.get()
            on:input=move |ev| on_text.run(event_target_value(&ev))
            on:keydown=move |ev| {
                if ev.key() == "Escape"
                    && let Some(input) = input.get_untracked()
                {
                    let _ = input.blur();
                }
            }
        />
    }
}

/// The keys a table answers to, for its toolbar.
#[component]
pub fn KeyHints() -> impl IntoView {
    view! {
        <span class="toolbar__hint">
            <kbd>"/"</kbd>" filter · "<kbd>"j"</kbd>" "<kbd>"k"</kbd>" move · "<kbd>"Enter"</kbd>" open"
        </span>
    }
}

/// A row's list key: its key plus a hash of its content, so changed rows are redrawn.
fn row_key(row: &Row) -> (String, u64) {
    let mut hasher = DefaultHasher::new();
    row.hash(&mut hasher);
    (row.key.clone(), hasher.finish())
}

#[component]
fn DataRow(
    /// The row.
    row: Row,
    /// Per column: numeric (right-aligned), may wrap.
    layout: Vec<(bool, bool)>,
    /// The highlighted row's key.
    highlight: RwSignal<Option<String>>,
    /// Opens the row's target.
    on_open: Callback<Target>,
) -> impl IntoView {
    let key = row.key.clone();
    let active = move || highlight.with(|h| h.as_deref() == Some(key.as_str()));
    let target = row.target.clone();
    let key = row.key.clone();
    let cells = row
        .cells
        .into_iter()
        .zip(layout)
        .map(|(cell, (numeric, wrap))| cell_view(cell, numeric, wrap))
        .collect_view();
    view! {
        <tr
            class="data-table__row"
            class=(ACTIVE_ROW_CLASS, active)
            class:data-table__row--link=target.is_some()
            data-key=key.clone()
            on:click=move |_| {
                highlight.set(Some(key.clone()));
                if let Some(target) = target.clone() {
                    on_open.run(target);
                }
            }
        >
            {cells}
        </tr>
    }
}

fn cell_view(cell: Cell, numeric: bool, wrap: bool) -> impl IntoView {
    let Cell {
        text,
        detail,
        badge,
        swatch,
        mono,
        ..
    } = cell;
    let main = match badge {
        Some(tone) => {
            view! { <span class=format!("status status--{}", tone.as_str())>{text}</span> }
                .into_any()
        }
        None => view! { <span class:mono=mono>{text}</span> }.into_any(),
    };
    view! {
        <td class:data-table__numeric=numeric class:data-table__wrap=wrap>
            {swatch.map(|c| view! { <span class="swatch" style:background=c.css() aria-hidden="true"></span> })}
            {main}
            {detail.map(|d| view! { <span class="data-table__detail">{d}</span> })}
        </td>
    }
}
