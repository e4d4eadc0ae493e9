//! Accepting connections: HTTP/1.1 on a TCP listener, with what `axum::serve` leaves out.
//!
//! - **A header-read timeout.** A client must send a request's whole head within
//!   `--header-read-timeout` (an idle keep-alive connection counts as one waiting for a head),
//!   or its connection is closed: a client trickling bytes (slowloris) cannot hold a connection
//!   open for ever. Behind a load balancer, set it above the balancer's idle timeout (60 s on
//!   an ALB) so the balancer never reuses a connection Berth just closed.
//! - **The peer's address** in every request's extensions (`ConnectInfo<SocketAddr>`), which
//!   sign-in reads to trust a proxy's identity header from the proxy's addresses only.
//! - **Graceful shutdown.** When `stop` resolves, no connection is accepted any more, idle
//!   connections are closed, and requests in flight have `drain` to finish.

use std::{convert::Infallible, future::Future, net::SocketAddr, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How connections are served.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionSettings {
    /// How long a client may take to send a request's head.
    pub header_read_timeout: Duration,
    /// How long requests in flight may take to finish once a stop is asked.
    pub drain: Duration,
}

/// Serves `router` on `listener` until `stop` resolves, then drains (see the module).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ConnectionSettings,
    stop: impl Future<Output = ()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let router = router.clone();
        let service = service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move {
                Ok::<_, Infallible>(
                    router
                        .oneshot(request)
                        .await
                        .unwrap_or_else(|never| match never {}),
                )
            }
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(settings.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = settings.drain.as_secs(),
            "requests still in flight after the drain time: stopping anyway"
        );
    }
}

/// The peer address a request came from, when it came over a connection [`serve`] accepted.
pub fn peer(request: &axum::extract::Request) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
}
