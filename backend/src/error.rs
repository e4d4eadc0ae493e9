//! Errors of the API, end to end.
//!
//! Policy: sources ([`crate::source`]) report a [`SourceError`] that says *what kind* of failure
//! happened (not found, access denied, throttled, unreachable, invalid parameter). Handlers turn
//! it into an [`ApiError`], whose `IntoResponse` writes the shared [`ErrorBody`] with a stable
//! code and the matching status. Bad input is the caller's problem and is not logged as an
//! error; unexpected failures are logged in full and answered with a generic message.

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
    /// The source could not be reached or did not answer in time.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else; the text is for the log only.
    #[error("{0}")]
    Internal(String),
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
            SourceError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "Berth hit an unexpected error; the server log has the details",
                    false,
                )
            }
        }
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> Self {
        let message = if error.field == "." {
            error.message
        } else {
            format!("{}: {}", error.field, error.message)
        };
        Self::invalid_input(error.field, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
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
    fn access_denied_names_the_action() {
        let error = ApiError::from(SourceError::AccessDenied {
            action: "ecs:DescribeClusters".into(),
            message: "User is not authorized".into(),
        });
        assert!(error.body().message.contains("ecs:DescribeClusters"));
    }
}
