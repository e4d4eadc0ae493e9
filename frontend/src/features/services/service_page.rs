//! The service page: counts, deployments, placement in words, networking, utilization and
//! auto scaling ([`super::scaling`]), its tasks and its events, all following the cluster's
//! live stream; and the actions in [`super::actions`].

use std::sync::Arc;

use berth_shared::{
    access::Role,
    ecs::{Service, short_id},
};
use berth_view::{
    cluster_tables,
    deploy::rollback_target,
    format::task_definition_label,
    graph::{self, GraphFilter},
    table::Tone,
    words,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    LinkedTable, NotInCluster, TaskDefinitionLink, When,
    actions::ServiceActions,
    scaling::{ScalingPanel, UtilizationPanel},
    table_of,
};
use crate::{
    components::live::{ClusterStream, LiveIndicator, WhenLoaded, use_cluster_stream},
    components::server::{NoChangesNotice, use_server_health},
    links::deploy_href,
    url_query::UrlQuery,
};

/// Events shown before "Show all" is pressed.
const EVENTS: usize = 50;
/// Query key of the events search.
const EVENTS_KEY: &str = "events";

/// The page of one service.
#[component]
pub fn ServicePage() -> impl IntoView {
    let params = use_params_map();
    let cluster = Signal::derive(move || params.read().get("cluster").unwrap_or_default());
    let name = Signal::derive(move || params.read().get("service").unwrap_or_default());
    let stream = use_cluster_stream(cluster);

    view! {
        <nav class="breadcrumbs">
            <A href=crate::source::link("/clusters")>"Clusters"</A>" / "
            <A href=move || crate::source::link(&format!("/clusters/{}", cluster.get()))>{cluster}</A>" / "
            <A href=move || crate::source::link(&format!("/clusters/{}?tab=services", cluster.get()))>"Services"</A>
        </nav>
        <div class="page__header">
            <h1 class="page__title">
                <span class="swatch swatch--large" style:background=move || graph::service_swatch(&name.get()).css() aria-hidden="true"></span>
                <span data-testid="service-name">{name}</span>
            </h1>
            <LiveIndicator stream/>
        </div>
        <WhenLoaded stream>
            <ServiceBody cluster name stream/>
        </WhenLoaded>
    }
}

#[component]
fn ServiceBody(
    cluster: Signal<String>,
    name: Signal<String>,
    stream: ClusterStream,
) -> impl IntoView {
    let service = Memo::new(move |_| {
        let name = name.get();
        stream.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.services.iter().find(|x| x.service_name == name).cloned())
        })
    });
    let exists = Memo::new(move |_| service.with(Option::is_some));
    move || {
        if exists.get() {
            view! { <ServiceDetails cluster name service stream/> }.into_any()
        } else {
            view! {
                <NotInCluster
                    title="No such service"
                    sentence=move || format!("Cluster {} has no service named {}.", cluster.get(), name.get())
                    cluster
                    tab=None
                    link_label="Back to the cluster"
                />
            }
            .into_any()
        }
    }
}

