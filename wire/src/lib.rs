//! Berth's wire types: the bottom layer, the shapes that cross a wire.
//!
//! Everything the API answers, the sources return and the console decodes is one of these
//! types: AWS's resources in AWS's own JSON field names, Berth's own envelopes, and the small
//! value types they are made of. Nothing here knows how ECS places, scales or deploys (that is
//! the model, `berth-shared`) or how anything is shown (the view rules, `berth-view`); both
//! build on this crate and the compiler keeps it from depending on them.
//!
//! - [`ecs`], [`ecr`]: AWS resources (`Describe…` shapes), ECR lifecycle policy documents and
//!   the verdicts of evaluating one.
//! - [`autoscaling`]: Application Auto Scaling targets, policies and scheduled actions of a
//!   service, and CloudWatch utilization series.
//! - [`access`]: roles, the signed-in session and the audit log's records.
//! - [`api`]: the envelopes and error body of Berth's HTTP API, and its change requests.
//! - [`delta`]: what changed between two snapshots of a cluster (the live stream's `delta`
//!   events), and how a client applies it.
//! - [`sources`]: which account a request reads (`?source=sandbox`, `aws:<region>`) and the
//!   AWS regions a server offers.
//! - [`time`]: timestamps that read both epoch seconds and RFC 3339.
//! - [`input`]: parsing user JSON with errors that name the field.
//! - [`keys`]: a quick hash map for the ARNs and names one computation looks up.
//! - [`logs`]: a task's container logs (CloudWatch Logs' `awslogs` streams).
//!
//! Like every layer above it, this crate does no IO, reads no clock and builds for
//! `wasm32-unknown-unknown`.

#![warn(missing_docs)]

pub mod access;
pub mod api;
pub mod autoscaling;
pub mod delta;
pub mod ecr;
pub mod ecs;
pub mod input;
pub mod keys;
pub mod logs;
pub mod sources;
pub mod time;
