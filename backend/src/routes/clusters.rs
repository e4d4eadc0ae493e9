//! Clusters: `GET /api/clusters` (every cluster), `GET /api/metrics/clusters` (their CPU
//! and memory reservation), `GET /api/clusters/{name}` (a snapshot of one cluster: instances,
//! services, tasks and scaling) and `GET /api/clusters/{name}/stream` (the same snapshot,
//! live, as server-sent events: the snapshot, then what changes).

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use std::io::Write;

use axum::body::{Body, Bytes};
use berth_shared::api::{ClusterList, ClusterReservations};
use flate2::{Compression, write::GzEncoder};
use futures_util::StreamExt;
use tokio_stream::wrappers::WatchStream;

use super::body::Source;
use crate::{
    AppState,
    error::{ApiError, SourceError},
    live::{EventChoice, NextEvent, Update, frame},
    now,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/clusters", get(list_clusters))
        .route("/clusters/{name}", get(describe_cluster))
        .route("/clusters/{name}/stream", get(stream))
        .route("/metrics/clusters", get(cluster_reservations))
}

async fn cluster_reservations(source: Source) -> Result<Json<ClusterReservations>, ApiError> {
    let names: Vec<String> = source
        .ecs
        .list_clusters()
        .await?
        .into_iter()
        .map(|c| c.cluster_name)
        .collect();
    let clusters = source.ecs.cluster_reservations(&names, now()).await?;
    Ok(Json(ClusterReservations {
        clusters,
        fetched_at: now(),
    }))
}

async fn list_clusters(source: Source) -> Result<Json<ClusterList>, ApiError> {
    let clusters = source.ecs.list_clusters().await?;
    Ok(Json(ClusterList {
        clusters,
        fetched_at: now(),
    }))
}

/// The snapshot, as the read cache serialised (and gzipped) it once for every request within
/// its TTL, with its entity tag: a request whose `If-None-Match` names it is answered 304 with
/// no body, and one that accepts gzip gets the gzipped bytes.
async fn describe_cluster(
    source: Source,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = source.cache.cluster_snapshot_json(&name).await?;
    let etag = HeaderValue::from_str(&bytes.etag).ok();
    // Browsers keep the answer but ask again each time, with its tag.
    let common = [
        (
            header::VARY,
            Some(HeaderValue::from_static("accept-encoding")),
        ),
        (
            header::CACHE_CONTROL,
            Some(HeaderValue::from_static("no-cache")),
        ),
        (header::ETAG, etag),
    ];
    let common = common
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect::<Vec<_>>();
    let mut response = if none_match(&headers, &bytes.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if accepts_gzip(&headers) {
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            bytes.gzip,
        )
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], bytes.json).into_response()
    };
    response.headers_mut().extend(common);
    Ok(response)
}

/// Whether `If-None-Match` names `etag` (or is `*`), compared weakly as for a GET.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
}

/// Whether `Accept-Encoding` takes gzip (named, or `*`, without `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// Server-sent events of the cluster: the `snapshot` first, then a `delta` whenever it
/// changes (the whole `snapshot` again after a missed change), `error` when a read fails (the
/// client keeps what it has and shows it as stale); see [`crate::live`]. A reconnection's
/// `Last-Event-ID` picks up where it left off. A cluster that does not exist is a JSON 404 and
/// starts no poller; the stream holds one of the server's stream slots and ends when the server
/// shuts down. A comment every 15 s keeps idle connections (and load balancers, whose idle
/// timeout is 60 s by default) from closing it. Each event is the buffer its poller framed
/// once for every watcher. A client that accepts gzip gets the stream gzipped, each event
/// flushed as it is sent.
async fn stream(
    State(state): State<AppState>,
    source: Source,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Err(error @ SourceError::NotFound { .. }) = source.ecs.cluster_snapshot(&name).await {
        return Err(error.into());
    }
    let slot = state.streams.open()?;
    let mut choice =
        EventChoice::after(headers.get("last-event-id").and_then(|id| id.to_str().ok()));
    let updates = WatchStream::new(source.live.subscribe(&name)).filter_map(move |update| {
        let event = update.and_then(|update| match update {
            Update::Snapshot(change) => match choice.next(&change) {
                NextEvent::Nothing => None,
                NextEvent::Delta => change.delta_event.clone(),
                NextEvent::Snapshot => Some(change.snapshot_event.clone()),
            },
            Update::Error(body) => serde_json::to_string(&body)
                .ok()
                .map(|json| frame(None, "error", &json)),
        });
        std::future::ready(event)
    });
    // A comment every 15 s, as long as the stream is open.
    let keep_alive = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(KEEP_ALIVE).await;
        Some((Bytes::from_static(b":\n\n"), ()))
    });
    let body = futures_util::stream::select(updates, Box::pin(keep_alive))
        .take_until(state.streams.closed())
        .map(move |piece| {
            // The slot is given back when the stream ends.
            let _held = &slot;
            Ok::<_, std::convert::Infallible>(piece)
        });
    let events = (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response();
    Ok(if accepts_gzip(&headers) {
        gzip_each_event(events)
    } else {
        events
    })
}

/// How often an idle stream sends a comment (load balancers close connections idle for 60 s
/// by default).
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// `response`'s body gzipped as one stream, flushed after each piece the stream sends (an
/// event or a keep-alive comment), so the browser decodes every event as it arrives while
/// the names and fields repeated from event to event still compress.
fn gzip_each_event(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    let gzipped = body.into_data_stream().map(move |piece| {
        let piece = piece.map_err(std::io::Error::other)?;
        encoder.write_all(&piece)?;
        encoder.flush()?;
        Ok::<_, std::io::Error>(Bytes::from(std::mem::take(encoder.get_mut())))
    });
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from_stream(gzipped))
}
