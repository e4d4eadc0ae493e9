//! The `berth` server: the console's static files plus a JSON API over ECS sources (the
//! sandbox and AWS regions).
//!
//! - [`ecs`]: the [`EcsApi`] trait, the only way the server touches ECS, and its SDK adapter
//!   (`ecs::sdk`).
//! - [`ecr`]: the [`EcrApi`] trait, the only way the server touches ECR, its SDK adapter
//!   (`ecr::sdk`) and what is derived from it (where images run).
//! - [`aws`]: what the SDK adapters share (configuration, pagination, error mapping);
//!   [`sandbox`]: the embedded simulated account, the other implementation of both traits.
//! - [`routes`]: the `/api/` handlers; [`error`]: the error policy and JSON error body, and
//!   the layer answering a panicking handler with a JSON 500.
//! - [`files`]: atomic, durable file writes (the sandbox state, the auth file).
//! - [`blocking`]: running file writes and CPU-bound simulations off the async workers.
//! - [`accounts`]: the account registry: the sources a server offers (sandbox, AWS regions),
//!   each an account opened on first use, and `?source=`.
//! - [`auth`]: sign-in (API tokens, session cookies, a trusted proxy's identity) and the role
//!   each endpoint needs; [`audit`]: the record of every change asked.
//! - [`defences`]: the browser defences (host allow-list against DNS rebinding, cross-site
//!   changes refused, security headers on every answer).
//! - [`limits`]: how long a request may take and how many run at once.
//! - [`cache`]: a short read cache in front of the source, cleared by changes and `?refresh`.
//! - [`stale`]: marking answers served from the last read while AWS is out of reach.
//! - [`live`]: one poller per watched cluster, behind the server-sent events stream.
//! - [`metrics`]: the server's own measurements at `GET /metrics` (Prometheus), and the SDK
//!   interceptor that counts and logs every AWS call.
//! - [`serve`]: accepting connections (header-read timeout, peer addresses, draining on stop).
//! - [`probe`]: `berth probe`, the health check of Berth's own image.
//! - [`request_id`]: an id for every request, in its answer and in every log line it causes.
//! - [`static_files`]: serving the built console with a single-page-app fallback.
//! - [`simulate`]: the "what if" tools (placement, validation, …) behind the CLI and the API.
//! - [`cli`]: the command line of the `berth` binary.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod blocking;
pub mod cache;
pub mod cli;
pub mod defences;
pub mod deploy;
pub mod ecr;
pub mod ecs;
pub mod error;
pub mod files;
pub mod launch;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod probe;
pub mod request_id;
pub mod routes;
pub mod sandbox;
pub mod serve;
pub mod simulate;
pub mod stale;
pub mod static_files;

use std::{path::Path, sync::Arc};

use axum::{Router, middleware, routing::get};
use berth_shared::time::Timestamp;
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

pub use ecr::EcrApi;
pub use ecs::EcsApi;

/// What every handler can reach: the sources, of which each request reads one
/// ([`routes`]' `Source` extractor chooses it from `?source=`).
#[derive(Debug, Clone)]
pub struct AppState {
    /// The sandbox and the AWS regions this server offers.
    pub accounts: Arc<accounts::Accounts>,
    /// The host names it answers to besides loopback ones.
    pub allowed_hosts: defences::AllowedHosts,
    /// The live streams it keeps open (capped, ended on shutdown).
    pub streams: live::Streams,
    /// Whether every change is refused (`--read-only`).
    pub read_only: bool,
    /// Who may sign in, and how.
    pub access: auth::Access,
    /// Where changes are recorded.
    pub audit: audit::AuditLog,
    /// How long a request may take and how many run at once.
    pub limits: limits::RequestLimits,
}

/// The whole application: `/api/` first, then the console. Every request passes the browser
/// defences first ([`defences`]: host allow-list, cross-site changes refused) and every answer
/// carries the security headers; answers are compressed (gzip, brotli or zstd) when the client
/// accepts it, except the live streams and what is already compressed (the console's files,
/// a cluster's cached snapshot). The console's files come from `static_dir` when given, else
/// from the binary ([`static_files::console`]). A panic in any handler is answered with a JSON 500
/// ([`error::catch_panics`]), never a dropped connection.
pub fn app(state: AppState, static_dir: Option<&Path>) -> Router {
    let hosts = state.allowed_hosts.clone();
    let limits = state.limits.clone();
    let measurements = Router::new()
        .route("/metrics", get(metrics::serve))
        .route_layer(middleware::from_fn(auth::authorize))
        .route_layer(middleware::from_fn(metrics::label_route))
        .layer(middleware::from_fn_with_state(
            state.access.clone(),
            auth::authenticate,
        ))
        .with_state(state.clone());
    Router::new()
        .nest("/api", routes::api(state))
        .merge(measurements)
        .merge(static_files::console(static_dir))
        .layer(middleware::from_fn_with_state(limits, limits::enforce))
        .layer(middleware::from_fn_with_state(hosts, defences::guard))
        .layer(error::catch_panics())
        .layer(middleware::from_fn(defences::headers))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(metrics::count_requests))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(request_id::assign))
}

/// The current time as a [`Timestamp`]. The server may read the clock; `shared` may not.
pub fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}
