//! The AWS implementation of [`EcsApi`]: a thin adapter over `aws-sdk-ecs`, with
//! Application Auto Scaling ([`scaling`]) and CloudWatch ([`metrics`]) for how services scale,
//! and CloudWatch Logs ([`logs`]) for what their containers write.
//!
//! It is configured from [`crate::aws::AwsSettings`] like every SDK adapter, so every call has
//! a connect timeout and an overall timeout (an unreachable endpoint becomes a clear
//! [`SourceError::Unavailable`] instead of a hang), and throttling is retried by the SDK's
//! standard retry policy before it is reported. SDK shapes are read in [`from_sdk`] and built
//! in [`to_sdk`]; task definitions, whose documents are large, have their own [`task_definitions`].
//!
//! List calls are paginated until the last page; Describe calls are batched at ECS's maxima.

use async_trait::async_trait;
use aws_sdk_ecs::operation::RequestId;
use aws_sdk_ecs::{Client, types::ClusterField};
use berth_shared::{
    api::{
        ClusterReservation, ClusterSnapshot, CreateService, Failure, Mutation, RunTask,
        RunTaskResult, ScalingBounds, ServiceUpdate, SourceInfo, StopTask, TaskDefinitionFamily,
        TaskDefinitionRevision,
    },
    autoscaling::{MetricsWindow, ScalableTarget, ServiceMetrics, ServiceScaling},
    ecs::{Cluster, ContainerInstance, Service, Task, TaskDefinition},
    logs::{LogLocation, LogPage},
    time::Timestamp,
};

use crate::{
    aws::{Asked, AwsSettings, FALLBACK_REGION, all_pages, load_config, map_sdk_error},
    ecs::{EcsApi, group_families},
    error::SourceError,
    metrics::AwsCalls,
};

mod from_sdk;
mod logs;
mod metrics;
mod scaling;
mod task_definitions;
mod to_sdk;

/// DescribeClusters accepts at most 100 clusters per call.
const DESCRIBE_CLUSTERS_BATCH: usize = 100;
/// DescribeContainerInstances and DescribeTasks accept at most 100 ARNs per call.
const DESCRIBE_INSTANCES_BATCH: usize = 100;
const DESCRIBE_TASKS_BATCH: usize = 100;
/// DescribeServices accepts at most 10 services per call.
const DESCRIBE_SERVICES_BATCH: usize = 10;
/// List calls return at most 100 ARNs per page.
const LIST_PAGE_SIZE: i32 = 100;
/// Describe batches of one listing in flight at once. A 2,000-task snapshot sends 20
/// DescribeTasks; ECS's read buckets hold 50–100 calls (docs/ECS-MODEL.md §9.2).
const DESCRIBE_CONCURRENCY: usize = 8;

/// The SDK clients an ECS account is read through: ECS itself, Application Auto Scaling (how
/// services scale), CloudWatch (service utilization) and CloudWatch Logs (containers' lines).
#[derive(Debug, Clone)]
pub struct SdkClients {
    /// ECS.
    pub ecs: Client,
    /// Application Auto Scaling.
    pub autoscaling: aws_sdk_applicationautoscaling::Client,
    /// CloudWatch.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

impl SdkClients {
    /// All four clients over one configuration.
    /// Each counts and logs its calls ([`AwsCalls`]).
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            ecs: Client::from_conf(
                aws_sdk_ecs::config::Builder::from(config)
                    .interceptor(AwsCalls)
                    .build(),
            ),
            autoscaling: aws_sdk_applicationautoscaling::Client::from_conf(
                aws_sdk_applicationautoscaling::config::Builder::from(config)
                    .interceptor(AwsCalls)
                    .build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(config)
                    .interceptor(AwsCalls)
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(config)
                    .interceptor(AwsCalls)
                    .build(),
            ),
        }
    }
}

/// ECS through the official SDK.
#[derive(Debug, Clone)]
pub struct SdkEcs {
    client: Client,
    autoscaling: aws_sdk_applicationautoscaling::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    info: SourceInfo,
}

