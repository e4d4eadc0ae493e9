//! Applying the drafted change, and watching it land: the confirmation naming what changes and
//! where, the calls made with their request ids, each deployment's progress, failed launches
//! with their reasons and the latest events, all from the cluster's live stream; and roll back
//! in one action (which drafts the earlier revision, previewed like any change).

use std::sync::Arc;

use berth_shared::{
    api::{ClusterSnapshot, Deployed, ServiceChange},
    ecs::Service,
    time::Timestamp,
};
use berth_view::{
    deploy::{failed_launches, log_tasks, progress, rollback_target},
    format::task_definition_label,
    graph,
    table::Tone,
};
use leptos::{prelude::*, task::spawn_local};

use super::draft::{Draft, client_token};
use crate::{
    api,
    components::dialog::Confirm,
    components::live::ClusterStream,
    features::{clusters::placement_graph::PlacementGraph, services::When, tasks::logs::LogView},
    url_query::{UrlQuery, key},
};

/// Where Apply is.
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyState {
    /// Nothing asked yet.
    Idle,
    /// Waiting for the confirmation.
    Confirming,
    /// Sent; the server is making the calls.
    Working,
    /// Done: the calls made.
    Done(Box<Deployed>),
    /// Refused or failed.
    Failed { title: String, message: String },
}

/// Apply, with its confirmation and outcome.
#[component]
pub fn ApplyBar(
    /// The cluster.
    #[prop(into)]
    cluster: Signal<String>,
    /// The service.
    #[prop(into)]
    service: Signal<String>,
    /// The account and region, as the top bar names them.
    #[prop(into)]
    source: Signal<String>,
    /// The change to apply, when the draft is one and nothing blocks it.
    #[prop(into)]
    change: Signal<Option<ServiceChange>>,
    /// The preview's headline, repeated in the confirmation.
    #[prop(into)]
    summary: Signal<String>,
    /// Apply's state.
    state: RwSignal<ApplyState>,
    /// The page's live data, updated with the answer.
    stream: ClusterStream,
) -> impl IntoView {
    let apply = Callback::new(move |()| {
        let Some(mut change) = change.get_untracked() else {
            return;
        };
        change.client_token = client_token();
        state.set(ApplyState::Working);
        let (cluster, service) = (cluster.get_untracked(), service.get_untracked());
        spawn_local(async move {
            match api::deploy(&cluster, &service, &change).await {
                Ok(deployed) => {
                    let updated = deployed.service.clone();
                    stream.patch(|snapshot| {
                        if let Some(current) = snapshot
                            .services
                            .iter_mut()
                            .find(|s| s.service_arn == updated.service_arn)
                        {
                            *current = updated;
                        }
                    });
                    state.set(ApplyState::Done(Box::new(deployed)));
                }
                Err(error) => state.set(ApplyState::Failed {
                    title: error.title().to_owned(),
                    message: error.to_string(),
                }),
            }
        });
    });
    let working = move || state.with(|s| matches!(s, ApplyState::Working));
    view! {
        <section class="panel apply" data-testid="apply">
            {move || match state.get() {
                ApplyState::Confirming => view! {
                    <Confirm label="Confirm the change" testid="confirm-apply" verb="Apply" return_to="apply-button"
                        on_confirm=apply on_cancel=Callback::new(move |()| state.set(ApplyState::Idle))>
                        <p>
                            <strong>{move || format!("Change the service {} in the cluster {} of {}?", service.get(), cluster.get(), source.get())}</strong>
                        </p>
                        <p>{move || summary.get()}</p>
                    </Confirm>
                }.into_any(),
                _ => view! {
                    <button
                        type="button"
                        class="button"
                        data-testid="apply-button"
                        prop:disabled=move || change.with(Option::is_none) || working()
                        on:click=move |_| state.set(ApplyState::Confirming)
                    >
                        {move || if working() { "Applying…" } else { "Apply…" }}
                    </button>
                    {move || change.with(Option::is_none).then(|| view! {
                        <span class="muted">" Nothing to apply until the preview has a change and no error."</span>
                    })}
                }.into_any(),
            }}
            {move || match state.get() {
                ApplyState::Done(deployed) => Some(view! {
                    <div class="notice notice--ok" data-testid="applied">
                        <p>{format!("Applied: the service now deploys {}.", task_definition_label(&deployed.task_definition))}</p>
                        <ol class="calls" data-testid="applied-calls">
                            {deployed.calls.into_iter().map(|call| view! {
                                <li>
                                    <strong>{call.operation}</strong>" "{call.outcome}
                                    <span class="muted mono">{call.request_id.map_or_else(
                                        || " · no request id (the sandbox)".to_owned(),
                                        |id| format!(" · request id {id}"),
                                    )}</span>
                                </li>
                            }).collect_view()}
                        </ol>
                    </div>
                }.into_any()),
                ApplyState::Failed { title, message } => Some(view! {
                    <p class="notice notice--bad" role="alert" data-testid="apply-error">
                        <strong>{title}": "</strong>{message}
                    </p>
                }.into_any()),
                _ => None,
            }}
        </section>
    }
}

