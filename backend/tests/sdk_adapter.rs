//! The AWS adapter ([`SdkEcs`]) against a mocked ECS, through the real SDK client.
//!
//! moto neither paginates nor enforces Describe batch limits, so these tests answer the SDK
//! with `aws-smithy-mocks` rules instead: a small fake ECS that pages List calls with
//! `nextToken` (honouring `maxResults`), records the size of every Describe batch, and answers
//! errors as AWS sends them on the wire (HTTP 400 with an awsJson `__type`), so the SDK's own
//! error parsing and retry classification run. Each test counts the calls per operation and
//! checks them against the minimum ECS allows (docs/ECS-MODEL.md §9.1). Application Auto
//! Scaling is faked the same way, for the services' scaling in a snapshot.

use std::{
    collections::{BTreeMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use aws_sdk_ecs::{
    Client,
    config::retry::RetryConfig,
    operation::{
        describe_clusters::DescribeClustersOutput,
        describe_container_instances::DescribeContainerInstancesOutput,
        describe_services::DescribeServicesOutput, describe_tasks::DescribeTasksOutput,
        list_clusters::ListClustersOutput, list_container_instances::ListContainerInstancesOutput,
        list_services::ListServicesOutput, list_tasks::ListTasksOutput,
    },
    types as sdk,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use berth_backend::{
    EcsApi,
    ecs::sdk::{SdkClients, SdkEcs},
    error::{ApiError, SourceError},
};
use berth_shared::api::SourceInfo;

const ACCOUNT: &str = "arn:aws:ecs:us-east-1:123456789012";
/// ECS's limits (docs/ECS-MODEL.md §9.1).
const LIST_MAX: usize = 100;
const DESCRIBE_CLUSTERS_MAX: usize = 100;
const DESCRIBE_INSTANCES_MAX: usize = 100;
const DESCRIBE_SERVICES_MAX: usize = 10;
const DESCRIBE_TASKS_MAX: usize = 100;

/// Every call the fake answered: operation → the size of each call (ARNs in a Describe
/// batch, `maxResults` of a List page), plus any limit the adapter broke.
#[derive(Debug, Default)]
struct Log {
    calls: Mutex<BTreeMap<&'static str, Vec<usize>>>,
    violations: Mutex<Vec<String>>,
}

impl Log {
    fn record(&self, operation: &'static str, size: usize, limit: usize) {
        if size == 0 || size > limit {
            self.violations
                .lock()
                .unwrap()
                .push(format!("{operation} with {size} (limit 1–{limit})"));
        }
        self.calls
            .lock()
            .unwrap()
            .entry(operation)
            .or_default()
            .push(size);
    }

    fn counts(&self) -> BTreeMap<&'static str, usize> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(operation, sizes)| (*operation, sizes.len()))
            .collect()
    }

    fn sizes(&self, operation: &str) -> Vec<usize> {
        let mut sizes = self
            .calls
            .lock()
            .unwrap()
            .get(operation)
            .cloned()
            .unwrap_or_default();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes
    }

    fn assert_within_limits(&self) {
        let violations = self.violations.lock().unwrap();
        assert!(violations.is_empty(), "ECS limits broken: {violations:?}");
    }
}

/// An account as ECS would page and describe it.
#[derive(Debug, Default)]
struct Fake {
    clusters: Vec<String>,
    instances: Vec<String>,
    services: Vec<String>,
    running: Vec<String>,
    stopped: Vec<String>,
    /// Services of cluster `demo` with a scalable target, each with two policies and one
    /// scheduled action.
    scaled: Vec<String>,
    /// Policies and scheduled actions of another cluster's services in the same namespace.
    foreign: usize,
    log: Log,
}

/// Application Auto Scaling pages hold at most 50 items; DescribeScalableTargets takes the
/// resource ids of one page.
const AUTOSCALING_PAGE_MAX: usize = 50;

impl Fake {
    /// (resource id, name) of every policy (or scheduled action) in the `ecs` namespace.
    fn namespace_items(&self) -> Vec<(String, String)> {
        let ours = self.scaled.iter().flat_map(|service| {
            let resource = format!("service/demo/{service}");
            ["cpu", "memory"].map(|name| (resource.clone(), name.to_owned()))
        });
        let theirs = (0..self.foreign).map(|i| (format!("service/other/svc{i}"), "cpu".to_owned()));
        ours.chain(theirs).collect()
    }
}

/// The rules answering Application Auto Scaling from `fake`.
fn scaling_rules(fake: &Arc<Fake>) -> Vec<Rule> {
    use aws_sdk_applicationautoscaling::{
        Client as Autoscaling,
        operation::{
            describe_scalable_targets::DescribeScalableTargetsOutput,
            describe_scaling_policies::DescribeScalingPoliciesOutput,
            describe_scheduled_actions::DescribeScheduledActionsOutput,
        },
        primitives::DateTime,
        types as aas,
    };
    let f = Arc::clone(fake);
    let targets = mock!(Autoscaling::describe_scalable_targets).then_compute_output(move |req| {
        let asked = req.resource_ids();
        f.log
            .record("DescribeScalableTargets", asked.len(), AUTOSCALING_PAGE_MAX);
        let targets = asked
            .iter()
            .filter(|id| f.scaled.iter().any(|s| **id == format!("service/demo/{s}")))
            .map(|id| {
                aas::ScalableTarget::builder()
                    .service_namespace(aas::ServiceNamespace::Ecs)
                    .resource_id(id)
                    .scalable_dimension(aas::ScalableDimension::EcsServiceDesiredCount)
                    .min_capacity(1)
                    .max_capacity(10)
                    .role_arn("arn:aws:iam::123456789012:role/scaling")
                    .creation_time(DateTime::from_secs(1_700_000_000))
                    .build()
                    .unwrap()
            });
        DescribeScalableTargetsOutput::builder()
            .set_scalable_targets(Some(targets.collect()))
            .build()
    });
    let f = Arc::clone(fake);
    let policies = mock!(Autoscaling::describe_scaling_policies).then_compute_output(move |req| {
        let items: Vec<String> = f
            .namespace_items()
            .into_iter()
            .filter(|(resource, _)| req.resource_id().is_none_or(|id| id == resource))
            .map(|(resource, name)| format!("{resource}|{name}"))
            .collect();
        let (page, next) = autoscaling_page(
            &f.log,
            "DescribeScalingPolicies",
            &items,
            req.next_token(),
            req.max_results(),
        );
        let policies = page.iter().map(|item| {
            let (resource, name) = item.split_once('|').unwrap();
            aas::ScalingPolicy::builder()
                .policy_arn(format!("arn:aws:autoscaling:policy/{resource}/{name}"))
                .policy_name(name)
                .service_namespace(aas::ServiceNamespace::Ecs)
                .resource_id(resource)
                .scalable_dimension(aas::ScalableDimension::EcsServiceDesiredCount)
                .policy_type(aas::PolicyType::TargetTrackingScaling)
                .creation_time(DateTime::from_secs(1_700_000_000))
                .build()
                .unwrap()
        });
        DescribeScalingPoliciesOutput::builder()
            .set_scaling_policies(Some(policies.collect()))
            .set_next_token(next)
            .build()
    });
    let f = Arc::clone(fake);
    let actions = mock!(Autoscaling::describe_scheduled_actions).then_compute_output(move |req| {
        let items: Vec<String> = f
            .namespace_items()
            .into_iter()
            .filter(|(resource, name)| {
                name == "cpu" && req.resource_id().is_none_or(|id| id == resource)
            })
            .map(|(resource, _)| resource)
            .collect();
        let (page, next) = autoscaling_page(
            &f.log,
            "DescribeScheduledActions",
            &items,
            req.next_token(),
            req.max_results(),
        );
        let actions = page.iter().map(|resource| {
            aas::ScheduledAction::builder()
                .scheduled_action_name("nightly")
                .scheduled_action_arn(format!("arn:aws:autoscaling:action/{resource}"))
                .service_namespace(aas::ServiceNamespace::Ecs)
                .schedule("cron(0 22 * * ? *)")
                .resource_id(resource)
                .creation_time(DateTime::from_secs(1_700_000_000))
                .build()
                .unwrap()
        });
        DescribeScheduledActionsOutput::builder()
            .set_scheduled_actions(Some(actions.collect()))
            .set_next_token(next)
            .build()
    });
    vec![targets, policies, actions]
}

/// One Application Auto Scaling page (50 by default and at most), logged with its size.
fn autoscaling_page(
    log: &Log,
    operation: &'static str,
    all: &[String],
    token: Option<&str>,
    max_results: Option<i32>,
) -> (Vec<String>, Option<String>) {
    let start = token.map_or(0, |t| t.parse().expect("a nextToken this fake issued"));
    let size = max_results.map_or(AUTOSCALING_PAGE_MAX, |m| usize::try_from(m).unwrap_or(0));
    log.record(operation, size, AUTOSCALING_PAGE_MAX);
    let end = (start + size.max(1)).min(all.len());
    let next = (end < all.len()).then(|| end.to_string());
    (all[start..end].to_vec(), next)
}

fn cluster_arn(name: &str) -> String {
    format!("{ACCOUNT}:cluster/{name}")
}

fn short(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn arns(kind: &str, prefix: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("{ACCOUNT}:{kind}/demo/{prefix}{i:04}"))
        .collect()
}

/// One page of `all`: `nextToken` is the offset of the next page, as opaque to the adapter as
/// AWS's. Without `maxResults` the page has `default` items, as ECS does.
fn page(
    log: &Log,
    operation: &'static str,
    all: &[String],
    token: Option<&str>,
    max_results: Option<i32>,
    default: usize,
) -> (Vec<String>, Option<String>) {
    let start = token.map_or(0, |t| {
        t.strip_prefix("offset-")
            .and_then(|n| n.parse().ok())
            .expect("a nextToken this fake issued")
    });
    let size = max_results.map_or(default, |m| usize::try_from(m).unwrap_or(0));
    log.record(operation, size, LIST_MAX);
    let end = (start + size.max(1)).min(all.len());
    let next = (end < all.len()).then(|| format!("offset-{end}"));
    (all[start..end].to_vec(), next)
}

/// The rules answering every read of a snapshot and of the cluster list from `fake`.
fn fake_rules(fake: &Arc<Fake>) -> Vec<Rule> {
    let f = Arc::clone(fake);
    let list_clusters = mock!(Client::list_clusters).then_compute_output(move |req| {
        let all: Vec<String> = f.clusters.iter().map(|c| cluster_arn(c)).collect();
        let (arns, next) = page(
            &f.log,
            "ListClusters",
            &all,
            req.next_token(),
            req.max_results(),
            100,
        );
        ListClustersOutput::builder()
            .set_cluster_arns(Some(arns))
            .set_next_token(next)
            .build()
    });
    let f = Arc::clone(fake);
    let describe_clusters = mock!(Client::describe_clusters).then_compute_output(move |req| {
        let asked = req.clusters();
        f.log
            .record("DescribeClusters", asked.len(), DESCRIBE_CLUSTERS_MAX);
        let mut output = DescribeClustersOutput::builder();
        for id in asked {
            let name = short(id);
            if f.clusters.iter().any(|c| c == name) {
                output = output.clusters(
                    sdk::Cluster::builder()
                        .cluster_arn(cluster_arn(name))
                        .cluster_name(name)
                        .status("ACTIVE")
                        .build(),
                );
            } else {
                output = output.failures(
                    sdk::Failure::builder()
                        .arn(cluster_arn(name))
                        .reason("MISSING")
                        .build(),
                );
            }
        }
        output.build()
    });
    let f = Arc::clone(fake);
    let list_instances = mock!(Client::list_container_instances).then_compute_output(move |req| {
        let (arns, next) = page(
            &f.log,
            "ListContainerInstances",
            &f.instances,
            req.next_token(),
            req.max_results(),
            100,
        );
        ListContainerInstancesOutput::builder()
            .set_container_instance_arns(Some(arns))
            .set_next_token(next)
            .build()
    });
    let f = Arc::clone(fake);
    let describe_instances =
        mock!(Client::describe_container_instances).then_compute_output(move |req| {
            let asked = req.container_instances();
            f.log.record(
                "DescribeContainerInstances",
                asked.len(),
                DESCRIBE_INSTANCES_MAX,
            );
            let instances = asked.iter().map(|arn| {
                sdk::ContainerInstance::builder()
                    .container_instance_arn(arn)
                    .status("ACTIVE")
                    .build()
            });
            DescribeContainerInstancesOutput::builder()
                .set_container_instances(Some(instances.collect()))
                .build()
        });
    let f = Arc::clone(fake);
    let list_services = mock!(Client::list_services).then_compute_output(move |req| {
        // ListServices pages 10 services by default (§9.1): the adapter must ask for 100.
        let (arns, next) = page(
            &f.log,
            "ListServices",
            &f.services,
            req.next_token(),
            req.max_results(),
            10,
        );
        ListServicesOutput::builder()
            .set_service_arns(Some(arns))
            .set_next_token(next)
            .build()
    });
    let f = Arc::clone(fake);
    let describe_services = mock!(Client::describe_services).then_compute_output(move |req| {
        let asked = req.services();
        f.log
            .record("DescribeServices", asked.len(), DESCRIBE_SERVICES_MAX);
        let services = asked.iter().map(|arn| {
            sdk::Service::builder()
                .service_arn(arn)
                .service_name(short(arn))
                .status("ACTIVE")
                .build()
        });
        DescribeServicesOutput::builder()
            .set_services(Some(services.collect()))
            .build()
    });
    let f = Arc::clone(fake);
    let list_tasks = mock!(Client::list_tasks).then_compute_output(move |req| {
        let (operation, all) = match req.desired_status() {
            Some(sdk::DesiredStatus::Stopped) => ("ListTasks STOPPED", &f.stopped),
            _ => ("ListTasks RUNNING", &f.running),
        };
        let (arns, next) = page(
            &f.log,
            operation,
            all,
            req.next_token(),
            req.max_results(),
            100,
        );
        ListTasksOutput::builder()
            .set_task_arns(Some(arns))
            .set_next_token(next)
            .build()
    });
    let f = Arc::clone(fake);
    let describe_tasks = mock!(Client::describe_tasks).then_compute_output(move |req| {
        let asked = req.tasks();
        f.log
            .record("DescribeTasks", asked.len(), DESCRIBE_TASKS_MAX);
        let tasks = asked.iter().map(|arn| {
            let status = if f.stopped.contains(arn) {
                "STOPPED"
            } else {
                "RUNNING"
            };
            sdk::Task::builder()
                .task_arn(arn)
                .last_status(status)
                .desired_status(status)
                .build()
        });
        DescribeTasksOutput::builder()
            .set_tasks(Some(tasks.collect()))
            .build()
    });
    vec![
        list_clusters,
        describe_clusters,
        list_instances,
        describe_instances,
        list_services,
        describe_services,
        list_tasks,
        describe_tasks,
    ]
}

/// Retries as [`SdkEcs::connect`] configures them (3 attempts) but with a 1 ms backoff so
/// tests stay fast.
fn fast_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

/// An adapter whose ECS client answers from `rules` (earlier rules win) and whose
/// Application Auto Scaling client answers from `fake`. CloudWatch and CloudWatch Logs have no
/// rules: a snapshot never calls them.
fn adapter(fake: &Arc<Fake>, rules: &[Rule]) -> SdkEcs {
    let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, rules, |config| {
        config.retry_config(fast_retries())
    });
    let autoscaling = mock_client!(
        aws_sdk_applicationautoscaling,
        RuleMode::MatchAny,
        &scaling_rules(fake),
        |config| config.retry_config(fast_retries())
    );
    let cloudwatch = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[]);
    let logs = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[]);
    SdkEcs::from_clients(
        SdkClients {
            ecs,
            autoscaling,
            cloudwatch,
            logs,
        },
        SourceInfo::Aws {
            region: "us-east-1".to_owned(),
            profile: None,
            endpoint_url: None,
        },
    )
}

