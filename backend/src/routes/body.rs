//! Request extractors of the API: the JSON body (malformed or mistyped bodies are answered
//! with the same JSON error shape as every other error, naming the field), and the account
//! a request reads (`?source=`), with the `?refresh=true` switch that bypasses its short read
//! cache.

use std::{collections::HashMap, ops::Deref, sync::Arc};

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query, Request},
    http::request::Parts,
};
use berth_shared::{
    input::from_json,
    sources::{SOURCE_PARAMETER, SourceId},
};
use serde::de::DeserializeOwned;

use crate::{AppState, error::ApiError, sources::Account};

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

/// The account a request reads: the one named by `?source=` (`sandbox`, `aws:eu-west-1`),
/// else the server's default, opened on first use. `?refresh=true` (or `?refresh`) also
/// clears that account's read cache first, so the answer comes from the source itself.
#[derive(Debug, Clone)]
pub struct Source(pub Arc<Account>);

impl Deref for Source {
    type Target = Account;

    fn deref(&self) -> &Account {
        &self.0
    }
}

impl FromRequestParts<AppState> for Source {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Query(query) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::invalid_input(".", format!("unreadable query string: {e}")))?;
        let chosen = query
            .get(SOURCE_PARAMETER)
            .map(|text| text.parse::<SourceId>())
            .transpose()
            .map_err(|e| ApiError::invalid_input(SOURCE_PARAMETER, e.to_string()))?;
        let account = state.sources.account(chosen.as_ref()).await?;
        if query
            .get("refresh")
            .is_some_and(|value| matches!(value.as_str(), "" | "true" | "1"))
        {
            account.cache.invalidate();
        }
        Ok(Self(account))
    }
}
