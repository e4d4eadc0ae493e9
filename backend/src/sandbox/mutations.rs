//! Changes to the sandbox account, made the way ECS makes them.
//!
//! Every change goes through the same model the console previews with: new tasks are placed
//! by the placement engine, services shrink with the engine's scale-in order, and task
//! definition revisions follow RegisterTaskDefinition's rules. Changes happen at once (the
//! sandbox has no background clock): a rolling deployment runs its whole loop immediately,
//! step by step as docs/ECS-MODEL.md §4.3 describes (launch up to `maximumPercent`, then stop old
//! tasks down to `minimumHealthyPercent`, new tasks being healthy as soon as they run), and
//! records each step as a service event. When a step cannot place its tasks the deployment
//! stays `IN_PROGRESS` with ECS's "unable to place a task" event, as a stuck deployment does.
//!
//! Every method works on a copy of the state; [`super::Sandbox`] saves the copy and only then
//! makes it current, so a failed change leaves nothing half-done.

use berth_shared::{
    api::{
        CreateService, Failure, RunTask, RunTaskResult, ServiceUpdate, StopTask,
        TaskDefinitionFamily, TaskDefinitionRevision,
    },
    ecs::{
        Deployment, DeploymentCircuitBreaker, DeploymentConfiguration, Service, ServiceEvent, Task,
        TaskDefinition,
    },
    ops::{
        deployment::{max_tasks, min_healthy_tasks},
        requests::{
            Scheduling, check_create_service, check_run_task, check_service_update,
            deployment_percents,
        },
    },
    placement::{ScaleInInput, scale_in, task_cost, uses_fargate},
    time::Timestamp,
};

use super::{
    ids::{IdGenerator, arn},
    placement::{TaskRequest, place_daemon, place_tasks, placements, refresh_instances},
    state::{ClusterState, SandboxState},
    tasks::new_task,
};
use crate::{ecs::group_families, error::SourceError};

/// Events kept per service (ECS keeps the most recent ones).
const MAX_EVENTS: usize = 100;

fn invalid(message: impl Into<String>) -> SourceError {
    SourceError::InvalidParameter(message.into())
}

fn not_found(kind: &'static str, name: &str) -> SourceError {
    SourceError::NotFound {
        kind,
        name: name.to_owned(),
    }
}

impl SandboxState {
    fn ids(&mut self) -> IdGenerator {
        IdGenerator(self.id_seed)
    }

    fn keep_ids(&mut self, ids: &IdGenerator) {
        self.id_seed = ids.0;
    }

    /// The revision named by `id`: an ARN, `family:revision`, or a family (its latest ACTIVE
    /// revision).
    pub fn resolve_definition(&self, id: &str) -> Result<&TaskDefinition, SourceError> {
        let short = id.rsplit('/').next().unwrap_or(id);
        let found = match short.split_once(':') {
            Some((family, revision)) => {
                let revision: i64 = revision.parse().map_err(|_| {
                    invalid(format!(
                        "task definition {id:?}: the revision must be a number"
                    ))
                })?;
                self.task_definitions
                    .iter()
                    .find(|d| d.family == family && d.revision == Some(revision))
            }
            None => self
                .task_definitions
                .iter()
                .filter(|d| d.family == short && d.status.as_deref() == Some("ACTIVE"))
                .max_by_key(|d| d.revision),
        };
        found.ok_or_else(|| not_found("task definition", id))
    }

    /// Families with their revisions, newest first.
    pub fn families(&self) -> Vec<TaskDefinitionFamily> {
        group_families(self.task_definitions.iter().map(|definition| {
            (
                definition.family.clone(),
                TaskDefinitionRevision {
                    task_definition_arn: definition.task_definition_arn.clone().unwrap_or_default(),
                    revision: definition.revision.unwrap_or(0),
                    status: definition
                        .status
                        .clone()
                        .unwrap_or_else(|| "ACTIVE".to_owned()),
                },
            )
        }))
    }

    /// Registers a new revision of `definition.family` (already validated by the caller).
    pub fn register_task_definition(
        &mut self,
        mut definition: TaskDefinition,
        now: Timestamp,
    ) -> TaskDefinition {
        let revision = self
            .task_definitions
            .iter()
            .filter(|d| d.family == definition.family)
            .filter_map(|d| d.revision)
            .max()
            .unwrap_or(0)
            + 1;
        definition.revision = Some(revision);
        definition.task_definition_arn = Some(arn(&format!(
            "task-definition/{}:{revision}",
            definition.family
        )));
        definition.status = Some("ACTIVE".to_owned());
        definition.registered_at = Some(now);
        definition.deregistered_at = None;
        definition.compatibilities = compatibilities(&definition);
        self.task_definitions.push(definition.clone());
        definition
    }

    /// Marks a revision INACTIVE (a family name alone is refused, as ECS does).
    pub fn deregister_task_definition(
        &mut self,
        id: &str,
        now: Timestamp,
    ) -> Result<TaskDefinition, SourceError> {
        if !id.rsplit('/').next().unwrap_or(id).contains(':') {
            return Err(invalid(format!(
                "task definition {id:?}: name a revision (family:revision or an ARN) to deregister"
            )));
        }
        let arn = self.resolve_definition(id)?.task_definition_arn.clone();
        let definition = self
            .task_definitions
            .iter_mut()
            .find(|d| d.task_definition_arn == arn)
            .ok_or_else(|| not_found("task definition", id))?;
        if definition.status.as_deref() != Some("INACTIVE") {
            definition.status = Some("INACTIVE".to_owned());
            definition.deregistered_at = Some(now);
        }
        Ok(definition.clone())
    }

