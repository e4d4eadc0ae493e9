//! The cluster page's state in the URL query: `?tab=tasks&service=api&status=RUNNING&q=…`.
//!
//! The URL is the only source of truth for tabs, filters, sort orders and the selection, so
//! every view can be linked to and survives a reload. Reading a key is reactive and changes
//! only when that key changes; writing navigates (pushing history for tabs and selections,
//! replacing it while typing).

use std::sync::Arc;

use berth_view::{graph::GraphFilter, table::Target};
use leptos::prelude::*;
use leptos_router::{
    NavigateOptions,
    hooks::{use_location, use_navigate, use_query_map},
    params::ParamsMap,
};

/// Query keys.
pub mod key {
    /// The tab: `graph` (default), `services`, `tasks`, `instances`, `events`.
    pub const TAB: &str = "tab";
    /// Service (legend name) filter.
    pub const SERVICE: &str = "service";
    /// Task status filter.
    pub const STATUS: &str = "status";
    /// Instance attribute filter, `name=value`.
    pub const ATTRIBUTE: &str = "attr";
    /// Free-text filter of the current table.
    pub const TEXT: &str = "q";
    /// Sort order of the current table (`col` or `-col`).
    pub const SORT: &str = "sort";
    /// Selected task id.
    pub const TASK: &str = "task";
    /// Selected container-instance id.
    pub const INSTANCE: &str = "instance";
    /// Graph drawn as `boxes` (default) or `table`.
    pub const VIEW: &str = "view";
    /// `INSTANCESxTASKS`: a generated cluster instead of the API's (benchmarks).
    pub const SYNTHETIC: &str = "synthetic";
}

/// The cluster page's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The placement graph.
    Graph,
    /// Services table.
    Services,
    /// Tasks table.
    Tasks,
    /// Container instances table.
    Instances,
    /// Service events.
    Events,
}

impl Tab {
    /// Every tab in display order.
    pub const ALL: [Tab; 5] = [
        Tab::Graph,
        Tab::Services,
        Tab::Tasks,
        Tab::Instances,
        Tab::Events,
    ];

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Graph => "graph",
            Self::Services => "services",
            Self::Tasks => "tasks",
            Self::Instances => "instances",
            Self::Events => "events",
        }
    }

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Graph => "Placement graph",
            Self::Services => "Services",
            Self::Tasks => "Tasks",
            Self::Instances => "Container instances",
            Self::Events => "Events",
        }
    }

    /// Reads the URL value; anything else is the graph.
    pub fn parse(text: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|t| Some(t.as_str()) == text)
            .unwrap_or(Self::Graph)
    }
}

type Navigate = Arc<dyn Fn(&str, NavigateOptions) + Send + Sync>;

/// Reactive access to the page's query string.
#[derive(Clone, Copy)]
pub struct UrlQuery {
    map: Memo<ParamsMap>,
    path: Memo<String>,
    navigate: StoredValue<Navigate>,
}

impl std::fmt::Debug for UrlQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlQuery")
            .field("map", &self.map)
            .finish_non_exhaustive()
    }
}

impl UrlQuery {
    /// Reads the current route's query (call inside the route's component).
    pub fn new() -> Self {
        let navigate: Navigate = Arc::new(use_navigate());
        Self {
            map: use_query_map(),
            path: use_location().pathname,
            navigate: StoredValue::new(navigate),
        }
    }

    /// A key's value, reactive on that key only; empty values read as `None`.
    pub fn get(self, name: &'static str) -> Memo<Option<String>> {
        let map = self.map;
        Memo::new(move |_| map.read().get(name).filter(|v| !v.is_empty()))
    }

    /// The graph filter from `service`, `status` and `attr`.
    pub fn filter(self) -> Memo<GraphFilter> {
        let (service, status, attribute) = (
            self.get(key::SERVICE),
            self.get(key::STATUS),
            self.get(key::ATTRIBUTE),
        );
        Memo::new(move |_| GraphFilter {
            service: service.get(),
            status: status.get(),
            attribute: attribute
                .get()
                .and_then(|a| berth_view::graph::parse_attribute(&a)),
        })
    }

    /// The URL with `changes` applied (`None` removes a key); reactive on the query.
    pub fn href(self, changes: &[(&str, Option<String>)]) -> String {
        apply(self.map.get(), &self.path.get(), changes)
    }

    /// Navigates to the URL with `changes` applied; `replace` keeps the history entry (typing, sorting).
    pub fn set(self, changes: &[(&str, Option<String>)], replace: bool) {
        let href = apply(
            self.map.get_untracked(),
            &self.path.get_untracked(),
            changes,
        );
        (self.navigate.get_value())(
            &href,
            NavigateOptions {
                replace,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    }

    /// Opens a table row's target: a task or instance shows its details beside the current
    /// tab; a service opens the graph filtered to it.
    pub fn open(self, target: Target) {
        match target {
            Target::Task(id) => self.set(&[(key::TASK, Some(id)), (key::INSTANCE, None)], false),
            Target::Instance(id) => {
                self.set(&[(key::INSTANCE, Some(id)), (key::TASK, None)], false);
            }
            Target::Service(name) => self.set(
                &[
                    (key::TAB, None),
                    (key::SERVICE, Some(name)),
                    (key::TEXT, None),
                    (key::SORT, None),
                ],
                false,
            ),
        }
    }

    /// Callbacks for a [`crate::components::data_table::DataTable`]: typing sets `q`, sorting
    /// sets `sort` (both replacing the history entry), opening calls [`Self::open`].
    pub fn table_callbacks(self) -> (Callback<String>, Callback<String>, Callback<Target>) {
        (
            Callback::new(move |text: String| self.set(&[(key::TEXT, Some(text))], true)),
            Callback::new(move |sort: String| self.set(&[(key::SORT, Some(sort))], true)),
            Callback::new(move |target: Target| self.open(target)),
        )
    }
}

fn apply(mut map: ParamsMap, path: &str, changes: &[(&str, Option<String>)]) -> String {
    for (name, value) in changes {
        map.remove(name);
        if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
            map.insert(name.to_string(), value.clone());
        }
    }
    format!("{path}{}", map.to_query_string())
}
