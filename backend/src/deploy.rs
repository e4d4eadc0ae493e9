//! Previewing and applying a change to a service (the console's Deploy flow).
//!
//! [`preview`] reads what the shared model's [`preview_change`] needs — the cluster's live
//! snapshot, the revision the service runs, the revision asked for, the family's latest — and
//! answers its [`ServicePreview`], the same one the console computes in the browser.
//! [`apply`] previews again on the state as it is now, refuses a blocked change (400, every
//! problem at its path) or one previewed against another revision than the service now runs
//! (409), then makes the calls the preview lists: RegisterTaskDefinition when a new revision
//! is needed, then UpdateService with the registered ARN.
//!
//! Applying is idempotent: a definition equal to the family's latest revision is not
//! registered again (the preview says so), and a `clientToken` seen in the last 15 minutes on
//! this account answers the first Apply's result without calling AWS again — concurrent
//! requests with one token wait for the first.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use berth_shared::{
    api::{AppliedCall, Deployed, ServiceChange, ServiceUpdate},
    ops::{PreviewInput, ServicePreview, Severity, check_client_token, preview_change},
};
use tokio::sync::OnceCell;

use crate::{accounts::Account, error::ApiError, error::SourceError};

/// How long a client token's result is answered again.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Most tokens remembered per account (the oldest are forgotten first).
pub const MAX_TOKENS: usize = 10_000;

/// The result of one change, once made; waited on by the same token's later requests.
type AppliedResult<T> = Arc<OnceCell<T>>;

/// The changes of one account (Applies, runs) by client token, with when each was first asked.
#[derive(Debug)]
pub struct AppliedChanges<T> {
    by_token: Mutex<HashMap<String, (Instant, AppliedResult<T>)>>,
}