    fn cluster_index(&self, cluster: &str) -> Result<usize, SourceError> {
        self.clusters
            .iter()
            .position(|c| c.name == cluster || c.arn == cluster)
            .ok_or_else(|| not_found("cluster", cluster))
    }

    fn active_definition(&self, id: &str) -> Result<TaskDefinition, SourceError> {
        let definition = self.resolve_definition(id)?;
        if definition.status.as_deref() == Some("INACTIVE") {
            return Err(invalid(format!(
                "task definition {} is INACTIVE; register a new revision or use an ACTIVE one",
                definition.task_definition_arn.as_deref().unwrap_or(id)
            )));
        }
        Ok(definition.clone())
    }

    /// Creates a service and starts its tasks.
    pub fn create_service(
        &mut self,
        cluster: &str,
        request: CreateService,
        now: Timestamp,
    ) -> Result<Service, SourceError> {
        check_create_service(&request)?;
        let index = self.cluster_index(cluster)?;
        let name = request.service_name.as_str();
        if self.clusters[index]
            .services
            .iter()
            .any(|s| s.service_name == name && s.status != "INACTIVE")
        {
            return Err(invalid(format!(
                "a service named {name} already exists in {cluster}"
            )));
        }
        let daemon = request.scheduling_strategy.as_deref() == Some("DAEMON");
        let definition = self.active_definition(&request.task_definition)?;
        let launch_type = launch_type(
            request.launch_type.as_deref(),
            &request.capacity_provider_strategy,
        );
        // As in DescribeServices: a service on a capacity provider strategy has no launch type.
        let given_launch_type = request
            .capacity_provider_strategy
            .is_empty()
            .then(|| launch_type.clone());
        let (minimum_percent, maximum_percent) = if daemon {
            Scheduling::Daemon
        } else {
            Scheduling::Replica
        }
        .default_percents();
        let mut ids = self.ids();
        let cluster_state = &mut self.clusters[index];
        let deployment_id = format!("ecs-svc/{}", &ids.hex32()[..19]);
        let service = Service {
            service_arn: arn(&format!("service/{}/{name}", cluster_state.name)),
            service_name: name.to_owned(),
            cluster_arn: Some(cluster_state.arn.clone()),
            status: "ACTIVE".to_owned(),
            desired_count: if daemon { 0 } else { request.desired_count },
            running_count: 0,
            pending_count: 0,
            launch_type: given_launch_type.clone(),
            capacity_provider_strategy: request.capacity_provider_strategy.clone(),
            platform_version: (launch_type == "FARGATE").then(|| "LATEST".to_owned()),
            task_definition: definition.task_definition_arn.clone().unwrap_or_default(),
            deployment_configuration: Some(request.deployment_configuration.unwrap_or(
                DeploymentConfiguration {
                    deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                        enable: false,
                        rollback: false,
                    }),
                    maximum_percent: Some(maximum_percent),
                    minimum_healthy_percent: Some(minimum_percent),
                },
            )),
            deployments: vec![Deployment {
                id: deployment_id,
                status: "PRIMARY".to_owned(),
                task_definition: definition.task_definition_arn.unwrap_or_default(),
                desired_count: request.desired_count,
                pending_count: 0,
                running_count: 0,
                failed_tasks: 0,
                created_at: Some(now),
                updated_at: Some(now),
                launch_type: given_launch_type,
                capacity_provider_strategy: request.capacity_provider_strategy,
                rollout_state: Some("IN_PROGRESS".to_owned()),
                rollout_state_reason: Some("ECS deployment in progress.".to_owned()),
            }],
            events: Vec::new(),
            placement_constraints: request.placement_constraints,
            placement_strategy: request.placement_strategy,
            scheduling_strategy: if daemon { "DAEMON" } else { "REPLICA" }.to_owned(),
            network_configuration: request.network_configuration,
            load_balancers: Vec::new(),
            service_registries: Vec::new(),
            created_at: Some(now),
            health_check_grace_period_seconds: None,
            deployment_controller: None,
            tags: Vec::new(),
        };
        cluster_state.services.push(service);
        let definitions = self.task_definitions.clone();
        Scheduler::new(&mut self.clusters[index], &definitions, now, &mut ids).reconcile(name)?;
        self.keep_ids(&ids);
        Ok(service_named(&self.clusters[index], name)?.clone())
    }

    /// Changes a service: desired count, deployment configuration, and a new deployment when
    /// the task definition changes or one is forced.
    pub fn update_service(
        &mut self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
        now: Timestamp,
    ) -> Result<Service, SourceError> {
        let index = self.cluster_index(cluster)?;
        let name = service_named(&self.clusters[index], service)?
            .service_name
            .clone();
        check_service_update(&update)?;
        let new_definition = match &update.task_definition {
            Some(id) => Some(self.active_definition(id)?),
            None => None,
        };
        let mut ids = self.ids();
        let definitions = self.task_definitions.clone();
        let cluster_state = &mut self.clusters[index];
        let current = service_named(cluster_state, &name)?.clone();
        let deploy_to = match new_definition {
            Some(definition)
                if definition.task_definition_arn.as_deref() != Some(&current.task_definition) =>
            {
                Some(definition.task_definition_arn.unwrap_or_default())
            }
            _ if update.force_new_deployment => Some(current.task_definition),
            _ => None,
        };
        {
            let service = service_mut(cluster_state, &name)?;
            if let Some(configuration) = update.deployment_configuration {
                let scheduling =
                    Scheduling::parse(Some(&service.scheduling_strategy), "schedulingStrategy")?;
                deployment_percents(&configuration, Some(scheduling), "deploymentConfiguration")?;
                service.deployment_configuration = Some(configuration);
            }
            if let Some(count) = update.desired_count {
                if service.scheduling_strategy == "DAEMON" {
                    return Err(invalid("desiredCount cannot be set on a DAEMON service"));
                }
                service.desired_count = count;
                if let Some(primary) = service
                    .deployments
                    .iter_mut()
                    .find(|d| d.status == "PRIMARY")
                {
                    primary.desired_count = count;
                    primary.updated_at = Some(now);
                }
            }
        }
        let mut scheduler = Scheduler::new(cluster_state, &definitions, now, &mut ids);
        match deploy_to {
            Some(definition_arn) => scheduler.deploy(&name, &definition_arn)?,
            None => scheduler.reconcile(&name)?,
        }
        self.keep_ids(&ids);
        Ok(service_named(&self.clusters[index], &name)?.clone())
    }

    /// Starts standalone tasks, placed by the engine; unplaceable ones become failures.
    pub fn run_task(
        &mut self,
        cluster: &str,
        request: RunTask,
        now: Timestamp,
    ) -> Result<RunTaskResult, SourceError> {
        check_run_task(&request)?;
        let index = self.cluster_index(cluster)?;
        let definition = self.active_definition(&request.task_definition)?;
        let launch_type = launch_type(
            request.launch_type.as_deref(),
            &request.capacity_provider_strategy,
        );
        let group = request
            .group
            .clone()
            .unwrap_or_else(|| format!("family:{}", definition.family));
        let mut ids = self.ids();
        let definitions = self.task_definitions.clone();
        let cluster_state = &mut self.clusters[index];
        let placement_request = TaskRequest {
            definition: &definition,
            group: &group,
            strategy: request.placement_strategy,
            constraints: request.placement_constraints,
            fargate: launch_type == "FARGATE",
        };
        let count = usize::try_from(request.count).unwrap_or(1);
        let output = place_tasks(
            cluster_state,
            &definitions,
            &placement_request,
            count,
            ids.next_u64(),
        )
        .map_err(|e| invalid(format!("{}: {}", e.field, e.message)))?;
        let mut started = Vec::new();
        for placement in placements(&output) {
            let mut task = new_task(
                cluster_state,
                &definition,
                &group,
                request.started_by.as_deref(),
                &launch_type,
                &mut ids,
                now,
            );
            task.container_instance_arn = placement.container_instance_arn;
            task.availability_zone = Some(placement.availability_zone);
            cluster_state.tasks.push(task.clone());
            started.push(task);
        }
        refresh_instances(cluster_state, &definitions);
        self.keep_ids(&ids);
        Ok(RunTaskResult {
            tasks: started,
            failures: output
                .failures
                .into_iter()
                .map(|f| Failure {
                    arn: f.arn,
                    reason: f.reason,
                    detail: Some(f.detail),
                })
                .collect(),
        })
    }

    /// Stops a task; a service replaces it to keep its desired count.
    pub fn stop_task(
        &mut self,
        cluster: &str,
        task: &str,
        request: StopTask,
        now: Timestamp,
    ) -> Result<Task, SourceError> {
        let index = self.cluster_index(cluster)?;
        let mut ids = self.ids();
        let definitions = self.task_definitions.clone();
        let cluster_state = &mut self.clusters[index];
        let stopped = cluster_state
            .tasks
            .iter_mut()
            .find(|t| t.task_arn == task || t.short_id() == task)
            .ok_or_else(|| not_found("task", task))?;
        if stopped.last_status != "STOPPED" {
            stop(
                stopped,
                request.reason.as_deref().unwrap_or("Task stopped by user"),
                "UserInitiated",
                now,
            );
        }
        let stopped = stopped.clone();
        refresh_instances(cluster_state, &definitions);
        if let Some(service) = stopped
            .group
            .as_deref()
            .and_then(|g| g.strip_prefix("service:"))
            && service_named(cluster_state, service).is_ok()
        {
            Scheduler::new(cluster_state, &definitions, now, &mut ids).reconcile(service)?;
        }
        self.keep_ids(&ids);
        Ok(stopped)
    }
}

