//! A request id for every request: made up by the server (a client's own `x-request-id` is not
//! trusted), answered in the `x-request-id` header, and a field of the `request` span every log
//! line of the request is written in — so one id finds a request's lines, the AWS calls it made
//! (with AWS's own request ids, see [`crate::metrics::AwsCalls`]) and the answer a user reports.

use std::sync::{
    LazyLock,
    atomic::{AtomicU64, Ordering},
};

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

/// The header the id is answered in.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// A random prefix per process, so two replicas never hand out the same id.
static PROCESS: LazyLock<u32> = LazyLock::new(|| {
    let mut bytes = [0_u8; 4];
    // Without a random source the ids stay unique within the process.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    u32::from_be_bytes(bytes)
});

static NEXT: AtomicU64 = AtomicU64::new(1);

/// The next id: the process's prefix and a counter, as 8 + 12 hex digits.
pub fn next() -> String {
    let count = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{:08x}-{:012x}", *PROCESS, count & 0xffff_ffff_ffff)
}

/// Gives the request an id, runs it inside a `request` span carrying the id, its method and
/// its path, and answers the id in [`HEADER`].
pub async fn assign(request: Request, next_layer: Next) -> Response {
    let id = next();
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    );
    let mut response = next_layer.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_carry_the_process_prefix() {
        let (a, b) = (next(), next());
        assert_ne!(a, b);
        assert_eq!(a.len(), 21, "{a}");
        assert_eq!(a[..8], b[..8]);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
    }
}
