//! `/clusters/:cluster/services/:service/deploy`: change a service, see what the change would
//! do, apply it, and watch it land.
//!
//! - [`draft`]: what the user is changing — the definition to deploy as JSON text (edited by
//!   the form and the JSON editor alike), or an existing revision, and the service's settings —
//!   and the [`ServiceChange`](berth_shared::api::ServiceChange) it makes;
//! - [`editor`]: the form (image tags from the repository, task size, environment), the JSON
//!   editor and the service's settings;
//! - [`preview_panel`]: the shared model's preview, computed here in the browser on every edit
//!   (the same function the server answers `POST …/preview` with);
//! - [`watch`]: Apply after a confirmation, the calls made, and the rollout followed live,
//!   with a one-click roll back (which is previewed like any other change);
//! - [`run_page`]: `/clusters/:cluster/run`, standalone tasks previewed (placement, cost, the
//!   RunTask call) and run after a confirmation, with the same panels.

pub mod deploy_page;
mod draft;
mod editor;
mod preview_panel;
pub mod run_page;
mod watch;
