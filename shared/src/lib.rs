//! Berth's model of ECS: the middle layer, what ECS does, pure and deterministic.
//!
//! It compiles natively (for the `berth` server and its sandbox) and to
//! `wasm32-unknown-unknown` (for the console, which runs the same model for instant previews).
//! Architecture invariant: nothing here does IO, reads a clock or uses a global random number
//! generator; time and seeds are passed in, so every result is reproducible. The rules are
//! described, with the AWS documentation each comes from, in `docs/ECS-MODEL.md`.
//!
//! Layers: this crate builds on the wire types (`berth-wire`, re-exported here as [`ecs`],
//! [`ecr`], [`api`], [`autoscaling`], [`delta`], [`logs`], [`sources`], [`time`] and [`input`]
//! so callers name one crate for both), and the view rules (`berth-view`) build on it; the compiler keeps it from
//! using either the view rules or anything with IO.
//!
//! - [`placement`]: the task placement engine (cost, constraints and CQL, strategies, many
//!   tasks, failures and explanations, scale-in).
//! - [`ops`]: the operations model — request rules (CreateService, UpdateService, RunTask,
//!   deployment configuration), auto scaling, capacity providers, rolling deployments,
//!   task-definition validation, ECR lifecycle and cost.

#![warn(missing_docs)]

pub mod ops;
pub mod placement;

pub use berth_wire::{access, api, autoscaling, delta, ecr, ecs, input, keys, logs, sources, time};
