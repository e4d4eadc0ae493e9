//! The cluster page's state in the URL query: its tabs, the graph filter (`service`,
//! `status`, `attr`) and what opening a table row does.

use berth_view::{graph::GraphFilter, table::Target};
use leptos::prelude::*;

use crate::url_query::{UrlQuery, key};

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

impl UrlQuery {
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
