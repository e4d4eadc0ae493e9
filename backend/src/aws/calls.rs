//! What every AWS SDK call of Berth shares: reading every page of a listing, and mapping an
//! SDK failure to a [`SourceError`] by kind (ECS, ECR, Application Auto Scaling and CloudWatch
//! report errors the same way; only their not-found codes differ).
//!
//! A not-found answer names the resource the user asked for, which every call site passes as
//! the [`Asked`] resources of its call: AWS's message ("Cluster not found.") is only logged.
//! A failure on AWS's side (a server error code or an HTTP 5xx, which the SDK has already
//! retried) is retryable; expired credentials are their own kind, since only the user can
//! refresh them.

use std::future::Future;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ecs::{
    config::http::HttpResponse,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
};

use crate::error::SourceError;

/// A resource an SDK call names, by kind: what a not-found answer to the call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked<'a> {
    /// An ECS cluster, by the name or ARN the user asked for.
    Cluster(&'a str),
    /// An ECS service of the call's cluster.
    Service(&'a str),
    /// An ECS task of the call's cluster, by the id or ARN the user asked for.
    Task(&'a str),
    /// An ECR repository.
    Repository(&'a str),
    /// A CloudWatch Logs stream (or its group), by `group/stream`.
    LogStream(&'a str),
}

impl Asked<'_> {
    /// The kind, as [`SourceError::NotFound`] names it.
    fn kind(self) -> &'static str {
        match self {
            Self::Cluster(_) => "cluster",
            Self::Service(_) => "service",
            Self::Task(_) => "task",
            Self::Repository(_) => "repository",
            Self::LogStream(_) => "log stream",
        }
    }

    fn name(self) -> String {
        match self {
            Self::Cluster(name)
            | Self::Service(name)
            | Self::Task(name)
            | Self::Repository(name)
            | Self::LogStream(name) => name.to_owned(),
        }
    }
}

/// Not-found error codes of the services Berth calls, with the kind of resource they name.
const NOT_FOUND: [(&str, &str); 5] = [
    ("ClusterNotFoundException", "cluster"),
    ("ServiceNotFoundException", "service"),
    ("ServiceNotActiveException", "service"),
    ("RepositoryNotFoundException", "repository"),
    // CloudWatch Logs, for a log group or stream that does not exist (yet).
    ("ResourceNotFoundException", "log stream"),
];

/// Not-found answers that only their message tells apart from another error with the same
/// code: (code, what the message says, kind). ECS answers StopTask for a task it does not know
/// with `InvalidParameterException` "The referenced task was not found.".
const NOT_FOUND_BY_MESSAGE: [(&str, &str, &str); 1] = [(
    "InvalidParameterException",
    "referenced task was not found",
    "task",
)];

/// Error codes of credentials that are no longer valid: a session token past its expiry
/// (`ExpiredTokenException` in JSON protocols, `ExpiredToken` in query protocols) or a request
/// signed too long ago (`RequestExpired`).
const CREDENTIALS_EXPIRED: [&str; 3] = ["ExpiredTokenException", "ExpiredToken", "RequestExpired"];

/// Error codes of a failure on AWS's side rather than in the request: ECS and ECR
/// (`ServerException`), Application Auto Scaling (`InternalServiceException`), CloudWatch
/// (`InternalServiceFault`) and the codes every AWS service may answer.
const SERVER_FAILURE: [&str; 6] = [
    "ServerException",
    "InternalServiceException",
    "InternalServiceFault",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// Every item of a paginated listing: `page` is called with the previous page's `nextToken`
/// (none for the first) and returns the page's items and its `nextToken`, until there is none.
pub(crate) async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, SourceError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), SourceError>>,
{
    let mut items = Vec::new();
    let mut next_token = None;
    loop {
        let (mut more, next) = page(next_token).await?;
        items.append(&mut more);
        match next {
            Some(token) => next_token = Some(token),
            None => return Ok(items),
        }
    }
}

/// The innermost error of a chain, which names the actual problem ("Connection refused",
/// "dns error", "no credentials in the chain").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// Whether the SDK gave up because the credential chain found no credentials at all.
fn credentials_missing(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(CredentialsError::CredentialsNotLoaded(_)) = error.downcast_ref() {
            return true;
        }
        current = error.source();
    }
    false
}

/// The resource among `asked` that an answer of `code` with `message` says is missing, for
/// the answers that only their message tells apart ([`NOT_FOUND_BY_MESSAGE`]). About a kind
/// the call did not ask for, such an answer is left to its code's mapping.
fn not_found_by_message<'a>(code: &str, message: &str, asked: &[Asked<'a>]) -> Option<Asked<'a>> {
    let (_, _, kind) = NOT_FOUND_BY_MESSAGE
        .iter()
        .find(|(not_found, says, _)| *not_found == code && message.contains(says))?;
    asked.iter().copied().find(|asked| asked.kind() == *kind)
}

