//! The sandbox's service scheduler and clock: what ECS does to services and tasks as time
//! passes.
//!
//! A change (a new desired count, a new revision, a stopped task) only tells the scheduler
//! what is wanted; [`SandboxState::advance`] then moves the account along at each tick of
//! the sandbox's clock, a pure function of the state, the time and the [`Pace`]:
//!
//! 1. Starting tasks move through their lifecycle ([`super::tasks::advance`]): a task whose
//!    image is not in the account's repository stops with `CannotPullContainerError`, counting
//!    as a failed launch of its deployment; a task that runs resets that count
//!    (`resetOnHealthyTask`).
//! 2. Each service takes one step. A deployment in progress takes the step of
//!    docs/ECS-MODEL.md §4.3, the same loop `ops::deployment` plans: old tasks are stopped
//!    while the healthy count stays at or above `minimumHealthyPercent`, then new ones are
//!    started up to `maximumPercent` (placed by the engine), and it is `COMPLETED` once
//!    `desired` new tasks run and no old one does. With the circuit breaker on, reaching the
//!    failure threshold (`ops::deployment::breaker_threshold`, §4.4) fails the deployment and,
//!    with `rollback`, starts a new one back to the last completed deployment. A service
//!    otherwise keeps its desired count, replacing stopped tasks and waiting longer after each
//!    failed launch (§4.5).
//!
//! Stopping is immediate (the model's STOPPING tasks have finished before the next launches).
//! Images from repositories the sandbox does not hold are taken as pullable, as from a
//! registry outside the account.

use berth_shared::{
    ecs::{Deployment, Service, ServiceEvent, Task, TaskDefinition, short_id},
    ops::{
        deployment::{breaker_threshold, max_tasks, min_healthy_tasks},
        images::{resolve, wanted},
        requests::{Scheduling, deployment_percents},
    },
    placement::{ScaleInInput, scale_in},
    time::Timestamp,
};

use super::{
    ids::IdGenerator,
    mutations::{launch_type, service_named},
    placement::{TaskRequest, place_daemon, place_tasks, placements, refresh_instances},
    state::{ClusterState, RepositoryState, SandboxState},
    tasks::{self, Pace, Transition, is_live, is_starting, new_task},
};
use crate::error::SourceError;

/// Events kept per service (ECS keeps the most recent ones).
const MAX_EVENTS: usize = 100;

fn invalid(message: impl Into<String>) -> SourceError {
    SourceError::InvalidParameter(message.into())
}

impl SandboxState {
    /// Moves the account along to `now`: starting tasks advance, and every service takes a
    /// step. Returns whether anything changed.
    pub fn advance(&mut self, now: Timestamp, pace: Pace) -> Result<bool, SourceError> {
        let before = self.clone();
        let mut ids = IdGenerator(self.id_seed);
        for cluster in &mut self.clusters {
            let pull_error = |image: &str| pull_error(&self.repositories, image);
            let moved: Vec<(usize, Transition)> = cluster
                .tasks
                .iter_mut()
                .enumerate()
                .filter_map(|(index, task)| {
                    Some((index, tasks::advance(task, now, pace, pull_error)?))
                })
                .collect();
            if moved.is_empty() && cluster.services.iter().all(|s| is_settled(cluster, s)) {
                continue;
            }
            for (index, transition) in &moved {
                let task = cluster.tasks[*index].clone();
                count_launch(cluster, &task, transition);
            }
            refresh_instances(cluster, &self.task_definitions);
            let names: Vec<String> = cluster
                .services
                .iter()
                .filter(|s| s.status == "ACTIVE")
                .map(|s| s.service_name.clone())
                .collect();
            let mut scheduler =
                Scheduler::new(cluster, &self.task_definitions, now, pace, &mut ids);
            for name in names {
                scheduler.step(&name)?;
            }
        }
        self.id_seed = ids.0;
        Ok(*self != before)
    }

    /// Whether the clock has anything to move: a starting task, or a service not at rest.
    pub fn needs_time(&self) -> bool {
        self.clusters.iter().any(|cluster| {
            cluster.tasks.iter().any(is_starting)
                || cluster.services.iter().any(|s| !is_settled(cluster, s))
        })
    }
}