impl SdkEcs {
    /// Resolves configuration the way the AWS CLI does and builds the clients.
    pub async fn connect(settings: &AwsSettings) -> Self {
        Self::new(&load_config(settings).await, settings)
    }

    /// ECS over an already loaded configuration (shared with the ECR source).
    pub fn new(config: &aws_config::SdkConfig, settings: &AwsSettings) -> Self {
        let region = config
            .region()
            .map_or_else(|| FALLBACK_REGION.to_owned(), ToString::to_string);
        Self::from_clients(
            SdkClients::new(config),
            SourceInfo::Aws {
                region,
                profile: settings.profile.clone(),
                endpoint_url: settings.endpoint_url.clone(),
            },
        )
    }

    /// An adapter over existing clients (tests build them with mocked responses).
    pub fn from_clients(clients: SdkClients, info: SourceInfo) -> Self {
        Self {
            client: clients.ecs,
            autoscaling: clients.autoscaling,
            cloudwatch: clients.cloudwatch,
            logs: clients.logs,
            info,
        }
    }

    /// The clusters named (by name or ARN). Those ECS reports as failures (MISSING: never
    /// existed, or deleted since they were listed) are left out and logged; the caller
    /// decides whether a missing one is an error.
    async fn describe_clusters(&self, names: &[String]) -> Result<Vec<Cluster>, SourceError> {
        describe_in_batches(names, DESCRIBE_CLUSTERS_BATCH, |batch| {
            let request = self
                .client
                .describe_clusters()
                .set_clusters(Some(batch))
                .include(ClusterField::Statistics)
                .include(ClusterField::Settings)
                .include(ClusterField::Tags);
            async move {
                let output = request
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("ecs:DescribeClusters", &[], e))?;
                for failure in output.failures() {
                    tracing::debug!(reason = ?failure.reason(), arn = ?failure.arn(), "DescribeClusters failure");
                }
                Ok(output.clusters().iter().map(from_sdk::cluster).collect())
            }
        })
        .await
    }
}

#[async_trait]
impl EcsApi for SdkEcs {
    fn info(&self) -> SourceInfo {
        self.info.clone()
    }

