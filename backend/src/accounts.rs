//! The accounts one `berth` serves, and the source switch behind `?source=`.
//!
//! A server offers the sandbox and, only when asked, AWS regions: those `--regions` names, or
//! with `--aws` alone all of [`berth_shared::sources::AWS_REGIONS`]; a plain `berth` never
//! touches the machine's AWS credentials. It opens on one of them, its default: the sandbox, or with `--aws` the region of `--region` or of the AWS
//! configuration. Every request may choose another offered source with `?source=`; an
//! unknown or malformed one is a 400 naming the field `source`.
//!
//! Each source becomes an [`Account`] the first time a request chooses it, with its own read
//! cache and live pollers, and stays open for the life of the server. Concurrent first
//! requests open it once; a source that fails to open (an unreadable sandbox file) is tried
//! again by the next request. The sandbox's file is read (and, the first time, written) off
//! the async workers. AWS regions share one configuration (credentials, profile,
//! endpoint, timeouts), loaded once, with only the region changed.

use std::{
    collections::BTreeMap,
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use aws_config::{Region, SdkConfig};
use berth_shared::{
    api::{Deployed, Mutation, RunTaskResult},
    ecs::Service,
    sources::{AWS_REGIONS, SourceId, SourceList, SourceOption},
};
use tokio::sync::OnceCell;

use crate::{
    EcrApi, EcsApi,
    aws::{AwsSettings, load_config},
    blocking::off_workers,
    cache::CachedEcs,
    deploy::AppliedChanges,
    ecr::sdk::SdkEcr,
    ecs::{allowed::AllowedClusters, sdk::SdkEcs},
    error::ApiError,
    live::{self, LiveHub},
    sandbox::{self, DemoFleet, Pace, Sandbox},
};

/// One open source: its ECS and ECR, the read cache in front of ECS, and its live pollers.
#[derive(Debug)]
pub struct Account {
    /// ECS, read through [`Self::cache`].
    pub ecs: Arc<dyn EcsApi>,
    /// The container registry of the same account and region.
    pub ecr: Arc<dyn EcrApi>,
    /// The pollers behind live updates.
    pub live: Arc<LiveHub>,
    /// The read cache in front of the source, for `?refresh`.
    pub cache: Arc<CachedEcs>,
    /// Service changes applied, by client token.
    pub applied: AppliedChanges<Deployed>,
    /// Standalone runs, by client token.
    pub runs: AppliedChanges<Mutation<RunTaskResult>>,
    /// Services created, by client token.
    pub created: AppliedChanges<Mutation<Service>>,
}

impl Account {
    /// An account over `source`: reads cached for `cache_ttl`, live updates polling every
    /// `poll_interval`.
    pub fn new(
        source: Arc<dyn EcsApi>,
        ecr: Arc<dyn EcrApi>,
        cache_ttl: Duration,
        poll_interval: Duration,
    ) -> Self {
        let cache = Arc::new(CachedEcs::new(source, cache_ttl));
        let ecs: Arc<dyn EcsApi> = cache.clone();
        let reader = Arc::clone(&ecs);
        let fetch: live::Fetch = Arc::new(move |cluster: String| {
            let reader = Arc::clone(&reader);
            Box::pin(async move { reader.cluster_snapshot(&cluster).await })
        });
        Self {
            ecs,
            ecr,
            live: LiveHub::new(fetch, poll_interval),
            cache,
            applied: AppliedChanges::default(),
            runs: AppliedChanges::default(),
            created: AppliedChanges::default(),
        }
    }
}

/// What a server offers and how it reaches it.
#[derive(Debug, Clone)]
pub struct SourceSettings {
    /// Open on AWS rather than the sandbox.
    pub aws_default: bool,
    /// The sandbox state file.
    pub sandbox_path: PathBuf,
    /// How fast the sandbox's tasks start and its deployments roll.
    pub sandbox_pace: Pace,
    /// The demo fleet a new sandbox starts with.
    pub sandbox_fleet: DemoFleet,
    /// How to reach AWS (the region, when given, is the default AWS region).
    pub aws: AwsSettings,
    /// AWS regions offered, in order (the default region is added when missing).
    pub regions: Vec<String>,
    /// How long a read is reused.
    pub cache_ttl: Duration,
    /// How often a watched cluster is read.
    pub poll_interval: Duration,
    /// The only clusters shown and changed, in every source (`--clusters`); empty: all.
    pub clusters: Vec<String>,
}

/// Every source of the server, opened on first use.
#[derive(Debug)]
pub struct Accounts {
    settings: SourceSettings,
    default: SourceId,
    offered: Vec<SourceId>,
    /// The sandbox's simulated region once it is open.
    sandbox_region: std::sync::OnceLock<String>,
    aws_config: OnceCell<SdkConfig>,
    open: Mutex<BTreeMap<SourceId, Arc<OnceCell<Arc<Account>>>>>,
}

impl Accounts {
    /// The sources of `settings`, with the default one already open, so that a server that
    /// cannot reach its default source says so at start. With `aws_default`, the default region
    /// is the configured one (`--region`, else the AWS configuration's).
    pub async fn start(settings: SourceSettings) -> Result<Self, String> {
        let aws_config = OnceCell::new();
        let default = if settings.aws_default {
            let config = load_config(&settings.aws).await;
            let region = config.region().map_or_else(
                || crate::aws::FALLBACK_REGION.to_owned(),
                ToString::to_string,
            );
            let _ = aws_config.set(config);
            SourceId::aws(&region).map_err(|e| format!("cannot use region {region:?}: {e}"))?
        } else {
            SourceId::Sandbox
        };
        // AWS only when asked: the regions named, or with --aws alone every region.
        let every_region: Vec<String>;
        let regions = if settings.regions.is_empty() && settings.aws_default {
            every_region = AWS_REGIONS
                .iter()
                .map(|(code, _)| (*code).to_owned())
                .collect();
            &every_region
        } else {
            &settings.regions
        };
        let mut offered = vec![SourceId::Sandbox];
        for region in regions {
            offered.push(SourceId::aws(region).map_err(|e| format!("--regions: {e}"))?);
        }
        if !offered.contains(&default) {
            offered.insert(1, default.clone());
        }
        let sources = Self {
            settings,
            default: default.clone(),
            offered,
            sandbox_region: std::sync::OnceLock::new(),
            aws_config,
            open: Mutex::new(BTreeMap::new()),
        };
        sources
            .account(Some(&default))
            .await
            .map_err(|e| e.body().message.clone())?;
        Ok(sources)
    }

    /// The source of requests that choose none.
    pub fn default_source(&self) -> &SourceId {
        &self.default
    }

    /// What the source switch offers.
    pub fn list(&self) -> SourceList {
        let sandbox_region = self
            .sandbox_region
            .get()
            .map_or(sandbox::SEED_REGION, String::as_str);
        SourceList {
            default_source: self.default.clone(),
            sources: self
                .offered
                .iter()
                .filter_map(|id| match id {
                    SourceId::Sandbox => Some(SourceOption::sandbox(sandbox_region)),
                    SourceId::Aws { region } => SourceOption::aws(region).ok(),
                })
                .collect(),
        }
    }

    /// The accounts opened so far.
    pub fn opened(&self) -> Vec<Arc<Account>> {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.values()
            .filter_map(|cell| cell.get().cloned())
            .collect()
    }

    /// The account of `chosen` (the default when `None`), opened on first use; a 400 naming
    /// `source` when this server does not offer it.
    pub async fn account(&self, chosen: Option<&SourceId>) -> Result<Arc<Account>, ApiError> {
        let id = chosen.unwrap_or(&self.default);
        if !self.offered.contains(id) {
            return Err(ApiError::invalid_input(
                berth_shared::sources::SOURCE_PARAMETER,
                format!(
                    "this server does not offer the source \"{id}\": choose one it offers \
                     (GET /api/sources lists them), or start berth with --regions to offer \
                     other AWS regions"
                ),
            ));
        }
        let cell = {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(open.entry(id.clone()).or_default())
        };
        cell.get_or_try_init(|| self.open_account(id))
            .await
            .map(Arc::clone)
    }

    async fn open_account(&self, id: &SourceId) -> Result<Arc<Account>, ApiError> {
        let (ecs, ecr): (Arc<dyn EcsApi>, Arc<dyn EcrApi>) = match id {
            SourceId::Sandbox => {
                let path = self.settings.sandbox_path.clone();
                let fleet = self.settings.sandbox_fleet;
                let sandbox = off_workers(move || Sandbox::open_with(&path, crate::now(), fleet))
                    .await?
                    .map_err(|e| {
                        tracing::error!(error = %e, "cannot open the sandbox");
                        ApiError::unavailable(format!("the sandbox cannot be opened: {e}"))
                    })?;
                let _ = self.sandbox_region.set(sandbox.region().to_owned());
                let sandbox = Arc::new(sandbox.run_clock(self.settings.sandbox_pace));
                (sandbox.clone(), sandbox)
            }
            SourceId::Aws { region } => {
                let base = self
                    .aws_config
                    .get_or_init(|| load_config(&self.settings.aws))
                    .await;
                let config = base
                    .to_builder()
                    .region(Region::new(region.clone()))
                    .build();
                let settings = AwsSettings {
                    region: Some(region.clone()),
                    ..self.settings.aws.clone()
                };
                (
                    Arc::new(SdkEcs::new(&config, &settings)),
                    Arc::new(SdkEcr::new(&config)),
                )
            }
        };
        tracing::info!(source = %id, "opened a source");
        Ok(Arc::new(Account::new(
            AllowedClusters::wrap(ecs, &self.settings.clusters),
            ecr,
            self.settings.cache_ttl,
            self.settings.poll_interval,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("berth-sources-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn settings(dir: &std::path::Path, regions: &[&str]) -> SourceSettings {
        SourceSettings {
            aws_default: false,
            sandbox_path: dir.join("sandbox.json"),
            sandbox_pace: Pace::default(),
            sandbox_fleet: DemoFleet::Standard,
            aws: AwsSettings {
                region: None,
                profile: None,
                endpoint_url: Some("http://127.0.0.1:9".to_owned()),
                operation_timeout: Duration::from_secs(2),
            },
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            cache_ttl: Duration::ZERO,
            poll_interval: Duration::from_secs(5),
            clusters: Vec::new(),
        }
    }

    #[tokio::test]
    async fn the_sandbox_is_the_default_and_regions_follow_it() {
        let dir = scratch("default");
        let sources = Accounts::start(settings(&dir, &["eu-west-1", "us-east-1"]))
            .await
            .unwrap();
        let list = sources.list();
        assert_eq!(list.default_source, SourceId::Sandbox);
        let ids: Vec<String> = list.sources.iter().map(|s| s.id.to_string()).collect();
        assert_eq!(ids, ["sandbox", "aws:eu-west-1", "aws:us-east-1"]);
        assert_eq!(list.sources[0].name, "Sandbox (simulated us-east-1)");
        assert_eq!(list.sources[1].name, "Europe (Ireland)");
    }

    #[tokio::test]
    async fn a_source_is_opened_once_and_kept() {
        let dir = scratch("once");
        let sources = Accounts::start(settings(&dir, &["eu-west-1"]))
            .await
            .unwrap();
        let first = sources.account(None).await.unwrap();
        let again = sources.account(Some(&SourceId::Sandbox)).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let ireland = SourceId::aws("eu-west-1").unwrap();
        let (a, b) = tokio::join!(
            sources.account(Some(&ireland)),
            sources.account(Some(&ireland))
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &first));
        assert_eq!(
            a.ecs.info(),
            berth_shared::api::SourceInfo::Aws {
                region: "eu-west-1".to_owned(),
                profile: None,
                endpoint_url: Some("http://127.0.0.1:9".to_owned()),
            }
        );
    }

    #[tokio::test]
    async fn a_source_not_offered_is_refused_naming_the_field() {
        let dir = scratch("refused");
        let sources = Accounts::start(settings(&dir, &["eu-west-1"]))
            .await
            .unwrap();
        let error = sources
            .account(Some(&SourceId::aws("ap-south-1").unwrap()))
            .await
            .unwrap_err();
        assert_eq!(error.status(), axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(error.body().field.as_deref(), Some("source"));
        assert!(error.body().message.contains("aws:ap-south-1"));
    }

    #[tokio::test]
    async fn an_unreadable_sandbox_fails_the_start_and_later_requests_retry() {
        let dir = scratch("unreadable");
        let path = dir.join("sandbox.json");
        std::fs::write(&path, "not json").unwrap();
        let error = Accounts::start(settings(&dir, &[])).await.unwrap_err();
        assert!(error.contains("sandbox"), "{error}");

        let mut on_aws = settings(&dir, &[]);
        on_aws.aws_default = true;
        on_aws.aws.region = Some("eu-west-1".to_owned());
        let sources = Accounts::start(on_aws).await.unwrap();
        assert_eq!(
            sources.default_source(),
            &SourceId::aws("eu-west-1").unwrap()
        );
        let error = sources.account(Some(&SourceId::Sandbox)).await.unwrap_err();
        assert_eq!(error.body().code, berth_shared::api::ErrorCode::Unavailable);
        std::fs::remove_file(&path).unwrap();
        assert!(sources.account(Some(&SourceId::Sandbox)).await.is_ok());
    }
}