/// Whether a service is at rest: its deployment completed (or failed for good) and its
/// desired count running.
fn is_settled(cluster: &ClusterState, service: &Service) -> bool {
    if service.status != "ACTIVE" {
        return true;
    }
    let primary = service.deployments.iter().find(|d| d.status == "PRIMARY");
    match primary.and_then(|d| d.rollout_state.as_deref()) {
        Some("IN_PROGRESS") => false,
        Some("FAILED") => true,
        _ => {
            service.scheduling_strategy == "DAEMON"
                || live_tasks(cluster, &group(&service.service_name)).count()
                    == usize::try_from(service.desired_count).unwrap_or(0)
        }
    }
}

/// Counts a launch's outcome on its deployment: a failure adds one to `failedTasks`, a task
/// that runs resets it (`resetOnHealthyTask`).
fn count_launch(cluster: &mut ClusterState, task: &Task, transition: &Transition) {
    let (Some(service), Some(deployment_id)) = (
        task.group
            .as_deref()
            .and_then(|g| g.strip_prefix("service:")),
        task.started_by.as_deref(),
    ) else {
        return;
    };
    let Some(deployment) = cluster
        .services
        .iter_mut()
        .filter(|s| s.service_name == service && s.status == "ACTIVE")
        .flat_map(|s| s.deployments.iter_mut())
        .find(|d| d.id == deployment_id)
    else {
        return;
    };
    match transition {
        Transition::FailedToStart => deployment.failed_tasks += 1,
        Transition::Started => deployment.failed_tasks = 0,
        Transition::Provisioned => {}
    }
}

/// Why `image` cannot be pulled in the sandbox account, if it cannot: it names one of the
/// account's repositories (as `ops::images` reads references) and that repository has no
/// such tag or digest.
pub fn pull_error(repositories: &[RepositoryState], image: &str) -> Option<String> {
    let repository = repositories
        .iter()
        .find(|r| wanted(image, &r.repository.repository_uri).is_some())?;
    resolve(image, &repository.repository.repository_uri, &repository.images)
        .is_none()
        .then(|| {
            format!(
                "pull image manifest has been retried 5 time(s): failed to resolve ref {image}: {image}: not found"
            )
        })
}

fn group(service: &str) -> String {
    format!("service:{service}")
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

fn service_mut<'a>(
    cluster: &'a mut ClusterState,
    name: &str,
) -> Result<&'a mut Service, SourceError> {
    cluster
        .services
        .iter_mut()
        .find(|s| s.service_name == name && s.status != "INACTIVE")
        .ok_or_else(|| SourceError::NotFound {
            kind: "service",
            name: name.to_owned(),
        })
}

/// The service scheduler of one cluster, at one moment.
pub(super) struct Scheduler<'a> {
    cluster: &'a mut ClusterState,
    definitions: &'a [TaskDefinition],
    now: Timestamp,
    pace: Pace,
    ids: &'a mut IdGenerator,
}