/// An error as ECS sends it: HTTP 400 with the awsJson 1.1 `__type`.
fn aws_error(code: &str, message: &str) -> String {
    serde_json::json!({ "__type": code, "message": message }).to_string()
}

fn ceil(n: usize, d: usize) -> usize {
    n.div_ceil(d)
}

/// List pages for `n` items at 100 per page: a List call is made even when nothing exists.
fn pages(n: usize) -> usize {
    ceil(n, LIST_MAX).max(1)
}

/// The fewest calls ECS allows for a snapshot of a cluster with `I` container instances, `S`
/// services, `R` running and `P` stopped tasks of which `T` distinct:
/// 1 DescribeClusters
/// + ceil(I/100) ListContainerInstances pages (at least 1) + ceil(I/100) DescribeContainerInstances
/// + ceil(S/100) ListServices pages (at least 1) + ceil(S/10) DescribeServices
/// + ceil(R/100) ListTasks RUNNING pages (at least 1) + ceil(P/100) STOPPED pages (at least 1)
/// + ceil(T/100) DescribeTasks (a task listed both RUNNING and STOPPED is described once)
/// + ceil(S/50) DescribeScalableTargets (none of the services here has a target, so no
///   policies or scheduled actions are asked for).
fn minimum_snapshot_calls(
    instances: usize,
    services: usize,
    running: usize,
    stopped: usize,
    distinct_tasks: usize,
) -> BTreeMap<&'static str, usize> {
    [
        ("DescribeClusters", 1),
        ("ListContainerInstances", pages(instances)),
        (
            "DescribeContainerInstances",
            ceil(instances, DESCRIBE_INSTANCES_MAX),
        ),
        ("ListServices", pages(services)),
        ("DescribeServices", ceil(services, DESCRIBE_SERVICES_MAX)),
        ("ListTasks RUNNING", pages(running)),
        ("ListTasks STOPPED", pages(stopped)),
        ("DescribeTasks", ceil(distinct_tasks, DESCRIBE_TASKS_MAX)),
        (
            "DescribeScalableTargets",
            ceil(services, AUTOSCALING_PAGE_MAX),
        ),
    ]
    .into_iter()
    .filter(|(_, calls)| *calls > 0)
    .collect()
}

