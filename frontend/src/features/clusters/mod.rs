//! Clusters: the overview of every cluster and the page of one cluster.

pub mod cluster_card;
pub mod cluster_page;
pub mod overview_page;
