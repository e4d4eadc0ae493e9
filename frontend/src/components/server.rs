//! What the console knows of the server it talks to: its health (version, the request's
//! source, whether it is read-only) and who it is signed in as, read once per page load and
//! shared through context, so the top bar and every page's actions agree. The server decides
//! what is allowed; the console only avoids offering what the server would refuse.

use berth_shared::{
    access::{Role, Session},
    api::{ErrorCode, Health},
};
use leptos::prelude::*;

use crate::api::{self, ClientError};

/// What the console knows of its session: `None` while it is being read.
pub type SessionState = Option<Result<Session, ClientError>>;

/// The server's health and the console's session, read once and shared.
#[derive(Clone, Copy)]
pub struct ServerHealth {
    health: LocalResource<Result<Health, ClientError>>,
    /// A signal rather than a resource, so signing in can set it at once from the server's
    /// answer: nothing reads a stale "not signed in" between the sign-in and the next page.
    session: RwSignal<SessionState>,
}

impl std::fmt::Debug for ServerHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHealth").finish_non_exhaustive()
    }
}

/// Reads the server's health and the session, and shares them with every component below the
/// caller.
pub fn provide_server_health() {
    let server = ServerHealth {
        health: LocalResource::new(api::health),
        session: RwSignal::new(None),
    };
    server.reload_session();
    provide_context(server);
}

/// The shared health ([`provide_server_health`] must have run above the caller).
pub fn use_server_health() -> ServerHealth {
    expect_context::<ServerHealth>()
}

/// Whether an error says the console is not signed in.
pub fn needs_sign_in(error: &ClientError) -> bool {
    matches!(error, ClientError::Api { body, .. } if body.code == ErrorCode::Unauthenticated)
}

impl ServerHealth {
    /// The health once read (reactive); `None` while loading.
    pub fn resource(self) -> LocalResource<Result<Health, ClientError>> {
        self.health
    }

    /// The session once read (reactive); `None` while loading.
    pub fn session(self) -> ReadSignal<SessionState> {
        self.session.read_only()
    }

    /// Reads the session again (after signing out).
    pub fn reload_session(self) {
        let session = self.session;
        leptos::task::spawn_local(async move { session.set(Some(api::session().await)) });
    }

    /// Sets the session the server just answered (after signing in), and reads the health
    /// again: the source is only told to signed-in requests.
    pub fn set_session(self, session: Session) {
        self.session.set(Some(Ok(session)));
        self.health.refetch();
    }

    /// Whether the session may make changes that need `role` (false until the session is known
    /// and on a read-only server).
    pub fn may_change(self, role: Role) -> Signal<bool> {
        let session = self.session;
        Signal::derive(move || {
            session.with(|s| {
                s.as_ref()
                    .is_some_and(|s| s.as_ref().is_ok_and(|s| s.may_change(role)))
            })
        })
    }

    /// Whether the session has at least `role` (reading what only that role may read).
    pub fn has_role(self, role: Role) -> Signal<bool> {
        let session = self.session;
        Signal::derive(move || {
            session.with(|s| {
                s.as_ref()
                    .is_some_and(|s| s.as_ref().is_ok_and(|s| s.role.includes(role)))
            })
        })
    }
}

/// Shown where a page would offer changes that need `needed` and the session may not make
/// them: on a read-only server, or for a role below `needed`. Nothing while the session loads.
#[component]
pub fn NoChangesNotice(
    /// The role the page's changes need.
    needed: Role,
) -> impl IntoView {
    let session = use_server_health().session();
    move || {
        session.with(|session| {
            let session = session.as_ref()?.as_ref().ok()?;
            let reason = if session.read_only {
                view! {
                    "This Berth is read-only: it shows the account but changes nothing (started with "
                    <code>"--read-only"</code>")."
                }
                .into_any()
            } else {
                view! {
                    {format!(
                        "You are signed in as {} with the {} role; these changes need the {needed} role. \
                         Ask an admin of this Berth for a {needed} token.",
                        session.name, session.role
                    )}
                }
                .into_any()
            };
            Some(view! {
                <section class="panel actions" data-testid="read-only">
                    <h2>"Actions"</h2>
                    <p class="muted">{reason}</p>
                </section>
            })
        })
    }
}
