//! Amazon ECR: every repository of the registry, and the page of one repository with its
//! images, its lifecycle policy (rules in words and a preview of what would expire now) and
//! where each image runs.

mod images_table;
pub mod list_page;
pub mod repository_page;

use leptos::{html, prelude::*};

use crate::{
    components::{
        keyboard::{follow_active_row_link, use_table_keys},
        sort_header::SortHeader,
    },
    url_query::{UrlQuery, key},
};
use berth_view::table::{Sort, SortColumn};

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

    /// The rows of `all` that `select` keeps for this filter and sort order, with the keyboard
    /// use of every table over them: rows are known by `key`, and Enter follows the
    /// highlighted row's first link.
    fn shown<T>(
        self,
        all: Vec<T>,
        select: for<'a> fn(&'a [T], &str, Sort<C>) -> Vec<&'a T>,
        key: fn(&T) -> String,
    ) -> ShownRows<T>
    where
        T: Clone + PartialEq + Send + Sync + 'static,
    {
        let all = StoredValue::new(all);
        let rows = Memo::new(move |_| {
            all.with_value(|all| {
                select(all, &self.text(), self.sort.get())
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
            })
        });
        let input = NodeRef::new();
        let highlight = RwSignal::new(None::<String>);
        use_table_keys(
            input,
            move || rows.with_untracked(|shown| shown.iter().map(key).collect()),
            follow_active_row_link,
            highlight,
        );
        ShownRows {
            rows,
            input,
            highlight,
        }
    }
}

/// What an ECR table draws: the rows shown, its filter box and the highlighted row's key.
struct ShownRows<T: Send + Sync + 'static> {
    rows: Memo<Vec<T>>,
    input: NodeRef<html::Input>,
    highlight: RwSignal<Option<String>>,
}

/// A sortable column header of an ECR table: clicking sorts by `column` (again: reverses).
#[component]
fn EcrSortHeader<C>(
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
    let aria = Signal::derive(move || sort.get().aria(column));
    let on_click =
        Callback::new(move |()| table.set_sort(sort.get_untracked().click(column, numeric)));
    view! { <SortHeader label id=column.name() numeric aria on_click/> }
}