/// What failed on AWS's side, when it did: the server error code, else the HTTP 5xx status
/// of an answer that named no code.
fn server_failure(code: &str, response: &HttpResponse) -> Option<String> {
    if SERVER_FAILURE.contains(&code) {
        return Some(code.to_owned());
    }
    let status = response.status();
    status
        .is_server_error()
        .then(|| format!("HTTP {}", status.as_u16()))
}

/// The retryable error of a failure on AWS's side (`what`: its code or HTTP status). The SDK
/// has already retried it, so the user is told to try again later rather than to mend anything.
fn aws_server_error(action: &str, what: &str) -> SourceError {
    SourceError::Unavailable(format!(
        "AWS answered {action} with a server error ({what}); the failure is on AWS's side, \
         try again in a moment"
    ))
}

/// Maps an SDK failure of `action` to a [`SourceError`] by kind. A not-found answer names the
/// resource of that kind among `asked` (what the call was asked about); AWS's message goes to
/// the log only. A not-found answer about a kind the call did not name is unexpected: an
/// internal error, logged with AWS's message.
pub(crate) fn map_sdk_error<E>(
    action: &str,
    asked: &[Asked<'_>],
    error: SdkError<E, HttpResponse>,
) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or_default();
            let message = inner.message().unwrap_or_default().to_owned();
            if let Some((_, kind)) = NOT_FOUND.iter().find(|(not_found, _)| *not_found == code) {
                tracing::debug!(action, code, message, "AWS answered not found");
                return match asked.iter().find(|asked| asked.kind() == *kind) {
                    Some(asked) => SourceError::NotFound {
                        kind,
                        name: asked.name(),
                    },
                    None => SourceError::Internal(format!(
                        "{action} answered {code} about a {kind} it was not asked for: {message}"
                    )),
                };
            }
            if let Some(missing) = not_found_by_message(code, &message, asked) {
                tracing::debug!(action, code, message, "AWS answered not found");
                return SourceError::NotFound {
                    kind: missing.kind(),
                    name: missing.name(),
                };
            }
            if CREDENTIALS_EXPIRED.contains(&code) {
                tracing::warn!(action, code, message, "AWS credentials expired");
                return SourceError::CredentialsExpired {
                    action: action.to_owned(),
                };
            }
            if let Some(what) = server_failure(code, service.raw()) {
                tracing::warn!(action, code, message, "AWS answered a server error");
                return aws_server_error(action, &what);
            }
            match code {
                "AccessDeniedException"
                | "AccessDenied"
                | "UnauthorizedOperation"
                | "UnrecognizedClientException"
                | "InvalidSignatureException" => SourceError::AccessDenied {
                    action: action.to_owned(),
                    message,
                },
                "ThrottlingException"
                | "Throttling"
                | "TooManyRequestsException"
                | "RequestLimitExceeded" => {
                    crate::metrics::METRICS.aws_throttled(action);
                    SourceError::Throttled {
                        action: action.to_owned(),
                        message,
                    }
                }
                "InvalidParameterException" | "ClientException" | "ValidationException" => {
                    SourceError::InvalidParameter(message)
                }
                _ => SourceError::Internal(format!("{action}: {}", DisplayErrorContext(&error))),
            }
        }
        SdkError::ResponseError(response) => match server_failure("", response.raw()) {
            Some(what) => {
                tracing::warn!(error = %DisplayErrorContext(&error), "{action} failed on AWS's side");
                aws_server_error(action, &what)
            }
            None => SourceError::Internal(format!("{action}: {}", DisplayErrorContext(&error))),
        },
        SdkError::TimeoutError(_) => SourceError::Unavailable(format!(
            "AWS did not answer {action} in time; check the endpoint and your network"
        )),
        SdkError::DispatchFailure(_) if credentials_missing(&error) => {
            SourceError::Unavailable(format!(
                "no AWS credentials were found for {action}. Berth looks where the AWS CLI \
                 does: AWS_* environment variables, the profiles of ~/.aws/config and \
                 ~/.aws/credentials (--profile or AWS_PROFILE), SSO, web identity, and container \
                 or instance roles. Configure one (for example with `aws configure`) and retry."
            ))
        }
        SdkError::DispatchFailure(_) => {
            tracing::warn!(error = %DisplayErrorContext(&error), "{action} could not be sent");
            SourceError::Unavailable(format!(
                "could not reach AWS for {action}: {}",
                root_cause(&error)
            ))
        }
        _ => SourceError::Internal(format!("{action}: {}", DisplayErrorContext(&error))),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_ecs::{
        error::{ConnectorError, ErrorMetadata},
        operation::list_clusters::ListClustersError,
    };
    use aws_smithy_types::body::SdkBody;
    use berth_shared::api::ErrorCode;

    use super::*;
    use crate::error::ApiError;

    /// An HTTP answer of `status` with no body.
    fn http_answer(status: u16) -> HttpResponse {
        HttpResponse::new(status.try_into().expect("a status code"), SdkBody::empty())
    }

    /// An error answered by the service with HTTP `status`, as the SDK hands it over after
    /// parsing (a `code` of "" is an answer that named none).
    fn answered(status: u16, code: &str, message: &str) -> SdkError<ListClustersError> {
        let mut metadata = ErrorMetadata::builder().message(message);
        if !code.is_empty() {
            metadata = metadata.code(code);
        }
        SdkError::service_error(
            ListClustersError::generic(metadata.build()),
            http_answer(status),
        )
    }

    /// An error answered by the service with HTTP 400, as AWS answers a request's errors.
    fn service_error(code: &str, message: &str) -> SdkError<ListClustersError> {
        answered(400, code, message)
    }

    #[test]
    fn service_errors_map_by_code_and_not_found_names_what_was_asked() {
        let not_found = |kind, name: &str| SourceError::NotFound {
            kind,
            name: name.to_owned(),
        };
        let in_cluster = [Asked::Cluster("prod"), Asked::Service("web")];
        let stopping = [Asked::Cluster("prod"), Asked::Task("0f9a")];
        let cases: [(&str, &str, &[Asked<'_>], SourceError); 12] = [
            (
                "ClusterNotFoundException",
                "Cluster not found.",
                &[Asked::Cluster("prod")],
                not_found("cluster", "prod"),
            ),
            (
                "ClusterNotFoundException",
                "Cluster not found.",
                &in_cluster,
                not_found("cluster", "prod"),
            ),
            (
                "ServiceNotFoundException",
                "Service not found.",
                &in_cluster,
                not_found("service", "web"),
            ),
            (
                "ServiceNotActiveException",
                "Service was not ACTIVE.",
                &in_cluster,
                not_found("service", "web"),
            ),
            (
                "RepositoryNotFoundException",
                "The repository with name 'team/api' does not exist in the registry",
                &[Asked::Repository("team/api")],
                not_found("repository", "team/api"),
            ),
            (
                "ClusterNotFoundException",
                "Cluster not found.",
                &[],
                SourceError::Internal(
                    "ecs:Call answered ClusterNotFoundException about a cluster it was not \
                     asked for: Cluster not found."
                        .to_owned(),
                ),
            ),
            (
                "AccessDeniedException",
                "not authorized",
                &in_cluster,
                SourceError::AccessDenied {
                    action: "ecs:Call".to_owned(),
                    message: "not authorized".to_owned(),
                },
            ),
            (
                "ThrottlingException",
                "Rate exceeded",
                &in_cluster,
                SourceError::Throttled {
                    action: "ecs:Call".to_owned(),
                    message: "Rate exceeded".to_owned(),
                },
            ),
            (
                "InvalidParameterException",
                "The referenced task was not found.",
                &stopping,
                not_found("task", "0f9a"),
            ),
            (
                "InvalidParameterException",
                "The referenced task was not found.",
                &in_cluster,
                SourceError::InvalidParameter("The referenced task was not found.".to_owned()),
            ),
            (
                "InvalidParameterException",
                "maxResults must be at most 100.",
                &in_cluster,
                SourceError::InvalidParameter("maxResults must be at most 100.".to_owned()),
            ),
            (
                "InvalidParameterException",
                "maxResults must be at most 100.",
                &stopping,
                SourceError::InvalidParameter("maxResults must be at most 100.".to_owned()),
            ),
        ];
        for (code, message, asked, expected) in cases {
            let error = map_sdk_error("ecs:Call", asked, service_error(code, message));
            assert_eq!(error, expected, "{code} about {asked:?}");
            if let SourceError::NotFound { .. } = error {
                let answered = ApiError::from(error).body().message.clone();
                assert!(!answered.contains(message), "{answered}");
            }
        }
    }

    #[test]
    fn failures_on_aws_side_are_retryable_and_expired_credentials_say_how_to_refresh() {
        let server_error = |what: &str| {
            SourceError::Unavailable(format!(
                "AWS answered ecs:Call with a server error ({what}); the failure is on AWS's \
                 side, try again in a moment"
            ))
        };
        let expired = SourceError::CredentialsExpired {
            action: "ecs:Call".to_owned(),
        };
        // (HTTP status, error code, what Berth makes of it, its status, retryable)
        let cases = [
            (
                500,
                "ServerException",
                server_error("ServerException"),
                503,
                true,
            ),
            (
                500,
                "InternalFailure",
                server_error("InternalFailure"),
                503,
                true,
            ),
            (
                500,
                "InternalServiceException",
                server_error("InternalServiceException"),
                503,
                true,
            ),
            (
                500,
                "InternalServiceFault",
                server_error("InternalServiceFault"),
                503,
                true,
            ),
            (
                503,
                "ServiceUnavailable",
                server_error("ServiceUnavailable"),
                503,
                true,
            ),
            (
                503,
                "ServiceUnavailableException",
                server_error("ServiceUnavailableException"),
                503,
                true,
            ),
            (502, "", server_error("HTTP 502"), 503, true),
            (
                504,
                "SomethingNewException",
                server_error("HTTP 504"),
                503,
                true,
            ),
            (400, "ExpiredTokenException", expired.clone(), 401, false),
            (403, "ExpiredToken", expired.clone(), 401, false),
            (400, "RequestExpired", expired, 401, false),
        ];
        for (http_status, code, expected, status, retryable) in cases {
            let error = map_sdk_error(
                "ecs:Call",
                &[],
                answered(http_status, code, "Something broke"),
            );
            assert_eq!(error, expected, "{http_status} {code}");
            let api = ApiError::from(error);
            assert_eq!(api.status().as_u16(), status, "{http_status} {code}");
            assert_eq!(api.body().retryable, retryable, "{http_status} {code}");
            assert!(!api.body().message.contains("Something broke"), "{code}");
        }
    }

    #[test]
    fn an_unknown_service_error_is_internal() {
        let error = map_sdk_error(
            "ecs:Call",
            &[],
            service_error("SomethingNewException", "Something broke"),
        );
        assert!(
            matches!(&error, SourceError::Internal(detail) if detail.starts_with("ecs:Call")),
            "{error:?}"
        );
    }

    #[test]
    fn expired_credentials_are_their_own_error_naming_how_to_refresh_them() {
        let error = map_sdk_error(
            "ecs:ListClusters",
            &[],
            service_error(
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ),
        );
        let api = ApiError::from(error);
        assert_eq!(api.body().code, ErrorCode::CredentialsExpired);
        let message = &api.body().message;
        for names in [
            "expired",
            "ecs:ListClusters",
            "aws sso login",
            "AWS_SESSION_TOKEN",
        ] {
            assert!(message.contains(names), "{names} in {message}");
        }
    }

    #[test]
    fn an_unparseable_answer_is_a_server_error_only_when_its_status_is_5xx() {
        let unparseable =
            |status| SdkError::<ListClustersError>::response_error("not JSON", http_answer(status));
        let error = map_sdk_error("ecs:Call", &[], unparseable(500));
        assert!(
            matches!(&error, SourceError::Unavailable(message) if message.contains("HTTP 500")),
            "{error:?}"
        );
        let error = map_sdk_error("ecs:Call", &[], unparseable(200));
        assert!(
            matches!(&error, SourceError::Internal(detail) if detail.starts_with("ecs:Call")),
            "{error:?}"
        );
    }

    fn dispatch_failure(source: aws_sdk_ecs::error::BoxError) -> SdkError<ListClustersError> {
        SdkError::dispatch_failure(ConnectorError::other(source, None))
    }

    #[test]
    fn missing_credentials_say_where_berth_looked() {
        let error = map_sdk_error(
            "ecs:ListClusters",
            &[],
            dispatch_failure(Box::new(CredentialsError::not_loaded("no providers"))),
        );
        let SourceError::Unavailable(message) = error else {
            panic!("{error:?}");
        };
        assert!(message.starts_with("no AWS credentials were found for ecs:ListClusters"));
        assert!(message.contains("aws configure"), "{message}");
    }

    #[test]
    fn other_dispatch_failures_name_their_cause() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = map_sdk_error("ecs:ListClusters", &[], dispatch_failure(Box::new(refused)));
        assert_eq!(
            error,
            SourceError::Unavailable("could not reach AWS for ecs:ListClusters: refused".into())
        );
    }
}