/// The service's rollout, live: every deployment's progress, failed launches and the latest
/// events; and roll back.
#[component]
pub fn Rollout(
    /// The service as the live stream has it.
    service: Memo<Option<Service>>,
    /// The page's live data.
    stream: ClusterStream,
    /// The draft, set to the earlier revision by Roll back.
    draft: Draft,
    /// The revision the service ran before this page applied a change, if it did.
    #[prop(into)]
    before: Signal<Option<String>>,
    /// The snapshot's time, for the events' ages.
    now: Signal<Timestamp>,
) -> impl IntoView {
    let target = Memo::new(move |_| {
        service.with(|s| {
            let s = s.as_ref()?;
            rollback_target(s)
                .map(str::to_owned)
                .or_else(|| before.get().filter(|b| *b != s.task_definition))
        })
    });
    let roll_back = move |_| {
        if let Some(target) = target.get_untracked() {
            draft
                .revision
                .set(Some(task_definition_label(&target).to_owned()));
            draft.force.set(false);
            if let Some(preview) = document().get_element_by_id("deploy-preview") {
                preview.scroll_into_view();
            }
        }
    };
    view! {
        <section class="panel rollout" data-testid="rollout">
            <div class="toolbar">
                <h2>"Rollout"</h2>
                {move || target.get().map(|target| view! {
                    <button type="button" class="button button--quiet" data-testid="roll-back" on:click=roll_back>
                        {format!("Roll back to {}…", task_definition_label(&target))}
                    </button>
                })}
            </div>
            {move || service.with(|s| s.as_ref().map(|s| s.deployments.iter().map(|d| {
                let (fraction, words) = progress(d);
                let rollout = d.rollout_state.clone().unwrap_or_else(|| "–".to_owned());
                let tone = Tone::of_status(&rollout).as_str();
                view! {
                    <div class="rollout__deployment" data-testid="rollout-deployment">
                        <div class="rollout__head">
                            <span class="status">{d.status.clone()}</span>
                            <span class="mono">{task_definition_label(&d.task_definition).to_owned()}</span>
                            <span class=format!("status status--{tone}") data-testid="rollout-state">{rollout}</span>
                            <span class="muted">{d.rollout_state_reason.clone().unwrap_or_default()}</span>
                        </div>
                        <div class="progress" role="progressbar"
                            aria-valuemin="0" aria-valuemax=d.desired_count aria-valuenow=d.running_count
                            aria-label=format!("{} running", task_definition_label(&d.task_definition))>
                            <div class=format!("progress__bar progress__bar--{tone}") style:width=format!("{:.0}%", fraction * 100.0)></div>
                        </div>
                        <p class="rollout__words" data-testid="rollout-progress">{words}</p>
                    </div>
                }
            }).collect_view()))}
            <FailedLaunches service stream/>
            <h3>"Latest events"</h3>
            <ol class="events events--short" data-testid="rollout-events">
                {move || {
                    let now = now.get();
                    service.with(|s| s.iter().flat_map(|s| s.events.iter().take(6)).map(|e| view! {
                        <li class="events__item">
                            <span class="events__when"><When at=e.created_at now/></span>
                            <span class="events__message">{e.message.clone()}</span>
                        </li>
                    }).collect_view())
                }}
            </ol>
            <RolloutLogs service stream/>
        </section>
    }
}

