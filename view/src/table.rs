//! The one table model of the console: cells that know how they sort and read, rows that
//! know what they open and what the filter box finds in them, columns, and one sort order
//! written `id` / `-id` in the URL. The cluster page's tables are [`Table`]s
//! ([`crate::cluster_tables`]); the ECR tables keep typed rows and sort them with the same
//! [`Sort`] through [`SortColumn`].

use berth_shared::time::Timestamp;

use crate::{
    format::{absolute_time, relative_time, shown_of},
    graph::{Swatch, Usage, service_swatch},
};

/// A sort key: numbers sort before text; `Missing` sorts last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SortKey {
    /// A number.
    Number(i64),
    /// Text, compared case-insensitively (stored lowercased).
    Text(String),
    /// No value.
    Missing,
}

impl SortKey {
    /// A text key (lowercased).
    pub fn text(text: &str) -> Self {
        Self::Text(text.to_lowercase())
    }
}

/// The colour a cell's text is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// Healthy, running, active.
    Ok,
    /// In between: pending, draining, provisioning.
    Warn,
    /// Stopped, failed, disconnected.
    Bad,
    /// Nothing to note.
    Plain,
}

impl Tone {
    /// The CSS modifier: `ok`, `warn`, `bad`, `plain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Bad => "bad",
            Self::Plain => "plain",
        }
    }

    /// The tone of an ECS status word.
    pub fn of_status(status: &str) -> Self {
        match status {
            "RUNNING" | "ACTIVE" | "PRIMARY" | "COMPLETED" | "HEALTHY" => Self::Ok,
            "PENDING" | "PROVISIONING" | "ACTIVATING" | "DRAINING" | "DEPROVISIONING"
            | "DEACTIVATING" | "STOPPING" | "IN_PROGRESS" | "REGISTERING" => Self::Warn,
            "STOPPED" | "INACTIVE" | "FAILED" | "UNHEALTHY" | "DEREGISTERING" => Self::Bad,
            _ => Self::Plain,
        }
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    /// What is shown.
    pub text: String,
    /// A second, smaller line (e.g. the absolute time under a relative one).
    pub detail: Option<String>,
    /// How it sorts.
    pub sort: SortKey,
    /// Shown as a status badge in this tone.
    pub badge: Option<Tone>,
    /// A swatch before the text (services).
    pub swatch: Option<Swatch>,
    /// Monospace (ids).
    pub mono: bool,
}

impl Cell {
    /// Text that sorts as text.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            sort: SortKey::text(&text),
            text,
            detail: None,
            badge: None,
            swatch: None,
            mono: false,
        }
    }

    /// A number shown as is.
    pub fn number(value: i64) -> Self {
        Self {
            text: value.to_string(),
            sort: SortKey::Number(value),
            ..Self::text("")
        }
    }

    /// A monospace id.
    pub fn id(text: &str) -> Self {
        Self {
            mono: true,
            ..Self::text(text)
        }
    }

    /// A status badge.
    pub fn status(status: &str) -> Self {
        Self {
            badge: Some(Tone::of_status(status)),
            ..Self::text(status)
        }
    }

    /// A service name with its swatch.
    pub fn service(name: &str) -> Self {
        Self {
            swatch: Some(service_swatch(name)),
            ..Self::text(name)
        }
    }

    /// A time: relative to `now`, with the absolute time as detail; `–` when absent.
    pub fn time(at: Option<Timestamp>, now: Timestamp) -> Self {
        match at {
            Some(at) => Self {
                text: relative_time(at, now),
                detail: Some(absolute_time(at)),
                sort: SortKey::Number(at.0),
                ..Self::text("")
            },
            None => Self {
                sort: SortKey::Missing,
                ..Self::text("–")
            },
        }
    }

    /// `used / registered (pct%)`, sorted by share.
    pub fn usage(usage: Usage, format: fn(i64) -> String) -> Self {
        Self {
            text: format!("{} / {}", format(usage.reserved), format(usage.registered)),
            detail: Some(format!("{}% reserved", usage.percent())),
            sort: SortKey::Number(i64::from(usage.permille())),
            ..Self::text("")
        }
    }
}

/// What opening a row leads to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A task, by id: its details in the graph.
    Task(String),
    /// A container instance, by id: its details in the graph.
    Instance(String),
    /// A service, by name: the graph filtered to it.
    Service(String),
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    /// Unique key (an ARN or id).
    pub key: String,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// What Enter or a click on the row opens.
    pub target: Option<Target>,
    search: String,
}

impl Row {
    /// A row; its search text is every cell's text and detail, lowercased.
    pub fn new(key: impl Into<String>, cells: Vec<Cell>, target: Option<Target>) -> Self {
        let mut search = String::new();
        for cell in &cells {
            search.push_str(&cell.text.to_lowercase());
            search.push('\n');
            if let Some(detail) = &cell.detail {
                search.push_str(&detail.to_lowercase());
                search.push('\n');
            }
        }
        Self {
            key: key.into(),
            cells,
            target,
            search,
        }
    }

    /// Whether every word of `query` occurs in the row (case-insensitive).
    pub fn matches(&self, query: &str) -> bool {
        query
            .split_whitespace()
            .all(|word| self.search.contains(&word.to_lowercase()))
    }
}

/// A column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    /// Stable id for the URL (`sort=-started`).
    pub id: &'static str,
    /// Header text.
    pub label: &'static str,
    /// Right-aligned numbers.
    pub numeric: bool,
    /// Long text that may wrap (other cells stay on one line).
    pub wrap: bool,
}