#[component]
fn ServiceDetails(
    cluster: Signal<String>,
    name: Signal<String>,
    service: Memo<Option<Service>>,
    stream: ClusterStream,
) -> impl IntoView {
    let now = Memo::new(move |_| {
        stream
            .snapshot
            .with(|s| s.as_ref().map(|s| s.fetched_at).unwrap_or_default())
    });
    let read = move |f: fn(&Service) -> String| {
        move || service.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
    let may_change = use_server_health().may_change(Role::Deployer);
    let desired =
        Signal::derive(move || service.with(|s| s.as_ref().map_or(0, |s| s.desired_count)));
    let daemon = Signal::derive(move || {
        service.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.scheduling_strategy == "DAEMON")
        })
    });
    let tasks = table_of(stream, move |snapshot| {
        let filter = GraphFilter {
            service: Some(name.get()),
            ..GraphFilter::default()
        };
        cluster_tables::tasks_table(snapshot, &filter)
    });

    view! {
        <section class="panel">
            <dl class="stats stats--wide" data-testid="service-counts">
                <div><dt>"Status"</dt><dd><StatusBadge status=Signal::derive(read(|s| s.status.clone()))/></dd></div>
                <div><dt>"Desired"</dt><dd data-testid="desired">{move || desired.get()}</dd></div>
                <div><dt>"Running"</dt><dd data-testid="running">{read(|s| s.running_count.to_string())}</dd></div>
                <div><dt>"Pending"</dt><dd data-testid="pending">{read(|s| s.pending_count.to_string())}</dd></div>
                <div><dt>"Launch"</dt><dd class="stats__text">{read(words::launch)}</dd></div>
                <div>
                    <dt>"Task definition"</dt>
                    <dd class="stats__text">{move || service.with(|s| s.as_ref().map(|s| view! { <TaskDefinitionLink definition=s.task_definition.clone()/> }))}</dd>
                </div>
            </dl>
            <p class="muted arn">{read(|s| s.service_arn.clone())}</p>
            <div class="actions__row">
                <A href=move || deploy_href(&cluster.get(), &name.get(), None) attr:class="button" attr:data-testid="deploy-link">
                    "Deploy…"
                </A>
                {move || service.with(|s| s.as_ref().and_then(|s| rollback_target(s).map(str::to_owned))).map(|target| {
                    let label = format!("Roll back to {}…", task_definition_label(&target));
                    view! {
                        <A href=move || deploy_href(&cluster.get(), &name.get(), Some(&target)) attr:class="button button--quiet" attr:data-testid="roll-back-link">
                            {label.clone()}
                        </A>
                    }
                })}
                <span class="muted">"Change the image, revision or settings and see what it does before applying it."</span>
            </div>
        </section>

        {move || if !may_change.get() {
            view! { <NoChangesNotice needed=Role::Deployer/> }.into_any()
        } else {
            view! { <ServiceActions cluster service=name desired daemon stream/> }.into_any()
        }}

        <section class="panel panel--flush" data-testid="deployments">
            <div class="toolbar"><h2>"Deployments"</h2></div>
            <table class="table">
                <thead>
                    <tr>
                        <th>"Deployment"</th><th>"Rollout"</th><th>"Task definition"</th>
                        <th class="numeric">"Desired"</th><th class="numeric">"Running"</th>
                        <th class="numeric">"Pending"</th><th class="numeric">"Failed"</th>
                        <th>"Created"</th><th>"Updated"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let now = now.get();
                        service.with(|s| s.iter().flat_map(|s| s.deployments.clone()).map(|d| {
                            let rollout = d.rollout_state.clone().unwrap_or_else(|| "–".to_owned());
                            view! {
                                <tr data-testid="deployment">
                                    <td>
                                        <StatusBadge status=Signal::stored(d.status.clone())/>
                                        <span class="mono when__absolute" data-testid="deployment-id">{short_id(&d.id).to_owned()}</span>
                                    </td>
                                    <td>
                                        <span class=format!("status status--{}", Tone::of_status(&rollout).as_str()) data-testid="rollout">{rollout.clone()}</span>
                                        {d.rollout_state_reason.clone().map(|r| view! { <span class="when__absolute">{r}</span> })}
                                    </td>
                                    <td><TaskDefinitionLink definition=d.task_definition.clone()/></td>
                                    <td class="numeric">{d.desired_count}</td>
                                    <td class="numeric">{d.running_count}</td>
                                    <td class="numeric">{d.pending_count}</td>
                                    <td class="numeric" class:text-bad={d.failed_tasks > 0}>{d.failed_tasks}</td>
                                    <td><When at=d.created_at now/></td>
                                    <td><When at=d.updated_at now/></td>
                                </tr>
                            }
                        }).collect_view())
                    }}
                </tbody>
            </table>
        </section>

        <div class="columns">
            <section class="panel" data-testid="placement">
                <h2>"Placement"</h2>
                <p class="explain" data-testid="placement-words">{read(words::placement)}</p>
                <ul class="chips">
                    {move || service.with(|s| s.iter().flat_map(|s| {
                        s.placement_strategy.iter().map(|p| format!("{} {}", p.kind, p.field.clone().unwrap_or_default()))
                            .chain(s.placement_constraints.iter().map(|c| format!("{} {}", c.kind, c.expression.clone().unwrap_or_default())))
                            .collect::<Vec<_>>()
                    }).map(|text| view! { <li class="mono">{text.trim().to_owned()}</li> }).collect_view())}
                </ul>
                <h3>"Capacity"</h3>
                <p class="explain" data-testid="capacity-words">
                    {move || service.with(|s| s.as_ref().map(|s| match &s.launch_type {
                        Some(kind) => format!("Launch type {kind}: no capacity providers."),
                        None => words::capacity_strategy(&s.capacity_provider_strategy),
                    }).unwrap_or_default())}
                </p>
                <h3>"Deployments"</h3>
                <p class="explain">{read(words::deployment_configuration)}</p>
            </section>
            <section class="panel" data-testid="networking">
                <h2>"Networking"</h2>
                {move || service.with(|s| s.clone().map(networking))}
            </section>
        </div>

        <UtilizationPanel cluster name stream/>
        <ScalingPanel name stream/>

        <section class="table-section">
            <h2 class="table-section__title">"Tasks"</h2>
            <LinkedTable cluster table=tasks placeholder="Filter this service's tasks" testid="service-tasks"/>
        </section>

        <ServiceEvents service now/>
    }
}

/// A status word as a coloured badge.
#[component]
pub fn StatusBadge(
    /// The ECS status word.
    #[prop(into)]
    status: Signal<String>,
) -> impl IntoView {
    move || {
        let status = status.get();
        let class = format!("status status--{}", Tone::of_status(&status).as_str());
        view! { <span class=class>{status}</span> }
    }
}