/// ECS's compatibilities: EC2 always; FARGATE when the definition meets Fargate's rules
/// (awsvpc and valid task-level sizes).
fn compatibilities(definition: &TaskDefinition) -> Vec<String> {
    let mut compatible = vec!["EC2".to_owned()];
    let fargate_size = task_cost(definition).ok().is_some_and(|cost| {
        definition.cpu.is_some() && berth_shared::placement::is_fargate_size(cost.cpu, cost.memory)
    });
    if definition.network_mode.as_deref() == Some("awsvpc") && fargate_size {
        compatible.push("FARGATE".to_owned());
    }
    compatible
}

/// The launch type of a (checked) request or service: the given one, FARGATE for a Fargate
/// capacity provider strategy, EC2 otherwise.
pub(super) fn launch_type(
    given: Option<&str>,
    strategy: &[berth_shared::ecs::CapacityProviderStrategyItem],
) -> String {
    match given {
        Some(kind) => kind.to_owned(),
        None if uses_fargate(None, strategy) => "FARGATE".to_owned(),
        None => "EC2".to_owned(),
    }
}

pub(super) fn service_named<'a>(
    cluster: &'a ClusterState,
    name: &str,
) -> Result<&'a Service, SourceError> {
    cluster
        .services
        .iter()
        .find(|s| (s.service_name == name || s.service_arn == name) && s.status != "INACTIVE")
        .ok_or_else(|| not_found("service", name))
}

