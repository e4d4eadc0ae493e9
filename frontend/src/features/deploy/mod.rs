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
//!   RunTask call) and run after a confirmation, with the same panels;
//! - [`create_page`]: `/clusters/:cluster/new-service`, a new service previewed (its name,
//!   revision, network, load balancer and registry checked; placement, cost, the CreateService
//!   call) and created after a confirmation;
//! - [`new_work`]: what those two share (the revision, launch type and network fields, the
//!   confirmed start button).

pub mod create_page;
pub mod deploy_page;
mod draft;
mod editor;
mod new_work;
mod preview_panel;
pub mod run_page;
mod watch;
