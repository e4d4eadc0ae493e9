//! The task page: status, where it runs (instance and zone), its service or group, task
//! definition, times, why it stopped, its containers, its network interface and its logs; and
//! Stop task with a reason after a confirmation.
//!
//! A task that leaves the cluster's list (stopped tasks are listed for a while only) stays on the
//! page as last seen, with a note.

use berth_shared::{
    access::Role,
    ecs::{Task, short_id},
};
use berth_view::{
    format,
    graph::{self, group_label, service_of},
    table::Tone,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    api,
    components::dialog::Confirm,
    components::live::{ClusterStream, use_cluster_stream},
    components::server::{NoChangesNotice, use_server_health},
    features::services::{
        ClusterItemPage, NotInCluster, TaskDefinitionLink, When, service_page::StatusBadge,
    },
    links::{instance_href, service_href},
};

use super::logs::LogView;

/// The page of one task.
#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = Signal::derive(move || params.read().get("cluster").unwrap_or_default());
    let id = Signal::derive(move || params.read().get("task").unwrap_or_default());
    let stream = use_cluster_stream(cluster);
    view! {
        <ClusterItemPage cluster tab="tasks" tab_label="Tasks" kind="Task" id id_testid="task-id" stream>
            <TaskBody cluster id stream/>
        </ClusterItemPage>
    }
}

#[component]
fn TaskBody(cluster: Signal<String>, id: Signal<String>, stream: ClusterStream) -> impl IntoView {
    // The task as last seen, so it stays on the page after it leaves the list.
    let last_seen = RwSignal::new(None::<Task>);
    let listed = Memo::new(move |_| {
        let id = id.get();
        stream.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.tasks.iter().find(|t| t.short_id() == id).cloned())
        })
    });
    Effect::new(move |_| {
        if let Some(task) = listed.get() {
            last_seen.set(Some(task));
        }
    });
    let task = Memo::new(move |_| listed.get().or_else(|| last_seen.get()));
    let exists = Memo::new(move |_| task.with(Option::is_some));
    move || {
        if exists.get() {
            view! { <TaskDetails cluster task listed=Signal::derive(move || listed.with(Option::is_some)) last_seen stream/> }.into_any()
        } else {
            view! {
                <NotInCluster
                    title="No such task"
                    sentence=move || format!("Cluster {} lists no task {}. Stopped tasks are listed for about an hour.", cluster.get(), id.get())
                    cluster
                    tab=Some("tasks")
                    link_label="See the cluster's tasks"
                />
            }
            .into_any()
        }
    }
}