fn service_mut<'a>(
    cluster: &'a mut ClusterState,
    name: &str,
) -> Result<&'a mut Service, SourceError> {
    cluster
        .services
        .iter_mut()
        .find(|s| s.service_name == name && s.status != "INACTIVE")
        .ok_or_else(|| not_found("service", name))
}

fn push_event(service: &mut Service, now: Timestamp, ids: &mut IdGenerator, message: String) {
    service.events.insert(
        0,
        ServiceEvent {
            id: ids.hex32(),
            created_at: Some(now),
            message,
        },
    );
    service.events.truncate(MAX_EVENTS);
}

fn stop(task: &mut Task, reason: &str, code: &str, now: Timestamp) {
    task.last_status = "STOPPED".to_owned();
    task.desired_status = Some("STOPPED".to_owned());
    task.stopping_at = Some(now);
    task.stopped_at = Some(now);
    task.stopped_reason = Some(reason.to_owned());
    task.stop_code = Some(code.to_owned());
    for container in &mut task.containers {
        container.last_status = Some("STOPPED".to_owned());
        container.exit_code = Some(0);
    }
}

fn is_live(task: &Task) -> bool {
    matches!(task.last_status.as_str(), "RUNNING" | "PENDING")
}

fn live_tasks<'a>(
    cluster: &'a ClusterState,
    group: &'a str,
) -> impl Iterator<Item = &'a Task> + 'a {
    cluster
        .tasks
        .iter()
        .filter(move |t| t.group.as_deref() == Some(group) && is_live(t))
}

/// The service scheduler of one cluster, for one change.
struct Scheduler<'a> {
    cluster: &'a mut ClusterState,
    definitions: &'a [TaskDefinition],
    now: Timestamp,
    ids: &'a mut IdGenerator,
}

impl<'a> Scheduler<'a> {
    fn new(
        cluster: &'a mut ClusterState,
        definitions: &'a [TaskDefinition],
        now: Timestamp,
        ids: &'a mut IdGenerator,
    ) -> Self {
        Self {
            cluster,
            definitions,
            now,
            ids,
        }
    }

    /// Starts up to `count` tasks of `definition_arn` for the service (DAEMON: one on every
    /// instance lacking one); returns how many started and, when some could not be placed,
    /// ECS's service event saying why.
    fn launch(
        &mut self,
        service: &Service,
        definition_arn: &str,
        deployment_id: &str,
        count: usize,
    ) -> Result<(usize, Option<String>), SourceError> {
        if count == 0 {
            return Ok((0, None));
        }
        let definition = self
            .definitions
            .iter()
            .find(|d| d.task_definition_arn.as_deref() == Some(definition_arn))
            .ok_or_else(|| not_found("task definition", definition_arn))?
            .clone();
        let group = format!("service:{}", service.service_name);
        let launch_type = launch_type(
            service.launch_type.as_deref(),
            &service.capacity_provider_strategy,
        );
        let request = TaskRequest {
            definition: &definition,
            group: &group,
            strategy: service.placement_strategy.clone(),
            constraints: service.placement_constraints.clone(),
            fargate: launch_type == "FARGATE",
        };
        let seed = self.ids.next_u64();
        let (placed, failure) = if service.scheduling_strategy == "DAEMON" {
            let uncovered = ClusterState {
                container_instances: self
                    .cluster
                    .container_instances
                    .iter()
                    .filter(|i| {
                        !live_tasks(self.cluster, &group).any(|t| {
                            t.container_instance_arn.as_deref() == Some(&i.container_instance_arn)
                        })
                    })
                    .cloned()
                    .collect(),
                ..self.cluster.clone()
            };
            (
                place_daemon(&uncovered, self.definitions, &request, seed),
                None,
            )
        } else {
            let output = place_tasks(self.cluster, self.definitions, &request, count, seed);
            let failure = output.as_ref().ok().and_then(|o| o.failures.first()).map(|f| {
                format!(
                    "(service {}) was unable to place a task because no container instance met all of its \
                     requirements. The closest matching container-instance {} reported {}: {}",
                    service.service_name,
                    f.arn.as_deref().map_or("(none)", berth_shared::ecs::short_id),
                    f.reason,
                    f.detail
                )
            });
            (output.map(|o| placements(&o)), failure)
        };
        let placed = placed.map_err(|e| invalid(format!("{}: {}", e.field, e.message)))?;
        for placement in &placed {
            let mut task = new_task(
                self.cluster,
                &definition,
                &group,
                Some(deployment_id),
                &launch_type,
                self.ids,
                self.now,
            );
            task.container_instance_arn = placement.container_instance_arn.clone();
            task.availability_zone = Some(placement.availability_zone.clone());
            self.cluster.tasks.push(task);
        }
        refresh_instances(self.cluster, self.definitions);
        Ok((placed.len(), failure))
    }

