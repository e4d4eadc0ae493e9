//! The JSON request body extractor of the API: malformed or mistyped bodies are answered
//! with the same JSON error shape as every other error, naming the field.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use berth_shared::input::from_json;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

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
