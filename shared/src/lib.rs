//! Berth's shared crate: the wire types of the API and a pure, deterministic model of ECS.
//!
//! It compiles natively (for the `berth` server) and to `wasm32-unknown-unknown` (for the
//! console, which runs the same model for instant previews). Architecture invariant: nothing
//! here does IO, reads a clock or uses a global random number generator; time and seeds are
//! passed in, so every result is reproducible.
//!
//! - [`ecs`], [`ecr`]: AWS resources in AWS's own JSON shapes.
//! - [`api`]: the envelopes and error body of Berth's HTTP API.
//! - [`sources`]: which account a request reads (`?source=sandbox`, `aws:<region>`) and the
//!   AWS regions a server offers.
//! - [`autoscaling`]: how services scale (Application Auto Scaling targets, policies and
//!   scheduled actions) and their CloudWatch utilization series.
//! - [`time`]: timestamps that read both epoch seconds and RFC 3339.
//! - [`input`]: parsing user JSON with errors that name the field.
//! - [`graph`]: what the console's cluster page draws: the placement graph's layout and its
//!   tables, computed from a cluster snapshot.
//! - [`explain`]: ECS settings in plain words (placement, capacity provider strategy,
//!   deployment limits) for the console's service page.
//! - [`diff`]: side-by-side line diffs (LCS) of two documents with the JSON fields that
//!   differ, for comparing task-definition revisions.
//! - [`placement`]: the task placement engine (cost, constraints and CQL, strategies, many
//!   tasks, failures and explanations, scale-in).
//! - [`ops`]: the operations model — auto scaling, capacity providers, rolling deployments,
//!   task-definition validation, ECR lifecycle policies and cost.

#![warn(missing_docs)]

pub mod api;
pub mod autoscaling;
pub mod diff;
pub mod ecr;
pub mod ecs;
pub mod explain;
pub mod graph;
pub mod input;
pub mod ops;
pub mod placement;
pub mod sources;
pub mod time;
