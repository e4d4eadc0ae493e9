//! Request extractors of the API: the JSON body (malformed or mistyped bodies are answered
//! with the same JSON error shape as every other error, naming the field), and the
//! `?refresh=true` switch of read endpoints, which bypasses the short read cache.

use std::convert::Infallible;

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::request::Parts,
};
use berth_shared::input::from_json;
use serde::de::DeserializeOwned;

use crate::{AppState, error::ApiError};

/// A request body parsed as `T` with errors that name the field.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            ApiError::invalid_input(".", format!("the request body could not be read: {e}"))
        })?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| ApiError::invalid_input(".", "the body is not UTF-8 text"))?;
        Ok(Self(from_json(text)?))
    }
}

/// `?refresh=true` (or `?refresh`) on a read endpoint: the cache is cleared before reading,
/// so the answer comes from the source itself.
#[derive(Debug, Clone, Copy)]
pub struct Refresh;

impl FromRequestParts<AppState> for Refresh {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let asked = parts.uri.query().is_some_and(|query| {
            query
                .split('&')
                .any(|pair| matches!(pair, "refresh" | "refresh=true" | "refresh=1"))
        });
        if asked {
            state.cache.invalidate();
        }
        Ok(Self)
    }
}
