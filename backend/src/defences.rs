//! Browser defences: what keeps a web page the user happens to visit from reading or changing
//! the account through Berth.
//!
//! - **DNS rebinding.** A request's `Host` must name this server: a loopback name or address
//!   (`localhost`, `127.0.0.0/8`, `[::1]`, any port) or one of `--allowed-hosts`. A rebinding
//!   domain that resolves to 127.0.0.1 carries its own name and is refused with a JSON 421.
//! - **Cross-site requests (CSRF).** A request that can change something (any method but
//!   GET, HEAD and OPTIONS) is refused with a JSON 403 when the browser says it comes from
//!   another site: an `Origin` that is not this server's, or a `Sec-Fetch-Site` other than
//!   `same-origin` or `none`. Bodies must be declared as JSON (`routes/body.rs`), which a page
//!   of another site cannot send without a CORS preflight that Berth never grants. Clients
//!   that are not browsers (curl, scripts) send neither header and are not affected.
//! - **Headers on every answer.** A Content Security Policy that lets only the console's own
//!   scripts, styles and WebAssembly run and only this server be fetched, no framing
//!   (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), `X-Content-Type-Options: nosniff`,
//!   `Referrer-Policy: no-referrer` and a cross-origin opener policy.

use std::{net::IpAddr, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::error::ApiError;

/// The Content Security Policy of every answer. `'wasm-unsafe-eval'` lets the console compile
/// its own WebAssembly (and nothing else run from strings); styles may be set inline because
/// the console sets element styles (colours, widths) as it draws.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The host names a server answers to besides loopback ones, from `--allowed-hosts`.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts(Arc<Vec<String>>);

impl AllowedHosts {
    /// Loopback names and addresses, and `names` (host names or addresses, without a port;
    /// compared case-insensitively).
    pub fn new(names: &[String]) -> Self {
        Self(Arc::new(
            names
                .iter()
                .map(|name| name.trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|name| !name.is_empty())
                .collect(),
        ))
    }

    /// Whether a `Host` header value (`name[:port]`, `[v6][:port]`) names this server.
    pub fn allows(&self, host: &str) -> bool {
        let name = host_name(host).trim_end_matches('.').to_ascii_lowercase();
        is_loopback_name(&name) || self.0.contains(&name)
    }
}

/// The name of a `Host` value without its port: `127.0.0.1:8080` → `127.0.0.1`,
/// `[::1]:8080` → `::1`.
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

/// `localhost` (and names under it, which browsers resolve to loopback themselves) or a
/// loopback address.
fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses requests whose `Host` does not name this server (DNS rebinding) and changes sent
/// from another site (CSRF).
pub async fn guard(State(hosts): State<AllowedHosts>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default()
        .to_owned();
    // A load balancer's health check names the target's address as its host, not the
    // console's name; the health answer (status, version, source kind) needs no protection
    // from DNS rebinding, so it is answered whatever the host.
    let health_check = is_safe(request.method()) && request.uri().path() == "/api/health";
    if !hosts.allows(&host) && !health_check {
        return ApiError::host_not_allowed(&host).into_response();
    }
    if !is_safe(request.method())
        && let Some(origin) = foreign_origin(headers, &host)
    {
        return ApiError::cross_origin(&origin).into_response();
    }
    next.run(request).await
}

/// Methods that change nothing.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The other site a browser says a request comes from, if it does.
fn foreign_origin(headers: &HeaderMap, host: &str) -> Option<String> {
    let text = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text(&header::ORIGIN) {
        let same = ["http://", "https://"]
            .iter()
            .any(|scheme| origin.strip_prefix(scheme) == Some(host));
        if !same {
            return Some(origin.to_owned());
        }
    }
    match text(&HeaderName::from_static("sec-fetch-site")) {
        Some("same-origin" | "none") | None => None,
        Some(site) => Some(format!("a {site} page")),
    }
}

/// Adds the security headers to every answer (keeping any a handler set).
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let set = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        set.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_listed_hosts_are_allowed_others_are_not() {
        let hosts =
            AllowedHosts::new(&["berth.example.com".to_owned(), " Ops.Internal. ".to_owned()]);
        let cases = [
            ("127.0.0.1:8080", true),
            ("127.4.5.6", true),
            ("localhost:8080", true),
            ("LOCALHOST", true),
            ("app.localhost:3000", true),
            ("[::1]:8080", true),
            ("berth.example.com", true),
            ("berth.example.com:443", true),
            ("ops.internal", true),
            ("evil.example.com:8080", false),
            ("127.0.0.1.evil.example.com", false),
            ("10.0.0.5:8080", false),
            ("[::2]:8080", false),
            ("", false),
        ];
        for (host, allowed) in cases {
            assert_eq!(hosts.allows(host), allowed, "{host:?}");
        }
    }

    #[test]
    fn only_a_browser_saying_another_site_is_foreign() {
        let host = "127.0.0.1:8080";
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        let cases: [(&[(&str, &str)], bool); 7] = [
            (&[], false),
            (&[("origin", "http://127.0.0.1:8080")], false),
            (&[("origin", "https://127.0.0.1:8080")], false),
            (&[("origin", "http://evil.example.com")], true),
            (&[("origin", "null")], true),
            (&[("sec-fetch-site", "same-origin")], false),
            (&[("sec-fetch-site", "cross-site")], true),
        ];
        for (pairs, foreign) in cases {
            assert_eq!(
                foreign_origin(&headers(pairs), host).is_some(),
                foreign,
                "{pairs:?}"
            );
        }
    }
}