fn fleet(instances: usize, services: usize, running: usize, stopped: usize) -> Fake {
    Fake {
        clusters: vec!["demo".to_owned()],
        instances: arns("container-instance", "i", instances),
        services: arns("service", "svc", services),
        running: arns("task", "run", running),
        stopped: arns("task", "stop", stopped),
        ..Fake::default()
    }
}

#[tokio::test]
async fn list_clusters_follows_next_token_and_describes_in_batches_of_100() {
    let fake = Arc::new(Fake {
        clusters: (0..250).map(|i| format!("cluster-{i:03}")).collect(),
        ..Fake::default()
    });
    let ecs = adapter(&fake, &fake_rules(&fake));

    let clusters = ecs.list_clusters().await.expect("list_clusters");

    assert_eq!(clusters.len(), 250);
    let names: Vec<&str> = clusters.iter().map(|c| c.cluster_name.as_str()).collect();
    assert!(names.is_sorted(), "sorted by name");
    assert_eq!(
        names.iter().collect::<HashSet<_>>().len(),
        250,
        "no cluster twice"
    );
    fake.log.assert_within_limits();
    // 250 clusters: 3 ListClusters pages of 100, then 3 DescribeClusters of 100, 100 and 50.
    assert_eq!(
        fake.log.counts(),
        BTreeMap::from([("DescribeClusters", 3), ("ListClusters", 3)])
    );
    assert_eq!(fake.log.sizes("DescribeClusters"), [100, 100, 50]);
}

