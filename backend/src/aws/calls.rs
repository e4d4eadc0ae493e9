//! What every AWS SDK call of Berth shares: reading every page of a listing, and mapping an
//! SDK failure to a [`SourceError`] by kind (ECS, ECR, Application Auto Scaling and CloudWatch
//! report errors the same way; only their not-found codes differ).
//!
//! A not-found answer names the resource the user asked for, which every call site passes as
//! the [`Asked`] resources of its call: AWS's message ("Cluster not found.") is only logged.

use std::future::Future;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::error::SourceError;

/// A resource an SDK call names, by kind: what a not-found answer to the call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked<'a> {
    /// An ECS cluster, by the name or ARN the user asked for.
    Cluster(&'a str),
    /// An ECS service of the call's cluster.
    Service(&'a str),
    /// An ECR repository.
    Repository(&'a str),
}

impl Asked<'_> {
    /// The kind, as [`SourceError::NotFound`] names it.
    fn kind(self) -> &'static str {
        match self {
            Self::Cluster(_) => "cluster",
            Self::Service(_) => "service",
            Self::Repository(_) => "repository",
        }
    }

    fn name(self) -> String {
        match self {
            Self::Cluster(name) | Self::Service(name) | Self::Repository(name) => name.to_owned(),
        }
    }
}

/// Not-found error codes of the services Berth calls, with the kind of resource they name.
const NOT_FOUND: [(&str, &str); 4] = [
    ("ClusterNotFoundException", "cluster"),
    ("ServiceNotFoundException", "service"),
    ("ServiceNotActiveException", "service"),
    ("RepositoryNotFoundException", "repository"),
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

/// Maps an SDK failure of `action` to a [`SourceError`] by kind. A not-found answer names the
/// resource of that kind among `asked` (what the call was asked about); AWS's message goes to
/// the log only. A not-found answer about a kind the call did not name is unexpected: an
/// internal error, logged with AWS's message.
pub(crate) fn map_sdk_error<E, R>(
    action: &str,
    asked: &[Asked<'_>],
    error: SdkError<E, R>,
) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
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
                | "RequestLimitExceeded" => SourceError::Throttled {
                    action: action.to_owned(),
                    message,
                },
                "InvalidParameterException" | "ClientException" | "ValidationException" => {
                    SourceError::InvalidParameter(message)
                }
                _ => SourceError::Internal(format!("{action}: {}", DisplayErrorContext(&error))),
            }
        }
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

    use super::*;
    use crate::error::ApiError;

    /// An error answered by the service, as the SDK hands it over after parsing.
    fn service_error(code: &str, message: &str) -> SdkError<ListClustersError, ()> {
        let metadata = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(ListClustersError::generic(metadata), ())
    }

    #[test]
    fn service_errors_map_by_code_and_not_found_names_what_was_asked() {
        let not_found = |kind, name: &str| SourceError::NotFound {
            kind,
            name: name.to_owned(),
        };
        let in_cluster = [Asked::Cluster("prod"), Asked::Service("web")];
        let cases: [(&str, &str, &[Asked<'_>], SourceError); 9] = [
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
                "maxResults must be at most 100.",
                &in_cluster,
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
    fn an_unknown_service_error_is_internal() {
        let error = map_sdk_error(
            "ecs:Call",
            &[],
            service_error("ServerException", "Something broke"),
        );
        assert!(
            matches!(&error, SourceError::Internal(detail) if detail.starts_with("ecs:Call")),
            "{error:?}"
        );
    }

    fn dispatch_failure(source: aws_sdk_ecs::error::BoxError) -> SdkError<ListClustersError, ()> {
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
