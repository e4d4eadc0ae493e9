//! The top bar: product name, navigation, the active source (sandbox or AWS region), and who
//! the console is signed in as, with a way to sign out.

use berth_shared::{
    access::{Role, SignedInVia},
    api::SourceInfo,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{NavigateOptions, components::A, hooks::use_navigate};

use crate::{
    api, components::server::use_server_health, features::access::sign_in_page::SIGN_IN_PATH,
};

/// Who is signed in, their role, and "Sign out" for a cookie session.
#[component]
fn SignedIn() -> impl IntoView {
    let server = use_server_health();
    let session = server.session();
    let navigate = StoredValue::new(use_navigate());
    let sign_out = move |_| {
        spawn_local(async move {
            if let Err(error) = api::sign_out().await {
                leptos::logging::warn!("sign-out failed: {error}");
            }
            server.reload_session();
            navigate.with_value(|go| go(SIGN_IN_PATH, NavigateOptions::default()));
        });
    };
    move || {
        session.with(|session| {
            let session = session.as_ref()?.as_ref().ok()?.clone();
            session.sign_in_required.then(|| {
                view! {
                    <span class="session" data-testid="signed-in">
                        <span title=format!("Signed in with a {}", session.via.as_str())>{session.name.clone()}</span>
                        <span class="session__role" data-testid="role">{session.role.as_str()}</span>
                        {(session.via == SignedInVia::Session).then(|| view! {
                            <button class="button button--quiet button--small" on:click=sign_out data-testid="sign-out">"Sign out"</button>
                        })}
                    </span>
                }
            })
        })
    }
}

/// The bar across the top of every page.
#[component]
pub fn TopBar() -> impl IntoView {
    let health = use_server_health().resource();
    let admin = use_server_health().has_role(Role::Admin);
    let source = move || {
        Suspend::new(async move {
            match health.await {
                Ok(health) => {
                    let source = health.source.as_ref().map(|source| {
                        let (kind, detail) = match source {
                            SourceInfo::Sandbox { .. } => (
                                "source source--sandbox",
                                "Simulated account, saved on the Berth server",
                            ),
                            SourceInfo::Aws { .. } => ("source source--aws", "Live AWS account"),
                        };
                        view! { <span class=kind title=detail data-testid="source">{source.label()}</span> }
                    });
                    view! {
                        {source}
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
                <Show when=move || admin.get()>
                    <A href=crate::source::link("/audit") attr:data-testid="audit-link">"Audit"</A>
                </Show>
            </nav>
            <div class="top-bar__source">
                <Transition fallback=|| view! { <span class="source">"Connecting…"</span> }>{source}</Transition>
                <SignedIn/>
            </div>
        </header>
    }
}