    /// Stops `count` tasks of the service in the engine's scale-in order, only among `only`
    /// (task ARNs) when given; returns how many stopped.
    fn shrink(
        &mut self,
        service: &Service,
        only: Option<&[String]>,
        count: usize,
        reason: &str,
    ) -> Result<usize, SourceError> {
        if count == 0 {
            return Ok(0);
        }
        let group = format!("service:{}", service.service_name);
        let protected_tasks = match only {
            Some(allowed) => live_tasks(self.cluster, &group)
                .filter(|t| !allowed.contains(&t.task_arn))
                .map(|t| t.task_arn.clone())
                .collect(),
            None => Vec::new(),
        };
        let input = ScaleInInput {
            container_instances: self.cluster.container_instances.clone(),
            tasks: self.cluster.tasks.clone(),
            task_definitions: self.definitions.to_vec(),
            group,
            placement_strategy: service.placement_strategy.clone(),
            count: i64::try_from(count).unwrap_or(i64::MAX),
            protected_tasks,
            seed: self.ids.next_u64(),
        };
        let victims =
            scale_in(&input).map_err(|e| invalid(format!("{}: {}", e.field, e.message)))?;
        for victim in &victims.tasks {
            if let Some(task) = self
                .cluster
                .tasks
                .iter_mut()
                .find(|t| t.task_arn == victim.task_arn)
            {
                stop(task, reason, "ServiceSchedulerInitiated", self.now);
            }
        }
        refresh_instances(self.cluster, self.definitions);
        Ok(victims.tasks.len())
    }

    /// Brings the service to its desired count with its current task definition.
    fn reconcile(&mut self, name: &str) -> Result<(), SourceError> {
        let service = service_named(self.cluster, name)?.clone();
        let group = format!("service:{name}");
        let running = live_tasks(self.cluster, &group).count();
        let primary = service
            .deployments
            .iter()
            .find(|d| d.status == "PRIMARY")
            .map_or_else(String::new, |d| d.id.clone());
        let mut notes = Vec::new();
        let desired = usize::try_from(service.desired_count).unwrap_or(0);
        if service.scheduling_strategy == "DAEMON" || running < desired {
            let (started, failure) = self.launch(
                &service,
                &service.task_definition,
                &primary,
                desired.saturating_sub(running).max(1),
            )?;
            if started > 0 {
                notes.push(format!("(service {name}) has started {started} tasks."));
            }
            notes.extend(failure);
        } else if running > desired {
            let stopped = self.shrink(
                &service,
                None,
                running - desired,
                "Scaling activity initiated by user",
            )?;
            notes.push(format!(
                "(service {name}) has stopped {stopped} running tasks."
            ));
        }
        self.finish(name, notes)
    }

