//! Errors of the API, end to end.
//!
//! Policy: sources ([`crate::source`]) report a [`SourceError`] that says *what kind* of failure
//! happened (not found, access denied, throttled, unreachable or failing on AWS's side,
//! expired credentials, invalid parameter). Handlers turn
//! it into an [`ApiError`], whose `IntoResponse` writes the shared [`ErrorBody`] with a stable
//! code and the matching status. Bad input is the caller's problem and is not logged as an
//! error; unexpected failures are logged in full and answered with a generic message.
//!
//! A panicking handler is an unexpected failure like any other: [`catch_panics`] answers it
//! with the same JSON 500 instead of dropping the connection. Errors axum answers on its own
//! (405, an extractor's rejection) become JSON through [`ApiError::method_not_allowed`] and
//! [`ApiError::from_status`] (see [`crate::routes`]).

use std::any::Any;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use berth_shared::{
    api::{ErrorBody, ErrorCode},
    input::InputError,
};

/// What went wrong talking to a source (the sandbox or AWS), by kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// A named resource does not exist.
    #[error("{kind} {name:?} was not found")]
    NotFound {
        /// Resource kind, e.g. `cluster`.
        kind: &'static str,
        /// The name or ARN asked for.
        name: String,
    },
    /// The credentials lack a permission.
    #[error("access denied for {action}: {message}")]
    AccessDenied {
        /// The API action, e.g. `ecs:ListClusters`.
        action: String,
        /// AWS's message.
        message: String,
    },
    /// The source throttled the request.
    #[error("{action} was throttled: {message}")]
    Throttled {
        /// The API action.
        action: String,
        /// AWS's message.
        message: String,
    },
    /// The source rejected a parameter.
    #[error("{0}")]
    InvalidParameter(String),
    /// A request broke one of the model's rules; the error names the field.
    #[error("{0}")]
    InvalidInput(#[from] InputError),
    /// The source could not be reached, did not answer in time or failed on its side.
    #[error("{0}")]
    Unavailable(String),
    /// The AWS credentials in use have expired.
    #[error("the AWS credentials expired before {action}")]
    CredentialsExpired {
        /// The API action AWS refused.
        action: String,
    },
    /// Anything else; the text is for the log only.
    #[error("{0}")]
    Internal(String),
}

impl SourceError {
    /// Whether the source is out of reach for now (unreachable, failing on its side, or
    /// throttling) rather than refusing what was asked: a last-known answer may stand in.
    pub fn is_outage(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Throttled { .. })
    }
}