#[component]
fn TaskDetails(
    cluster: Signal<String>,
    task: Memo<Option<Task>>,
    listed: Signal<bool>,
    last_seen: RwSignal<Option<Task>>,
    stream: ClusterStream,
) -> impl IntoView {
    let now = Memo::new(move |_| {
        stream
            .snapshot
            .with(|s| s.as_ref().map(|s| s.fetched_at).unwrap_or_default())
    });
    let instance = Memo::new(move |_| {
        let arn = task.with(|t| t.as_ref().and_then(|t| t.container_instance_arn.clone()));
        arn.and_then(|arn| {
            stream.snapshot.with(|s| {
                s.as_ref().and_then(|s| {
                    s.container_instances
                        .iter()
                        .find(|i| i.container_instance_arn == arn)
                        .map(|i| {
                            (
                                i.short_id().to_owned(),
                                i.ec2_instance_id.clone(),
                                i.instance_type().map(str::to_owned),
                            )
                        })
                })
            })
        })
    });
    let may_change = use_server_health().may_change(Role::Deployer);
    let status = Signal::derive(move || {
        task.with(|t| {
            t.as_ref()
                .map(|t| t.last_status.clone())
                .unwrap_or_default()
        })
    });
    let summary = move || {
        let cluster = cluster.get();
        let now = now.get();
        task.get().map(|t| {
            let reserved = graph::task_reservation(&t);
            let group = match service_of(&t) {
                Some(service) => view! { <A href=service_href(&cluster, service)>{format!("service {service}")}</A> }.into_any(),
                None => view! { <span>{group_label(&t).to_owned()}</span> }.into_any(),
            };
            let placed = match instance.get() {
                Some((id, ec2, kind)) => view! {
                    <A href=instance_href(&cluster, &id) attr:data-testid="instance-link">
                        <span class="mono">{ec2.unwrap_or_else(|| id.clone())}</span>
                    </A>
                    {kind.map(|k| view! { <span class="muted">{format!(" · {k}")}</span> })}
                }.into_any(),
                None if t.launch_type.as_deref() == Some("FARGATE") => view! { <span>"Fargate"</span> }.into_any(),
                None => view! { <span class="muted">"–"</span> }.into_any(),
            };
            let stopped = t.stopped_reason.clone().map(|reason| view! {
                <div class="callout callout--bad" data-testid="stopped-reason">
                    <strong>"Stopped: "</strong>{reason}
                    {t.stop_code.clone().map(|code| view! { " " <span class="chip mono">{code}</span> })}
                </div>
            });
            view! {
                {stopped}
                <dl class="facts facts--two">
                    <dt>"Status"</dt>
                    <dd>
                        <StatusBadge status/>
                        {t.desired_status.clone().filter(|d| *d != t.last_status).map(|d| view! { <span class="muted">{format!(" → desired {d}")}</span> })}
                        {t.health_status.clone().filter(|h| h != "UNKNOWN").map(|h| view! { " " <StatusBadge status=Signal::stored(h)/> })}
                    </dd>
                    <dt>"Service / group"</dt><dd data-testid="task-group">{group}</dd>
                    <dt>"Task definition"</dt><dd><TaskDefinitionLink definition=t.task_definition_arn.clone()/></dd>
                    <dt>"Launch type"</dt><dd>{t.launch_type.clone().or(t.capacity_provider_name.clone()).unwrap_or_else(|| "–".to_owned())}</dd>
                    <dt>"Instance"</dt><dd>{placed}</dd>
                    <dt>"Availability Zone"</dt><dd data-testid="task-zone">{t.availability_zone.clone().unwrap_or_else(|| "–".to_owned())}</dd>
                    <dt>"CPU / memory"</dt><dd>{format::format_task_size(reserved.cpu, reserved.memory)}</dd>
                    <dt>"Started by"</dt><dd class="mono">{t.started_by.clone().unwrap_or_else(|| "–".to_owned())}</dd>
                    <dt>"Created"</dt><dd><When at=t.created_at now/></dd>
                    <dt>"Started"</dt><dd><When at=t.started_at now/></dd>
                    <dt>"Stopping"</dt><dd><When at=t.stopping_at now/></dd>
                    <dt>"Stopped"</dt><dd><When at=t.stopped_at now/></dd>
                </dl>
                <p class="muted arn">{t.task_arn.clone()}</p>
            }
        })
    };
    view! {
        {move || (!listed.get()).then(|| view! {
            <p class="notice" data-testid="last-seen">"This task is no longer in the cluster's list; this is how it was last seen."</p>
        })}
        <section class="panel" data-testid="task-summary">{summary}</section>
        {move || if !may_change.get() {
            view! { <NoChangesNotice needed=Role::Deployer/> }.into_any()
        } else {
            view! { <StopTask cluster task last_seen stream/> }.into_any()
        }}
        <section class="panel panel--flush" data-testid="containers" tabindex="0" aria-label="Containers">
            <div class="toolbar"><h2>"Containers"</h2></div>
            <table class="table">
                <thead>
                    <tr>
                        <th>"Container"</th><th>"Image"</th><th>"Status"</th><th>"Health"</th>
                        <th class="numeric">"Exit code"</th><th>"Ports"</th><th class="numeric">"CPU"</th>
                        <th class="numeric">"Memory"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || task.with(|t| t.iter().flat_map(|t| t.containers.clone()).map(|c| {
                        let status = c.last_status.clone().unwrap_or_else(|| "–".to_owned());
                        let health = c.health_status.clone().unwrap_or_else(|| "UNKNOWN".to_owned());
                        let ports = c.network_bindings.iter().map(|b| format!(
                            "{}→{}/{}",
                            b.host_port.map(|p| p.to_string()).unwrap_or_else(|| "?".to_owned()),
                            b.container_port.map(|p| p.to_string()).unwrap_or_else(|| "?".to_owned()),
                            b.protocol.clone().unwrap_or_else(|| "tcp".to_owned()),
                        )).collect::<Vec<_>>().join(", ");
                        let cpu = format::format_container_cpu(&c).unwrap_or_else(|| "–".to_owned());
                        let memory = format::format_container_memory(&c).unwrap_or_else(|| "–".to_owned());
                        view! {
                            <tr data-testid="container">
                                <td>
                                    <strong>{c.name.clone()}</strong>
                                    {c.reason.clone().map(|r| view! { <span class="when__absolute text-bad">{r}</span> })}
                                </td>
                                <td class="mono wrap">{c.image.clone().unwrap_or_else(|| "–".to_owned())}</td>
                                <td><span class=format!("status status--{}", Tone::of_status(&status).as_str())>{status.clone()}</span></td>
                                <td><span class=format!("status status--{}", Tone::of_status(&health).as_str())>{health.clone()}</span></td>
                                <td class="numeric" class:text-bad={c.exit_code.is_some_and(|code| code != 0)}>
                                    {c.exit_code.map_or_else(|| "–".to_owned(), |code| code.to_string())}
                                </td>
                                <td class="mono">{if ports.is_empty() { "–".to_owned() } else { ports }}</td>
                                <td class="numeric">{cpu}</td>
                                <td class="numeric">{memory}</td>
                            </tr>
                        }
                    }).collect_view())}
                </tbody>
            </table>
        </section>
        <section class="panel" data-testid="network">
            <h2>"Network interface"</h2>
            {move || task.with(|t| {
                let enis: Vec<_> = t.iter().flat_map(|t| t.attachments.iter()).filter(|a| a.kind == "ElasticNetworkInterface").cloned().collect();
                if enis.is_empty() {
                    return view! { <p class="muted">"No task network interface: the containers use the instance's network (bridge or host mode)."</p> }.into_any();
                }
                enis.into_iter().map(|a| {
                    let detail = |name: &str| a.details.iter().find(|d| d.name == name).map_or_else(|| "–".to_owned(), |d| d.value.clone());
                    view! {
                        <dl class="facts facts--two">
                            <dt>"Network interface"</dt><dd class="mono" data-testid="eni">{detail("networkInterfaceId")}</dd>
                            <dt>"Private IP"</dt><dd class="mono">{detail("privateIPv4Address")}</dd>
                            <dt>"Subnet"</dt><dd class="mono">{detail("subnetId")}</dd>
                            <dt>"MAC address"</dt><dd class="mono">{detail("macAddress")}</dd>
                            <dt>"Attachment"</dt><dd><span class="mono">{short_id(&a.id).to_owned()}</span>" "<StatusBadge status=Signal::stored(a.status.clone())/></dd>
                        </dl>
                    }
                }).collect_view().into_any()
            })}
        </section>
        <LogView cluster task=Signal::derive(move || task.with(|t| t.as_ref().map(|t| t.short_id().to_owned()).unwrap_or_default()))/>
    }
}