/// The logs of one of the service's tasks, the newest of the revision being deployed first.
#[component]
fn RolloutLogs(service: Memo<Option<Service>>, stream: ClusterStream) -> impl IntoView {
    let offered = Memo::new(move |_| {
        service.with(|s| {
            s.as_ref()
                .map(|s| {
                    stream.snapshot.with(|snapshot| {
                        snapshot
                            .as_ref()
                            .map(|snapshot| log_tasks(s, &snapshot.tasks))
                            .unwrap_or_default()
                    })
                })
                .unwrap_or_default()
        })
    });
    let picked = RwSignal::new(None::<String>);
    let task = Signal::derive(move || {
        picked
            .get()
            .or_else(|| offered.with(|o| o.first().map(|(id, _)| id.clone())))
            .unwrap_or_default()
    });
    let cluster = Signal::derive(move || {
        stream.snapshot.with(|s| {
            s.as_ref()
                .map(|s| s.cluster.cluster_name.clone())
                .unwrap_or_default()
        })
    });
    let any = Memo::new(move |_| !offered.with(Vec::is_empty));
    move || {
        any.get().then(|| {
            view! {
                <div class="rollout__logs" data-testid="rollout-logs">
                    <label class="field field--wide">
                        <span class="field__label">"Logs of the task"</span>
                        <select class="field__input" data-testid="rollout-logs-task"
                            on:change=move |ev| picked.set(Some(event_target_value(&ev)))>
                            {move || offered.get().into_iter().map(|(id, label)| {
                                let selected = id == task.get_untracked();
                                view! { <option value=id selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <LogView cluster task/>
                </div>
            }
        })
    }
}

#[component]
fn FailedLaunches(service: Memo<Option<Service>>, stream: ClusterStream) -> impl IntoView {
    move || {
        let failed: Vec<(String, String)> = service.with(|s| {
            s.as_ref()
                .map(|s| {
                    stream.snapshot.with(|snapshot| {
                        snapshot
                            .as_ref()
                            .map(|snapshot| {
                                failed_launches(s, &snapshot.tasks)
                                    .into_iter()
                                    .take(5)
                                    .map(|t| {
                                        (
                                            t.short_id().to_owned(),
                                            t.stopped_reason.clone().unwrap_or_default(),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                })
                .unwrap_or_default()
        });
        (!failed.is_empty()).then(|| {
            view! {
                <h3 class="text-bad">"Tasks that failed to start"</h3>
                <ul class="plain-list" data-testid="failed-launches">
                    {failed.into_iter().map(|(task, reason)| view! {
                        <li><span class="mono">{task[..8.min(task.len())].to_owned()}</span>" "{reason}</li>
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// The cluster's placement graph, filtered to the service (`?service=`, set when the page
/// opens without one): its tasks starting and stopping on their instances as the rollout goes.
#[component]
pub fn RolloutGraph(
    /// The page's live data.
    stream: ClusterStream,
    /// The service.
    #[prop(into)]
    service: Signal<String>,
    /// The page's URL state (the graph's filters live there).
    query: UrlQuery,
) -> impl IntoView {
    if query.get(key::SERVICE).get_untracked().is_none() {
        query.set(&[(key::SERVICE, Some(service.get_untracked()))], true);
    }
    let loaded = Memo::new(move |_| stream.snapshot.with(Option::is_some));
    move || {
        loaded.get().then_some(()).and_then(|()| {
            // Shown once a snapshot is in; should the stream drop it, the first one stays.
            let first = stream.snapshot.get_untracked()?;
            let snapshot: Signal<Arc<ClusterSnapshot>> =
                Signal::derive(move || stream.snapshot.get().unwrap_or_else(|| Arc::clone(&first)));
            let choices = Memo::new(move |_| snapshot.with(|s| graph::choices(s)));
            Some(view! {
                <section class="panel rollout__graph" data-testid="rollout-graph">
                    <h2>"On the cluster"</h2>
                    <PlacementGraph snapshot choices query/>
                </section>
            })
        })
    }
}
