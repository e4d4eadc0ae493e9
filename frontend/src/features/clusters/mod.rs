//! Clusters: the overview of every cluster and the page of one cluster with its placement
//! graph and tables.

mod bench;
pub mod cluster_card;
pub mod cluster_page;
mod cluster_tabs;
mod events_table;
mod filters;
mod instances_table;
pub mod overview_page;
pub mod placement_graph;
pub mod query;
mod selection_panel;
mod services_table;
mod source_switch;
mod tasks_table;
