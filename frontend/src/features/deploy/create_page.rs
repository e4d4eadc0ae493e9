//! The Create service page (`/clusters/:cluster/new-service`): a new service drafted — its
//! name, revision, scheduling and desired count, launch type or capacity provider strategy,
//! awsvpc network, the target group and Cloud Map registry that send it traffic, placement and
//! deployment configuration — previewed in the browser on every edit (the same function the
//! server answers `POST …/new-service/preview` with: the problems, where the first tasks go,
//! the cost, the CreateService call), created after a confirmation naming cluster and account,
//! then a link to the service page to watch its first deployment.

use berth_shared::{
    access::Role,
    api::{CreateService, Mutation},
    ecs::{
        DeploymentCircuitBreaker, DeploymentConfiguration, LoadBalancer, Service, ServiceRegistry,
        TaskDefinition,
    },
    ops::{
        Problem,
        create_preview::{CreateServicePreview, CreateServicePreviewInput, preview_create_service},
    },
};
use berth_view::deploy::{create_headline, parse_placement, parse_strategy};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    draft::client_token,
    editor::{CircuitBreaker, ProblemList},
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
    links::service_href,
};

/// The page that creates a service on a cluster.
#[component]
pub fn CreateServicePage() -> impl IntoView {
    let params = use_params_map();
    let cluster = Signal::derive(move || params.read().get("cluster").unwrap_or_default());
    let stream = use_cluster_stream(cluster);
    view! {
        <nav class="breadcrumbs">
            <A href=crate::source::link("/clusters")>"Clusters"</A>" / "
            <A href=move || crate::source::link(&format!("/clusters/{}", cluster.get()))>{cluster}</A>" / Create service"
        </nav>
        <div class="page__header">
            <h1 class="page__title">"Create a service on "<span data-testid="cluster-name">{cluster}</span></h1>
            <LiveIndicator stream/>
        </div>
        <WhenLoaded stream>
            <CreateBody cluster stream/>
        </WhenLoaded>
    }
}

/// The draft of a CreateService request, as typed.
#[derive(Clone, Copy)]
struct CreateDraft {
    workload: Workload,
    name: RwSignal<String>,
    daemon: RwSignal<bool>,
    desired: RwSignal<String>,
    /// A capacity provider strategy in words; when set, it replaces the launch type.
    strategy: RwSignal<String>,
    target_group: RwSignal<String>,
    registry: RwSignal<String>,
    /// `container:port` that receives the traffic.
    target: RwSignal<String>,
    placement: RwSignal<String>,
    minimum: RwSignal<String>,
    maximum: RwSignal<String>,
    breaker: RwSignal<bool>,
    rollback: RwSignal<bool>,
}

impl CreateDraft {
    fn new(workload: Workload) -> Self {
        Self {
            workload,
            name: RwSignal::new(String::new()),
            daemon: RwSignal::new(false),
            desired: RwSignal::new("2".to_owned()),
            strategy: RwSignal::new(String::new()),
            target_group: RwSignal::new(String::new()),
            registry: RwSignal::new(String::new()),
            target: RwSignal::new(String::new()),
            placement: RwSignal::new(String::new()),
            minimum: RwSignal::new("100".to_owned()),
            maximum: RwSignal::new("200".to_owned()),
            breaker: RwSignal::new(true),
            rollback: RwSignal::new(true),
        }
    }

    /// The request the draft makes, or the problem of the field that keeps it from being one.
    fn request(&self) -> Result<CreateService, Problem> {
        let name = self.name.get().trim().to_owned();
        if name.is_empty() {
            return Err(problem("serviceName", "Name the service."));
        }
        let task_definition = self.workload.task_definition()?;
        let number = |text: String, path: &str, what: &str| -> Result<i64, Problem> {
            text.trim().parse().map_err(|_| {
                problem(
                    path,
                    &format!("{what} is a whole number, not {:?}.", text.trim()),
                )
            })
        };
        let daemon = self.daemon.get();
        let desired_count = if daemon {
            0
        } else {
            number(self.desired.get(), "desiredCount", "The desired count")?
        };
        let strategy = parse_strategy(&self.strategy.get())
            .map_err(|message| problem("capacityProviderStrategy", &message))?;
        let placement = parse_placement(&self.placement.get())
            .map_err(|message| problem("placementStrategy", &message))?;
        let target = self.target.get();
        let (container_name, container_port) = match target.rsplit_once(':') {
            Some((container, port)) => (Some(container.to_owned()), port.parse().ok()),
            None => (None, None),
        };
        let target_group = self.target_group.get().trim().to_owned();
        let load_balancers = if target_group.is_empty() {
            Vec::new()
        } else {
            vec![LoadBalancer {
                target_group_arn: Some(target_group),
                load_balancer_name: None,
                container_name: container_name.clone(),
                container_port,
            }]
        };
        let registry = self.registry.get().trim().to_owned();
        let awsvpc = self.workload.awsvpc.get();
        let service_registries = if registry.is_empty() {
            Vec::new()
        } else {
            vec![ServiceRegistry {
                registry_arn: Some(registry),
                port: None,
                // An awsvpc task has its own address (A records); otherwise SRV records name the
                // container's port.
                container_name: (!awsvpc).then(|| container_name.clone()).flatten(),
                container_port: (!awsvpc).then_some(container_port).flatten(),
            }]
        };
        let breaker = self.breaker.get();
        Ok(CreateService {
            service_name: name,
            task_definition,
            desired_count,
            launch_type: strategy.is_empty().then(|| self.workload.launch_type.get()),
            capacity_provider_strategy: strategy,
            scheduling_strategy: daemon.then(|| "DAEMON".to_owned()),
            placement_strategy: placement.strategies,
            placement_constraints: placement.constraints,
            network_configuration: self.workload.network(),
            deployment_configuration: Some(DeploymentConfiguration {
                deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                    enable: breaker,
                    rollback: breaker && self.rollback.get(),
                }),
                maximum_percent: Some(number(
                    self.maximum.get(),
                    "deploymentConfiguration.maximumPercent",
                    "The maximum percent",
                )?),
                minimum_healthy_percent: Some(number(
                    self.minimum.get(),
                    "deploymentConfiguration.minimumHealthyPercent",
                    "The minimum healthy percent",
                )?),
            }),
            load_balancers,
            service_registries,
            client_token: None,
        })
    }
}

