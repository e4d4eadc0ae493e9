//! Request limits: how long one request may take and how many the server handles at once, so
//! a slow AWS or a burst of clients cannot pile requests up without bound.
//!
//! Both apply to every request but live streams (which are long by design and have their own
//! cap, [`crate::live::Streams`]). A request over `--request-timeout` is answered with a
//! JSON 504: retryable for a read; for a change, not retryable, since the change may have
//! reached the account before the answer was given up (the message says to check first). A
//! request beyond `--max-requests` in flight is answered at once with a retryable JSON 503,
//! rather than queued.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// The limits of one server.
#[derive(Debug, Clone)]
pub struct RequestLimits {
    timeout: Duration,
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
}

impl RequestLimits {
    /// At most `max_in_flight` requests at once, each answered within `timeout`.
    pub fn new(timeout: Duration, max_in_flight: usize) -> Self {
        Self {
            timeout,
            in_flight: Arc::new(Semaphore::new(max_in_flight)),
            max_in_flight,
        }
    }
}

/// Applies `limits` to a request (live streams pass through).
pub async fn enforce(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().ends_with("/stream") {
        return next.run(request).await;
    }
    let Ok(_slot) = Arc::clone(&limits.in_flight).try_acquire_owned() else {
        return ApiError::unavailable(format!(
            "this Berth is already handling {} requests, its limit (--max-requests); try again \
             shortly",
            limits.max_in_flight
        ))
        .into_response();
    };
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    match tokio::time::timeout(limits.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::timed_out(limits.timeout, changes).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::{Router, body::Body, http::StatusCode, middleware, routing::get};
    use tower::ServiceExt;

    use super::*;

    /// A router whose `/slow` takes a minute, under `limits`.
    fn slow(limits: RequestLimits) -> Router {
        Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    "done"
                })
                .put(|| async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    "done"
                }),
            )
            .route("/fast", get(|| async { "done" }))
            .layer(middleware::from_fn_with_state(limits, enforce))
    }

    async fn call(app: &Router, method: Method, path: &str) -> (StatusCode, serde_json::Value) {
        let response = app
            .clone()
            .oneshot(
                Request::builder()
                    .method(method)
                    .uri(path)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_request_is_a_json_504_retryable_only_when_it_changed_nothing() {
        let app = slow(RequestLimits::new(Duration::from_secs(2), 8));
        let (status, read) = call(&app, Method::GET, "/slow").await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(read["code"], "unavailable");
        assert_eq!(read["retryable"], true, "{read}");
        let (status, change) = call(&app, Method::PUT, "/slow").await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(change["retryable"], false, "{change}");
        assert!(
            change["message"].as_str().unwrap().contains("may have"),
            "{change}"
        );
        assert_eq!(call(&app, Method::GET, "/fast").await.0, StatusCode::OK);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_beyond_the_limit_are_refused_at_once() {
        let app = slow(RequestLimits::new(Duration::from_secs(30), 1));
        let busy = tokio::spawn({
            let app = app.clone();
            async move { call(&app, Method::GET, "/slow").await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let (status, refused) = call(&app, Method::GET, "/fast").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused["retryable"], true);
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("--max-requests")
        );
        assert_eq!(busy.await.unwrap().0, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(call(&app, Method::GET, "/fast").await.0, StatusCode::OK);
    }
}
