//! `/login`: exchange an API token for a session, then go back where the visitor was going.
//! [`SignInGate`] sends a visitor whose session the server refuses to this page.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{
    NavigateOptions,
    hooks::{use_location, use_navigate, use_query_map},
};

use crate::{
    api::{self, ClientError},
    components::server::{needs_sign_in, use_server_health},
    source::encode_query_value,
};

/// The path of the sign-in page.
pub const SIGN_IN_PATH: &str = "/login";

/// Where to go after signing in: `next` when it is a path of this console (never another
/// site: `//host` and `/\host` are refused), else the clusters.
fn destination(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .filter(|n| !n.starts_with(SIGN_IN_PATH))
        .unwrap_or_else(|| "/clusters".to_owned())
}

/// Sends a visitor the server does not know to the sign-in page, remembering where they were.
#[component]
pub fn SignInGate() -> impl IntoView {
    let session = use_server_health().session();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let signed_out = session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.as_ref().err().is_some_and(needs_sign_in))
        });
        let path = location.pathname.get();
        if signed_out && path != SIGN_IN_PATH {
            let next = format!("{path}{}", location.search.get_untracked());
            let href = format!("{SIGN_IN_PATH}?next={}", encode_query_value(&next));
            navigate(
                &href,
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });
}

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let server = use_server_health();
    let query = use_query_map();
    let navigate = StoredValue::new(use_navigate());
    let token = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let value = token.get_untracked().trim().to_owned();
        if value.is_empty() {
            problem.set(Some(
                "Paste your API token: an admin of this Berth creates one with `berth token create`."
                    .to_owned(),
            ));
            return;
        }
        pending.set(true);
        problem.set(None);
        spawn_local(async move {
            match api::sign_in(&value).await {
                Ok(session) => {
                    token.set(String::new());
                    server.set_session(session);
                    let next = destination(query.get_untracked().get("next"));
                    navigate.with_value(|go| go(&next, NavigateOptions::default()));
                }
                Err(error) => problem.set(Some(sign_in_failure(&error))),
            }
            pending.set(false);
        });
    };
    let session = server.session();
    let no_sign_in =
        move || session.with(|s| matches!(s, Some(Ok(session)) if !session.sign_in_required));
    view! {
        <Show
            when=move || !no_sign_in()
            fallback=|| view! {
                <section class="panel sign-in" data-testid="no-sign-in">
                    <h1>"No sign-in here"</h1>
                    <p class="muted">
                        "This Berth has no sign-in: it serves loopback addresses only, to whoever \
                         runs it. Start it with --auth-file to require tokens."
                    </p>
                </section>
            }
        >
        <section class="panel sign-in" data-testid="sign-in">
            <h1>"Sign in to Berth"</h1>
            <p class="muted">
                "This Berth requires sign-in. Paste the API token an admin created for you; you \
                 stay signed in on this browser for 12 hours."
            </p>
            <form class="sign-in__form" on:submit=submit>
                <label class="field field--wide">
                    <span class="field__label">"API token"</span>
                    <input
                        class="field__input"
                        type="password"
                        autocomplete="current-password"
                        spellcheck="false"
                        data-testid="token"
                        bind:value=token
                    />
                </label>
                <button class="button" type="submit" disabled=move || pending.get() data-testid="sign-in-button">
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
            {move || problem.get().map(|text| view! {
                <p class="notice notice--bad" role="alert" data-testid="sign-in-error">{text}</p>
            })}
        </section>
        </Show>
    }
}

/// A failed sign-in in words.
fn sign_in_failure(error: &ClientError) -> String {
    if needs_sign_in(error) {
        "That token is not valid: it may be mistyped, or an admin revoked it.".to_owned()
    } else {
        format!("{}: {error}", error.title())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_console_are_destinations() {
        let cases = [
            (Some("/clusters/web?tab=tasks"), "/clusters/web?tab=tasks"),
            (None, "/clusters"),
            (Some("https://evil.example"), "/clusters"),
            (Some("//evil.example"), "/clusters"),
            (Some("/\\evil.example"), "/clusters"),
            (Some("/login?next=/x"), "/clusters"),
        ];
        for (next, expected) in cases {
            assert_eq!(destination(next.map(str::to_owned)), expected, "{next:?}");
        }
    }
}