#[tokio::test]
async fn snapshot_makes_the_minimum_calls_within_batch_limits() {
    let fake = Arc::new(fleet(250, 25, 230, 20));
    let ecs = adapter(&fake, &fake_rules(&fake));

    let snapshot = ecs.cluster_snapshot("demo").await.expect("snapshot");

    assert_eq!(snapshot.cluster.cluster_name, "demo");
    assert_eq!(snapshot.container_instances.len(), 250);
    assert_eq!(snapshot.services.len(), 25);
    assert!(
        snapshot
            .services
            .iter()
            .map(|s| &s.service_name)
            .is_sorted(),
        "services sorted by name"
    );
    assert_eq!(snapshot.tasks.len(), 250);
    let stopped = snapshot
        .tasks
        .iter()
        .filter(|t| t.last_status == "STOPPED")
        .count();
    assert_eq!(
        stopped, 20,
        "recently stopped tasks are part of the snapshot"
    );
    fake.log.assert_within_limits();
    // 1 + (3 + 3) + (1 + 3) + (3 + 1) + 3 + 1 = 19 calls.
    assert_eq!(
        fake.log.counts(),
        minimum_snapshot_calls(250, 25, 230, 20, 250)
    );
    assert_eq!(fake.log.counts().values().sum::<usize>(), 19);
    assert_eq!(fake.log.sizes("DescribeTasks"), [100, 100, 50]);
    assert_eq!(fake.log.sizes("DescribeServices"), [10, 10, 5]);
    assert_eq!(fake.log.sizes("DescribeContainerInstances"), [100, 100, 50]);
    assert_eq!(
        fake.log.sizes("ListServices"),
        [100],
        "asks for full pages, not ECS's 10"
    );
}