/// An error answered to an API client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: ErrorCode,
        message: impl Into<String>,
        retryable: bool,
    ) -> Self {
        Self {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
                retryable,
                field: None,
                problems: Vec::new(),
            },
        }
    }

    /// 404 for a path under `/api/` that does not exist.
    pub fn no_such_endpoint(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("no API endpoint {method} {path}"),
            false,
        )
    }

    /// 405 for a method that an `/api/` path does not answer (the response's `Allow` header
    /// lists those it does).
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            format!(
                "{path} does not answer {method}; the Allow header lists the methods it answers"
            ),
            false,
        )
    }

    /// 413 for a request body larger than `limit_bytes`.
    pub fn payload_too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!(
                "the request body is larger than the API's limit of {} MiB",
                limit_bytes / (1024 * 1024)
            ),
            false,
        )
    }

    /// 415 for a body sent as something other than JSON.
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            format!("the body must be JSON (Content-Type: application/json), not {content_type}"),
            false,
        )
    }

    /// 421 for a request whose `Host` does not name this server.
    pub fn host_not_allowed(host: &str) -> Self {
        Self::new(
            StatusCode::MISDIRECTED_REQUEST,
            ErrorCode::HostNotAllowed,
            format!(
                "this Berth does not answer to the host name {host:?}; it answers to loopback \
                 names, and to the names given with --allowed-hosts (for example the name of a \
                 reverse proxy in front of it)"
            ),
            false,
        )
    }

    /// 403 for a change a browser sent from another site.
    pub fn cross_origin(origin: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossOrigin,
            format!(
                "refused a change sent from {origin}: Berth only accepts changes from its own \
                 pages or from clients that are not browsers"
            ),
            false,
        )
    }

    /// 504 for a request not answered within `limit`. A read may be retried; a change may
    /// have reached the account before the answer was given up, so it is not retryable.
    pub fn timed_out(limit: std::time::Duration, changes: bool) -> Self {
        let seconds = limit.as_secs();
        let message = if changes {
            format!(
                "no answer within {seconds} s (--request-timeout); the change may have reached \
                 the account: check before trying again"
            )
        } else {
            format!("no answer within {seconds} s (--request-timeout); try again shortly")
        };
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::Unavailable,
            message,
            !changes,
        )
    }

    /// 403 for a change asked of a server started with `--read-only`.
    pub fn read_only(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReadOnly,
            format!(
                "{method} {path} would change the account, and this Berth was started with \
                 --read-only: it shows the account but changes nothing"
            ),
            false,
        )
    }

    /// 401 for a request without a valid sign-in, saying how to sign in.
    pub fn unauthenticated(reason: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            format!(
                "{reason}: sign in at /login with an API token, or send it as \
                 `Authorization: Bearer <token>` (an admin creates tokens with \
                 `berth token create`)"
            ),
            false,
        )
    }

    /// 409 for a change asked of a state that has moved on since it was seen.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, message, false)
    }

    /// 403 for a request the signed-in role may not make.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message, false)
    }

    /// 404 for what this server was not started with (a feature off by default).
    pub fn not_configured(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message, false)
    }

    /// 500 for anything unexpected: `detail` is logged, the answer is generic.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Berth hit an unexpected error; the server log has the details",
            false,
        )
    }

    /// The error of a status that axum answered on its own, such as an extractor's rejection
    /// (a path segment that is not UTF-8), with its text as the message. A server error's
    /// text is logged, not answered.
    pub fn from_status(status: StatusCode, text: &str) -> Self {
        let (code, retryable) = match status {
            StatusCode::NOT_FOUND => (ErrorCode::NotFound, false),
            StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, false),
            StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, false),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (ErrorCode::UnsupportedMediaType, false),
            StatusCode::TOO_MANY_REQUESTS => (ErrorCode::Throttled, true),
            StatusCode::SERVICE_UNAVAILABLE => (ErrorCode::Unavailable, true),
            _ if status.is_server_error() => return Self::internal(text),
            _ => (ErrorCode::InvalidInput, false),
        };
        let message = if text.is_empty() {
            status.canonical_reason().unwrap_or("request failed")
        } else {
            text
        };
        Self::new(status, code, message, retryable)
    }

    /// 503 for a source that cannot be used now (retryable once its cause is mended).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            message,
            true,
        )
    }

    /// 400 for invalid input, naming the field.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidInput,
            message,
            false,
        );
        error.body.field = Some(field.into());
        error
    }

    /// 400 for input with several located problems (the first one names the field).
    pub fn invalid_fields(problems: Vec<(String, String)>) -> Self {
        let count = problems.len();
        let (field, first) = problems.first().cloned().unwrap_or_default();
        let message = if count == 1 {
            format!("{field}: {first}")
        } else {
            format!("{count} problems, the first at {field}: {first}")
        };
        let mut error = Self::invalid_input(field, message);
        error.body.problems = problems
            .into_iter()
            .map(|(path, message)| berth_shared::api::FieldProblem { path, message })
            .collect();
        error
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
}

