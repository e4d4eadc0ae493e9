//! Request extractors of the API: the JSON body (malformed or mistyped bodies are answered
//! with the same JSON error shape as every other error, naming the field), and the account
//! a request reads (`?source=`), with the `?refresh=true` switch that bypasses its short read
//! cache.
//!
//! A body is read whole up to [`MAX_BODY_BYTES`] (a larger one is a JSON 413). It must be
//! declared as JSON (`application/json` or `…+json`): an undeclared body, or one sent as a
//! form or plain text, is a JSON 415. A page of another site can send those without asking
//! (an HTML form, a `no-cors` fetch), but not a JSON one, which needs a CORS preflight that
//! Berth never grants (see [`crate::defences`]).

use std::{collections::HashMap, ops::Deref, sync::Arc};

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query, Request},
    http::{StatusCode, header, request::Parts},
};
use berth_shared::{
    input::from_json,
    sources::{SOURCE_PARAMETER, SourceId},
};
use serde::de::DeserializeOwned;

use crate::{AppState, accounts::Account, error::ApiError};

/// The largest request body the API reads: room for a placement simulation over 10,000
/// container instances in AWS's shape (about 7 MB).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A request body of JSON text, not yet parsed (the "what if" tools parse it themselves).
#[derive(Debug)]
pub struct JsonText(pub String);

impl<S> FromRequest<S> for JsonText
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = match request.headers().get(header::CONTENT_TYPE) {
            Some(content_type) => content_type
                .to_str()
                .unwrap_or("an unreadable content type"),
            None => "a body without a Content-Type",
        };
        if !is_json(declared) {
            return Err(ApiError::unsupported_media_type(declared));
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(MAX_BODY_BYTES),
                    _ => ApiError::invalid_input(
                        ".",
                        format!("the request body could not be read: {rejection}"),
                    ),
                })?;
        String::from_utf8(bytes.into())
            .map(Self)
            .map_err(|_| ApiError::invalid_input(".", "the body is not UTF-8 text"))
    }
}

/// Whether a `Content-Type` declares JSON: `application/json` or a `+json` type, with any
/// parameters (`; charset=utf-8`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

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
        let JsonText(text) = JsonText::from_request(request, state).await?;
        Ok(Self(from_json(&text)?))
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
        let account = state.accounts.account(chosen.as_ref()).await?;
        if query
            .get("refresh")
            .is_some_and(|value| matches!(value.as_str(), "" | "true" | "1"))
        {
            account.cache.invalidate();
        }
        Ok(Self(account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_are_recognised() {
        let cases = [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/problem+json", true),
            ("text/plain", false),
            ("text/plain;charset=UTF-8", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false),
            ("text/json+html", false),
        ];
        for (content_type, json) in cases {
            assert_eq!(is_json(content_type), json, "{content_type}");
        }
    }
}