    async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError> {
        let arns = all_pages(|next_token| async move {
            let page = self
                .client
                .list_clusters()
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| map_sdk_error("ecs:ListClusters", &[], e))?;
            Ok((
                page.cluster_arns().to_vec(),
                page.next_token().map(str::to_owned),
            ))
        })
        .await?;
        let mut clusters = self.describe_clusters(&arns).await?;
        clusters.sort_by(|a, b| a.cluster_name.cmp(&b.cluster_name));
        Ok(clusters)
    }

    /// The cluster and its listings are read at the same time (the List calls accept the
    /// cluster's name as well as its ARN), saving a round trip; a missing cluster is
    /// reported as not found by whichever call notices first. The services' scalable
    /// targets are asked for as soon as the services are listed, beside DescribeServices.
    async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError> {
        let names = [name.to_owned()];
        let (clusters, container_instances, (services, scaling), tasks) = tokio::try_join!(
            self.describe_clusters(&names),
            self.container_instances(name),
            self.services_and_scaling(name),
            self.tasks(name),
        )?;
        let cluster = clusters
            .into_iter()
            .find(|c| c.status != "INACTIVE")
            .ok_or_else(|| SourceError::NotFound {
                kind: "cluster",
                name: name.to_owned(),
            })?;
        Ok(ClusterSnapshot {
            cluster,
            container_instances,
            services,
            tasks,
            scaling,
            fetched_at: crate::now(),
        })
    }

    async fn cluster_reservations(
        &self,
        cluster_names: &[String],
        now: Timestamp,
    ) -> Result<Vec<ClusterReservation>, SourceError> {
        let names: Vec<&str> = cluster_names.iter().map(|n| last_segment(n)).collect();
        metrics::cluster_reservations(&self.cloudwatch, &names, now).await
    }

    async fn service_metrics(
        &self,
        cluster: &str,
        service: &str,
        minutes: i64,
        now: Timestamp,
    ) -> Result<ServiceMetrics, SourceError> {
        metrics::service_metrics(
            &self.cloudwatch,
            last_segment(cluster),
            last_segment(service),
            MetricsWindow::ending_at(now, minutes),
        )
        .await
    }

    async fn log_events(
        &self,
        location: &LogLocation,
        token: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, SourceError> {
        logs::log_events(&self.logs, location, token, limit).await
    }

    async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError> {
        let mut revisions = Vec::new();
        for status in [
            aws_sdk_ecs::types::TaskDefinitionStatus::Active,
            aws_sdk_ecs::types::TaskDefinitionStatus::Inactive,
        ] {
            let arns = all_pages(|next_token| {
                let request = self
                    .client
                    .list_task_definitions()
                    .status(status.clone())
                    .max_results(LIST_PAGE_SIZE)
                    .set_next_token(next_token);
                async move {
                    let page = request
                        .send()
                        .await
                        .map_err(|e| map_sdk_error("ecs:ListTaskDefinitions", &[], e))?;
                    Ok((
                        page.task_definition_arns().to_vec(),
                        page.next_token().map(str::to_owned),
                    ))
                }
            })
            .await?;
            for arn in &arns {
                let Some((family, revision)) = berth_shared::ecs::short_id(arn).rsplit_once(':')
                else {
                    continue;
                };
                let revision = TaskDefinitionRevision {
                    task_definition_arn: arn.clone(),
                    revision: revision.parse().unwrap_or(0),
                    status: status.as_str().to_owned(),
                };
                revisions.push((family.to_owned(), revision));
            }
        }
        Ok(group_families(revisions))
    }

    async fn describe_task_definition(&self, id: &str) -> Result<TaskDefinition, SourceError> {
        let output = self
            .client
            .describe_task_definition()
            .task_definition(id)
            .send()
            .await
            .map_err(
                |e| match map_sdk_error("ecs:DescribeTaskDefinition", &[], e) {
                    SourceError::InvalidParameter(message)
                        if message.contains("Unable to describe") =>
                    {
                        SourceError::NotFound {
                            kind: "task definition",
                            name: id.to_owned(),
                        }
                    }
                    other => other,
                },
            )?;
        output
            .task_definition()
            .map(task_definitions::from_sdk)
            .ok_or_else(|| SourceError::NotFound {
                kind: "task definition",
                name: id.to_owned(),
            })
    }

    async fn register_task_definition(
        &self,
        definition: TaskDefinition,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        let output = task_definitions::register_request(
            self.client.register_task_definition(),
            &definition,
        )?
        .send()
        .await
        .map_err(|e| map_sdk_error("ecs:RegisterTaskDefinition", &[], e))?;
        mutation(
            &output,
            output.task_definition().map(task_definitions::from_sdk),
            || answered_without("RegisterTaskDefinition", "task definition"),
        )
    }

    async fn deregister_task_definition(
        &self,
        id: &str,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        let output = self
            .client
            .deregister_task_definition()
            .task_definition(id)
            .send()
            .await
            .map_err(|e| map_sdk_error("ecs:DeregisterTaskDefinition", &[], e))?;
        mutation(
            &output,
            output.task_definition().map(task_definitions::from_sdk),
            || SourceError::NotFound {
                kind: "task definition",
                name: id.to_owned(),
            },
        )
    }

    async fn create_service(
        &self,
        cluster: &str,
        request: CreateService,
    ) -> Result<Mutation<Service>, SourceError> {
        let output = self
            .client
            .create_service()
            .cluster(cluster)
            .service_name(&request.service_name)
            .task_definition(&request.task_definition)
            .desired_count(to_sdk::integer(request.desired_count, "desiredCount")?)
            .set_launch_type(
                request
                    .launch_type
                    .as_deref()
                    .map(aws_sdk_ecs::types::LaunchType::from),
            )
            .set_capacity_provider_strategy(to_sdk::capacity_providers(
                &request.capacity_provider_strategy,
            )?)
            .set_scheduling_strategy(
                request
                    .scheduling_strategy
                    .as_deref()
                    .map(aws_sdk_ecs::types::SchedulingStrategy::from),
            )
            .set_placement_strategy(to_sdk::strategies(&request.placement_strategy))
            .set_placement_constraints(to_sdk::constraints(&request.placement_constraints))
            .set_network_configuration(to_sdk::network(request.network_configuration.as_ref())?)
            .set_deployment_configuration(to_sdk::deployment(
                request.deployment_configuration.as_ref(),
            )?)
            .set_load_balancers(to_sdk::load_balancers(&request.load_balancers)?)
            .set_service_registries(to_sdk::service_registries(&request.service_registries)?)
            .set_client_token(request.client_token.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error("ecs:CreateService", &[Asked::Cluster(cluster)], e))?;
        mutation(&output, output.service().map(from_sdk::service), || {
            answered_without("CreateService", "service")
        })
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
    ) -> Result<Mutation<Service>, SourceError> {
        let output = self
            .client
            .update_service()
            .cluster(cluster)
            .service(service)
            .set_desired_count(
                update
                    .desired_count
                    .map(|c| to_sdk::integer(c, "desiredCount"))
                    .transpose()?,
            )
            .set_task_definition(update.task_definition.clone())
            .force_new_deployment(update.force_new_deployment)
            .set_deployment_configuration(to_sdk::deployment(
                update.deployment_configuration.as_ref(),
            )?)
            .set_capacity_provider_strategy(match &update.capacity_provider_strategy {
                Some(strategy) => to_sdk::capacity_providers(strategy)?,
                None => None,
            })
            .send()
            .await
            .map_err(|e| {
                map_sdk_error(
                    "ecs:UpdateService",
                    &[Asked::Cluster(cluster), Asked::Service(service)],
                    e,
                )
            })?;
        mutation(&output, output.service().map(from_sdk::service), || {
            answered_without("UpdateService", "service")
        })
    }

    async fn register_scalable_target(
        &self,
        cluster: &str,
        service: &str,
        bounds: ScalingBounds,
    ) -> Result<Mutation<ScalableTarget>, SourceError> {
        scaling::register_bounds(
            &self.autoscaling,
            last_segment(cluster),
            last_segment(service),
            bounds,
        )
        .await
    }

    async fn run_task(
        &self,
        cluster: &str,
        request: RunTask,
    ) -> Result<Mutation<RunTaskResult>, SourceError> {
        let output = self
            .client
            .run_task()
            .cluster(cluster)
            .task_definition(&request.task_definition)
            .count(to_sdk::integer(request.count, "count")?)
            .set_group(request.group.clone())
            .set_started_by(request.started_by.clone())
            .set_launch_type(
                request
                    .launch_type
                    .as_deref()
                    .map(aws_sdk_ecs::types::LaunchType::from),
            )
            .set_capacity_provider_strategy(to_sdk::capacity_providers(
                &request.capacity_provider_strategy,
            )?)
            .set_placement_strategy(to_sdk::strategies(&request.placement_strategy))
            .set_placement_constraints(to_sdk::constraints(&request.placement_constraints))
            .set_network_configuration(to_sdk::network(request.network_configuration.as_ref())?)
            .set_client_token(request.client_token.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error("ecs:RunTask", &[Asked::Cluster(cluster)], e))?;
        Ok(Mutation {
            resource: RunTaskResult {
                tasks: output.tasks().iter().map(from_sdk::task).collect(),
                failures: output
                    .failures()
                    .iter()
                    .map(|f| Failure {
                        arn: f.arn().map(str::to_owned),
                        reason: f.reason().unwrap_or_default().to_owned(),
                        detail: f.detail().map(str::to_owned),
                    })
                    .collect(),
            },
            request_id: output.request_id().map(str::to_owned),
        })
    }

    async fn stop_task(
        &self,
        cluster: &str,
        task: &str,
        request: StopTask,
    ) -> Result<Mutation<Task>, SourceError> {
        let output = self
            .client
            .stop_task()
            .cluster(cluster)
            .task(task)
            .set_reason(request.reason.clone())
            .send()
            .await
            .map_err(|e| {
                map_sdk_error(
                    "ecs:StopTask",
                    &[Asked::Cluster(cluster), Asked::Task(task)],
                    e,
                )
            })?;
        mutation(&output, output.task().map(from_sdk::task), || {
            SourceError::NotFound {
                kind: "task",
                name: task.to_owned(),
            }
        })
    }
}

