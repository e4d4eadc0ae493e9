//! Berth's view rules: the top layer, how the console shows the model.
//!
//! Everything a page shows is computed here from wire types and the model's results, as plain
//! data (rows, boxes, sentences), and only turned into DOM by the console (`frontend/`), so
//! every rule of presentation is written once and tested natively. Nothing here decides what
//! ECS does (that is the model, `berth-shared`), and nothing below this crate may use it.
//!
//! - [`format`]: how CPU, memory, bytes, times and counts read, the same on every page.
//! - [`words`]: every setting in plain words (placement, launch, capacity provider strategy,
//!   deployment limits, auto scaling).
//! - [`table`]: the one table model (cells, rows, columns) and the one sort order (`?sort=`).
//! - [`graph`]: the placement graph's layout; [`cluster_tables`]: the cluster page's tables.
//! - [`logs`]: a container's lines (their time, the tone of their level, a followed stream's
//!   bound); [`deploy`]: the Deploy page's choices, money and rollout progress.
//! - [`diff`]: side-by-side line diffs (LCS) of two documents with the JSON fields that
//!   differ, for comparing task-definition revisions.
//! - [`task_definitions`], [`repositories`]: what those pages show (facts in words, tables,
//!   lifecycle rules in words, filters and sorting).

#![warn(missing_docs)]

pub mod cluster_tables;
pub mod deploy;
pub mod diff;
pub mod format;
pub mod graph;
pub mod logs;
pub mod repositories;
pub mod table;
pub mod task_definitions;
pub mod words;