    /// A rolling deployment to `definition_arn` (docs/ECS-MODEL.md §4.2–4.3), run until done or
    /// stuck.
    fn deploy(&mut self, name: &str, definition_arn: &str) -> Result<(), SourceError> {
        let deployment_id = format!("ecs-svc/{}", &self.ids.hex32()[..19]);
        let group = format!("service:{name}");
        let mut old_left: Vec<String> = live_tasks(self.cluster, &group)
            .map(|t| t.task_arn.clone())
            .collect();
        let now = self.now;
        let service = {
            let service = service_mut(self.cluster, name)?;
            for deployment in &mut service.deployments {
                deployment.status = "ACTIVE".to_owned();
            }
            service.deployments.insert(
                0,
                Deployment {
                    id: deployment_id.clone(),
                    status: "PRIMARY".to_owned(),
                    task_definition: definition_arn.to_owned(),
                    desired_count: service.desired_count,
                    pending_count: 0,
                    running_count: 0,
                    failed_tasks: 0,
                    created_at: Some(now),
                    updated_at: Some(now),
                    launch_type: service.launch_type.clone(),
                    capacity_provider_strategy: service.capacity_provider_strategy.clone(),
                    rollout_state: Some("IN_PROGRESS".to_owned()),
                    rollout_state_reason: Some("ECS deployment in progress.".to_owned()),
                },
            );
            service.task_definition = definition_arn.to_owned();
            service.clone()
        };
        let revision = berth_shared::ecs::short_id(definition_arn).to_owned();
        if service.scheduling_strategy == "DAEMON" {
            // minimumHealthyPercent 0: each instance's daemon is replaced in place.
            let count = old_left.len();
            let stopped = self.shrink(
                &service,
                Some(&old_left),
                count,
                &format!("Deployment {deployment_id} replaced the task"),
            )?;
            let (started, _) = self.launch(&service, definition_arn, &deployment_id, 1)?;
            let notes = vec![format!(
                "(service {name}) deployment {deployment_id} to {revision}: stopped {stopped} and started {started} daemon tasks."
            )];
            return self.finish(name, notes);
        }
        let configuration = service.deployment_configuration.clone().unwrap_or_default();
        let desired = service.desired_count;
        let (minimum_percent, maximum_percent) = deployment_percents(
            &configuration,
            Some(Scheduling::Replica),
            "deploymentConfiguration",
        )?;
        let ceiling = max_tasks(desired, maximum_percent);
        let floor = min_healthy_tasks(desired, minimum_percent);
        let mut notes = vec![format!(
            "(service {name}) started deployment {deployment_id} to {revision}: between {floor} and {ceiling} tasks run while it rolls."
        )];
        let mut new_running = 0i64;
        loop {
            let old = i64::try_from(old_left.len()).unwrap_or(0);
            if old == 0 && new_running >= desired {
                break;
            }
            let room = usize::try_from(
                (ceiling - old - new_running)
                    .min(desired - new_running)
                    .max(0),
            )
            .unwrap_or(0);
            let (started, failure) = self.launch(&service, definition_arn, &deployment_id, room)?;
            new_running += i64::try_from(started).unwrap_or(0);
            if started > 0 {
                notes.push(format!(
                    "(service {name}) has started {started} tasks of {revision}."
                ));
            }
            let stoppable = usize::try_from((old + new_running - floor).clamp(0, old)).unwrap_or(0);
            let reason = format!("Deployment {deployment_id} replaced the task");
            let stopped = self.shrink(&service, Some(&old_left), stoppable, &reason)?;
            if stopped > 0 {
                notes.push(format!(
                    "(service {name}) has stopped {stopped} running tasks of the previous revision."
                ));
                old_left.retain(|arn| {
                    self.cluster
                        .tasks
                        .iter()
                        .any(|t| &t.task_arn == arn && is_live(t))
                });
            }
            if started == 0 && stopped == 0 {
                notes.extend(failure);
                break;
            }
        }
        self.finish(name, notes)
    }