/// The container ports `definition` maps, as `container:port`.
fn mapped_ports(definition: &TaskDefinition) -> Vec<String> {
    definition
        .container_definitions
        .iter()
        .flat_map(|container| {
            container
                .port_mappings
                .iter()
                .filter_map(|m| m.container_port)
                .map(|port| format!("{}:{port}", container.name))
        })
        .collect()
}

#[component]
fn CreateBody(cluster: Signal<String>, stream: ClusterStream) -> impl IntoView {
    let (has_instances, providers) = stream.snapshot.with_untracked(|s| {
        s.as_ref().map_or((false, Vec::new()), |s| {
            (
                !s.container_instances.is_empty(),
                s.cluster.capacity_providers.clone(),
            )
        })
    });
    let workload = Workload::new(None, has_instances);
    let draft = CreateDraft::new(workload);
    let ports = Memo::new(move |_| {
        workload
            .definition
            .get()
            .flatten()
            .map(|d| mapped_ports(&d))
            .unwrap_or_default()
    });
    // The first mapped port, whenever the revision changes and the chosen one is not its.
    Effect::new(move |_| {
        let ports = ports.get();
        if !ports.contains(&draft.target.get_untracked()) {
            draft.target.set(ports.first().cloned().unwrap_or_default());
        }
    });
    let destination = Destination::of(use_server_health());
    let request = Memo::new(move |_| draft.request());
    let state = RwSignal::new(StartState::<Mutation<Service>>::Idle);
    // Once the service exists, the preview stays the one it was created from.
    let preview: Memo<Option<CreateServicePreview>> = Memo::new(move |before| {
        if state.with(|s| matches!(s, StartState::Done(_))) {
            return before.cloned().flatten();
        }
        let request = request.get().ok()?;
        let snapshot = stream.snapshot.get()?;
        Some(preview_create_service(&CreateServicePreviewInput {
            region: destination.region.get(),
            snapshot: (*snapshot).clone(),
            definition: workload.definition.get().flatten(),
            task_definitions: Vec::new(),
            request,
        }))
    });
    let checked = Checked::new(request, preview);
    let headline = Signal::derive(move || {
        checked
            .blocked_headline("be created")
            .or_else(|| preview.with(|p| p.as_ref().map(create_headline)))
    });
    let create = starter(state, request, move |mut request: CreateService| {
        request.client_token = client_token();
        let cluster = cluster.get_untracked();
        async move { api::create_service(&cluster, &request).await }
    });
    let text_field = |label: &'static str,
                      signal: RwSignal<String>,
                      testid: &'static str,
                      wide: bool,
                      placeholder: &'static str| {
        view! {
            <label class="field" class:field--wide=wide>
                <span class="field__label">{label}</span>
                <input class="field__input" class:mono=wide data-testid=testid placeholder=placeholder
                    prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))/>
            </label>
        }
    };
    let strategy_hint = providers
        .iter()
        .map(|p| format!("{p} weight 1"))
        .collect::<Vec<_>>()
        .join(", ");
    let fargate = move || {
        draft.workload.launch_type.get() == "FARGATE" && draft.strategy.with(String::is_empty)
    };
    view! {
        <div class="deploy">
            <section class="panel deploy__inputs" data-testid="create-form">
                <h2>"The new service"</h2>
                <h3>"What runs"</h3>
                <div class="settings">
                    {text_field("Name", draft.name, "create-name", false, "checkout")}
                    <RevisionFields workload testid="create"/>
                    <label class="field">
                        <span class="field__label">"Scheduling"</span>
                        <select class="field__input" data-testid="create-scheduling"
                            on:change=move |ev| draft.daemon.set(event_target_value(&ev) == "DAEMON")>
                            <option value="REPLICA" selected=move || !draft.daemon.get()>"Replica"</option>
                            <option value="DAEMON" selected=move || draft.daemon.get()>"Daemon"</option>
                        </select>
                    </label>
                    {move || (!draft.daemon.get()).then(|| text_field("Desired tasks", draft.desired, "create-desired", false, ""))}
                </div>
                <h3>"Where it runs"</h3>
                <div class="settings">
                    {move || draft.strategy.with(String::is_empty).then(|| view! { <NetworkFields workload testid="create"/> })}
                    {(!providers.is_empty()).then(|| view! {
                        <label class="field field--wide">
                            <span class="field__label">"Capacity provider strategy (instead of a launch type)"</span>
                            <input class="field__input mono" data-testid="create-strategy"
                                placeholder=strategy_hint
                                prop:value=move || draft.strategy.get()
                                on:input=move |ev| draft.strategy.set(event_target_value(&ev))/>
                        </label>
                    })}
                    {move || (!fargate() && !draft.daemon.get()).then(|| view! {
                        <label class="field field--wide">
                            <span class="field__label">"Placement, one rule per line"</span>
                            <textarea class="field__input mono" rows="3" data-testid="create-placement"
                                placeholder="spread(attribute:ecs.availability-zone)\nbinpack(memory)\nmemberOf(attribute:ecs.instance-type =~ m5.*)"
                                prop:value=move || draft.placement.get()
                                on:input=move |ev| draft.placement.set(event_target_value(&ev))></textarea>
                        </label>
                    })}
                </div>
                <h3>"Traffic"</h3>
                <div class="settings">
                    {text_field("Target group ARN (optional)", draft.target_group, "create-target-group", true, "arn:aws:elasticloadbalancing:…:targetgroup/…")}
                    {text_field("Cloud Map service ARN (optional)", draft.registry, "create-registry", true, "arn:aws:servicediscovery:…:service/srv-…")}
                    <label class="field">
                        <span class="field__label">"Container and port"</span>
                        <select class="field__input" data-testid="create-target"
                            on:change=move |ev| draft.target.set(event_target_value(&ev))>
                            {move || {
                                let ports = ports.get();
                                if ports.is_empty() {
                                    view! { <option value="">"The revision maps no port"</option> }.into_any()
                                } else {
                                    ports.into_iter().map(|port| {
                                        let selected = port == draft.target.get_untracked();
                                        let label = port.clone();
                                        view! { <option value=port selected=selected>{label}</option> }
                                    }).collect_view().into_any()
                                }
                            }}
                        </select>
                    </label>
                </div>
                <h3>"Deployments"</h3>
                <div class="settings">
                    {text_field("Minimum healthy %", draft.minimum, "create-minimum", false, "")}
                    {text_field("Maximum %", draft.maximum, "create-maximum", false, "")}
                    <CircuitBreaker breaker=draft.breaker rollback=draft.rollback testid="create-"/>
                </div>
                <FamiliesError workload testid="create"/>
            </section>
            <div class="deploy__outcome">
                <section class="panel deploy-preview" data-testid="create-preview" aria-live="polite">
                    <h2>"Preview"</h2>
                    <p class="deploy-preview__headline" data-testid="create-headline">{headline}</p>
                    <ProblemList problems=checked.problems testid="create-problems"/>
                    {move || preview.get().map(|p| view! {
                        {p.placement.clone().map(|placement| view! { <Placement placement/> })}
                        {p.cost.clone().map(|cost| view! { <Cost cost/> })}
                        <Calls calls=p.calls.clone() title="What Create calls"/>
                        <details class="deploy-preview__json">
                            <summary>"This preview as JSON (what POST …/new-service/preview answers)"</summary>
                            <pre class="mono" data-testid="create-preview-json" tabindex="0">{serde_json::to_string_pretty(&p).unwrap_or_default()}</pre>
                        </details>
                    })}
                </section>
                <StartButton state ready=checked.ready needed=Role::Admin
                    question=Signal::derive(move || format!(
                        "Create the service {} in the cluster {} of {}?",
                        draft.name.get().trim(), cluster.get(), destination.label.get()
                    ))
                    summary=headline verb="Create" working="Creating…"
                    not_ready="Nothing to create until the preview has no error."
                    testid="create" once=true on_confirm=create>
                    {move || match state.get() {
                        StartState::Done(created) => Some(view! { <Created cluster created=*created/> }),
                        _ => None,
                    }}
                </StartButton>
            </div>
        </div>
    }
}

/// The service created, with a link to watch its first deployment.
#[component]
fn Created(cluster: Signal<String>, created: Mutation<Service>) -> impl IntoView {
    let service = created.resource;
    let href = service_href(&cluster.get_untracked(), &service.service_name);
    view! {
        <div class="notice notice--ok" data-testid="create-done">
            <p>{format!(
                "Created {} ({}){}.",
                service.service_name,
                service.status,
                created.request_id.as_ref().map_or_else(
                    || " · the sandbox: no request id".to_owned(),
                    |id| format!(" · request id {id}"),
                )
            )}</p>
            <p><A href=href attr:data-testid="create-watch">"Watch its first deployment on the service page →"</A></p>
        </div>
    }
}
