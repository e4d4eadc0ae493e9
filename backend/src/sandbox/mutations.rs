//! Changes to the sandbox account, made the way ECS makes them.
//!
//! Every change goes through the same model the console previews with: new tasks are placed
//! by the placement engine, services shrink with the engine's scale-in order, and task
//! definition revisions follow RegisterTaskDefinition's rules. A change records what is
//! wanted (a desired count, a new deployment, a stopped task) and the scheduler takes its
//! first step at once ([`SandboxState::advance`]); the rest happens over time, at each tick of
//! the sandbox's clock (see [`super::scheduler`]).
//!
//! Every method works on a copy of the state; [`super::Sandbox`] saves the copy and only then
//! makes it current, so a failed change leaves nothing half-done.

use berth_shared::{
    api::{
        CreateService, Failure, RunTask, RunTaskResult, ScalingBounds, ServiceUpdate, StopTask,
        TaskDefinitionFamily, TaskDefinitionRevision,
    },
    autoscaling::ScalableTarget,
    ecs::{
        Deployment, DeploymentCircuitBreaker, DeploymentConfiguration, Service, Task,
        TaskDefinition,
    },
    ops::requests::{
        Scheduling, check_create_service, check_run_task, check_scaling_bounds,
        check_service_update, deployment_percents,
    },
    placement::{task_cost, uses_fargate},
    time::Timestamp,
};

