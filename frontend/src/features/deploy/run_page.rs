//! The Run task page (`/clusters/:cluster/run`): standalone tasks of a revision on a cluster,
//! previewed in the browser as they are drafted (whether they fit on the instances and why not,
//! what they cost, the RunTask call), run after a confirmation naming cluster and account, then
//! the tasks started (each a link to its page and logs) and ECS's failures.

use berth_shared::{
    access::Role,
    api::{Mutation, RunTask, RunTaskResult},
    ecs::{AwsVpcConfiguration, NetworkConfiguration, short_id},
    ops::{
        Problem, Severity,
        run_preview::{RunTaskPreview, RunTaskPreviewInput, preview_run_task},
    },
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    draft::client_token,
    editor::ProblemList,
    preview_panel::{Calls, Cost, Placement},
};
use crate::{
    api,
    components::{
        live::{ClusterStream, LiveIndicator, WhenLoaded, use_cluster_stream},
        server::{NoChangesNotice, use_server_health},
    },
    links::task_href,
    url_query::UrlQuery,
};

/// Query key of the family to run (`?family=web`), as links from other pages set it.
const FAMILY_KEY: &str = "family";

/// Where the Run button is.
#[derive(Debug, Clone, PartialEq)]
enum RunState {
    Idle,
    Confirming,
    Working,
    Done(Box<Mutation<RunTaskResult>>),
    Failed { title: String, message: String },
}

/// The page that runs standalone tasks on a cluster.
#[component]
pub fn RunTaskPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = Signal::derive(move || params.read().get("cluster").unwrap_or_default());
    let stream = use_cluster_stream(cluster);
    view! {
        <nav class="breadcrumbs">
            <A href=crate::source::link("/clusters")>"Clusters"</A>" / "
            <A href=move || crate::source::link(&format!("/clusters/{}", cluster.get()))>{cluster}</A>" / Run task"
        </nav>
        <div class="page__header">
            <h1 class="page__title">"Run task on "<span data-testid="cluster-name">{cluster}</span></h1>
            <LiveIndicator stream/>
        </div>
        <WhenLoaded stream>
            <RunBody cluster stream/>
        </WhenLoaded>
    }
}

/// The draft of a RunTask request, as typed.
#[derive(Debug, Clone, Copy)]
struct RunDraft {
    family: RwSignal<String>,
    revision: RwSignal<String>,
    count: RwSignal<String>,
    launch_type: RwSignal<String>,
    group: RwSignal<String>,
    subnets: RwSignal<String>,
    security_groups: RwSignal<String>,
}

