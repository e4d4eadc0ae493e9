//! The top bar: product name, navigation and the active source (sandbox or AWS region).

use berth_shared::api::SourceInfo;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::server::use_server_health;

/// The bar across the top of every page.
#[component]
pub fn TopBar() -> impl IntoView {
    let health = use_server_health().resource();
    let source = move || {
        Suspend::new(async move {
            match health.await {
                Ok(health) => {
                    let kind = match &health.source {
                        SourceInfo::Sandbox { .. } => "source source--sandbox",
                        SourceInfo::Aws { .. } => "source source--aws",
                    };
                    let detail = match &health.source {
                        SourceInfo::Sandbox { .. } => {
                            "Simulated account, saved on the Berth server".to_owned()
                        }
                        SourceInfo::Aws { .. } => "Live AWS account".to_owned(),
                    };
                    view! {
                        <span class=kind title=detail data-testid="source">{health.source.label()}</span>
                        {health.read_only.then(|| view! {
                            <span class="source source--read-only" title="This Berth changes nothing (--read-only)" data-testid="read-only-badge">"Read-only"</span>
                        })}
                        <span class="version">"v"{health.version}</span>
                    }
                    .into_any()
                }
                Err(error) => view! {
                    <span class="source source--error" data-testid="source" title=error.to_string()>
                        {error.title()}
                    </span>
                }
                .into_any(),
            }
        })
    };
    view! {
        <header class="top-bar">
            <A href=crate::source::link("/clusters") attr:class="brand">
                <span class="brand__mark" aria-hidden="true">"⚓"</span>
                <span class="brand__name">"Berth"</span>
            </A>
            <nav class="top-bar__nav">
                <A href=crate::source::link("/clusters")>"Clusters"</A>
                <A href=crate::source::link("/repositories")>"Repositories"</A>
                <A href=crate::source::link("/task-definitions")>"Task definitions"</A>
            </nav>
            <div class="top-bar__source">
                <Transition fallback=|| view! { <span class="source">"Connecting…"</span> }>{source}</Transition>
            </div>
        </header>
    }
}
