//! Signing in and out: `GET /api/session` (who the request is from, their role and, with a
//! cookie session, its CSRF token), `POST /api/session` (exchange an API token for a session
//! cookie: the sign-in page), `DELETE /api/session` (sign out). All three are public; see
//! [`crate::auth`].

use std::net::SocketAddr;

use axum::{
    Extension, Json, Router,
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use berth_shared::access::{Session, SignIn};

use super::body::JsonBody;
use crate::{
    AppState,
    auth::{Identity, now_seconds, sessions},
    error::ApiError,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/session", get(current).post(sign_in).delete(sign_out))
}

async fn current(
    State(state): State<AppState>,
    identity: Option<Extension<Identity>>,
) -> Result<Json<Session>, ApiError> {
    let Some(Extension(identity)) = identity else {
        return Err(ApiError::unauthenticated("you are not signed in"));
    };
    Ok(Json(state.access.session(&identity)))
}

async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignIn>,
) -> Result<Response, ApiError> {
    let peer = peer.map(|Extension(ConnectInfo(address))| address);
    if !state.access.signs_in() {
        return Err(ApiError::invalid_input(
            "token",
            "this Berth has no sign-in (it was started without --auth-file): there is nothing \
             to sign in to",
        ));
    }
    let Some((identity, cookie)) = state.access.sign_in(&request.token, now_seconds()) else {
        tracing::warn!(peer = ?peer, "sign-in refused: the token is not valid");
        return Err(ApiError::unauthenticated(
            "that token is not valid (mistyped, or revoked)",
        ));
    };
    tracing::info!(name = %identity.name, role = %identity.role, "signed in");
    let secure = state.access.over_https(&headers, peer);
    Ok((
        [(header::SET_COOKIE, sessions::set_cookie(&cookie, secure))],
        Json(state.access.session(&identity)),
    )
        .into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let peer = peer.map(|Extension(ConnectInfo(address))| address);
    let secure = state.access.over_https(&headers, peer);
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, sessions::clear_cookie(secure))],
    )
        .into_response()
}
