//! Last-known answers while AWS fails: when a read that was answered before fails because the
//! source is unreachable, failing on its side or throttling, the read cache
//! ([`crate::cache`]) answers what it read last instead of an error, and says so here. The
//! answer then carries `X-Berth-Stale: <epoch milliseconds of that read>` and
//! `X-Berth-Stale-Reason: <why the fresh read failed>`, so the console can say "showing data
//! from 12:03, AWS is unreachable" rather than go blank; the next read that succeeds is fresh
//! again, with no restart. A read never answered before still fails with its error.

use std::cell::RefCell;

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use berth_shared::time::Timestamp;

/// The header carrying when a stale answer was read.
pub const STALE_HEADER: HeaderName = HeaderName::from_static("x-berth-stale");
/// The header carrying why a fresh read failed.
pub const STALE_REASON_HEADER: HeaderName = HeaderName::from_static("x-berth-stale-reason");

/// A stale answer: when it was read, and why reading it again failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staleness {
    /// When the answer was read from the source.
    pub read_at: Timestamp,
    /// The error of the read that failed.
    pub reason: String,
}

tokio::task_local! {
    static STALE: RefCell<Option<Staleness>>;
}

/// Notes that the request being answered uses a stale answer (the oldest one counts). Outside a
/// request (a live poller), nothing is noted: the live stream reports its own errors.
pub fn note(staleness: Staleness) {
    let _ = STALE.try_with(|cell| {
        let mut noted = cell.borrow_mut();
        if noted.as_ref().is_none_or(|n| staleness.read_at < n.read_at) {
            *noted = Some(staleness);
        }
    });
}

/// Whether the request being answered has used a stale answer so far.
pub fn noted() -> bool {
    STALE
        .try_with(|cell| cell.borrow().is_some())
        .unwrap_or(false)
}

/// Adds the stale headers to an answer built from a stale read.
pub async fn mark(request: Request, next: Next) -> Response {
    let (mut response, noted) = STALE
        .scope(RefCell::new(None), async move {
            let response = next.run(request).await;
            let noted = STALE.with(|cell| cell.borrow_mut().take());
            (response, noted)
        })
        .await;
    if let Some(staleness) = noted {
        let reason: String = staleness
            .reason
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .take(300)
            .collect();
        let headers = response.headers_mut();
        headers.insert(STALE_HEADER, HeaderValue::from(staleness.read_at.0));
        if let Ok(value) = HeaderValue::from_str(&reason) {
            headers.insert(STALE_REASON_HEADER, value);
        }
    }
    response
}

/// Running a read as a request would, to see what it notes.
#[cfg(test)]
pub mod tests_support {
    use super::*;

    /// `read`'s result and the staleness it noted.
    pub async fn noted<T>(read: impl Future<Output = T>) -> (T, Option<Staleness>) {
        STALE
            .scope(RefCell::new(None), async move {
                let value = read.await;
                (value, STALE.with(|cell| cell.borrow_mut().take()))
            })
            .await
    }
}