#[tokio::test]
async fn snapshot_describes_a_task_listed_both_running_and_stopped_once() {
    // A task that stops between the RUNNING and the STOPPED listing appears in both.
    let mut fake = fleet(3, 2, 150, 50);
    let moved = fake.running[42].clone();
    fake.stopped.insert(0, moved.clone());
    let fake = Arc::new(fake);
    let ecs = adapter(&fake, &fake_rules(&fake));

    let snapshot = ecs.cluster_snapshot("demo").await.expect("snapshot");

    let task_arns: Vec<&str> = snapshot.tasks.iter().map(|t| t.task_arn.as_str()).collect();
    assert_eq!(task_arns.len(), 200, "each task once");
    assert_eq!(task_arns.iter().collect::<HashSet<_>>().len(), 200);
    assert!(task_arns.contains(&moved.as_str()));
    fake.log.assert_within_limits();
    // 200 distinct tasks: 2 DescribeTasks, not 3.
    assert_eq!(
        fake.log.counts(),
        minimum_snapshot_calls(3, 2, 150, 51, 200)
    );
    assert_eq!(fake.log.sizes("DescribeTasks"), [100, 100]);
}

#[tokio::test]
async fn empty_cluster_snapshot_lists_once_per_kind_and_describes_nothing() {
    // ECS rejects an empty Describe batch, so none may be sent.
    let fake = Arc::new(fleet(0, 0, 0, 0));
    let ecs = adapter(&fake, &fake_rules(&fake));

    let snapshot = ecs.cluster_snapshot("demo").await.expect("snapshot");

    assert!(snapshot.container_instances.is_empty() && snapshot.services.is_empty());
    assert!(snapshot.tasks.is_empty());
    fake.log.assert_within_limits();
    assert_eq!(fake.log.counts(), minimum_snapshot_calls(0, 0, 0, 0, 0));
    assert_eq!(fake.log.counts().values().sum::<usize>(), 5);
}