impl RunDraft {
    /// The request the draft makes, or the problem of the field that keeps it from being one.
    fn request(&self, awsvpc: bool) -> Result<RunTask, Problem> {
        let family = self.family.get();
        if family.is_empty() {
            return Err(problem(
                "taskDefinition",
                "Choose a task definition family.",
            ));
        }
        let revision = self.revision.get();
        let count = self.count.get();
        let count: i64 = count.trim().parse().map_err(|_| {
            problem(
                "count",
                &format!("The count is a whole number from 1 to 10, not {count:?}."),
            )
        })?;
        let list = |text: String| -> Vec<String> {
            text.split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let network_configuration = awsvpc.then(|| NetworkConfiguration {
            awsvpc_configuration: Some(AwsVpcConfiguration {
                subnets: list(self.subnets.get()),
                security_groups: list(self.security_groups.get()),
                assign_public_ip: None,
            }),
        });
        let group = self.group.get();
        Ok(RunTask {
            task_definition: if revision.is_empty() {
                family
            } else {
                revision
            },
            count,
            group: (!group.trim().is_empty()).then(|| group.trim().to_owned()),
            launch_type: Some(self.launch_type.get()),
            capacity_provider_strategy: Vec::new(),
            placement_strategy: Vec::new(),
            placement_constraints: Vec::new(),
            network_configuration,
            started_by: None,
            client_token: None,
        })
    }
}

fn problem(path: &str, message: &str) -> Problem {
    Problem {
        path: path.to_owned(),
        severity: Severity::Error,
        message: message.to_owned(),
    }
}

#[component]
fn RunBody(cluster: Signal<String>, stream: ClusterStream) -> impl IntoView {
    let url = UrlQuery::new();
    let asked_family = url.get(FAMILY_KEY);
    let families = LocalResource::new(api::task_definition_families);
    let has_instances = Memo::new(move |_| {
        stream.snapshot.with(|s| {
            s.as_ref()
                .is_some_and(|s| !s.container_instances.is_empty())
        })
    });
    let draft = RunDraft {
        family: RwSignal::new(asked_family.get_untracked().unwrap_or_default()),
        revision: RwSignal::new(String::new()),
        count: RwSignal::new("1".to_owned()),
        launch_type: RwSignal::new(
            if has_instances.get_untracked() {
                "EC2"
            } else {
                "FARGATE"
            }
            .to_owned(),
        ),
        group: RwSignal::new(String::new()),
        subnets: RwSignal::new(String::new()),
        security_groups: RwSignal::new(String::new()),
    };
    // The first family, once they are known, when none was asked for.
    Effect::new(move |_| {
        if draft.family.with_untracked(String::is_empty)
            && let Some(Ok(list)) = families.get()
            && let Some(first) = list.families.first()
        {
            draft.family.set(first.family.clone());
        }
    });
    let revisions = Memo::new(move |_| {
        let family = draft.family.get();
        families
            .get()
            .and_then(Result::ok)
            .and_then(|list| list.families.into_iter().find(|f| f.family == family))
            .map(|f| {
                f.revisions
                    .into_iter()
                    .filter(|r| r.status == "ACTIVE")
                    .map(|r| format!("{}:{}", f.family, r.revision))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let definition = LocalResource::new(move || {
        let named = if draft.revision.get().is_empty() {
            draft.family.get()
        } else {
            draft.revision.get()
        };
        async move {
            if named.is_empty() {
                None
            } else {
                api::task_definition(&named).await.ok()
            }
        }
    });
    let awsvpc = Memo::new(move |_| {
        draft.launch_type.get() == "FARGATE"
            || definition
                .get()
                .flatten()
                .is_some_and(|d| d.network_mode.as_deref() == Some("awsvpc"))
    });
    let health = use_server_health();
    let source = Memo::new(move |_| {
        health
            .resource()
            .get()
            .and_then(Result::ok)
            .and_then(|h| h.source)
    });
    let request = Memo::new(move |_| draft.request(awsvpc.get()));
    let preview: Memo<Option<RunTaskPreview>> = Memo::new(move |_| {
        let request = request.get().ok()?;
        let snapshot = stream.snapshot.get()?;
        let input = RunTaskPreviewInput {
            region: source
                .get()
                .map(|s| s.region().to_owned())
                .unwrap_or_default(),
            snapshot: (*snapshot).clone(),
            definition: definition.get().flatten(),
            task_definitions: Vec::new(),
            request,
        };
        Some(preview_run_task(&input))
    });
    let draft_problems = Signal::derive(move || {
        let mut problems =
            request.with(|r| r.as_ref().err().cloned().into_iter().collect::<Vec<_>>());
        problems.extend(preview.with(|p| {
            p.iter()
                .flat_map(|p| p.problems.clone())
                .collect::<Vec<_>>()
        }));
        problems
    });
    let state = RwSignal::new(RunState::Idle);
    let may_run = health.may_change(Role::Deployer);
    let runnable = Memo::new(move |_| {
        request.with(Result::is_ok) && preview.with(|p| p.as_ref().is_some_and(|p| !p.blocked))
    });
    let run = move |_| {
        let Ok(mut request) = request.get_untracked() else {
            return;
        };
        request.client_token = client_token();
        state.set(RunState::Working);
        let cluster = cluster.get_untracked();
        spawn_local(async move {
            match api::run_task(&cluster, &request).await {
                Ok(ran) => state.set(RunState::Done(Box::new(ran))),
                Err(error) => state.set(RunState::Failed {
                    title: error.title().to_owned(),
                    message: error.to_string(),
                }),
            }
        });
    };
    let headline = move || {
        preview.with(|p| {
            p.as_ref().map(|p| {
                let errors = p
                    .problems
                    .iter()
                    .filter(|problem| problem.severity == Severity::Error)
                    .count();
                if errors > 0 {
                    return format!(
                        "{} to fix before this can run.",
                        berth_view::format::plural(errors, "problem", "problems")
                    );
                }
                format!(
                    "Runs {} {} of {} on {}{}.",
                    p.count,
                    if p.count == 1 { "task" } else { "tasks" },
                    p.revision,
                    p.cluster,
                    if awsvpc.get() { " (awsvpc)" } else { "" }
                )
            })
        })
    };
    let source_label = Signal::derive(move || {
        source
            .get()
            .map(|s| s.label())
            .unwrap_or_else(|| "this account".to_owned())
    });
    view! {
        <div class="deploy">
            <section class="panel deploy__inputs" data-testid="run-form">
                <h2>"What runs"</h2>
                <div class="settings">
                    <label class="field run__family">
                        <span class="field__label">"Family"</span>
                        <select class="field__input" data-testid="run-family"
                            on:change=move |ev| { draft.family.set(event_target_value(&ev)); draft.revision.set(String::new()); }>
                            {move || families.get().and_then(Result::ok).map(|list| list.families.into_iter().map(|f| {
                                let selected = f.family == draft.family.get_untracked();
                                let label = f.family.clone();
                                view! { <option value=f.family selected=selected>{label}</option> }
                            }).collect_view())}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">"Revision"</span>
                        <select class="field__input" data-testid="run-revision"
                            on:change=move |ev| draft.revision.set(event_target_value(&ev))>
                            <option value="" selected=move || draft.revision.with(String::is_empty)>"The latest"</option>
                            {move || revisions.get().into_iter().map(|revision| {
                                let selected = revision == draft.revision.get_untracked();
                                let label = revision.clone();
                                view! { <option value=revision selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">"Tasks (1–10)"</span>
                        <input class="field__input" inputmode="numeric" data-testid="run-count"
                            prop:value=move || draft.count.get()
                            on:input=move |ev| draft.count.set(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span class="field__label">"Launch type"</span>
                        <select class="field__input" data-testid="run-launch-type"
                            on:change=move |ev| draft.launch_type.set(event_target_value(&ev))>
                            {["EC2", "FARGATE"].map(|kind| view! {
                                <option value=kind selected=move || draft.launch_type.get() == kind>{kind}</option>
                            })}
                        </select>
                    </label>
                    <label class="field field--wide">
                        <span class="field__label">"Group (default family:<family>)"</span>
                        <input class="field__input" data-testid="run-group"
                            prop:value=move || draft.group.get()
                            on:input=move |ev| draft.group.set(event_target_value(&ev))/>
                    </label>
                    {move || awsvpc.get().then(|| view! {
                        <label class="field field--wide">
                            <span class="field__label">"Subnets (awsvpc)"</span>
                            <input class="field__input mono" data-testid="run-subnets" placeholder="subnet-…, subnet-…"
                                prop:value=move || draft.subnets.get()
                                on:input=move |ev| draft.subnets.set(event_target_value(&ev))/>
                        </label>
                        <label class="field field--wide">
                            <span class="field__label">"Security groups"</span>
                            <input class="field__input mono" data-testid="run-security-groups" placeholder="sg-…"
                                prop:value=move || draft.security_groups.get()
                                on:input=move |ev| draft.security_groups.set(event_target_value(&ev))/>
                        </label>
                    })}
                </div>
                {move || families.get().and_then(Result::err).map(|error| view! {
                    <p class="notice notice--bad" role="alert" data-testid="run-families-error">
                        {format!("The task definitions could not be read: {error}")}
                    </p>
                })}
                <ProblemList problems=draft_problems testid="run-problems"/>
            </section>
            <div class="deploy__outcome">
                <section class="panel deploy-preview" data-testid="run-preview" aria-live="polite">
                    <h2>"Preview"</h2>
                    <p class="deploy-preview__headline" data-testid="run-headline">{headline}</p>
                    {move || preview.get().map(|p| view! {
                        {p.placement.clone().map(|placement| view! { <Placement placement/> })}
                        {p.cost.clone().map(|cost| view! { <Cost cost/> })}
                        <Calls calls=p.calls.clone() title="What Run calls"/>
                        <details class="deploy-preview__json">
                            <summary>"This preview as JSON (what POST …/tasks/preview answers)"</summary>
                            <pre class="mono" data-testid="run-preview-json">{serde_json::to_string_pretty(&p).unwrap_or_default()}</pre>
                        </details>
                    })}
                </section>
                {move || if may_run.get() {
                    view! {
                        <section class="panel apply" data-testid="run">
                            {move || match state.get() {
                                RunState::Confirming => view! {
                                    <div class="confirm" role="alertdialog" aria-label="Confirm the run" data-testid="confirm-run">
                                        <p><strong>{move || format!("Run tasks in the cluster {} of {}?", cluster.get(), source_label.get())}</strong></p>
                                        <p>{headline}</p>
                                        <button type="button" class="button button--danger" data-testid="confirm-run-yes" on:click=run>"Run"</button>
                                        <button type="button" class="button button--quiet" on:click=move |_| state.set(RunState::Idle)>"Cancel"</button>
                                    </div>
                                }.into_any(),
                                _ => view! {
                                    <button type="button" class="button" data-testid="run-button"
                                        prop:disabled=move || !runnable.get() || state.with(|s| *s == RunState::Working)
                                        on:click=move |_| state.set(RunState::Confirming)>
                                        {move || if state.with(|s| *s == RunState::Working) { "Running…" } else { "Run…" }}
                                    </button>
                                    {move || (!runnable.get()).then(|| view! {
                                        <span class="muted">" Nothing to run until the preview has no error."</span>
                                    })}
                                }.into_any(),
                            }}
                            {move || match state.get() {
                                RunState::Done(ran) => Some(view! { <RunOutcome cluster ran=*ran/> }.into_any()),
                                RunState::Failed { title, message } => Some(view! {
                                    <p class="notice notice--bad" role="alert" data-testid="run-error">
                                        <strong>{title}": "</strong>{message}
                                    </p>
                                }.into_any()),
                                _ => None,
                            }}
                        </section>
                    }.into_any()
                } else {
                    view! { <NoChangesNotice needed=Role::Deployer/> }.into_any()
                }}
            </div>
        </div>
    }
}

/// The tasks a run started, each a link to its page, and ECS's failures.
#[component]
fn RunOutcome(cluster: Signal<String>, ran: Mutation<RunTaskResult>) -> impl IntoView {
    let cluster = cluster.get_untracked();
    view! {
        <div class="notice notice--ok" data-testid="run-done">
            <p>{format!(
                "Started {} {}{}.",
                ran.resource.tasks.len(),
                if ran.resource.tasks.len() == 1 { "task" } else { "tasks" },
                ran.request_id.as_ref().map_or_else(
                    || " (the sandbox: no request id)".to_owned(),
                    |id| format!(" · request id {id}"),
                )
            )}</p>
            <ul class="plain-list" data-testid="run-tasks">
                {ran.resource.tasks.into_iter().map(|task| {
                    let id = short_id(&task.task_arn).to_owned();
                    view! {
                        <li>
                            <A href=task_href(&cluster, &id) attr:class="mono">{id.clone()}</A>
                            " "{task.last_status}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!ran.resource.failures.is_empty()).then(|| view! {
                <ul class="plain-list text-bad" data-testid="run-failures">
                    {ran.resource.failures.into_iter().map(|f| view! {
                        <li>{f.reason}{f.detail.map(|d| format!(": {d}"))}</li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}
