//! `/task-definitions/:family`: the family's revisions, the chosen revision (`?revision=N`,
//! else the newest active one) in words with its validation and JSON, or the comparison of
//! two revisions (`?compare=A,B`). Everything the page shows is in the URL.

use berth_shared::{
    api::TaskDefinitionFamily,
    ecs::TaskDefinition,
    ops::{Severity, ValidationReport},
};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};

use super::{
    diff_view::CompareView,
    explain::{Explain, Topic},
    json_view::JsonPanel,
};
use crate::{
    api::{self, ClientError},
    components::{
        error_panel::ErrorPanel,
        help::{Concept, Help},
    },
    links::{compare_href, revision_href},
};
use berth_view::{
    format::absolute_time,
    task_definitions::{
        ContainerWords, Fact, chosen_revision, containers, parse_compare, pretty_json, task_facts,
        volumes,
    },
};

/// The page of one task-definition family.
#[component]
pub fn FamilyPage() -> impl IntoView {
    let params = use_params_map();
    let family = Memo::new(move |_| params.read().get("family").unwrap_or_default());
    let list = LocalResource::new(api::task_definition_families);
    let retry = Callback::new(move |()| list.refetch());
    let content = move || {
        Suspend::new(async move {
            let name = family.get();
            match list.await {
                Ok(list) => match list.families.into_iter().find(|f| f.family == name) {
                    Some(family) => view! { <FamilyView family/> }.into_any(),
                    None => view! {
                        <section class="panel panel--empty" data-testid="not-found">
                            <h2>"No family named “" {name} "”"</h2>
                            <p>"It may have been spelled differently, or all its revisions were deleted. "
                                <A href=crate::source::link("/task-definitions")>"See every family"</A>
                            </p>
                        </section>
                    }
                    .into_any(),
                },
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <nav class="breadcrumbs">
            <A href=crate::source::link("/task-definitions")>"Task definitions"</A>" / "<span>{family}</span>
        </nav>
        <div class="page__header">
            <h1 data-testid="family-name">{family}</h1>
            <button class="button button--quiet" on:click=move |_| list.refetch()>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <section class="panel card--skeleton" aria-busy="true"></section> }>
            {content}
        </Transition>
    }
}

/// The revisions list beside the revision or the comparison the URL asks for.
#[component]
fn FamilyView(
    /// The family and its revisions (newest first).
    family: TaskDefinitionFamily,
) -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| query.read().get("revision"));
    let compare = Memo::new(move |_| query.read().get("compare"));
    let name = family.family.clone();
    let family = StoredValue::new(family);
    let selected = Memo::new(move |_| {
        let asked = asked.get().and_then(|r| r.parse::<i64>().ok());
        family.with_value(|f| chosen_revision(f, asked))
    });
    let pair = Memo::new(move |_| compare.get().as_deref().and_then(parse_compare));
    let main = {
        let name = name.clone();
        move || {
            let name = name.clone();
            match (pair.get(), selected.get()) {
                (Some((old, new)), _) => view! { <CompareView family=name old new/> }.into_any(),
                (None, Some(revision)) => view! { <RevisionView family=name revision/> }.into_any(),
                (None, None) => view! {
                    <section class="panel panel--empty"><p>"This family has no revisions."</p></section>
                }
                .into_any(),
            }
        }
    };
    view! {
        <div class="td-layout">
            <aside class="td-side">
                <RevisionList family selected pair/>
                <CompareForm family=name revisions=family.with_value(|f| f.revisions.iter().map(|r| r.revision).collect()) selected pair/>
            </aside>
            <div class="td-main">{main}</div>
        </div>
    }
}