    /// Updates the service's counters and deployment states from its tasks, and records
    /// `notes` as events, then "steady state" when every task runs the primary revision.
    fn finish(&mut self, name: &str, notes: Vec<String>) -> Result<(), SourceError> {
        let group = format!("service:{name}");
        let live: Vec<String> = live_tasks(self.cluster, &group)
            .map(|t| t.started_by.clone().unwrap_or_default())
            .collect();
        let now = self.now;
        let service = service_mut(self.cluster, name)?;
        let running = i64::try_from(live.len()).unwrap_or(i64::MAX);
        if service.scheduling_strategy == "DAEMON" {
            service.desired_count = running;
        }
        service.running_count = running;
        service.pending_count = 0;
        let desired = service.desired_count;
        for deployment in &mut service.deployments {
            deployment.running_count =
                i64::try_from(live.iter().filter(|by| **by == deployment.id).count())
                    .unwrap_or(i64::MAX);
            if deployment.status == "PRIMARY" {
                deployment.desired_count = desired;
                let done =
                    deployment.running_count >= desired && running == deployment.running_count;
                let (state, reason) = if done {
                    ("COMPLETED", "ECS deployment completed.")
                } else {
                    ("IN_PROGRESS", "ECS deployment in progress.")
                };
                deployment.rollout_state = Some(state.to_owned());
                deployment.rollout_state_reason = Some(reason.to_owned());
                deployment.updated_at = Some(now);
            }
        }
        service
            .deployments
            .retain(|d| d.status == "PRIMARY" || d.running_count > 0);
        let steady = service
            .deployments
            .iter()
            .all(|d| d.status == "PRIMARY" && d.rollout_state.as_deref() == Some("COMPLETED"));
        for note in notes {
            push_event(service, now, self.ids, note);
        }
        if steady {
            push_event(
                service,
                now,
                self.ids,
                format!("(service {name}) has reached a steady state."),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use berth_shared::{
        api::{CreateService, RunTask, ServiceUpdate, StopTask},
        ecs::{PlacementConstraint, TaskDefinition},
        time::Timestamp,
    };

    use super::*;
    use crate::sandbox::seed::demo_fleet;
    use berth_shared::input::InputError;

    const NOW: Timestamp = Timestamp(1_760_000_000_000);
    const LATER: Timestamp = Timestamp(1_760_000_600_000);

    fn state() -> SandboxState {
        demo_fleet(NOW)
    }

    fn live(state: &SandboxState, cluster: &str, service: &str) -> Vec<Task> {
        let cluster = state.clusters.iter().find(|c| c.name == cluster).unwrap();
        let group = format!("service:{service}");
        live_tasks(cluster, &group).cloned().collect()
    }

    #[test]
    fn registering_adds_the_next_revision_and_deregistering_keeps_it_inactive() {
        let mut state = state();
        let mut definition = state.resolve_definition("api").unwrap().clone();
        assert_eq!(definition.revision, Some(7));
        definition.task_definition_arn = None;
        let registered = state.register_task_definition(definition, LATER);
        assert_eq!(registered.revision, Some(8));
        assert!(
            registered
                .task_definition_arn
                .as_deref()
                .unwrap()
                .ends_with("task-definition/api:8")
        );
        assert_eq!(state.resolve_definition("api").unwrap().revision, Some(8));

        let inactive = state.deregister_task_definition("api:8", LATER).unwrap();
        assert_eq!(inactive.status.as_deref(), Some("INACTIVE"));
        assert_eq!(
            state.resolve_definition("api").unwrap().revision,
            Some(7),
            "latest ACTIVE again"
        );
        assert!(matches!(
            state.deregister_task_definition("api", LATER),
            Err(SourceError::InvalidParameter(_))
        ));
        assert!(matches!(
            state.deregister_task_definition("nope:1", LATER),
            Err(SourceError::NotFound { .. })
        ));
    }

    #[test]
    fn families_list_every_revision_newest_first() {
        let families = state().families();
        assert_eq!(families.len(), 10);
        let api = families.iter().find(|f| f.family == "api").unwrap();
        let revisions: Vec<_> = api.revisions.iter().map(|r| r.revision).collect();
        assert_eq!(revisions, [7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(api.revisions[6].status, "INACTIVE");
    }

    #[test]
    fn scaling_out_places_new_tasks_and_scaling_in_stops_the_engines_choice() {
        let mut state = state();
        let up = ServiceUpdate {
            desired_count: Some(10),
            ..ServiceUpdate::default()
        };
        let updated = state.update_service("demo-ec2", "api", up, LATER).unwrap();
        assert_eq!(updated.desired_count, 10);
        assert_eq!(live(&state, "demo-ec2", "api").len(), 10);
        assert_eq!(updated.running_count, 10);
        assert!(
            updated.events[0].message.contains("steady state"),
            "{:?}",
            updated.events[0]
        );

        let down = ServiceUpdate {
            desired_count: Some(3),
            ..ServiceUpdate::default()
        };
        let updated = state
            .update_service("demo-ec2", "api", down, LATER)
            .unwrap();
        assert_eq!(live(&state, "demo-ec2", "api").len(), 3);
        assert!(
            updated
                .events
                .iter()
                .any(|e| e.message.contains("stopped 7 running tasks"))
        );
        let stopped: Vec<_> = state.clusters[0]
            .tasks
            .iter()
            .filter(|t| t.group.as_deref() == Some("service:api") && t.last_status == "STOPPED")
            .collect();
        assert_eq!(stopped.len(), 7);
        assert!(
            stopped
                .iter()
                .all(|t| t.stop_code.as_deref() == Some("ServiceSchedulerInitiated"))
        );
    }

    #[test]
    fn a_new_revision_rolls_out_completely_within_the_configured_bounds() {
        let mut state = state();
        let mut definition = state.resolve_definition("web-frontend").unwrap().clone();
        definition.task_definition_arn = None;
        let revision = state.register_task_definition(definition, LATER);
        let arn = revision.task_definition_arn.unwrap();
        let update = ServiceUpdate {
            task_definition: Some("web-frontend".into()),
            ..ServiceUpdate::default()
        };
        let updated = state
            .update_service("demo-ec2", "web-frontend", update, LATER)
            .unwrap();
        let tasks = live(&state, "demo-ec2", "web-frontend");
        assert_eq!(tasks.len(), 6);
        assert!(tasks.iter().all(|t| t.task_definition_arn == arn));
        assert_eq!(updated.task_definition, arn);
        assert_eq!(updated.deployments.len(), 1);
        assert_eq!(
            updated.deployments[0].rollout_state.as_deref(),
            Some("COMPLETED")
        );
        assert!(
            updated
                .events
                .iter()
                .any(|e| e.message.contains("started deployment"))
        );
        for host in &state.clusters[0].container_instances {
            let memory = host
                .remaining_resources
                .iter()
                .find(|r| r.name == "MEMORY")
                .and_then(|r| r.number());
            assert!(memory.unwrap() >= 0, "no instance is over-committed");
        }
    }

    #[test]
    fn a_deployment_that_cannot_place_stays_in_progress_with_the_reason() {
        let mut state = state();
        let mut definition = state.resolve_definition("payments").unwrap().clone();
        definition.task_definition_arn = None;
        definition.container_definitions[0].memory = Some(60_000);
        definition.container_definitions[0].memory_reservation = Some(60_000);
        state.register_task_definition(definition, LATER);
        let update = ServiceUpdate {
            task_definition: Some("payments".into()),
            ..ServiceUpdate::default()
        };
        let updated = state
            .update_service("demo-ec2", "payments", update, LATER)
            .unwrap();
        assert_eq!(
            updated.deployments[0].rollout_state.as_deref(),
            Some("IN_PROGRESS")
        );
        assert!(
            updated
                .events
                .iter()
                .any(|e| e.message.contains("unable to place a task")
                    && e.message.contains("RESOURCE:MEMORY")),
            "{:?}",
            updated.events
        );
        assert_eq!(
            live(&state, "demo-ec2", "payments").len(),
            4,
            "minimum healthy 100%: old tasks keep running"
        );
    }

    #[test]
    fn run_task_places_with_the_engine_and_reports_failures() {
        let mut state = state();
        let request = RunTask {
            task_definition: "batch-report".into(),
            count: 10,
            group: None,
            launch_type: None,
            capacity_provider_strategy: Vec::new(),
            placement_strategy: Vec::new(),
            placement_constraints: vec![PlacementConstraint {
                kind: "distinctInstance".into(),
                expression: None,
            }],
            network_configuration: None,
            started_by: Some("tests".into()),
        };
        let result = state.run_task("demo-ec2", request.clone(), LATER).unwrap();
        assert!(!result.tasks.is_empty());
        assert_eq!(result.tasks.len() + result.failures.len(), 10);
        assert!(result.failures.iter().all(|f| !f.reason.is_empty()));
        let hosts: std::collections::BTreeSet<_> = result
            .tasks
            .iter()
            .map(|t| t.container_instance_arn.clone())
            .collect();
        assert_eq!(hosts.len(), result.tasks.len(), "distinctInstance");
        let too_many = RunTask {
            count: 11,
            ..request
        };
        assert!(matches!(
            state.run_task("demo-ec2", too_many, LATER),
            Err(SourceError::InvalidInput(InputError { field, .. })) if field == "count"
        ));
    }

    #[test]
    fn a_stopped_service_task_is_replaced() {
        let mut state = state();
        let victim = live(&state, "demo-ec2", "auth")[0].clone();
        let stopped = state
            .stop_task(
                "demo-ec2",
                victim.short_id(),
                StopTask {
                    reason: Some("testing".into()),
                },
                LATER,
            )
            .unwrap();
        assert_eq!(stopped.last_status, "STOPPED");
        assert_eq!(stopped.stopped_reason.as_deref(), Some("testing"));
        let running = live(&state, "demo-ec2", "auth");
        assert_eq!(running.len(), 3, "the scheduler keeps the desired count");
        assert!(running.iter().all(|t| t.task_arn != victim.task_arn));
        assert!(matches!(
            state.stop_task("demo-ec2", "nope", StopTask::default(), LATER),
            Err(SourceError::NotFound { .. })
        ));
    }

    #[test]
    fn creating_a_service_starts_its_tasks_and_refuses_duplicates() {
        let mut state = state();
        let request = CreateService {
            service_name: "reports".into(),
            task_definition: "scheduler".into(),
            desired_count: 2,
            launch_type: Some("EC2".into()),
            capacity_provider_strategy: Vec::new(),
            scheduling_strategy: None,
            placement_strategy: Vec::new(),
            placement_constraints: Vec::new(),
            network_configuration: None,
            deployment_configuration: None,
        };
        let created = state
            .create_service("demo-ec2", request.clone(), LATER)
            .unwrap();
        assert_eq!(created.running_count, 2);
        assert_eq!(live(&state, "demo-ec2", "reports").len(), 2);
        assert!(matches!(
            state.create_service("demo-ec2", request.clone(), LATER),
            Err(SourceError::InvalidParameter(_))
        ));
        let inactive = CreateService {
            service_name: "old".into(),
            task_definition: "api:1".into(),
            ..request
        };
        assert!(matches!(
            state.create_service("demo-ec2", inactive, LATER),
            Err(SourceError::InvalidParameter(_))
        ));
    }

    #[test]
    fn daemon_deployments_replace_every_instances_task() {
        let mut state = state();
        let update = ServiceUpdate {
            force_new_deployment: true,
            ..ServiceUpdate::default()
        };
        let updated = state
            .update_service("demo-ec2", "metrics-agent", update, LATER)
            .unwrap();
        let after = live(&state, "demo-ec2", "metrics-agent");
        // The DRAINING instance's daemon is stopped and, being DRAINING, it gets no new task.
        let active = state.clusters[0]
            .container_instances
            .iter()
            .filter(|i| i.status == "ACTIVE")
            .count();
        assert_eq!(after.len(), active);
        assert_eq!(updated.desired_count, i64::try_from(active).unwrap());
        assert!(
            after
                .iter()
                .all(|t| t.started_by.as_deref() == Some(updated.deployments[0].id.as_str()))
        );
        assert!(matches!(
            state.update_service(
                "demo-ec2",
                "metrics-agent",
                ServiceUpdate {
                    desired_count: Some(3),
                    ..ServiceUpdate::default()
                },
                LATER
            ),
            Err(SourceError::InvalidParameter(_))
        ));
    }

    #[test]
    fn compatibilities_follow_fargates_rules() {
        let definition = |mode: &str, cpu: Option<&str>| TaskDefinition {
            network_mode: Some(mode.into()),
            cpu: cpu.map(Into::into),
            memory: cpu.map(|_| "512".into()),
            container_definitions: vec![berth_shared::ecs::ContainerDefinition {
                name: "a".into(),
                image: "a".into(),
                memory: Some(512),
                ..Default::default()
            }],
            ..TaskDefinition::default()
        };
        assert_eq!(
            compatibilities(&definition("awsvpc", Some("256"))),
            ["EC2", "FARGATE"]
        );
        assert_eq!(compatibilities(&definition("bridge", Some("256"))), ["EC2"]);
        assert_eq!(compatibilities(&definition("awsvpc", None)), ["EC2"]);
    }
}