/// Stop task: a reason, a confirmation, then the server's answer in words.
#[component]
fn StopTask(
    cluster: Signal<String>,
    task: Memo<Option<Task>>,
    last_seen: RwSignal<Option<Task>>,
    stream: ClusterStream,
) -> impl IntoView {
    let reason = RwSignal::new("Stopped from the Berth console".to_owned());
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<Result<String, String>>);
    let stoppable = move || {
        task.with(|t| {
            t.as_ref().is_some_and(|t| {
                t.last_status != "STOPPED" && t.desired_status.as_deref() != Some("STOPPED")
            })
        })
    };
    let stop = Callback::new(move |()| {
        let Some(id) = task.with_untracked(|t| t.as_ref().map(|t| t.short_id().to_owned())) else {
            return;
        };
        confirming.set(false);
        busy.set(true);
        let (cluster, text) = (cluster.get_untracked(), reason.get_untracked());
        spawn_local(async move {
            match api::stop_task(&cluster, &id, &text).await {
                Ok(answer) => {
                    let stopped = answer.resource;
                    last_seen.set(Some(stopped.clone()));
                    stream.patch(|s| {
                        if let Some(t) = s.tasks.iter_mut().find(|t| t.task_arn == stopped.task_arn)
                        {
                            *t = stopped;
                        }
                    });
                    message.set(Some(Ok(
                        "Stop requested. ECS stops the containers; a service starts a replacement."
                            .to_owned(),
                    )));
                }
                Err(error) => message.set(Some(Err(format!("{}: {error}", error.title())))),
            }
            busy.set(false);
        });
    });
    view! {
        <section class="panel actions" data-testid="task-actions">
            <h2>"Actions"</h2>
            {move || if !stoppable() {
                view! { <p class="muted">"This task is stopping or stopped."</p> }.into_any()
            } else if confirming.get() {
                view! {
                    <Confirm label="Confirm stop" testid="confirm-stop" verb="Stop task" return_to="stop-task"
                        on_confirm=stop on_cancel=Callback::new(move |()| confirming.set(false))>
                        <p>"Stop this task? Its containers get SIGTERM, then SIGKILL after the stop timeout. If a service owns it, the service starts a replacement."</p>
                    </Confirm>
                }.into_any()
            } else {
                view! {
                    <div class="actions__row">
                        <label class="field field--wide">
                            <span class="field__label">"Reason"</span>
                            <input
                                type="text"
                                class="field__input"
                                maxlength="255"
                                data-testid="stop-reason"
                                prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev))
                            />
                        </label>
                        <button type="button" class="button button--danger" data-testid="stop-task" prop:disabled=move || busy.get() on:click=move |_| confirming.set(true)>"Stop task…"</button>
                    </div>
                }.into_any()
            }}
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="notice notice--ok" data-testid="action-done">{text}</p> }.into_any(),
                Err(text) => view! { <p class="notice notice--bad" role="alert" data-testid="action-error">{text}</p> }.into_any(),
            })}
        </section>
    }
}
