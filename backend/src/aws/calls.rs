//! What every AWS SDK call of Berth shares: reading every page of a listing, and mapping an
//! SDK failure to a [`SourceError`] by kind (ECS, ECR, Application Auto Scaling and CloudWatch
//! report errors the same way; only their not-found codes differ).

use std::future::Future;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::error::SourceError;

/// Not-found error codes of the services Berth calls, with the kind of resource they name.
const NOT_FOUND: [(&str, &str); 5] = [
    ("ClusterNotFoundException", "cluster"),
    ("ServiceNotFoundException", "service"),
    ("ServiceNotActiveException", "service"),
    ("RepositoryNotFoundException", "repository"),
    ("ObjectNotFoundException", "scaling resource"),
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

/// Maps an SDK failure to a [`SourceError`] by kind, naming the API action.
pub(crate) fn map_sdk_error<E, R>(action: &str, error: SdkError<E, R>) -> SourceError
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
                return SourceError::NotFound {
                    kind,
                    name: message,
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
    use aws_sdk_ecs::{error::ConnectorError, operation::list_clusters::ListClustersError};

    use super::*;

    fn dispatch_failure(source: aws_sdk_ecs::error::BoxError) -> SdkError<ListClustersError, ()> {
        SdkError::dispatch_failure(ConnectorError::other(source, None))
    }

    #[test]
    fn missing_credentials_say_where_berth_looked() {
        let error = map_sdk_error(
            "ecs:ListClusters",
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
        let error = map_sdk_error("ecs:ListClusters", dispatch_failure(Box::new(refused)));
        assert_eq!(
            error,
            SourceError::Unavailable("could not reach AWS for ecs:ListClusters: refused".into())
        );
    }
}