impl SdkEcs {
    async fn container_instances(
        &self,
        cluster: &str,
    ) -> Result<Vec<ContainerInstance>, SourceError> {
        let arns = all_pages(|next_token| async move {
            let page = self
                .client
                .list_container_instances()
                .cluster(cluster)
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| {
                    map_sdk_error("ecs:ListContainerInstances", &[Asked::Cluster(cluster)], e)
                })?;
            Ok((
                page.container_instance_arns().to_vec(),
                page.next_token().map(str::to_owned),
            ))
        })
        .await?;
        describe_in_batches(&arns, DESCRIBE_INSTANCES_BATCH, |batch| {
            let request = self
                .client
                .describe_container_instances()
                .cluster(cluster)
                .set_container_instances(Some(batch))
                .include(aws_sdk_ecs::types::ContainerInstanceField::ContainerInstanceHealth);
            let cluster = cluster.to_owned();
            async move {
                let output = request.send().await.map_err(|e| {
                    map_sdk_error(
                        "ecs:DescribeContainerInstances",
                        &[Asked::Cluster(&cluster)],
                        e,
                    )
                })?;
                Ok(output
                    .container_instances()
                    .iter()
                    .map(from_sdk::container_instance)
                    .collect())
            }
        })
        .await
    }

    /// The services and, once they are listed and at the same time as DescribeServices,
    /// their scaling.
    async fn services_and_scaling(
        &self,
        cluster: &str,
    ) -> Result<(Vec<Service>, Vec<ServiceScaling>), SourceError> {
        let arns = self.service_arns(cluster).await?;
        let names: Vec<String> = arns
            .iter()
            .map(|arn| last_segment(arn).to_owned())
            .collect();
        tokio::try_join!(
            self.describe_services(cluster, &arns),
            scaling::services_scaling(&self.autoscaling, last_segment(cluster), &names),
        )
    }

    async fn service_arns(&self, cluster: &str) -> Result<Vec<String>, SourceError> {
        all_pages(|next_token| async move {
            let page = self
                .client
                .list_services()
                .cluster(cluster)
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| map_sdk_error("ecs:ListServices", &[Asked::Cluster(cluster)], e))?;
            Ok((
                page.service_arns().to_vec(),
                page.next_token().map(str::to_owned),
            ))
        })
        .await
    }

    async fn describe_services(
        &self,
        cluster: &str,
        arns: &[String],
    ) -> Result<Vec<Service>, SourceError> {
        let mut services = describe_in_batches(arns, DESCRIBE_SERVICES_BATCH, |batch| {
            let request = self
                .client
                .describe_services()
                .cluster(cluster)
                .set_services(Some(batch));
            let cluster = cluster.to_owned();
            async move {
                let output = request.send().await.map_err(|e| {
                    map_sdk_error("ecs:DescribeServices", &[Asked::Cluster(&cluster)], e)
                })?;
                Ok(output.services().iter().map(from_sdk::service).collect())
            }
        })
        .await?;
        services.sort_by(|a, b| a.service_name.cmp(&b.service_name));
        Ok(services)
    }

    /// Running and pending tasks, then recently stopped ones (ECS keeps them about an hour).
    /// Both listings run at once; a task that stops between them appears in both and is
    /// described once.
    async fn tasks(&self, cluster: &str) -> Result<Vec<Task>, SourceError> {
        let (running, stopped) = tokio::try_join!(
            self.task_arns(cluster, aws_sdk_ecs::types::DesiredStatus::Running),
            self.task_arns(cluster, aws_sdk_ecs::types::DesiredStatus::Stopped),
        )?;
        let mut seen = std::collections::HashSet::new();
        let arns: Vec<String> = running
            .into_iter()
            .chain(stopped)
            .filter(|arn| seen.insert(arn.clone()))
            .collect();
        describe_in_batches(&arns, DESCRIBE_TASKS_BATCH, |batch| {
            let request = self
                .client
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(batch))
                .include(aws_sdk_ecs::types::TaskField::Tags);
            let cluster = cluster.to_owned();
            async move {
                let output = request.send().await.map_err(|e| {
                    map_sdk_error("ecs:DescribeTasks", &[Asked::Cluster(&cluster)], e)
                })?;
                Ok(output.tasks().iter().map(from_sdk::task).collect())
            }
        })
        .await
    }

    /// Every task ARN with one desired status, page by page.
    async fn task_arns(
        &self,
        cluster: &str,
        desired: aws_sdk_ecs::types::DesiredStatus,
    ) -> Result<Vec<String>, SourceError> {
        all_pages(|next_token| {
            let request = self
                .client
                .list_tasks()
                .cluster(cluster)
                .desired_status(desired.clone())
                .max_results(LIST_PAGE_SIZE)
                .set_next_token(next_token);
            async move {
                let page = request
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("ecs:ListTasks", &[Asked::Cluster(cluster)], e))?;
                Ok((
                    page.task_arns().to_vec(),
                    page.next_token().map(str::to_owned),
                ))
            }
        })
        .await
    }
}