#[tokio::test]
async fn throttling_is_retried_until_success() {
    let fake = Arc::new(Fake {
        clusters: vec!["demo".to_owned()],
        ..Fake::default()
    });
    let throttled_twice = mock!(Client::list_clusters)
        .sequence()
        .http_status(400, Some(aws_error("ThrottlingException", "Rate exceeded")))
        .times(2)
        .output(|| {
            ListClustersOutput::builder()
                .cluster_arns(cluster_arn("demo"))
                .build()
        })
        .build();
    let mut rules = vec![throttled_twice.clone()];
    rules.extend(fake_rules(&fake));
    let ecs = adapter(&fake, &rules);

    let clusters = ecs
        .list_clusters()
        .await
        .expect("succeeds on the third attempt");

    assert_eq!(clusters.len(), 1);
    assert_eq!(
        throttled_twice.num_calls(),
        3,
        "two throttled attempts, then success"
    );
    assert_eq!(fake.log.counts(), BTreeMap::from([("DescribeClusters", 1)]));
}

#[tokio::test]
async fn persistent_throttling_is_a_retryable_429() {
    let always_throttled = mock!(Client::describe_services)
        .sequence()
        .http_status(400, Some(aws_error("ThrottlingException", "Rate exceeded")))
        .repeatedly()
        .build();
    let fake = Arc::new(fleet(1, 1, 1, 0));
    let mut rules = vec![always_throttled.clone()];
    rules.extend(fake_rules(&fake));
    let ecs = adapter(&fake, &rules);

    let error = ecs.cluster_snapshot("demo").await.expect_err("throttled");

    assert_eq!(
        error,
        SourceError::Throttled {
            action: "ecs:DescribeServices".to_owned(),
            message: "Rate exceeded".to_owned(),
        }
    );
    assert_eq!(
        always_throttled.num_calls(),
        3,
        "the SDK's 3 attempts, then give up"
    );
    let api = ApiError::from(error);
    assert_eq!(api.status().as_u16(), 429);
    assert!(api.body().retryable);
}

/// The not-found error a snapshot of `asked` ends with when `rule` answers first.
async fn snapshot_not_found(fake: &Arc<Fake>, rule: Option<Rule>, asked: &str) -> SourceError {
    let mut rules: Vec<Rule> = rule.into_iter().collect();
    rules.extend(fake_rules(fake));
    adapter(fake, &rules)
        .cluster_snapshot(asked)
        .await
        .expect_err("not found")
}

