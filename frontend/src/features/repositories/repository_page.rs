//! `/repositories/*name`: one repository's figures, its lifecycle policy with a preview of
//! what it would expire now, and its images with where each one runs.

use berth_shared::api::{LifecyclePreview, RepositoryDetail};
use berth_view::{
    format::{absolute_time, format_bytes, plural},
    repositories::{image_rows, rule_in_words},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use super::images_table::ImagesTable;
use crate::{api, components::error_panel::ErrorPanel};

/// The page of one repository.
#[component]
pub fn RepositoryPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let detail = LocalResource::new(move || {
        let name = name();
        async move { api::repository(&name).await }
    });
    let retry = Callback::new(move |()| detail.refetch());
    let content = move || {
        Suspend::new(async move {
            match detail.await {
                Ok(detail) => view! { <RepositoryView detail/> }.into_any(),
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <nav class="breadcrumbs"><A href=crate::source::link("/repositories")>"Repositories"</A>" / "<span>{name}</span></nav>
        <div class="page__header">
            <h1 data-testid="repository-name">{name}</h1>
            <button class="button button--quiet" on:click=move |_| detail.refetch()>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <section class="panel card--skeleton" aria-busy="true"></section> }>
            {content}
        </Transition>
    }
}

/// Everything about the repository once it is loaded.
#[component]
fn RepositoryView(
    /// What the API returned.
    detail: RepositoryDetail,
) -> impl IntoView {
    let rows = image_rows(&detail);
    let images = rows.len();
    let bytes: i64 = rows.iter().map(|r| r.image.image_size_in_bytes).sum();
    let in_use = rows.iter().filter(|r| r.in_use()).count();
    let expiring = match &detail.lifecycle_preview {
        Some(LifecyclePreview::Evaluated { result, .. }) => Some((
            result.expiring_count,
            result.expiring_bytes,
            result.expiring_in_use.len(),
        )),
        _ => None,
    };
    let repository = detail.repository.clone();
    let mutability = repository
        .image_tag_mutability
        .clone()
        .unwrap_or_else(|| "MUTABLE".to_owned());
    view! {
        <section class="panel">
            <dl class="stats stats--wide">
                <div><dt>"Images"</dt><dd data-testid="image-count">{images}</dd></div>
                <div><dt>"Total size"</dt><dd>{format_bytes(bytes)}</dd></div>
                <div><dt>"In use"</dt><dd data-testid="in-use-count">{in_use}</dd></div>
                <div class=move || match expiring { Some((n, _, _)) if n > 0 => "stat--warn", _ => "" }>
                    <dt>"Would expire now"</dt>
                    <dd data-testid="expiring-count">
                        {match expiring {
                            Some((count, bytes, _)) if count > 0 => format!("{count} · {}", format_bytes(bytes)),
                            Some(_) => "0".to_owned(),
                            None => "–".to_owned(),
                        }}
                    </dd>
                </div>
            </dl>
            <div class="repository-meta">
                <span class="muted">"URI"</span>
                <code class="uri" data-testid="repository-uri">{repository.repository_uri.clone()}</code>
                <span class=format!("badge badge--{}", mutability.to_ascii_lowercase())>
                    {if mutability == "IMMUTABLE" { "Immutable tags" } else { "Mutable tags" }}
                </span>
                {repository.created_at.map(|at| view! { <span class="muted">"Created " {absolute_time(at)}</span> })}
            </div>
        </section>
        <LifecyclePanel detail=detail.clone()/>
        {detail.usage_problem.clone().map(|problem| view! {
            <p class="callout callout--warn" role="status" data-testid="usage-problem">{problem}</p>
        })}
        <ImagesTable rows now=detail.fetched_at has_policy=expiring.is_some()/>
    }
}

/// The lifecycle policy: its rules in words, and what it would do if ECR ran it now.
#[component]
fn LifecyclePanel(
    /// The repository page's data.
    detail: RepositoryDetail,
) -> impl IntoView {
    let Some(text) = detail.lifecycle_policy_text.clone() else {
        return view! {
            <section class="panel" data-testid="lifecycle">
                <h2>"Lifecycle policy"</h2>
                <p class="muted">
                    "No lifecycle policy: ECR keeps every image until someone deletes it. A policy \
                     expires old or untagged images automatically, within a day of them matching a rule."
                </p>
            </section>
        }
        .into_any();
    };
    let body = match detail.lifecycle_preview {
        Some(LifecyclePreview::Evaluated { policy, result }) => {
            let mut rules = policy.rules;
            rules.sort_by_key(|rule| rule.rule_priority);
            let total = result.images.len();
            let summary = if result.expiring_count == 0 {
                format!("If ECR ran this policy now, it would keep all {}.", plural(total, "image", "images"))
            } else {
                format!(
                    "If ECR ran this policy now, it would expire {} of {} ({}).",
                    result.expiring_count,
                    plural(total, "image", "images"),
                    format_bytes(result.expiring_bytes)
                )
            };
            let in_use = result.expiring_in_use.len();
            view! {
                <ol class="rules">
                    {rules.into_iter().map(|rule| {
                        let expired = result.images.iter().filter(|v| v.applied_rule_priority == Some(rule.rule_priority)).count();
                        let chip = if expired == 0 { "chip" } else { "chip chip--expiring" };
                        view! {
                            <li class="rule" data-testid="rule">
                                <span class="rule__priority">{rule.rule_priority}</span>
                                <div class="rule__text">
                                    <strong>{rule_in_words(&rule)}</strong>
                                    {rule.description.map(|d| view! { <span class="muted">{d}</span> })}
                                </div>
                                <span class=chip>
                                    {format!("expires {expired}")}
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <p class="preview" data-testid="preview">{summary}</p>
                {(in_use > 0).then(|| view! {
                    <p class="callout callout--bad" role="alert" data-testid="expiring-in-use">
                        <strong>{format!("{} still in use. ", plural(in_use, "expiring image is", "expiring images are"))}</strong>
                        "Tasks that need to pull them again (a restart, a scale-out, a new deployment) will fail. \
                         Change the rule, or move the services to a newer image first."
                    </p>
                })}
            }
            .into_any()
        }
        Some(LifecyclePreview::NotEvaluated { field, message }) => view! {
            <p class="callout callout--warn" data-testid="preview-problem">
                "Berth cannot preview this policy: " {message} <span class="muted">" (" {field} ")"</span>
            </p>
        }
        .into_any(),
        None => ().into_any(),
    };
    view! {
        <section class="panel" data-testid="lifecycle">
            <h2>"Lifecycle policy"</h2>
            {body}
            <details class="policy-json">
                <summary>"Policy JSON"</summary>
                <pre>{text}</pre>
            </details>
        </section>
    }
    .into_any()
}