/// A change's answer: the changed resource with AWS's request id, or `missing` when AWS
/// answered without the resource.
fn mutation<T>(
    output: &impl RequestId,
    resource: Option<T>,
    missing: impl FnOnce() -> SourceError,
) -> Result<Mutation<T>, SourceError> {
    Ok(Mutation {
        resource: resource.ok_or_else(missing)?,
        request_id: output.request_id().map(str::to_owned),
    })
}

/// AWS answered `action` successfully but without the `kind` it changed.
fn answered_without(action: &str, kind: &str) -> SourceError {
    SourceError::Internal(format!("{action} returned no {kind}"))
}

/// The name in an ARN or a name: what follows the last `/` (`…:cluster/prod` → `prod`,
/// `…:service/prod/web` → `web`).
fn last_segment(name_or_arn: &str) -> &str {
    name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
}

/// Describes `ids` in batches of `batch` (ECS's maximum for the call), at most
/// [`DESCRIBE_CONCURRENCY`] batches in flight, and returns the results in the order of `ids`.
/// The first failure is returned and the batches still in flight are cancelled.
async fn describe_in_batches<T, F, Fut>(
    ids: &[String],
    batch: usize,
    describe: F,
) -> Result<Vec<T>, SourceError>
where
    T: Send + 'static,
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, SourceError>> + Send + 'static,
{
    let mut batches = ids.chunks(batch).map(<[String]>::to_vec).enumerate();
    let mut results: Vec<Vec<T>> = Vec::new();
    results.resize_with(ids.len().div_ceil(batch), Vec::new);
    let mut in_flight = tokio::task::JoinSet::new();
    for (index, ids) in batches.by_ref().take(DESCRIBE_CONCURRENCY) {
        let call = describe(ids);
        in_flight.spawn(async move { (index, call.await) });
    }
    while let Some(done) = in_flight.join_next().await {
        let (index, result) = done
            .map_err(|e| SourceError::Internal(format!("a Describe batch did not finish: {e}")))?;
        results[index] = result?;
        if let Some((index, ids)) = batches.next() {
            let call = describe(ids);
            in_flight.spawn(async move { (index, call.await) });
        }
    }
    Ok(results.into_iter().flatten().collect())
}
