//! The Run task page (`/clusters/:cluster/run`): standalone tasks of a revision on a cluster,
//! previewed in the browser as they are drafted (whether they fit on the instances and why not,
//! what they cost, the RunTask call), run after a confirmation naming cluster and account, then
//! the tasks started (each a link to its page and logs) and ECS's failures.

use berth_shared::{
    access::Role,
    api::{Mutation, RunTask, RunTaskResult},
    ecs::short_id,
    ops::{
        Problem,
        run_preview::{RunTaskPreview, RunTaskPreviewInput, preview_run_task},
    },
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    draft::client_token,
    editor::ProblemList,
    new_work::{
        Checked, Destination, FamiliesError, NetworkFields, RevisionFields, StartButton,
        StartState, Workload, problem, starter,
    },
    preview_panel::{Calls, Cost, Placement},
};
use crate::{
    api,
    components::{
        live::{ClusterStream, LiveIndicator, WhenLoaded, use_cluster_stream},
        server::use_server_health,
    },
    links::task_href,
    url_query::UrlQuery,
};

/// Query key of the family to run (`?family=web`), as links from other pages set it.
const FAMILY_KEY: &str = "family";

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
#[derive(Clone, Copy)]
struct RunDraft {
    workload: Workload,
    count: RwSignal<String>,
    group: RwSignal<String>,
}

impl RunDraft {
    /// The request the draft makes, or the problem of the field that keeps it from being one.
    fn request(&self) -> Result<RunTask, Problem> {
        let task_definition = self.workload.task_definition()?;
        let count = self.count.get();
        let count: i64 = count.trim().parse().map_err(|_| {
            problem(
                "count",
                &format!("The count is a whole number from 1 to 10, not {count:?}."),
            )
        })?;
        let group = self.group.get();
        Ok(RunTask {
            task_definition,
            count,
            group: (!group.trim().is_empty()).then(|| group.trim().to_owned()),
            launch_type: Some(self.workload.launch_type.get()),
            capacity_provider_strategy: Vec::new(),
            placement_strategy: Vec::new(),
            placement_constraints: Vec::new(),
            network_configuration: self.workload.network(),
            started_by: None,
            client_token: None,
        })
    }
}

#[component]
fn RunBody(cluster: Signal<String>, stream: ClusterStream) -> impl IntoView {
    let url = UrlQuery::new();
    let has_instances = stream.snapshot.with_untracked(|s| {
        s.as_ref()
            .is_some_and(|s| !s.container_instances.is_empty())
    });
    let workload = Workload::new(url.get(FAMILY_KEY).get_untracked(), has_instances);
    let draft = RunDraft {
        workload,
        count: RwSignal::new("1".to_owned()),
        group: RwSignal::new(String::new()),
    };
    let destination = Destination::of(use_server_health());
    let request = Memo::new(move |_| draft.request());
    let preview: Memo<Option<RunTaskPreview>> = Memo::new(move |_| {
        let request = request.get().ok()?;
        let snapshot = stream.snapshot.get()?;
        let input = RunTaskPreviewInput {
            region: destination.region.get(),
            snapshot: (*snapshot).clone(),
            definition: workload.definition.get().flatten(),
            task_definitions: Vec::new(),
            request,
        };
        Some(preview_run_task(&input))
    });
    let checked = Checked::new(request, preview);
    let state = RwSignal::new(StartState::<Mutation<RunTaskResult>>::Idle);
    let run = starter(state, request, move |mut request: RunTask| {
        request.client_token = client_token();
        let cluster = cluster.get_untracked();
        async move { api::run_task(&cluster, &request).await }
    });
    let headline = Signal::derive(move || {
        checked.blocked_headline("run").or_else(|| {
            preview.with(|p| {
                p.as_ref().map(|p| {
                    format!(
                        "Runs {} {} of {} on {}{}.",
                        p.count,
                        if p.count == 1 { "task" } else { "tasks" },
                        p.revision,
                        p.cluster,
                        if workload.awsvpc.get() {
                            " (awsvpc)"
                        } else {
                            ""
                        }
                    )
                })
            })
        })
    });
    view! {
        <div class="deploy">
            <section class="panel deploy__inputs" data-testid="run-form">
                <h2>"What runs"</h2>
                <div class="settings">
                    <RevisionFields workload testid="run"/>
                    <label class="field">
                        <span class="field__label">"Tasks (1–10)"</span>
                        <input class="field__input" inputmode="numeric" data-testid="run-count"
                            prop:value=move || draft.count.get()
                            on:input=move |ev| draft.count.set(event_target_value(&ev))/>
                    </label>
                    <label class="field field--wide">
                        <span class="field__label">"Group (default family:<family>)"</span>
                        <input class="field__input" data-testid="run-group"
                            prop:value=move || draft.group.get()
                            on:input=move |ev| draft.group.set(event_target_value(&ev))/>
                    </label>
                    <NetworkFields workload testid="run"/>
                </div>
                <FamiliesError workload testid="run"/>
                <ProblemList problems=checked.problems testid="run-problems"/>
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
                            <pre class="mono" data-testid="run-preview-json" tabindex="0">{serde_json::to_string_pretty(&p).unwrap_or_default()}</pre>
                        </details>
                    })}
                </section>
                <StartButton state ready=checked.ready needed=Role::Deployer
                    question=Signal::derive(move || format!("Run tasks in the cluster {} of {}?", cluster.get(), destination.label.get()))
                    summary=headline verb="Run" working="Running…"
                    not_ready="Nothing to run until the preview has no error."
                    testid="run" on_confirm=run>
                    {move || match state.get() {
                        StartState::Done(ran) => Some(view! { <RunOutcome cluster ran=*ran/> }),
                        _ => None,
                    }}
                </StartButton>
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
