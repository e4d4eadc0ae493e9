//! The page's state in its URL query (`?tab=tasks&service=api&q=…&sort=-memory`).
//!
//! The URL is the only source of truth for tabs, filters, sort orders and selections, so every
//! view can be linked to and survives a reload. Reading a key is reactive and changes only
//! when that key changes; writing navigates (pushing history for tabs and selections,
//! replacing it while typing and sorting). Every page with such state reads it here; the
//! cluster page adds its filter and row targets in `features::clusters::query`.

use std::sync::Arc;

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