#[tokio::test]
async fn missing_and_vanished_clusters_are_not_found_by_the_name_asked() {
    let fake = Arc::new(fleet(0, 0, 0, 0));
    // A cluster deleted after DescribeClusters answers ClusterNotFoundException to the lists.
    let vanished = mock!(Client::list_tasks)
        .sequence()
        .http_status(
            400,
            Some(aws_error("ClusterNotFoundException", "Cluster not found.")),
        )
        .repeatedly()
        .build();
    let cases = [
        // DescribeClusters reports an unknown cluster as a MISSING failure.
        (None, "nope"),
        (Some(vanished.clone()), "demo"),
    ];
    for (rule, asked) in cases {
        let error = snapshot_not_found(&fake, rule, asked).await;
        assert_eq!(
            error,
            SourceError::NotFound {
                kind: "cluster",
                name: asked.to_owned(),
            }
        );
        let api = ApiError::from(error);
        assert_eq!(api.status().as_u16(), 404);
        assert_eq!(
            api.body().message,
            format!("cluster {asked:?} was not found")
        );
    }
    assert_eq!(vanished.num_calls(), 1, "not retried");
}

#[tokio::test]
async fn updating_a_missing_service_or_cluster_names_the_one_asked_for() {
    let cases = [
        (
            "ServiceNotFoundException",
            "Service not found.",
            "service",
            "web",
        ),
        (
            "ServiceNotActiveException",
            "Service was not ACTIVE.",
            "service",
            "web",
        ),
        (
            "ClusterNotFoundException",
            "Cluster not found.",
            "cluster",
            "prod",
        ),
    ];
    for (code, message, kind, name) in cases {
        let answer = mock!(Client::update_service)
            .match_requests(|input| {
                input.cluster() == Some("prod") && input.service() == Some("web")
            })
            .sequence()
            .http_status(400, Some(aws_error(code, message)))
            .build();
        let fake = Arc::new(Fake::default());
        let error = adapter(&fake, &[answer])
            .update_service("prod", "web", berth_shared::api::ServiceUpdate::default())
            .await
            .expect_err(code);
        assert_eq!(
            error,
            SourceError::NotFound {
                kind,
                name: name.to_owned(),
            },
            "{code}"
        );
    }
}

#[tokio::test]
async fn access_denied_names_the_action() {
    let message = "User: arn:aws:iam::123456789012:user/viewer is not authorized to perform: \
                   ecs:DescribeServices on resource: * because no identity-based policy allows it";
    let denied = mock!(Client::describe_services)
        .sequence()
        .http_status(400, Some(aws_error("AccessDeniedException", message)))
        .repeatedly()
        .build();
    let fake = Arc::new(fleet(1, 3, 1, 0));
    let mut rules = vec![denied.clone()];
    rules.extend(fake_rules(&fake));

    let error = adapter(&fake, &rules)
        .cluster_snapshot("demo")
        .await
        .expect_err("denied");

    assert_eq!(
        error,
        SourceError::AccessDenied {
            action: "ecs:DescribeServices".to_owned(),
            message: message.to_owned(),
        }
    );
    assert_eq!(denied.num_calls(), 1, "not retried");
    let api = ApiError::from(error);
    assert_eq!(api.status().as_u16(), 403);
    assert!(
        api.body().message.contains("ecs:DescribeServices"),
        "{}",
        api.body().message
    );
}

#[tokio::test]
async fn invalid_parameter_keeps_the_aws_message() {
    let message = "maxResults must be between 1 and 100.";
    let rejected = mock!(Client::list_container_instances)
        .sequence()
        .http_status(400, Some(aws_error("InvalidParameterException", message)))
        .repeatedly()
        .build();
    let fake = Arc::new(fleet(1, 1, 1, 0));
    let mut rules = vec![rejected];
    rules.extend(fake_rules(&fake));

    let error = adapter(&fake, &rules)
        .cluster_snapshot("demo")
        .await
        .expect_err("rejected");

    assert_eq!(error, SourceError::InvalidParameter(message.to_owned()));
    let api = ApiError::from(error);
    assert_eq!(api.status().as_u16(), 400);
    assert_eq!(api.body().message, message);
}

