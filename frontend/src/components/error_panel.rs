//! A panel that explains a failed request in words, with a retry button when retrying helps.

use leptos::prelude::*;

use crate::{
    api::ClientError, components::server::needs_sign_in,
    features::access::sign_in_page::SIGN_IN_PATH,
};

/// Shows `error`; `on_retry` is offered when the error is retryable.
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    error: ClientError,
    /// Called when the user asks to try again.
    #[prop(optional, into)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let retry = on_retry.filter(|_| error.retryable());
    let code = match &error {
        ClientError::Api { status, body } => format!("HTTP {status} · {}", body.code),
        ClientError::Network(_) => "network".to_owned(),
        ClientError::Decode(_) => "decode".to_owned(),
    };
    let sign_in = needs_sign_in(&error).then(|| {
        view! { <p><a href=SIGN_IN_PATH data-testid="sign-in-link">"Sign in again"</a></p> }
    });
    view! {
        <section class="panel panel--error" role="alert" data-testid="error">
            <h2>{error.title()}</h2>
            <p class="panel__message">{error.to_string()}</p>
            <p class="panel__code">{code}</p>
            {sign_in}
            {retry.map(|retry| view! {
                <button class="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </section>
    }
}