use super::{
    ids::{IdGenerator, arn},
    placement::{TaskRequest, place_tasks, placements, refresh_instances},
    scheduler::Scheduler,
    state::{ClusterState, SandboxState},
    tasks::{Pace, new_task, stop},
};
use crate::{ecs::group_families, error::SourceError};

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

    /// Creates a service; its first deployment starts its tasks.
    pub fn create_service(
        &mut self,
        cluster: &str,
        request: CreateService,
        now: Timestamp,
        pace: Pace,
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
            load_balancers: request.load_balancers,
            service_registries: request.service_registries,
            created_at: Some(now),
            health_check_grace_period_seconds: None,
            deployment_controller: None,
            tags: Vec::new(),
        };
        cluster_state.services.push(service);
        self.keep_ids(&ids);
        self.advance(now, pace)?;
        Ok(service_named(&self.clusters[index], name)?.clone())
    }

    /// Changes a service: desired count, deployment configuration, and a new deployment when
    /// the task definition changes or one is forced.
    /// New bounds on a service's existing scalable target; a desired count outside them moves
    /// inside, as Application Auto Scaling moves it.
    pub fn register_scalable_target(
        &mut self,
        cluster: &str,
        service: &str,
        bounds: ScalingBounds,
        now: Timestamp,
        pace: Pace,
    ) -> Result<ScalableTarget, SourceError> {
        check_scaling_bounds(&bounds)?;
        let index = self.cluster_index(cluster)?;
        let cluster_state = &mut self.clusters[index];
        let name = service_named(cluster_state, service)?.service_name.clone();
        let scaling = cluster_state
            .scaling
            .iter_mut()
            .find(|s| s.service_name == name)
            .ok_or_else(|| SourceError::NotFound {
                kind: "scalable target",
                name: format!("service/{cluster}/{name}"),
            })?;
        scaling.scalable_target.min_capacity = bounds.min_capacity;
        scaling.scalable_target.max_capacity = bounds.max_capacity;
        let target = scaling.scalable_target.clone();
        let service = service_mut(cluster_state, &name)?;
        let desired = service
            .desired_count
            .clamp(bounds.min_capacity, bounds.max_capacity);
        if desired != service.desired_count {
            service.desired_count = desired;
            if let Some(primary) = service
                .deployments
                .iter_mut()
                .find(|d| d.status == "PRIMARY")
            {
                primary.desired_count = desired;
                primary.updated_at = Some(now);
            }
        }
        self.advance(now, pace)?;
        Ok(target)
    }

    pub fn update_service(
        &mut self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
        now: Timestamp,
        pace: Pace,
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
            if let Some(strategy) = update.capacity_provider_strategy {
                service.launch_type = None;
                service.capacity_provider_strategy = strategy;
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
        if let Some(definition_arn) = deploy_to {
            Scheduler::new(cluster_state, &definitions, now, pace, &mut ids).start_deployment(
                &name,
                &definition_arn,
                "ECS deployment in progress.",
            )?;
        }
        self.keep_ids(&ids);
        self.advance(now, pace)?;
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
        pace: Pace,
    ) -> Result<Task, SourceError> {
        let index = self.cluster_index(cluster)?;
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
        self.advance(now, pace)?;
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

#[cfg(test)]
mod tests {
    use berth_shared::{
        api::{CreateService, RunTask, ServiceUpdate, StopTask},
        ecs::{PlacementConstraint, TaskDefinition},
        time::Timestamp,
    };

    use super::*;
    use crate::sandbox::seed::demo_fleet;
    use crate::sandbox::tasks::is_live;
    use berth_shared::input::InputError;

    const NOW: Timestamp = Timestamp(1_760_000_000_000);
    const LATER: Timestamp = Timestamp(1_760_000_600_000);

    fn state() -> SandboxState {
        demo_fleet(NOW)
    }

    fn pace() -> Pace {
        Pace::default()
    }

    fn live(state: &SandboxState, cluster: &str, service: &str) -> Vec<Task> {
        let cluster = state.clusters.iter().find(|c| c.name == cluster).unwrap();
        let group = format!("service:{service}");
        cluster
            .tasks
            .iter()
            .filter(|t| t.group.as_deref() == Some(group.as_str()) && is_live(t))
            .cloned()
            .collect()
    }

    /// Lets the sandbox's clock run, a second at a time from `LATER`, until nothing is under
    /// way; returns the service as it is then.
    fn settle(state: &mut SandboxState, cluster: &str, service: &str) -> Service {
        let mut now = LATER;
        for _ in 0..600 {
            if !state.needs_time() {
                break;
            }
            now = Timestamp(now.0 + 1_000);
            state.advance(now, pace()).unwrap();
        }
        assert!(!state.needs_time(), "the sandbox comes to rest");
        service_named(state.cluster(cluster).unwrap(), service)
            .unwrap()
            .clone()
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
        let asked = state
            .update_service("demo-ec2", "api", up, LATER, pace())
            .unwrap();
        assert_eq!(asked.desired_count, 10);
        assert_eq!(asked.pending_count, 2, "new tasks start PENDING");
        let updated = settle(&mut state, "demo-ec2", "api");
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
            .update_service("demo-ec2", "api", down, LATER, pace())
            .unwrap();
        assert_eq!(
            live(&state, "demo-ec2", "api").len(),
            3,
            "stops are at once"
        );
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
        state
            .update_service("demo-ec2", "web-frontend", update, LATER, pace())
            .unwrap();
        let updated = settle(&mut state, "demo-ec2", "web-frontend");
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
                .any(|e| e.message.contains("has started 6 tasks of web-frontend:6"))
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
        state
            .update_service("demo-ec2", "payments", update, LATER, pace())
            .unwrap();
        let mut now = LATER;
        for _ in 0..30 {
            now = Timestamp(now.0 + 1_000);
            state.advance(now, pace()).unwrap();
        }
        let updated = service_named(state.cluster("demo-ec2").unwrap(), "payments")
            .unwrap()
            .clone();
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
            client_token: None,
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
                pace(),
            )
            .unwrap();
        assert_eq!(stopped.last_status, "STOPPED");
        assert_eq!(stopped.stopped_reason.as_deref(), Some("testing"));
        let replacing = live(&state, "demo-ec2", "auth");
        assert_eq!(
            replacing.len(),
            3,
            "the scheduler asks for a replacement at once"
        );
        assert_eq!(
            replacing
                .iter()
                .filter(|t| t.last_status == "PENDING")
                .count(),
            1
        );
        settle(&mut state, "demo-ec2", "auth");
        let running = live(&state, "demo-ec2", "auth");
        assert!(running.iter().all(|t| t.last_status == "RUNNING"));
        assert!(running.iter().all(|t| t.task_arn != victim.task_arn));
        assert!(matches!(
            state.stop_task("demo-ec2", "nope", StopTask::default(), LATER, pace()),
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
            load_balancers: Vec::new(),
            service_registries: Vec::new(),
            client_token: None,
        };
        let created = state
            .create_service("demo-ec2", request.clone(), LATER, pace())
            .unwrap();
        assert_eq!(created.pending_count, 2);
        let created = settle(&mut state, "demo-ec2", "reports");
        assert_eq!(created.running_count, 2);
        assert_eq!(
            created.deployments[0].rollout_state.as_deref(),
            Some("COMPLETED")
        );
        assert_eq!(live(&state, "demo-ec2", "reports").len(), 2);
        assert!(matches!(
            state.create_service("demo-ec2", request.clone(), LATER, pace()),
            Err(SourceError::InvalidParameter(_))
        ));
        let inactive = CreateService {
            service_name: "old".into(),
            task_definition: "api:1".into(),
            ..request
        };
        assert!(matches!(
            state.create_service("demo-ec2", inactive, LATER, pace()),
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
        state
            .update_service("demo-ec2", "metrics-agent", update, LATER, pace())
            .unwrap();
        let updated = settle(&mut state, "demo-ec2", "metrics-agent");
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
                LATER,
                pace()
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