impl From<SourceError> for ApiError {
    fn from(error: SourceError) -> Self {
        match error {
            SourceError::NotFound { .. } => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                error.to_string(),
                false,
            ),
            SourceError::AccessDenied { action, message } => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::AccessDenied,
                format!("the AWS credentials in use are not allowed to call {action}: {message}"),
                false,
            ),
            SourceError::Throttled { action, message } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::Throttled,
                format!("AWS throttled {action}; try again shortly ({message})"),
                true,
            ),
            SourceError::InvalidParameter(message) => Self::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidInput,
                message,
                false,
            ),
            SourceError::InvalidInput(error) => error.into(),
            SourceError::Unavailable(message) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                message,
                true,
            ),
            SourceError::CredentialsExpired { action } => Self::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::CredentialsExpired,
                format!(
                    "the AWS credentials in use have expired, so AWS refused {action}. Refresh \
                     them and try again: `aws sso login` for an SSO profile, or new session \
                     credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
                     AWS_SESSION_TOKEN, or the profile's credential_process) for temporary \
                     ones; if they are fresh, check that this machine's clock is right"
                ),
                false,
            ),
            SourceError::Internal(detail) => Self::internal(detail),
        }
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> Self {
        // A syntax error inside an object before any key is read is located at `?`
        // (serde_path_to_error's unknown segment): it is about the document as a whole.
        let field = if error.field == "?" {
            ".".to_owned()
        } else {
            error.field
        };
        let message = if field == "." {
            error.message
        } else {
            format!("{field}: {}", error.message)
        };
        Self::invalid_input(field, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// How a panic is answered: a function, so that the layer's type can be named.
pub type PanicResponder = fn(Box<dyn Any + Send + 'static>) -> Response;

/// The layer that answers a panicking handler with the JSON 500 of [`ApiError::internal`]
/// (the panic's message is logged, never answered) rather than a dropped connection.
pub fn catch_panics() -> tower_http::catch_panic::CatchPanicLayer<PanicResponder> {
    tower_http::catch_panic::CatchPanicLayer::custom(answer_panic)
}

fn answer_panic(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::internal(format_args!("a request handler panicked: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_errors_map_to_statuses_on_purpose() {
        let cases = [
            (
                SourceError::NotFound {
                    kind: "cluster",
                    name: "x".into(),
                },
                404,
                ErrorCode::NotFound,
                false,
            ),
            (
                SourceError::AccessDenied {
                    action: "ecs:ListClusters".into(),
                    message: "no".into(),
                },
                403,
                ErrorCode::AccessDenied,
                false,
            ),
            (
                SourceError::Throttled {
                    action: "ecs:DescribeTasks".into(),
                    message: "slow down".into(),
                },
                429,
                ErrorCode::Throttled,
                true,
            ),
            (
                SourceError::InvalidParameter("bad".into()),
                400,
                ErrorCode::InvalidInput,
                false,
            ),
            (
                SourceError::Unavailable("down".into()),
                503,
                ErrorCode::Unavailable,
                true,
            ),
            (
                SourceError::CredentialsExpired {
                    action: "ecs:ListClusters".into(),
                },
                401,
                ErrorCode::CredentialsExpired,
                false,
            ),
            (
                SourceError::Internal("secret detail".into()),
                500,
                ErrorCode::Internal,
                false,
            ),
        ];
        for (source, status, code, retryable) in cases {
            let error = ApiError::from(source);
            assert_eq!(error.status().as_u16(), status);
            assert_eq!(error.body().code, code);
            assert_eq!(error.body().retryable, retryable);
            assert!(!error.body().message.contains("secret detail"));
        }
    }

    #[test]
    fn statuses_axum_answers_map_to_codes() {
        let cases = [
            (
                StatusCode::BAD_REQUEST,
                "Invalid URL",
                ErrorCode::InvalidInput,
                "Invalid URL",
            ),
            (StatusCode::NOT_FOUND, "", ErrorCode::NotFound, "Not Found"),
            (
                StatusCode::TOO_MANY_REQUESTS,
                "",
                ErrorCode::Throttled,
                "Too Many Requests",
            ),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "secret detail",
                ErrorCode::Internal,
                "Berth hit an unexpected error; the server log has the details",
            ),
        ];
        for (status, text, code, message) in cases {
            let error = ApiError::from_status(status, text);
            assert_eq!(error.status(), status);
            assert_eq!(error.body().code, code, "{status}");
            assert_eq!(error.body().message, message, "{status}");
        }
    }

    #[test]
    fn access_denied_names_the_action() {
        let error = ApiError::from(SourceError::AccessDenied {
            action: "ecs:DescribeClusters".into(),
            message: "User is not authorized".into(),
        });
        assert!(error.body().message.contains("ecs:DescribeClusters"));
    }
}
