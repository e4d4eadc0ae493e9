//! What the console knows of the server it talks to: its health (version, the request's
//! source, whether it is read-only), read once per page load and shared through context, so
//! the top bar and every page's actions agree. The server decides what is allowed; the
//! console only avoids offering what the server would refuse.

use berth_shared::api::Health;
use leptos::prelude::*;

use crate::api::{self, ClientError};

/// The server's health, read once and shared.
#[derive(Clone, Copy)]
pub struct ServerHealth(LocalResource<Result<Health, ClientError>>);

impl std::fmt::Debug for ServerHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHealth").finish_non_exhaustive()
    }
}

/// Reads the server's health and shares it with every component below the caller.
pub fn provide_server_health() {
    provide_context(ServerHealth(LocalResource::new(api::health)));
}

/// The shared health ([`provide_server_health`] must have run above the caller).
pub fn use_server_health() -> ServerHealth {
    expect_context::<ServerHealth>()
}

impl ServerHealth {
    /// The health once read (reactive); `None` while loading.
    pub fn resource(self) -> LocalResource<Result<Health, ClientError>> {
        self.0
    }

    /// Whether the server refuses every change (false until its health is known, so a
    /// server that cannot be read shows its errors where a change is tried).
    pub fn read_only(self) -> Signal<bool> {
        let resource = self.0;
        Signal::derive(move || {
            resource.with(|health| {
                health
                    .as_ref()
                    .is_some_and(|h| h.as_ref().is_ok_and(|h| h.read_only))
            })
        })
    }
}

/// Shown where a page would offer changes, on a read-only server.
#[component]
pub fn ReadOnlyNotice() -> impl IntoView {
    view! {
        <section class="panel actions" data-testid="read-only">
            <h2>"Actions"</h2>
            <p class="muted">
                "This Berth is read-only: it shows the account but changes nothing (started with "
                <code>"--read-only"</code>")."
            </p>
        </section>
    }
}