#[tokio::test]
async fn server_errors_are_retried_then_a_retryable_503_and_expired_credentials_a_401() {
    let server_error = |code: &str| aws_error(code, "We encountered an internal error.");
    // (HTTP status, body, the SDK's attempts, Berth's status, retryable, the message says)
    let cases = [
        (
            500,
            Some(server_error("ServerException")),
            3,
            503,
            true,
            "server error (ServerException)",
        ),
        (
            503,
            Some(server_error("ServiceUnavailableException")),
            3,
            503,
            true,
            "server error (ServiceUnavailableException)",
        ),
        (502, None, 3, 503, true, "server error (HTTP 502)"),
        (
            400,
            Some(aws_error(
                "ExpiredTokenException",
                "The security token included in the request is expired",
            )),
            1,
            401,
            false,
            "aws sso login",
        ),
    ];
    for (http_status, body, attempts, status, retryable, says) in cases {
        let failing = mock!(Client::list_clusters)
            .sequence()
            .http_status(http_status, body.clone())
            .repeatedly()
            .build();
        let fake = Arc::new(Fake::default());
        let error = adapter(&fake, std::slice::from_ref(&failing))
            .list_clusters()
            .await
            .expect_err("fails");

        assert_eq!(failing.num_calls(), attempts, "{http_status} {body:?}");
        let api = ApiError::from(error);
        assert_eq!(api.status().as_u16(), status, "{http_status} {body:?}");
        assert_eq!(api.body().retryable, retryable, "{http_status} {body:?}");
        assert!(
            api.body().message.contains(says),
            "{http_status}: {}",
            api.body().message
        );
    }
}

#[tokio::test]
async fn stopping_a_task_ecs_does_not_know_is_a_404_naming_the_task() {
    let unknown = mock!(Client::stop_task)
        .match_requests(|input| input.cluster() == Some("demo") && input.task() == Some("0f9a"))
        .sequence()
        .http_status(
            400,
            Some(aws_error(
                "InvalidParameterException",
                "The referenced task was not found.",
            )),
        )
        .build();
    let fake = Arc::new(Fake::default());

    let error = adapter(&fake, &[unknown])
        .stop_task("demo", "0f9a", berth_shared::api::StopTask::default())
        .await
        .expect_err("not found");

    assert_eq!(
        error,
        SourceError::NotFound {
            kind: "task",
            name: "0f9a".to_owned(),
        }
    );
    let api = ApiError::from(error);
    assert_eq!(api.status().as_u16(), 404);
    assert_eq!(api.body().message, "task \"0f9a\" was not found");
}

#[tokio::test]
async fn scaling_asks_for_targets_in_pages_of_50_then_lists_the_namespace_once() {
    let mut fake = fleet(1, 120, 0, 0);
    fake.scaled = ["svc0003", "svc0042", "svc0101"]
        .map(str::to_owned)
        .to_vec();
    fake.foreign = 60;
    let fake = Arc::new(fake);
    let ecs = adapter(&fake, &fake_rules(&fake));

    let snapshot = ecs.cluster_snapshot("demo").await.expect("snapshot");

    fake.log.assert_within_limits();
    assert_eq!(fake.log.sizes("DescribeScalableTargets"), [50, 50, 20]);
    // 3 × 2 of ours + 60 of the other cluster's = 66 policies: 2 pages; 63 actions: 2 pages.
    assert_eq!(fake.log.sizes("DescribeScalingPolicies"), [50, 50]);
    assert_eq!(fake.log.sizes("DescribeScheduledActions"), [50, 50]);
    let summary: Vec<(&str, usize, usize)> = snapshot
        .scaling
        .iter()
        .map(|s| {
            (
                s.service_name.as_str(),
                s.scaling_policies.len(),
                s.scheduled_actions.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("svc0003", 2, 1), ("svc0042", 2, 1), ("svc0101", 2, 1)]
    );
    assert!(
        snapshot
            .scaling
            .iter()
            .flat_map(|s| &s.scaling_policies)
            .all(|p| p.resource_id.starts_with("service/demo/")),
        "other clusters' policies are left out"
    );
}

#[tokio::test]
async fn one_scaled_service_is_asked_about_by_its_resource_id() {
    let mut fake = fleet(1, 4, 0, 0);
    fake.scaled = vec!["svc0002".to_owned()];
    fake.foreign = 120;
    let fake = Arc::new(fake);
    let ecs = adapter(&fake, &fake_rules(&fake));

    let snapshot = ecs.cluster_snapshot("demo").await.expect("snapshot");

    // Filtered by resource id, the other cluster's 120 policies never page through.
    let counts = fake.log.counts();
    assert_eq!(counts.get("DescribeScalingPolicies"), Some(&1));
    assert_eq!(counts.get("DescribeScheduledActions"), Some(&1));
    assert_eq!(snapshot.scaling.len(), 1);
    assert_eq!(
        snapshot.scaling[0].scalable_target.resource_id,
        "service/demo/svc0002"
    );
    assert_eq!(snapshot.scaling[0].scaling_policies.len(), 2);
}