impl<T> Default for AppliedChanges<T> {
    fn default() -> Self {
        Self {
            by_token: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> AppliedChanges<T> {
    /// `make()`'s result, made once per client token (every time without one): a token seen
    /// in the last [`TOKEN_LIFETIME`] answers the first result, and concurrent requests with
    /// one token wait for the first. A failure is not kept, so a retry tries again.
    pub async fn once<F>(
        &self,
        token: Option<&str>,
        make: impl FnOnce() -> F,
    ) -> Result<T, ApiError>
    where
        F: Future<Output = Result<T, ApiError>>,
    {
        check_client_token(token)?;
        match token {
            Some(token) => {
                let cell = self.cell(token, Instant::now());
                cell.get_or_try_init(make).await.cloned()
            }
            None => make().await,
        }
    }

    /// The cell holding `token`'s result (new when the token is unknown or expired).
    fn cell(&self, token: &str, now: Instant) -> AppliedResult<T> {
        let mut tokens = self.by_token.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.retain(|_, (at, _)| now.duration_since(*at) < TOKEN_LIFETIME);
        if tokens.len() >= MAX_TOKENS
            && let Some(oldest) = tokens
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(token, _)| token.clone())
        {
            tokens.remove(&oldest);
        }
        let (_, cell) = tokens
            .entry(token.to_owned())
            .or_insert_with(|| (now, Arc::new(OnceCell::new())));
        Arc::clone(cell)
    }
}

/// What the preview needs, read from the account.
async fn preview_input(
    account: &Account,
    cluster: &str,
    service: &str,
    change: &ServiceChange,
) -> Result<PreviewInput, ApiError> {
    let snapshot = account.ecs.cluster_snapshot(cluster).await?;
    let Some(running) = snapshot.services.iter().find(|s| {
        (s.service_name == service || s.service_arn == service) && s.status != "INACTIVE"
    }) else {
        return Err(SourceError::NotFound {
            kind: "service",
            name: service.to_owned(),
        }
        .into());
    };
    let current_definition = account
        .ecs
        .describe_task_definition(&running.task_definition)
        .await?;
    let latest_definition = match &change.register {
        Some(proposed) => optional(account.ecs.describe_task_definition(&proposed.family).await)?,
        None => None,
    };
    let target_definition = match &change.task_definition {
        Some(named) => optional(account.ecs.describe_task_definition(named).await)?,
        None => None,
    };
    Ok(PreviewInput {
        region: account.ecs.info().region().to_owned(),
        service_name: running.service_name.clone(),
        snapshot,
        current_definition,
        latest_definition,
        target_definition,
        task_definitions: Vec::new(),
        change: change.clone(),
    })
}

/// A lookup whose "not found" is an answer, not an error.
fn optional<T>(found: Result<T, SourceError>) -> Result<Option<T>, ApiError> {
    match found {
        Ok(value) => Ok(Some(value)),
        Err(SourceError::NotFound { .. }) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The preview of `change` on the service as the account is now.
pub async fn preview(
    account: &Account,
    cluster: &str,
    service: &str,
    change: &ServiceChange,
) -> Result<ServicePreview, ApiError> {
    check_token(change)?;
    let input = preview_input(account, cluster, service, change).await?;
    Ok(preview_change(&input))
}

fn check_token(change: &ServiceChange) -> Result<(), ApiError> {
    Ok(check_client_token(change.client_token.as_deref())?)
}

/// Applies `change`: previewed again, then registered and updated (see the module docs).
pub async fn apply(
    account: &Account,
    cluster: &str,
    service: &str,
    change: ServiceChange,
) -> Result<Deployed, ApiError> {
    let token = change.client_token.clone();
    account
        .applied
        .once(token.as_deref(), || {
            apply_once(account, cluster, service, change)
        })
        .await
}

async fn apply_once(
    account: &Account,
    cluster: &str,
    service: &str,
    change: ServiceChange,
) -> Result<Deployed, ApiError> {
    let input = preview_input(account, cluster, service, &change).await?;
    // The revision as an ARN or as `family:revision`, alike.
    if let Some(expected) = &change.expected_task_definition
        && input
            .current_definition
            .task_definition_arn
            .as_deref()
            .map(berth_shared::ecs::short_id)
            != Some(berth_shared::ecs::short_id(expected))
    {
        return Err(ApiError::conflict(format!(
            "the service now runs {}, not the {} this change was previewed against: preview it again",
            berth_shared::ops::preview::revision_name(&input.current_definition),
            berth_shared::ecs::short_id(expected)
        )));
    }
    let preview = preview_change(&input);
    let errors: Vec<(String, String)> = preview
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.path.clone(), p.message.clone()))
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let mut calls = Vec::new();
    let mut deploy_arn = None;
    if preview.registers
        && let Some(definition) = change.register.clone()
    {
        let registered = account.ecs.register_task_definition(definition).await?;
        let arn = registered
            .resource
            .task_definition_arn
            .clone()
            .unwrap_or_default();
        calls.push(AppliedCall {
            operation: "RegisterTaskDefinition".to_owned(),
            outcome: format!("registered {}", berth_shared::ecs::short_id(&arn)),
            request_id: registered.request_id,
        });
        deploy_arn = Some(arn);
    } else if preview.to_revision != preview.from_revision {
        deploy_arn = input
            .target_definition
            .as_ref()
            .or(input.latest_definition.as_ref())
            .and_then(|d| d.task_definition_arn.clone());
    }
    if let Some(bounds) = change.scalable_target {
        let registered = account
            .ecs
            .register_scalable_target(cluster, &input.service_name, bounds)
            .await?;
        calls.push(AppliedCall {
            operation: "RegisterScalableTarget".to_owned(),
            outcome: format!(
                "auto scaling now keeps {} to {} tasks",
                registered.resource.min_capacity, registered.resource.max_capacity
            ),
            request_id: registered.request_id,
        });
    }
    if !preview.calls.iter().any(|c| c.operation == "UpdateService") {
        // The bounds were all that changed: the service as it is now.
        let service = account
            .ecs
            .cluster_snapshot(cluster)
            .await?
            .services
            .into_iter()
            .find(|s| s.service_name == input.service_name)
            .ok_or_else(|| SourceError::NotFound {
                kind: "service",
                name: input.service_name.clone(),
            })?;
        return Ok(Deployed {
            calls,
            task_definition: service.task_definition.clone(),
            service,
        });
    }
    let update = ServiceUpdate {
        desired_count: change.desired_count,
        task_definition: deploy_arn.clone(),
        force_new_deployment: change.force_new_deployment,
        deployment_configuration: change.deployment_configuration,
        capacity_provider_strategy: change.capacity_provider_strategy,
    };
    let updated = account
        .ecs
        .update_service(cluster, &input.service_name, update)
        .await?;
    let deployment = updated
        .resource
        .deployments
        .iter()
        .find(|d| d.status == "PRIMARY");
    calls.push(AppliedCall {
        operation: "UpdateService".to_owned(),
        outcome: match deployment {
            Some(d) if preview.deploys => format!(
                "deployment {} of {} started",
                d.id,
                berth_shared::ecs::short_id(&d.task_definition)
            ),
            _ => "service updated; no new deployment".to_owned(),
        },
        request_id: updated.request_id,
    });
    Ok(Deployed {
        calls,
        task_definition: updated.resource.task_definition.clone(),
        service: updated.resource,
    })
}
