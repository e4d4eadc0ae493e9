//! Berth's own measurements, served at `GET /metrics` in Prometheus's text format for a
//! platform team's monitoring: the requests it answered (by route and status, with latency),
//! the AWS calls it made (by service, operation and outcome, with latency, and throttles),
//! its live streams and pollers, its read cache and the sandbox's saves.
//!
//! The counters live for the process ([`METRICS`]): one `berth serve` is one process. Gauges
//! of what is open now (live streams, pollers) are read from the server's state when
//! `/metrics` is asked, not kept in step by hand. `/metrics` follows the API's access rules: a
//! viewer's token is needed where sign-in is required (Prometheus sends it with
//! `authorization: {credentials_file: …}`).

use std::{
    sync::LazyLock,
    time::{Duration, Instant},
};

use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{
        interceptors::{
            Intercept,
            context::{BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef},
        },
        orchestrator::Metadata,
        runtime_components::RuntimeComponents,
    },
};
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::{Registry, Unit},
};

use crate::AppState;

/// The route of a request, as its router matched it (`/api/clusters/{cluster}`), put on the
/// answer so the outermost layer can count it.
#[derive(Debug, Clone)]
struct RouteLabel(String);

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AwsCallLabels {
    service: String,
    operation: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AwsOperationLabels {
    service: String,
    operation: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;
type AwsLatency = Family<AwsOperationLabels, Histogram, fn() -> Histogram>;

/// 1 ms to about 33 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Every measurement of the process, and the registry that prints them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Latency,
    aws_calls: Family<AwsCallLabels, Counter>,
    aws_seconds: AwsLatency,
    aws_throttles: Family<ActionLabels, Counter>,
    cache_lookups: Family<OutcomeLabels, Counter>,
    sandbox_saves: Family<OutcomeLabels, Counter>,
    live_streams: Gauge,
    live_pollers: Gauge,
}

/// The process's measurements.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("berth");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, matched route and status",
            requests.clone(),
        );
        let request_seconds: Latency = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request (to its headers, for a live stream)",
            Unit::Seconds,
            request_seconds.clone(),
        );
        let aws_calls = Family::<AwsCallLabels, Counter>::default();
        registry.register(
            "aws_calls",
            "AWS operations called, by service, operation and outcome (ok or error), retries \
             included in one call",
            aws_calls.clone(),
        );
        let aws_seconds: AwsLatency = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "aws_call_duration",
            "Time an AWS operation took, retries included",
            Unit::Seconds,
            aws_seconds.clone(),
        );
        let aws_throttles = Family::<ActionLabels, Counter>::default();
        registry.register(
            "aws_throttles",
            "AWS operations that failed because AWS throttled them (after the SDK's retries)",
            aws_throttles.clone(),
        );
        let cache_lookups = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "cache_lookups",
            "Reads asked of the read cache, by outcome (hit or miss)",
            cache_lookups.clone(),
        );
        let sandbox_saves = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "sandbox_saves",
            "Saves of the sandbox's state file, by outcome (ok or error)",
            sandbox_saves.clone(),
        );
        let live_streams = Gauge::default();
        registry.register(
            "live_streams",
            "Live streams (browsers watching a cluster) open now",
            live_streams.clone(),
        );
        let live_pollers = Gauge::default();
        registry.register(
            "live_pollers",
            "Pollers reading a watched cluster now (one per cluster and source, shared by its \
             watchers)",
            live_pollers.clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            aws_calls,
            aws_seconds,
            aws_throttles,
            cache_lookups,
            sandbox_saves,
            live_streams,
            live_pollers,
        }
    }

    /// Counts one answered request.
    fn request(&self, method: &str, route: &str, status: StatusCode, took: Duration) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.request_seconds
            .get_or_create(&RouteLabels {
                method: method.clone(),
                route: route.clone(),
            })
            .observe(took.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status: status.as_u16(),
            })
            .inc();
    }

    /// Counts one AWS operation.
    fn aws_call(&self, service: &str, operation: &str, ok: bool, took: Duration) {
        let (service, operation) = (service.to_owned(), operation.to_owned());
        self.aws_seconds
            .get_or_create(&AwsOperationLabels {
                service: service.clone(),
                operation: operation.clone(),
            })
            .observe(took.as_secs_f64());
        self.aws_calls
            .get_or_create(&AwsCallLabels {
                service,
                operation,
                outcome: if ok { "ok" } else { "error" },
            })
            .inc();
    }

    /// Counts an AWS operation refused for throttling.
    pub fn aws_throttled(&self, action: &str) {
        self.aws_throttles
            .get_or_create(&ActionLabels {
                action: action.to_owned(),
            })
            .inc();
    }

    /// Counts a read of the read cache.
    pub fn cache_lookup(&self, hit: bool) {
        self.cache_lookups
            .get_or_create(&OutcomeLabels {
                outcome: if hit { "hit" } else { "miss" },
            })
            .inc();
    }

    /// Counts a save of the sandbox's state.
    pub fn sandbox_save(&self, ok: bool) {
        self.sandbox_saves
            .get_or_create(&OutcomeLabels {
                outcome: if ok { "ok" } else { "error" },
            })
            .inc();
    }

    /// The text Prometheus reads, with the gauges set from `state` first.
    pub fn render(&self, state: &AppState) -> String {
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.live_streams.set(gauge(state.streams.open_count()));
        self.live_pollers.set(gauge(
            state
                .accounts
                .opened()
                .iter()
                .map(|a| a.live.active_pollers())
                .sum(),
        ));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

/// `GET /metrics`.
pub async fn serve(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        METRICS.render(&state),
    )
        .into_response()
}

/// Counts every request once answered: its method, the route its router matched (see
/// [`label_route`]; `/api` for an API request refused before routing, `console` for the
/// console's files), its status and how long it took.
pub async fn count_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let route = match response.extensions().get::<RouteLabel>() {
        Some(RouteLabel(route)) => route.as_str(),
        None if api => "/api",
        None => "console",
    };
    METRICS.request(&method, route, response.status(), started.elapsed());
    response
}

/// Puts the route the router matched on the answer, for [`count_requests`].
pub async fn label_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteLabel(route));
    }
    response
}

/// When an AWS operation started, kept in the SDK's per-call configuration.
#[derive(Debug, Clone, Copy)]
struct StartedAt(Instant);

impl Storable for StartedAt {
    type Storer = StoreReplace<Self>;
}

/// An SDK interceptor that counts every AWS operation ([`Metrics`]) and logs it with AWS's
/// request id, inside the span of the Berth request that made it: the line that ties one of
/// Berth's answers to AWS's own records.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsCalls;

impl Intercept for AwsCalls {
    fn name(&self) -> &'static str {
        "BerthAwsCalls"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(StartedAt(Instant::now()));
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let took = cfg
            .load::<StartedAt>()
            .map(|StartedAt(at)| at.elapsed())
            .unwrap_or_default();
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("unknown", "unknown"), |m| (m.service(), m.name()));
        let ok = context
            .output_or_error()
            .is_some_and(|outcome| outcome.is_ok());
        METRICS.aws_call(service, operation, ok, took);
        let request_id = context.response().and_then(|response| {
            ["x-amzn-requestid", "x-amz-request-id"]
                .iter()
                .find_map(|name| response.headers().get(*name))
        });
        let status = context.response().map(|r| r.status().as_u16());
        tracing::info!(
            aws.service = service,
            aws.operation = operation,
            aws.request_id = request_id,
            aws.status = status,
            ok,
            elapsed_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            "AWS call"
        );
        Ok(())
    }
}
