//! The Deploy page: the draft's inputs beside the live preview, Apply, and the rollout.

use berth_shared::{
    access::Role,
    api::ServiceChange,
    ops::{PreviewInput, Problem, ServicePreview, preview_change},
    placement::uses_fargate,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    draft::{Draft, change_of, parse_definition},
    editor::{
        Environment, ImagePicker, JsonEditor, PortsAndLogs, RevisionPicker, Settings, TaskSize,
    },
    preview_panel::PreviewPanel,
    watch::{ApplyBar, ApplyState, Rollout, RolloutGraph},
};
use crate::{
    api,
    components::{
        live::{ClusterStream, LiveIndicator, WhenLoaded, use_cluster_stream},
        server::{NoChangesNotice, use_server_health},
    },
    links::service_href,
    url_query::UrlQuery,
};

/// Query key of a revision to deploy (`?revision=family:N`), as Roll back links set it.
const REVISION_KEY: &str = "revision";

/// The page of a service's deployment.
#[component]
pub fn DeployPage() -> impl IntoView {
    let params = use_params_map();
    let cluster = Signal::derive(move || params.read().get("cluster").unwrap_or_default());
    let name = Signal::derive(move || params.read().get("service").unwrap_or_default());
    let stream = use_cluster_stream(cluster);
    view! {
        <nav class="breadcrumbs">
            <A href=crate::source::link("/clusters")>"Clusters"</A>" / "
            <A href=move || crate::source::link(&format!("/clusters/{}", cluster.get()))>{cluster}</A>" / "
            <A href=move || service_href(&cluster.get(), &name.get())>{name}</A>" / Deploy"
        </nav>
        <div class="page__header">
            <h1 class="page__title">"Deploy "<span data-testid="service-name">{name}</span></h1>
            <LiveIndicator stream/>
        </div>
        <WhenLoaded stream>
            <DeployBody cluster name stream/>
        </WhenLoaded>
    }
}

/// The preview of the draft, with the change it makes; or the problems that keep the draft
/// from being a change.
type Outcome = Result<(ServiceChange, ServicePreview), Vec<Problem>>;