/// Every revision as a link, the shown one highlighted.
#[component]
fn RevisionList(
    /// The family.
    family: StoredValue<TaskDefinitionFamily>,
    /// The revision shown.
    selected: Memo<Option<i64>>,
    /// The revisions compared, when comparing.
    pair: Memo<Option<(i64, i64)>>,
) -> impl IntoView {
    let name = family.with_value(|f| f.family.clone());
    let items = family.with_value(|f| {
        f.revisions
            .iter()
            .map(|r| {
                let revision = r.revision;
                let href = revision_href(&name, revision);
                let class = move || {
                    let current = pair.get().is_none() && selected.get() == Some(revision);
                    let compared = pair
                        .get()
                        .is_some_and(|(a, b)| a == revision || b == revision);
                    match (current, compared) {
                        (true, _) => "td-rev td-rev--current",
                        (_, true) => "td-rev td-rev--compared",
                        _ => "td-rev",
                    }
                };
                let status_class = format!(
                    "status status--{}",
                    if r.status == "ACTIVE" { "ok" } else { "bad" }
                );
                let status = r.status.clone();
                view! {
                    <li>
                        <A href=href attr:class=class attr:data-testid="revision-link">
                            <span class="td-rev__number">"Revision "{revision}</span>
                            <span class=status_class>{status}</span>
                        </A>
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <section class="panel td-revisions" data-testid="revisions">
            <h2>"Revisions" <Explain topic=Topic::Revisions/></h2>
            <ul class="td-revisions__list">{items}</ul>
        </section>
    }
}

/// Two selects and a button that open the comparison of any two revisions.
#[component]
fn CompareForm(
    /// Family name.
    family: String,
    /// Revision numbers, newest first.
    revisions: Vec<i64>,
    /// The revision shown.
    selected: Memo<Option<i64>>,
    /// The revisions compared, when comparing.
    pair: Memo<Option<(i64, i64)>>,
) -> impl IntoView {
    let newest = revisions.first().copied().unwrap_or(1);
    let default_new = move || pair.get().map(|p| p.1).or(selected.get()).unwrap_or(newest);
    let default_old = {
        let revisions = revisions.clone();
        move || {
            pair.get().map(|p| p.0).unwrap_or_else(|| {
                let new = default_new();
                revisions.iter().copied().find(|r| *r < new).unwrap_or(new)
            })
        }
    };
    let old = RwSignal::new(default_old());
    let new = RwSignal::new(default_new());
    Effect::new(move || old.set(default_old()));
    Effect::new(move || new.set(default_new()));
    let options = move |chosen: RwSignal<i64>| {
        revisions
            .iter()
            .map(|r| {
                let r = *r;
                view! { <option value=r.to_string() selected=move || chosen.get() == r>{format!("Revision {r}")}</option> }
            })
            .collect_view()
    };
    let navigate = use_navigate();
    let go = {
        let family = family.clone();
        move |_| {
            navigate(
                &compare_href(&family, old.get_untracked(), new.get_untracked()),
                Default::default(),
            )
        }
    };
    let parse = |ev: leptos::ev::Event| event_target_value(&ev).parse::<i64>().ok();
    view! {
        <section class="panel td-compare-form" data-testid="compare-form">
            <h2>"Compare"</h2>
            <label class="td-field">
                <span class="muted">"Old"</span>
                <select data-testid="compare-old" on:change=move |ev| if let Some(r) = parse(ev) { old.set(r) }>{options(old)}</select>
            </label>
            <label class="td-field">
                <span class="muted">"New"</span>
                <select data-testid="compare-new" on:change=move |ev| if let Some(r) = parse(ev) { new.set(r) }>{options(new)}</select>
            </label>
            <button type="button" class="button" data-testid="compare" on:click=go>"Show differences"</button>
            <Show when=move || pair.get().is_some()>
                <A href=revision_href(&family, newest) attr:class="td-back">"Leave the comparison"</A>
            </Show>
        </section>
    }
}

/// One revision: words, validation and JSON.
#[component]
fn RevisionView(
    /// Family name.
    family: String,
    /// Revision number.
    revision: i64,
) -> impl IntoView {
    let id = format!("{family}:{revision}");
    let detail = LocalResource::new(move || {
        let id = id.clone();
        async move {
            let definition = api::task_definition(&id).await?;
            let report = api::validate_task_definition(&definition).await;
            Ok::<_, ClientError>((definition, report))
        }
    });
    let retry = Callback::new(move |()| detail.refetch());
    let content = move || {
        let family = family.clone();
        Suspend::new(async move {
            match detail.await {
                Ok((definition, report)) => {
                    let json = pretty_json(&definition);
                    let title = format!("JSON of {family}:{revision}");
                    view! {
                        <div class="td-detail">
                            <Words definition/>
                            <ValidationPanel report/>
                        </div>
                        <JsonPanel json title/>
                    }
                    .into_any()
                }
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <Transition fallback=|| view! { <section class="panel card--skeleton" aria-busy="true"></section> }>
            {content}
        </Transition>
    }
}

/// The revision in words.
#[component]
fn Words(
    /// The revision.
    definition: TaskDefinition,
) -> impl IntoView {
    let revision = definition.revision.unwrap_or_default();
    let status = definition
        .status
        .clone()
        .unwrap_or_else(|| "ACTIVE".to_owned());
    let status_class = format!(
        "status status--{}",
        if status == "ACTIVE" { "ok" } else { "bad" }
    );
    let registered = definition.registered_at.map(absolute_time);
    let previous = (revision > 1).then(|| compare_href(&definition.family, revision - 1, revision));
    let facts = task_facts(&definition)
        .into_iter()
        .map(|fact| {
            let help = match fact.label {
                "Network mode" => Some(view! { <Explain topic=Topic::NetworkMode/> }.into_any()),
                "Launch types" => Some(view! { <Help concept=Concept::LaunchType/> }.into_any()),
                "Task size" => Some(view! { <Help concept=Concept::Reservation/> }.into_any()),
                "Task role" => Some(view! { <Explain topic=Topic::Roles/> }.into_any()),
                _ => None,
            };
            fact_view(fact, help)
        })
        .collect_view();
    let containers = containers(&definition);
    let count = containers.len();
    let containers = containers
        .into_iter()
        .map(|container| view! { <ContainerCard container/> })
        .collect_view();
    let volumes = volumes(&definition);
    let volumes = (!volumes.is_empty()).then(|| {
        let items = volumes
            .into_iter()
            .map(|f| fact_view(f, None))
            .collect_view();
        view! {
            <h3 class="td-subhead">"Volumes" <Explain topic=Topic::Volumes/></h3>
            <dl class="td-facts">{items}</dl>
        }
    });
    view! {
        <section class="panel td-words" data-testid="words">
            <div class="td-panel__head">
                <h2 class="mono">{format!("{}:{revision}", definition.family)}</h2>
                <span class=status_class data-testid="revision-status">{status}</span>
                {registered.map(|r| view! { <span class="muted">"registered " {r}</span> })}
                {previous.map(|href| view! { <A href=href attr:class="td-link">{format!("Compare with revision {}", revision - 1)}</A> })}
            </div>
            <dl class="td-facts">{facts}</dl>
            <h3 class="td-subhead">{if count == 1 { "1 container".to_owned() } else { format!("{count} containers") }}</h3>
            <div class="td-containers">{containers}</div>
            {volumes}
        </section>
    }
}

fn fact_view(fact: Fact, help: Option<AnyView>) -> impl IntoView {
    view! {
        <div class="td-fact">
            <dt>{fact.label}{help}</dt>
            <dd>
                <span class="td-fact__value">{fact.value}</span>
                {fact.note.map(|n| view! { <span class="td-fact__note">{n}</span> })}
            </dd>
        </div>
    }
}

/// One container in words.
#[component]
fn ContainerCard(
    /// The container.
    container: ContainerWords,
) -> impl IntoView {
    let ports = if container.ports.is_empty() {
        view! { <span class="muted">"No ports"</span> }.into_any()
    } else {
        container
            .ports
            .into_iter()
            .map(|p| view! { <span class="chip mono" data-testid="port">{p}</span> })
            .collect_view()
            .into_any()
    };
    let facts = container
        .facts
        .into_iter()
        .map(|fact| {
            let help = (fact.label == "Logs")
                .then(|| view! { <Explain topic=Topic::Logging/> }.into_any());
            fact_view(fact, help)
        })
        .collect_view();
    view! {
        <article class="td-container" data-testid="container">
            <header class="td-container__head">
                <h4>{container.name}</h4>
                {if container.essential {
                    view! { <span class="badge td-essential">"essential"</span> }.into_any()
                } else {
                    view! { <span class="badge td-optional">"not essential"</span> }.into_any()
                }}
                <Explain topic=Topic::Essential/>
            </header>
            <p class="td-container__image mono" title="Image">{container.image}</p>
            <div class="td-ports">
                <span class="td-ports__label">"Ports" <Explain topic=Topic::Ports/></span>
                {ports}
            </div>
            <dl class="td-facts td-facts--compact">{facts}</dl>
        </article>
    }
}

/// The validation of the revision (or why it could not be validated).
#[component]
fn ValidationPanel(
    /// What `POST /api/validate/task-definition` answered.
    report: Result<ValidationReport, ClientError>,
) -> impl IntoView {
    let body = match report {
        Err(error) => view! { <p class="td-problem td-problem--error">{format!("Could not validate: {error}")}</p> }.into_any(),
        Ok(report) if report.problems.is_empty() => view! {
            <p class="td-valid" data-testid="valid"><span class="status status--ok">"VALID"</span>" No problems found."</p>
        }
        .into_any(),
        Ok(report) => {
            let errors = report.problems.iter().filter(|p| p.severity == Severity::Error).count();
            let warnings = report.problems.len() - errors;
            let verdict = if report.valid {
                view! { <span class="status status--warn">"VALID"</span> }.into_any()
            } else {
                view! { <span class="status status--bad">"INVALID"</span> }.into_any()
            };
            let items = report
                .problems
                .into_iter()
                .map(|p| {
                    let (class, word) = match p.severity {
                        Severity::Error => ("td-problem td-problem--error", "error"),
                        Severity::Warning => ("td-problem td-problem--warning", "warning"),
                    };
                    view! {
                        <li class=class data-testid="problem">
                            <span class="td-problem__severity">{word}</span>
                            <code class="td-problem__path">{p.path}</code>
                            <span class="td-problem__message">{p.message}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p class="td-valid">{verdict}" "{format!("{errors} errors · {warnings} warnings")}</p>
                <ul class="td-problems">{items}</ul>
            }
            .into_any()
        }
    };
    view! {
        <section class="panel td-validation" data-testid="validation">
            <h2>"Validation"</h2>
            <p class="muted td-small">"Checked against the rules ECS applies when you register a task definition."</p>
            {body}
        </section>
    }
}
