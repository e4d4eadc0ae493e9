//! The `berth` server: the console's static files plus a JSON API over one ECS source.
//!
//! - [`source`]: the [`EcsApi`] trait, the only way the server touches ECS.
//! - [`ecr`]: the [`EcrApi`] trait, the only way the server touches ECR, and what is derived
//!   from it (where images run).
//! - [`aws`]: the AWS SDK implementation; [`sandbox`]: the embedded simulated account.
//! - [`routes`]: the `/api/` handlers; [`error`]: the error policy and JSON error body.
//! - [`cache`]: a short read cache in front of the source, cleared by changes and `?refresh`.
//! - [`live`]: one poller per watched cluster, behind the server-sent events stream.
//! - [`static_files`]: serving the built console with a single-page-app fallback.
//! - [`simulate`]: the "what if" tools (placement, validation, …) behind the CLI and the API.
//! - [`cli`]: the command line of the `berth` binary.

pub mod aws;
pub mod cache;
pub mod cli;
pub mod ecr;
pub mod error;
pub mod live;
pub mod routes;
pub mod sandbox;
pub mod simulate;
pub mod source;
pub mod static_files;

use std::{path::Path, sync::Arc};

use axum::Router;
use berth_shared::time::Timestamp;
use tower_http::trace::TraceLayer;

pub use ecr::EcrApi;
pub use source::EcsApi;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The active source.
    pub ecs: Arc<dyn EcsApi>,
    /// The active source's container registry.
    pub ecr: Arc<dyn EcrApi>,
    /// The pollers behind live updates.
    pub live: Arc<live::LiveHub>,
    /// The read cache in front of the source (`ecs` reads through it), for `?refresh`.
    pub cache: Arc<cache::CachedEcs>,
}

impl AppState {
    /// The state over one source: reads cached for `cache_ttl`, live updates polling every
    /// `poll_interval`.
    pub fn new(
        source: Arc<dyn EcsApi>,
        ecr: Arc<dyn EcrApi>,
        cache_ttl: std::time::Duration,
        poll_interval: std::time::Duration,
    ) -> Self {
        let cache = Arc::new(cache::CachedEcs::new(source, cache_ttl));
        let ecs: Arc<dyn EcsApi> = cache.clone();
        let reader = Arc::clone(&ecs);
        let fetch: live::Fetch = Arc::new(move |cluster: String| {
            let reader = Arc::clone(&reader);
            Box::pin(async move { reader.cluster_snapshot(&cluster).await })
        });
        Self {
            ecs,
            ecr,
            live: live::LiveHub::new(fetch, poll_interval),
            cache,
        }
    }
}

/// The whole application: `/api/` first, then the console.
pub fn app(state: AppState, static_dir: &Path) -> Router {
    Router::new()
        .nest("/api", routes::api(state))
        .merge(static_files::console(static_dir))
        .layer(TraceLayer::new_for_http())
}

/// The current time as a [`Timestamp`]. The server may read the clock; `shared` may not.
pub fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}