/// Load balancers, service discovery and the awsvpc network configuration.
fn networking(service: Service) -> impl IntoView {
    let balancers = service.load_balancers.iter().map(|lb| {
        let target = lb
            .target_group_arn
            .as_deref()
            .map(|arn| arn.split(':').next_back().unwrap_or(arn).to_owned())
            .or_else(|| lb.load_balancer_name.clone())
            .unwrap_or_else(|| "–".to_owned());
        let container = format!(
            "{}:{}",
            lb.container_name.clone().unwrap_or_default(),
            lb.container_port.map(|p| p.to_string()).unwrap_or_default()
        );
        view! { <li><span class="mono">{target}</span>" → container "<span class="mono">{container}</span></li> }
    }).collect_view();
    let registries = service
        .service_registries
        .iter()
        .map(|r| {
            let registry = r
                .registry_arn
                .as_deref()
                .map(short_id)
                .unwrap_or("–")
                .to_owned();
            let port = r
                .port
                .or(r.container_port)
                .map(|p| format!(" on port {p}"))
                .unwrap_or_default();
            view! { <li><span class="mono">{registry}</span>{port}</li> }
        })
        .collect_view();
    let vpc = service
        .network_configuration
        .and_then(|n| n.awsvpc_configuration);
    view! {
        <h3>"Load balancers"</h3>
        {if service.load_balancers.is_empty() {
            view! { <p class="muted">"Not behind a load balancer."</p> }.into_any()
        } else {
            view! { <ul class="plain-list">{balancers}</ul> }.into_any()
        }}
        <h3>"Service discovery"</h3>
        {if service.service_registries.is_empty() {
            view! { <p class="muted">"Not registered in Cloud Map."</p> }.into_any()
        } else {
            view! { <ul class="plain-list">{registries}</ul> }.into_any()
        }}
        <h3>"Network"</h3>
        {match vpc {
            Some(vpc) => view! {
                <dl class="facts">
                    <dt>"Mode"</dt><dd>"awsvpc: each task gets its own network interface"</dd>
                    <dt>"Subnets"</dt><dd class="mono">{vpc.subnets.join(", ")}</dd>
                    <dt>"Security groups"</dt><dd class="mono">{vpc.security_groups.join(", ")}</dd>
                    <dt>"Public IP"</dt><dd>{vpc.assign_public_ip.unwrap_or_else(|| "DISABLED".to_owned())}</dd>
                </dl>
            }.into_any(),
            None => view! { <p class="muted">"Tasks use the instance's network (bridge or host mode)."</p> }.into_any(),
        }}
    }
}

/// The service's events, newest first, with a search box.
#[component]
fn ServiceEvents(
    service: Memo<Option<Service>>,
    now: Memo<berth_shared::time::Timestamp>,
) -> impl IntoView {
    // The search is the page's `?events=`, so it survives a reload and can be linked to.
    let url = UrlQuery::new();
    let query_value = url.get(EVENTS_KEY);
    let query = Signal::derive(move || query_value.get().unwrap_or_default());
    let show_all = RwSignal::new(false);
    let events = Memo::new(move |_| {
        let words: Vec<String> = query
            .get()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        service.with(|s| {
            let mut events: Vec<_> = s
                .iter()
                .flat_map(|s| s.events.iter())
                .filter(|e| {
                    let text = e.message.to_lowercase();
                    words.iter().all(|w| text.contains(w))
                })
                .cloned()
                .collect();
            events.sort_by_key(|e| std::cmp::Reverse(e.created_at));
            Arc::new(events)
        })
    });
    let total = move || service.with(|s| s.as_ref().map_or(0, |s| s.events.len()));
    view! {
        <section class="panel panel--flush" data-testid="service-events">
            <div class="toolbar">
                <h2>"Events"</h2>
                <input
                    type="search"
                    class="toolbar__search"
                    placeholder="Search events"
                    aria-label="Search events"
                    data-testid="events-search"
                    prop:value=move || query.get()
                    on:input=move |ev| url.set(&[(EVENTS_KEY, Some(event_target_value(&ev)))], true)
                />
                <span class="toolbar__count">{move || {
                    let (shown, total) = (events.with(|e| e.len()), total());
                    if shown == total { format!("{total} events") } else { format!("{shown} of {total} events") }
                }}</span>
            </div>
            <ol class="events">
                {move || {
                    let now = now.get();
                    let limit = if show_all.get() { usize::MAX } else { EVENTS };
                    events.get().iter().take(limit).map(|e| view! {
                        <li class="events__item" data-testid="event">
                            <span class="events__when"><When at=e.created_at now/></span>
                            <span class="events__message">{e.message.clone()}</span>
                        </li>
                    }).collect_view()
                }}
            </ol>
            {move || (events.with(|e| e.is_empty())).then(|| view! {
                <p class="data-table__empty">{move || if query.with(String::is_empty) { "No events yet." } else { "No events match this search." }}</p>
            })}
            {move || (!show_all.get() && events.with(|e| e.len() > EVENTS)).then(|| view! {
                <p class="data-table__more">
                    <button type="button" class="link-button" on:click=move |_| show_all.set(true)>
                        {move || format!("Show all {} events", events.with(|e| e.len()))}
                    </button>
                </p>
            })}
        </section>
    }
}