impl<'a> Scheduler<'a> {
    pub(super) fn new(
        cluster: &'a mut ClusterState,
        definitions: &'a [TaskDefinition],
        now: Timestamp,
        pace: Pace,
        ids: &'a mut IdGenerator,
    ) -> Self {
        Self {
            cluster,
            definitions,
            now,
            pace,
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
            .ok_or_else(|| SourceError::NotFound {
                kind: "task definition",
                name: definition_arn.to_owned(),
            })?
            .clone();
        let group = group(&service.service_name);
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
                    f.arn.as_deref().map_or("(none)", short_id),
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
        let group = group(&service.service_name);
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
                tasks::stop(task, reason, "ServiceSchedulerInitiated", self.now);
            }
        }
        refresh_instances(self.cluster, self.definitions);
        Ok(victims.tasks.len())
    }

    /// Makes `definition_arn` the service's new PRIMARY deployment, in progress; the steps
    /// that follow roll it out. Returns the deployment's id.
    pub(super) fn start_deployment(
        &mut self,
        name: &str,
        definition_arn: &str,
        reason: &str,
    ) -> Result<String, SourceError> {
        let deployment_id = format!("ecs-svc/{}", &self.ids.hex32()[..19]);
        let now = self.now;
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
                rollout_state_reason: Some(reason.to_owned()),
            },
        );
        service.task_definition = definition_arn.to_owned();
        Ok(deployment_id)
    }

    /// One step of the service at this moment: a deployment in progress rolls on, a
    /// completed one keeps the desired count.
    pub(super) fn step(&mut self, name: &str) -> Result<(), SourceError> {
        let service = service_named(self.cluster, name)?.clone();
        let settled_before = is_settled(self.cluster, &service);
        let Some(primary) = service
            .deployments
            .iter()
            .find(|d| d.status == "PRIMARY")
            .cloned()
        else {
            return Ok(());
        };
        let mut notes = Vec::new();
        match primary.rollout_state.as_deref() {
            Some("IN_PROGRESS") if service.scheduling_strategy == "DAEMON" => {
                self.replace_daemons(&service, &primary, &mut notes)?;
            }
            Some("IN_PROGRESS") => self.roll(&service, &primary, &mut notes)?,
            // A failed deployment without rollback launches nothing more.
            Some("FAILED") => {}
            _ => self.keep_desired(&service, &primary, &mut notes)?,
        }
        self.finish(name, notes, settled_before)
    }

    /// Whether the deployment waits before launching again after failed launches.
    fn backing_off(&self, service: &Service, deployment: &Deployment) -> bool {
        if deployment.failed_tasks == 0 {
            return false;
        }
        let group = group(&service.service_name);
        let last_failure = self
            .cluster
            .tasks
            .iter()
            .filter(|t| {
                t.group.as_deref() == Some(group.as_str())
                    && t.started_by.as_deref() == Some(deployment.id.as_str())
                    && t.stop_code.as_deref() == Some("TaskFailedToStart")
            })
            .filter_map(|t| t.stopped_at)
            .max();
        last_failure
            .is_some_and(|at| self.now.0 < at.0 + self.pace.retry_delay_ms(deployment.failed_tasks))
    }

    /// Keeps a service without a deployment in progress at its desired count.
    fn keep_desired(
        &mut self,
        service: &Service,
        primary: &Deployment,
        notes: &mut Vec<String>,
    ) -> Result<(), SourceError> {
        let name = &service.service_name;
        let live = live_tasks(self.cluster, &group(name)).count();
        let desired = usize::try_from(service.desired_count).unwrap_or(0);
        if service.scheduling_strategy == "DAEMON" || live < desired {
            if self.backing_off(service, primary) {
                return Ok(());
            }
            let (started, failure) = self.launch(
                service,
                &service.task_definition,
                &primary.id,
                desired.saturating_sub(live).max(1),
            )?;
            if started > 0 {
                notes.push(format!("(service {name}) has started {started} tasks."));
            }
            notes.extend(failure);
        } else if live > desired {
            let stopped = self.shrink(
                service,
                None,
                live - desired,
                "Scaling activity initiated by user",
            )?;
            notes.push(format!(
                "(service {name}) has stopped {stopped} running tasks."
            ));
        }
        Ok(())
    }

    /// A DAEMON deployment (minimumHealthyPercent 0): every old task stops and each instance
    /// gets the new revision.
    fn replace_daemons(
        &mut self,
        service: &Service,
        primary: &Deployment,
        notes: &mut Vec<String>,
    ) -> Result<(), SourceError> {
        let name = &service.service_name;
        let old: Vec<String> = live_tasks(self.cluster, &group(name))
            .filter(|t| t.started_by.as_deref() != Some(primary.id.as_str()))
            .map(|t| t.task_arn.clone())
            .collect();
        let stopped = self.shrink(
            service,
            Some(&old),
            old.len(),
            &format!("Deployment {} replaced the task", primary.id),
        )?;
        let (started, _) = if self.backing_off(service, primary) {
            (0, None)
        } else {
            self.launch(service, &primary.task_definition, &primary.id, 1)?
        };
        if stopped + started > 0 {
            notes.push(format!(
                "(service {name}) deployment {} to {}: stopped {stopped} and started {started} daemon tasks.",
                primary.id,
                short_id(&primary.task_definition)
            ));
        }
        Ok(())
    }

    /// One step of a rolling deployment (docs/ECS-MODEL.md §4.3), or its failure when the
    /// circuit breaker trips (§4.4).
    fn roll(
        &mut self,
        service: &Service,
        primary: &Deployment,
        notes: &mut Vec<String>,
    ) -> Result<(), SourceError> {
        let name = &service.service_name;
        let configuration = service.deployment_configuration.clone().unwrap_or_default();
        let desired = service.desired_count;
        if let Some(breaker) = configuration
            .deployment_circuit_breaker
            .as_ref()
            .filter(|b| b.enable)
            && primary.failed_tasks >= breaker_threshold(desired, None)
        {
            return self.trip_breaker(service, primary, breaker.rollback, notes);
        }
        let (minimum_percent, maximum_percent) = deployment_percents(
            &configuration,
            Some(Scheduling::Replica),
            "deploymentConfiguration",
        )?;
        let floor = min_healthy_tasks(desired, minimum_percent);
        let ceiling = max_tasks(desired, maximum_percent);
        let group = group(name);
        let count = |tasks: &ClusterState, new: bool, running: bool| {
            let found = live_tasks(tasks, &group)
                .filter(|t| (t.started_by.as_deref() == Some(primary.id.as_str())) == new)
                .filter(|t| !running || t.last_status == "RUNNING")
                .count();
            i64::try_from(found).unwrap_or(i64::MAX)
        };
        let old: Vec<String> = live_tasks(self.cluster, &group)
            .filter(|t| t.started_by.as_deref() != Some(primary.id.as_str()))
            .map(|t| t.task_arn.clone())
            .collect();
        let old_count = i64::try_from(old.len()).unwrap_or(i64::MAX);
        let healthy_new = count(self.cluster, true, true);
        let stoppable = old_count.min(old_count + healthy_new - floor).max(0);
        let revision = short_id(&primary.task_definition).to_owned();
        let stopped = self.shrink(
            service,
            Some(&old),
            usize::try_from(stoppable).unwrap_or(0),
            &format!("Deployment {} replaced the task", primary.id),
        )?;
        if stopped > 0 {
            notes.push(format!(
                "(service {name}) has stopped {stopped} running tasks of the previous revision."
            ));
        }
        let old_left = old_count - i64::try_from(stopped).unwrap_or(0);
        let new_total = count(self.cluster, true, false);
        let room = (ceiling - old_left - new_total)
            .min(desired - new_total)
            .max(0);
        if room > 0 && !self.backing_off(service, primary) {
            let (started, failure) = self.launch(
                service,
                &primary.task_definition,
                &primary.id,
                usize::try_from(room).unwrap_or(0),
            )?;
            if started > 0 {
                notes.push(format!(
                    "(service {name}) has started {started} tasks of {revision}."
                ));
            }
            notes.extend(failure);
        } else if room == 0
            && stoppable == 0
            && new_total == 0
            && old_left > 0
            && floor >= old_left
            && ceiling <= old_left
        {
            notes.push(format!(
                "(service {name}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
            ));
        }
        Ok(())
    }

    /// The circuit breaker tripped: the deployment fails and, with rollback, a new one goes
    /// back to the last completed deployment.
    fn trip_breaker(
        &mut self,
        service: &Service,
        primary: &Deployment,
        rollback: bool,
        notes: &mut Vec<String>,
    ) -> Result<(), SourceError> {
        let name = &service.service_name;
        let target = service
            .deployments
            .iter()
            .find(|d| d.status == "ACTIVE" && d.rollout_state.as_deref() == Some("COMPLETED"))
            .cloned();
        {
            let failed = service_mut(self.cluster, name)?
                .deployments
                .iter_mut()
                .find(|d| d.id == primary.id)
                .ok_or_else(|| invalid("the deployment vanished"))?;
            failed.rollout_state = Some("FAILED".to_owned());
            failed.rollout_state_reason =
                Some("ECS deployment circuit breaker: tasks failed to start.".to_owned());
            failed.updated_at = Some(self.now);
        }
        notes.push(format!(
            "(service {name}) deployment {} deployment failed: tasks failed to start.",
            primary.id
        ));
        match target {
            Some(target) if rollback => {
                let reason = format!(
                    "ECS deployment circuit breaker: rolling back to deploymentId {}.",
                    target.id
                );
                let id = self.start_deployment(name, &target.task_definition, &reason)?;
                notes.push(format!(
                    "(service {name}) rolling back to deployment {} ({}) as deployment {id}.",
                    target.id,
                    short_id(&target.task_definition)
                ));
            }
            None if rollback => notes.push(format!(
                "(service {name}) cannot roll back: no earlier deployment completed."
            )),
            _ => {}
        }
        Ok(())
    }

    /// Updates the service's counters and deployment states from its tasks, records `notes`
    /// as events, and "steady state" when the service comes to rest.
    fn finish(
        &mut self,
        name: &str,
        notes: Vec<String>,
        settled_before: bool,
    ) -> Result<(), SourceError> {
        let group = group(name);
        let live: Vec<(String, bool)> = live_tasks(self.cluster, &group)
            .map(|t| {
                (
                    t.started_by.clone().unwrap_or_default(),
                    t.last_status == "RUNNING",
                )
            })
            .collect();
        let now = self.now;
        let service = service_mut(self.cluster, name)?;
        let running = live.iter().filter(|(_, running)| *running).count();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        if service.scheduling_strategy == "DAEMON" {
            service.desired_count = count(live.len());
        }
        service.running_count = count(running);
        service.pending_count = count(live.len() - running);
        let desired = service.desired_count;
        let mut completed_now = false;
        for deployment in &mut service.deployments {
            let of_deployment = live.iter().filter(|(by, _)| *by == deployment.id);
            let running_here = of_deployment
                .clone()
                .filter(|(_, running)| *running)
                .count();
            deployment.running_count = count(running_here);
            deployment.pending_count = count(of_deployment.count() - running_here);
            if deployment.status != "PRIMARY" {
                continue;
            }
            deployment.desired_count = desired;
            if deployment.rollout_state.as_deref() == Some("IN_PROGRESS")
                && deployment.running_count >= desired
                && deployment.pending_count == 0
                && count(running) == deployment.running_count
                && count(live.len()) == deployment.running_count
            {
                deployment.rollout_state = Some("COMPLETED".to_owned());
                deployment.rollout_state_reason = Some("ECS deployment completed.".to_owned());
                deployment.updated_at = Some(now);
                completed_now = true;
            }
        }
        let primary_in_progress = service
            .deployments
            .iter()
            .any(|d| d.status == "PRIMARY" && d.rollout_state.as_deref() == Some("IN_PROGRESS"));
        // The deployments replaced are kept while one is in progress, so a tripped circuit
        // breaker can find the last completed one.
        service.deployments.retain(|d| {
            d.status == "PRIMARY" || primary_in_progress || d.running_count + d.pending_count > 0
        });
        for note in notes {
            // A repeated "unable to" event is not recorded again, as ECS throttles them.
            let repeated = note.contains("was unable to")
                && service.events.first().is_some_and(|e| e.message == note);
            if !repeated {
                push_event(service, now, self.ids, note);
            }
        }
        let service = service.clone();
        if (completed_now || !settled_before) && is_settled(self.cluster, &service) {
            let service = service_mut(self.cluster, name)?;
            if service
                .deployments
                .iter()
                .all(|d| d.status == "PRIMARY" && d.rollout_state.as_deref() == Some("COMPLETED"))
            {
                push_event(
                    service,
                    now,
                    self.ids,
                    format!("(service {name}) has reached a steady state."),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use berth_shared::api::ServiceUpdate;

    use super::*;
    use crate::sandbox::{ids::ACCOUNT, seed::demo_fleet};

    const NOW: Timestamp = Timestamp(1_760_000_000_000);
    const SECOND: i64 = 1_000;

    fn service<'a>(state: &'a SandboxState, name: &str) -> &'a Service {
        service_named(state.cluster("demo-ec2").unwrap(), name).unwrap()
    }

    fn tasks_of<'a>(state: &'a SandboxState, name: &str) -> Vec<&'a Task> {
        let group = group(name);
        state
            .cluster("demo-ec2")
            .unwrap()
            .tasks
            .iter()
            .filter(|t| t.group.as_deref() == Some(group.as_str()))
            .collect()
    }

    /// Registers a copy of `family`'s latest revision using `tag` of its image, optionally
    /// turning the circuit breaker on, and updates the service to it at `NOW`.
    fn deploy(state: &mut SandboxState, family: &str, tag: &str, breaker: Option<bool>) {
        let mut definition = state.resolve_definition(family).unwrap().clone();
        definition.task_definition_arn = None;
        let image = &mut definition.container_definitions[0].image;
        *image = format!("{}:{tag}", image.rsplit_once(':').unwrap().0);
        let arn = state
            .register_task_definition(definition, NOW)
            .task_definition_arn
            .unwrap();
        let deployment_configuration = breaker.map(|rollback| {
            let mut configuration = service(state, family)
                .deployment_configuration
                .clone()
                .unwrap_or_default();
            configuration.deployment_circuit_breaker =
                Some(berth_shared::ecs::DeploymentCircuitBreaker {
                    enable: true,
                    rollback,
                });
            configuration
        });
        let update = ServiceUpdate {
            task_definition: Some(arn),
            deployment_configuration,
            ..ServiceUpdate::default()
        };
        state
            .update_service("demo-ec2", family, update, NOW, Pace::default())
            .unwrap();
    }

    /// Runs the clock a second at a time for `seconds`.
    fn run_for(state: &mut SandboxState, seconds: i64) {
        for second in 1..=seconds {
            state
                .advance(Timestamp(NOW.0 + second * SECOND), Pace::default())
                .unwrap();
        }
    }

    #[test]
    fn the_demo_fleet_is_at_rest_and_every_service_image_can_be_pulled() {
        let state = demo_fleet(NOW);
        assert!(!state.needs_time());
        for cluster in &state.clusters {
            for task in &cluster.tasks {
                for container in &task.containers {
                    let image = container.image.as_deref().unwrap();
                    assert_eq!(pull_error(&state.repositories, image), None, "{image}");
                }
            }
        }
        let mut idle = state.clone();
        assert!(
            !idle
                .advance(Timestamp(NOW.0 + SECOND), Pace::default())
                .unwrap()
        );
        assert_eq!(idle, state);
    }

    #[test]
    fn images_pull_when_the_repository_has_the_tag_or_digest() {
        let state = demo_fleet(NOW);
        let registry = format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com");
        let digest = state.repositories[1].images[0].image_digest.clone();
        // (image, pulls)
        let cases = [
            (format!("{registry}/demo/api:v1.7.0"), true),
            (format!("{registry}/demo/api:latest"), true),
            (format!("{registry}/demo/api@{digest}"), true),
            (format!("{registry}/demo/api:v9.9.9"), false),
            (format!("{registry}/demo/api"), true),
            (format!("{registry}/demo/api@sha256:00"), false),
            ("nginx:1.27".to_owned(), true),
            (format!("{registry}/not-in-the-sandbox:v1"), true),
            (
                "999999999999.dkr.ecr.us-east-1.amazonaws.com/demo/api:v9".to_owned(),
                true,
            ),
        ];
        for (image, pulls) in cases {
            let error = pull_error(&state.repositories, &image);
            assert_eq!(error.is_none(), pulls, "{image}: {error:?}");
            if let Some(error) = error {
                assert!(
                    error.contains(&image) && error.ends_with("not found"),
                    "{error}"
                );
            }
        }
    }

    #[test]
    fn a_deployment_rolls_in_the_models_steps_as_tasks_start() {
        let mut state = demo_fleet(NOW);
        deploy(&mut state, "web-frontend", "v1.17.0", None);
        let started = service(&state, "web-frontend");
        let new_id = started.deployments[0].id.clone();
        assert_eq!(started.deployments.len(), 2);
        assert_eq!(
            started.deployments[0].rollout_state.as_deref(),
            Some("IN_PROGRESS")
        );
        // 100 % / 200 %: all six new tasks start beside the six old ones.
        let live: Vec<_> = tasks_of(&state, "web-frontend")
            .into_iter()
            .filter(|t| is_live(t))
            .collect();
        assert_eq!(live.len(), 12);
        assert_eq!(live.iter().filter(|t| is_starting(t)).count(), 6);

        run_for(&mut state, 4);
        assert_eq!(
            service(&state, "web-frontend").running_count,
            6,
            "still pulling"
        );
        run_for(&mut state, 6);
        let done = service(&state, "web-frontend");
        assert_eq!(done.deployments.len(), 1);
        assert_eq!(done.deployments[0].id, new_id);
        assert_eq!(
            done.deployments[0].rollout_state.as_deref(),
            Some("COMPLETED")
        );
        assert_eq!(done.running_count, 6);
        assert!(
            done.events[0].message.contains("steady state"),
            "{:?}",
            done.events
        );
        assert!(!state.needs_time());
    }

    #[test]
    fn a_bad_tag_trips_the_circuit_breaker_and_rolls_back() {
        let mut state = demo_fleet(NOW);
        let before = service(&state, "web-frontend").task_definition.clone();
        deploy(&mut state, "web-frontend", "v404", Some(true));
        run_for(&mut state, 6);
        let failed: Vec<_> = tasks_of(&state, "web-frontend")
            .into_iter()
            .filter(|t| t.stop_code.as_deref() == Some("TaskFailedToStart"))
            .collect();
        assert_eq!(failed.len(), 6);
        assert!(
            failed[0]
                .stopped_reason
                .as_deref()
                .unwrap()
                .starts_with("CannotPullContainerError"),
            "{:?}",
            failed[0].stopped_reason
        );
        let rolled = service(&state, "web-frontend");
        assert_eq!(
            rolled.task_definition, before,
            "back to the revision that ran"
        );
        let states: Vec<_> = rolled
            .deployments
            .iter()
            .map(|d| (d.status.as_str(), d.rollout_state.as_deref().unwrap()))
            .collect();
        assert_eq!(states[0], ("PRIMARY", "IN_PROGRESS"));
        assert!(states.contains(&("ACTIVE", "FAILED")), "{states:?}");
        assert!(
            rolled
                .events
                .iter()
                .any(|e| e.message.contains("rolling back")),
            "{:?}",
            rolled.events
        );
        run_for(&mut state, 30);
        let settled = service(&state, "web-frontend");
        assert_eq!(settled.running_count, 6);
        assert_eq!(settled.deployments.len(), 1);
        assert_eq!(
            settled.deployments[0].rollout_state.as_deref(),
            Some("COMPLETED")
        );
        assert!(!state.needs_time());
    }

    #[test]
    fn without_the_breaker_a_bad_tag_retries_ever_more_slowly_and_old_tasks_keep_running() {
        let mut state = demo_fleet(NOW);
        deploy(&mut state, "web-frontend", "v404", Some(false));
        let mut state_without = state.clone();
        for service in &mut state_without.clusters[0].services {
            if let Some(c) = service.deployment_configuration.as_mut() {
                c.deployment_circuit_breaker = None;
            }
        }
        run_for(&mut state_without, 120);
        let failures = tasks_of(&state_without, "web-frontend")
            .into_iter()
            .filter(|t| t.stop_code.as_deref() == Some("TaskFailedToStart"))
            .count();
        let service = service(&state_without, "web-frontend");
        assert_eq!(
            service.running_count, 6,
            "minimum healthy 100 %: the old tasks run"
        );
        assert_eq!(
            service.deployments[0].rollout_state.as_deref(),
            Some("IN_PROGRESS")
        );
        // Six launches every 5 s would be 144 failures; backing off keeps it far fewer.
        assert!((6..40).contains(&failures), "{failures} failed launches");
        assert!(state_without.needs_time());
        // With the breaker on but no rollback, the deployment fails and launches stop.
        run_for(&mut state, 120);
        let failed = service_named(state.cluster("demo-ec2").unwrap(), "web-frontend").unwrap();
        assert_eq!(
            failed.deployments[0].rollout_state.as_deref(),
            Some("FAILED")
        );
        assert_eq!(failed.running_count, 6);
        assert!(!state.needs_time());
    }
}
