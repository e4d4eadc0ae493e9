//! Changes to a service: its desired count (a small validated form) and a forced new deployment
//! (after a confirmation). Each shows the server's answer in words; the changed service is
//! written into the page's snapshot so the page updates before the next live event.

use berth_shared::{
    api::ServiceUpdate,
    ecs::Service,
    ops::{MAX_DESIRED_COUNT, requests::check_desired_count},
};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    components::{dialog::Confirm, live::ClusterStream},
};

/// Reads the desired-count field: a whole number within the model's desired-count rule (the
/// same one the server applies).
fn parse_desired(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter how many tasks the service should run.".to_owned());
    }
    let value: i64 = text
        .parse()
        .map_err(|_| format!("“{text}” is not a whole number of tasks."))?;
    check_desired_count(value, "desiredCount")
        .map(|()| value)
        .map_err(|error| {
            format!(
                "The desired count {}",
                error.message.replacen("Must", "must", 1)
            )
        })
}

/// The outcome of the last change, shown under the actions.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Working(String),
    Done(String),
    Failed { title: String, message: String },
}

/// Writes the service a change returned into the snapshot.
fn apply(stream: ClusterStream, service: Service) {
    stream.patch(|snapshot| {
        if let Some(current) = snapshot
            .services
            .iter_mut()
            .find(|s| s.service_arn == service.service_arn)
        {
            *current = service;
        }
    });
}

/// The service's actions: desired count and forced deployment.
#[component]
pub fn ServiceActions(
    /// The cluster's name.
    #[prop(into)]
    cluster: Signal<String>,
    /// The service's name.
    #[prop(into)]
    service: Signal<String>,
    /// The service's current desired count.
    #[prop(into)]
    desired: Signal<i64>,
    /// Whether the service is a daemon (its count follows the instances).
    #[prop(into)]
    daemon: Signal<bool>,
    /// The page's live data, updated with the answer.
    stream: ClusterStream,
) -> impl IntoView {
    let field = RwSignal::new(desired.get_untracked().to_string());
    let invalid = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Outcome>);
    let confirming = RwSignal::new(false);
    let busy = move || matches!(outcome.get(), Some(Outcome::Working(_)));

    let send = move |change: ServiceUpdate, working: String, done: String| {
        outcome.set(Some(Outcome::Working(working)));
        let (cluster, service) = (cluster.get_untracked(), service.get_untracked());
        spawn_local(async move {
            match api::update_service(&cluster, &service, &change).await {
                Ok(answer) => {
                    apply(stream, answer.resource);
                    outcome.set(Some(Outcome::Done(done)));
                }
                Err(error) => outcome.set(Some(Outcome::Failed {
                    title: error.title().to_owned(),
                    message: error.to_string(),
                })),
            }
        });
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match parse_desired(&field.get_untracked()) {
            Ok(count) => {
                invalid.set(None);
                send(
                    ServiceUpdate {
                        desired_count: Some(count),
                        ..ServiceUpdate::default()
                    },
                    format!("Setting the desired count to {count}…"),
                    format!(
                        "Desired count set to {count}. ECS now starts or stops tasks to match."
                    ),
                );
            }
            Err(message) => invalid.set(Some(message)),
        }
    };
    let force = Callback::new(move |()| {
        confirming.set(false);
        send(
            ServiceUpdate {
                force_new_deployment: true,
                ..ServiceUpdate::default()
            },
            "Starting a new deployment…".to_owned(),
            "New deployment started: every task is replaced by a fresh one, a few at a time."
                .to_owned(),
        );
    });

    view! {
        <section class="panel actions" data-testid="service-actions">
            <h2>"Actions"</h2>
            <div class="actions__row">
                <form class="actions__form" on:submit=submit data-testid="desired-form" novalidate>
                    <label class="field">
                        <span class="field__label">"Desired tasks"</span>
                        <input
                            type="number"
                            min="0"
                            max=MAX_DESIRED_COUNT
                            step="1"
                            inputmode="numeric"
                            class="field__input"
                            class:field__input--invalid=move || invalid.with(Option::is_some)
                            aria-invalid=move || invalid.with(Option::is_some).to_string()
                            data-testid="desired-input"
                            prop:value=move || field.get()
                            prop:disabled=move || daemon.get()
                            on:input=move |ev| {
                                field.set(event_target_value(&ev));
                                invalid.set(None);
                            }
                        />
                    </label>
                    <button
                        type="submit"
                        class="button"
                        data-testid="desired-submit"
                        prop:disabled=move || busy() || daemon.get()
                    >
                        "Update"
                    </button>
                    <span class="muted actions__current">
                        {move || format!("now {}", desired.get())}
                    </span>
                </form>
                <div class="actions__deploy">
                    {move || if confirming.get() {
                        view! {
                            <Confirm label="Confirm new deployment" testid="confirm-deploy" verb="Force new deployment"
                                return_to="force-deploy" on_confirm=force on_cancel=Callback::new(move |()| confirming.set(false))>
                                <p>"Replace every task of this service with a new one? Tasks are replaced a few at a time, within the deployment limits."</p>
                            </Confirm>
                        }.into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="button button--quiet"
                                data-testid="force-deploy"
                                prop:disabled=busy
                                on:click=move |_| confirming.set(true)
                            >
                                "Force new deployment…"
                            </button>
                        }.into_any()
                    }}
                </div>
            </div>
            {move || daemon.get().then(|| view! {
                <p class="muted">"A daemon service runs one task on every instance; its count follows the instances."</p>
            })}
            {move || invalid.get().map(|message| view! {
                <p class="notice notice--bad" role="alert" data-testid="desired-invalid">{message}</p>
            })}
            {move || outcome.get().map(|outcome| match outcome {
                Outcome::Working(text) => view! { <p class="notice" data-testid="action-working">{text}</p> }.into_any(),
                Outcome::Done(text) => view! { <p class="notice notice--ok" data-testid="action-done">{text}</p> }.into_any(),
                Outcome::Failed { title, message } => view! {
                    <p class="notice notice--bad" role="alert" data-testid="action-error">
                        <strong>{title}": "</strong>{message}
                    </p>
                }.into_any(),
            })}
        </section>
    }
}