#[component]
fn DeployBody(
    cluster: Signal<String>,
    name: Signal<String>,
    stream: ClusterStream,
) -> impl IntoView {
    let service = Memo::new(move |_| {
        let name = name.get();
        stream.snapshot.with(|s| {
            s.as_ref().and_then(|s| {
                s.services
                    .iter()
                    .find(|x| x.service_name == name && x.status != "INACTIVE")
                    .cloned()
            })
        })
    });
    let running =
        Memo::new(move |_| service.with(|s| s.as_ref().map(|s| s.task_definition.clone())));
    let current = LocalResource::new(move || {
        let running = running.get();
        async move {
            match running {
                Some(arn) => api::task_definition(&arn).await.ok(),
                None => None,
            }
        }
    });
    let current = Memo::new(move |_| current.get().flatten());
    let family = Memo::new(move |_| {
        current.with(|c| c.as_ref().map(|c| c.family.clone()).unwrap_or_default())
    });
    let applied = RwSignal::new(ApplyState::Idle);
    let latest = LocalResource::new(move || {
        let family = family.get();
        // Read again after each Apply: the family may have a new revision.
        let _ = applied.with(|s| matches!(s, ApplyState::Done(_)));
        async move {
            if family.is_empty() {
                None
            } else {
                api::task_definition(&family).await.ok()
            }
        }
    });
    let draft = Draft::new();
    let url = UrlQuery::new();
    let asked_revision = url.get(REVISION_KEY);
    let target = LocalResource::new(move || {
        let revision = draft.revision.get();
        async move {
            match revision {
                Some(revision) => api::task_definition(&revision).await.ok(),
                None => None,
            }
        }
    });
    let repositories = LocalResource::new(api::repositories);
    let health = use_server_health();
    let source = Memo::new(move |_| {
        health
            .resource()
            .get()
            .and_then(Result::ok)
            .and_then(|h| h.source)
    });

    let scalable_target = Memo::new(move |_| {
        let name = name.get();
        stream.snapshot.with(|s| {
            s.as_ref().and_then(|s| {
                s.scaling
                    .iter()
                    .find(|x| x.service_name == name)
                    .map(|x| x.scalable_target.clone())
            })
        })
    });

    // The draft starts from what runs, once it is known (and again after each Apply).
    let started = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let (Some(service), Some(current)) = (service.get(), current.get()) else {
            return;
        };
        if started.get_untracked().as_deref() == current.task_definition_arn.as_deref() {
            return;
        }
        draft.start_from(&service, &current);
        draft.start_scaling(scalable_target.get_untracked().as_ref());
        if started.get_untracked().is_none() {
            draft.revision.set(asked_revision.get_untracked());
        }
        started.set(current.task_definition_arn);
    });

    let parsed = Memo::new(move |_| parse_definition(&draft.text.get()));
    let outcome: Memo<Option<Outcome>> = Memo::new(move |_| {
        let snapshot = stream.snapshot.get()?;
        let service = service.get()?;
        let current = current.get()?;
        started.get()?;
        let scaling = scalable_target.get();
        let change = match parsed
            .with(|parsed| change_of(draft, parsed, &service, &current, scaling.as_ref()))
        {
            Ok(change) => change,
            Err(problems) => return Some(Err(problems)),
        };
        let input = PreviewInput {
            region: source
                .get()
                .map(|s| s.region().to_owned())
                .unwrap_or_default(),
            snapshot: (*snapshot).clone(),
            service_name: service.service_name,
            current_definition: current,
            latest_definition: latest.get().flatten(),
            target_definition: target.get().flatten(),
            task_definitions: Vec::new(),
            change: change.clone(),
        };
        Some(Ok((change, preview_change(&input))))
    });
    let preview = Memo::new(move |_| {
        outcome.with(|o| {
            o.as_ref()
                .and_then(|o| o.as_ref().ok())
                .map(|(_, p)| p.clone())
        })
    });
    let definition_problems = Signal::derive(move || {
        outcome.with(|o| match o {
            Some(Err(problems)) => problems.clone(),
            Some(Ok((_, preview))) => preview
                .problems
                .iter()
                .filter(|p| p.path.starts_with("register"))
                .cloned()
                .collect(),
            None => Vec::new(),
        })
    });
    let settings_problems = Signal::derive(move || {
        outcome.with(|o| match o {
            Some(Err(problems)) => problems
                .iter()
                .filter(|p| !p.path.starts_with("register"))
                .cloned()
                .collect(),
            _ => Vec::new(),
        })
    });
    let change = Signal::derive(move || {
        outcome.with(|o| match o {
            Some(Ok((change, preview)))
                if !preview.blocked && changes_something(change, preview) =>
            {
                Some(change.clone())
            }
            _ => None,
        })
    });
    let summary = Signal::derive(move || {
        preview.with(|p| {
            p.as_ref()
                .map(berth_view::deploy::headline)
                .unwrap_or_default()
        })
    });
    let before = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let ApplyState::Done(_) = applied.get()
            && let Some(preview) = preview.get_untracked()
        {
            before.set(
                current
                    .get_untracked()
                    .and_then(|c| c.task_definition_arn)
                    .or(Some(preview.from_revision)),
            );
        }
    });
    let fargate = Signal::derive(move || {
        service.with(|s| {
            s.as_ref().is_some_and(|s| {
                uses_fargate(s.launch_type.as_deref(), &s.capacity_provider_strategy)
            })
        })
    });
    let daemon = Signal::derive(move || {
        service.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.scheduling_strategy == "DAEMON")
        })
    });
    let may_apply = health.may_change(Role::Deployer);
    let now = Signal::derive(move || {
        stream
            .snapshot
            .with(|s| s.as_ref().map(|s| s.fetched_at).unwrap_or_default())
    });
    let running_label = Signal::derive(move || {
        running
            .get()
            .map(|arn| berth_view::format::task_definition_label(&arn).to_owned())
            .unwrap_or_default()
    });
    let providers = Signal::derive(move || {
        stream.snapshot.with(|s| {
            s.as_ref()
                .map(|s| s.cluster.capacity_providers.clone())
                .unwrap_or_default()
        })
    });
    let region = Signal::derive(move || {
        source
            .get()
            .map(|s| s.region().to_owned())
            .unwrap_or_default()
    });
    let source_label = Signal::derive(move || {
        source
            .get()
            .map(|s| s.label())
            .unwrap_or_else(|| "this account".to_owned())
    });

    // Only whether the service exists redraws the page: a live update of the service must not
    // redraw the form someone is typing in (nor take the keyboard's focus away).
    let missing = Memo::new(move |_| service.with(Option::is_none));
    move || {
        if missing.get() {
            return view! {
                <crate::features::services::NotInCluster
                    title="No such service"
                    sentence=move || format!("Cluster {} has no service named {}.", cluster.get(), name.get())
                    cluster
                    tab=None
                    link_label="Back to the cluster"
                />
            }
            .into_any();
        }
        view! {
            <div class="deploy">
                <section class="panel deploy__inputs" data-testid="deploy-inputs">
                    <h2>"What changes"</h2>
                    <RevisionPicker draft family running=running_label/>
                    {move || draft.revision.with(Option::is_none).then(|| view! {
                        <h3>"Images"</h3>
                        <ImagePicker draft parsed repositories now/>
                        <h3>"Task size"</h3>
                        <div class="settings"><TaskSize draft parsed fargate/></div>
                        <h3>"Environment"</h3>
                        <Environment draft parsed/>
                        <h3>"Ports and logs"</h3>
                        <PortsAndLogs draft parsed region/>
                        <JsonEditor draft problems=definition_problems/>
                    })}
                    <h3>"Service"</h3>
                    <Settings draft daemon providers scaled=Signal::derive(move || scalable_target.with(Option::is_some))/>
                    <super::editor::ProblemList problems=settings_problems testid="settings-problems"/>
                </section>
                <div class="deploy__outcome" id="deploy-preview">
                    <PreviewPanel preview/>
                    {move || if may_apply.get() {
                        view! { <ApplyBar cluster service=name source=source_label change summary state=applied stream/> }.into_any()
                    } else {
                        view! { <NoChangesNotice needed=Role::Deployer/> }.into_any()
                    }}
                </div>
            </div>
            <Rollout service stream draft before now/>
            <RolloutGraph stream service=name query=url/>
        }
        .into_any()
    }
}

/// Whether applying `change` would change anything.
fn changes_something(change: &ServiceChange, preview: &ServicePreview) -> bool {
    preview.deploys
        || preview.registers
        || change.desired_count.is_some()
        || change.deployment_configuration.is_some()
        || change.scalable_target.is_some()
}