/// A text column.
pub const fn column(id: &'static str, label: &'static str) -> Column {
    Column {
        id,
        label,
        numeric: false,
        wrap: false,
    }
}

/// A number column: right-aligned, sorts largest first on its first click.
pub const fn numeric(id: &'static str, label: &'static str) -> Column {
    Column {
        id,
        label,
        numeric: true,
        wrap: false,
    }
}

/// A column of sentences that may wrap.
pub const fn prose(id: &'static str, label: &'static str) -> Column {
    Column {
        id,
        label,
        numeric: false,
        wrap: true,
    }
}

/// A sort order: a column and whether largest (latest, worst) comes first. Written `id` or
/// `-id` (descending) in the page URL (`?sort=-size`). `C` is a column index for a [`Table`]
/// ([`SortOrder`]) or a typed column ([`SortColumn`]) for tables of typed rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort<C> {
    /// The column.
    pub column: C,
    /// Largest first.
    pub descending: bool,
}

/// The sort order of a [`Table`]: a column index.
pub type SortOrder = Sort<usize>;

impl<C: Copy + PartialEq> Sort<C> {
    /// The order after clicking `column`: the same column flips, another starts descending
    /// when `numeric` (largest first) and ascending otherwise.
    pub fn click(self, column: C, numeric: bool) -> Self {
        if self.column == column {
            Self {
                column,
                descending: !self.descending,
            }
        } else {
            Self {
                column,
                descending: numeric,
            }
        }
    }

    /// `aria-sort` of `column`'s header: `none`, `ascending` or `descending`.
    pub fn aria(self, column: C) -> &'static str {
        match (self.column == column, self.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        }
    }

    /// The URL form, given the column's id: `id`, or `-id` when descending.
    pub fn param_with(self, id: &str) -> String {
        let sign = if self.descending { "-" } else { "" };
        format!("{sign}{id}")
    }

    /// Reads the URL form; `column_of` finds the column an id names (`None`: no such column).
    pub fn parse_with(text: &str, column_of: impl FnOnce(&str) -> Option<C>) -> Option<Self> {
        let (descending, id) = match text.strip_prefix('-') {
            Some(id) => (true, id),
            None => (false, text),
        };
        column_of(id).map(|column| Self { column, descending })
    }
}

/// A typed column of a table of typed rows, with its id in the URL (`?sort=size`).
pub trait SortColumn: Copy + PartialEq + Send + Sync + std::fmt::Debug + 'static {
    /// Every column, each with its URL id.
    const NAMES: &'static [(Self, &'static str)];

    /// The column's URL id.
    fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(column, _)| *column == self)
            .map_or("", |(_, name)| name)
    }
}

impl<C: SortColumn> Sort<C> {
    /// The URL form: the column's id, after `-` when descending.
    pub fn param(self) -> String {
        self.param_with(self.column.name())
    }

    /// Reads the URL form; `None` when it names no column.
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_with(text, |id| {
            C::NAMES
                .iter()
                .find(|(_, name)| *name == id)
                .map(|(column, _)| *column)
        })
    }
}

/// A table: columns, rows, and how it is sorted unless the user chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Singular and plural noun for counts (`task`, `tasks`).
    pub noun: (&'static str, &'static str),
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows in snapshot order.
    pub rows: Vec<Row>,
    /// Default order.
    pub default_sort: SortOrder,
}

impl Table {
    /// Reads `?sort=` (`id` or `-id`); `None` when it names no column.
    pub fn parse_sort(&self, text: &str) -> Option<SortOrder> {
        Sort::parse_with(text, |id| self.columns.iter().position(|c| c.id == id))
    }

    /// The `?sort=` value of `order`.
    pub fn sort_param(&self, order: SortOrder) -> String {
        order.param_with(self.columns.get(order.column).map_or("", |c| c.id))
    }

    /// The order after clicking column `clicked` (see [`Sort::click`]).
    pub fn next_sort(&self, current: SortOrder, clicked: usize) -> SortOrder {
        current.click(
            clicked,
            self.columns.get(clicked).is_some_and(|c| c.numeric),
        )
    }

    /// Indices of the rows matching `query`, sorted by `order` (ties keep snapshot order;
    /// missing values last in both directions).
    pub fn select(&self, query: &str, order: SortOrder) -> Vec<usize> {
        let mut picked: Vec<usize> = (0..self.rows.len())
            .filter(|i| self.rows[*i].matches(query))
            .collect();
        let key = |i: usize| self.rows[i].cells.get(order.column).map(|c| &c.sort);
        picked.sort_by(|a, b| {
            let (ka, kb) = (key(*a), key(*b));
            match (ka, kb) {
                (Some(SortKey::Missing), Some(SortKey::Missing)) => std::cmp::Ordering::Equal,
                (Some(SortKey::Missing), _) => std::cmp::Ordering::Greater,
                (_, Some(SortKey::Missing)) => std::cmp::Ordering::Less,
                _ if order.descending => kb.cmp(&ka),
                _ => ka.cmp(&kb),
            }
        });
        picked
    }

    /// `12 tasks`, or `3 of 12 tasks` while a filter hides some.
    pub fn count_label(&self, shown: usize) -> String {
        shown_of(shown, self.rows.len(), self.noun.0, self.noun.1)
    }
}
