//! What the pages that start new work share — Run task ([`super::run_page`]) and Create
//! service ([`super::create_page`]): the revision to start (family and revision, read from the
//! server), the launch type and the awsvpc network as typed, the account the work would start
//! in, and the button that asks for a confirmation naming cluster and account before anything
//! starts.

use std::future::Future;

use berth_shared::{
    access::Role,
    api::TaskDefinitionFamilies,
    ecs::{AwsVpcConfiguration, NetworkConfiguration, TaskDefinition},
    ops::{CreateServicePreview, Problem, RunTaskPreview, Severity},
};
use berth_view::deploy::blocking_problems;
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ClientError},
    components::dialog::Confirm,
    components::server::{NoChangesNotice, ServerHealth, use_server_health},
};

/// A problem at `path` that blocks starting anything.
pub fn problem(path: &str, message: &str) -> Problem {
    Problem {
        path: path.to_owned(),
        severity: Severity::Error,
        message: message.to_owned(),
    }
}

/// The revision new tasks run and where, as typed, with what the server says about it.
#[derive(Clone, Copy)]
pub struct Workload {
    /// The family chosen.
    pub family: RwSignal<String>,
    /// `family:revision`, or empty for the family's latest.
    pub revision: RwSignal<String>,
    /// `EC2` or `FARGATE`.
    pub launch_type: RwSignal<String>,
    /// Subnets as typed (comma, space or line separated).
    pub subnets: RwSignal<String>,
    /// Security groups as typed.
    pub security_groups: RwSignal<String>,
    /// Whether the tasks get a public IP (awsvpc).
    pub public_ip: RwSignal<bool>,
    /// The account's task definition families.
    pub families: LocalResource<Result<TaskDefinitionFamilies, ClientError>>,
    /// The revision named, as the server describes it (none while unknown).
    pub definition: LocalResource<Option<TaskDefinition>>,
    /// The family's ACTIVE revisions, `family:revision`.
    pub revisions: Memo<Vec<String>>,
    /// Whether the tasks use the awsvpc network mode (Fargate, or an awsvpc revision).
    pub awsvpc: Memo<bool>,
}

impl Workload {
    /// A workload of `asked_family` (the first family once they are known, when none), on EC2
    /// when the cluster has instances and on Fargate otherwise.
    pub fn new(asked_family: Option<String>, has_instances: bool) -> Self {
        let family = RwSignal::new(asked_family.unwrap_or_default());
        let revision = RwSignal::new(String::new());
        let launch_type = RwSignal::new(if has_instances { "EC2" } else { "FARGATE" }.to_owned());
        let families = LocalResource::new(api::task_definition_families);
        Effect::new(move |_| {
            if family.with_untracked(String::is_empty)
                && let Some(Ok(list)) = families.get()
                && let Some(first) = list.families.first()
            {
                family.set(first.family.clone());
            }
        });
        let revisions = Memo::new(move |_| {
            let chosen = family.get();
            families
                .get()
                .and_then(Result::ok)
                .and_then(|list| list.families.into_iter().find(|f| f.family == chosen))
                .map(|f| {
                    f.revisions
                        .into_iter()
                        .filter(|r| r.status == "ACTIVE")
                        .map(|r| format!("{}:{}", f.family, r.revision))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        let definition = LocalResource::new(move || {
            let named = if revision.get().is_empty() {
                family.get()
            } else {
                revision.get()
            };
            async move {
                if named.is_empty() {
                    None
                } else {
                    api::task_definition(&named).await.ok()
                }
            }
        });
        let awsvpc = Memo::new(move |_| {
            launch_type.get() == "FARGATE"
                || definition
                    .get()
                    .flatten()
                    .is_some_and(|d| d.network_mode.as_deref() == Some("awsvpc"))
        });
        Self {
            family,
            revision,
            launch_type,
            subnets: RwSignal::new(String::new()),
            security_groups: RwSignal::new(String::new()),
            public_ip: RwSignal::new(false),
            families,
            definition,
            revisions,
            awsvpc,
        }
    }

    /// The revision as a request names it (the family for its latest), or the problem.
    pub fn task_definition(&self) -> Result<String, Problem> {
        let family = self.family.get();
        if family.is_empty() {
            return Err(problem(
                "taskDefinition",
                "Choose a task definition family.",
            ));
        }
        let revision = self.revision.get();
        Ok(if revision.is_empty() {
            family
        } else {
            revision
        })
    }

    /// The network configuration the tasks need (awsvpc only).
    pub fn network(&self) -> Option<NetworkConfiguration> {
        let list = |text: String| -> Vec<String> {
            text.split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        self.awsvpc.get().then(|| NetworkConfiguration {
            awsvpc_configuration: Some(AwsVpcConfiguration {
                subnets: list(self.subnets.get()),
                security_groups: list(self.security_groups.get()),
                assign_public_ip: self.public_ip.get().then(|| "ENABLED".to_owned()),
            }),
        })
    }
}

/// The family and revision selects; test ids `{testid}-family` and `{testid}-revision`.
#[component]
pub fn RevisionFields(workload: Workload, testid: &'static str) -> impl IntoView {
    let families = workload.families;
    view! {
        <label class="field run__family">
            <span class="field__label">"Family"</span>
            <select class="field__input" data-testid=format!("{testid}-family")
                on:change=move |ev| { workload.family.set(event_target_value(&ev)); workload.revision.set(String::new()); }>
                {move || families.get().and_then(Result::ok).map(|list| list.families.into_iter().map(|f| {
                    let selected = f.family == workload.family.get_untracked();
                    let label = f.family.clone();
                    view! { <option value=f.family selected=selected>{label}</option> }
                }).collect_view())}
            </select>
        </label>
        <label class="field">
            <span class="field__label">"Revision"</span>
            <select class="field__input" data-testid=format!("{testid}-revision")
                on:change=move |ev| workload.revision.set(event_target_value(&ev))>
                <option value="" selected=move || workload.revision.with(String::is_empty)>"The latest"</option>
                {move || workload.revisions.get().into_iter().map(|revision| {
                    let selected = revision == workload.revision.get_untracked();
                    let label = revision.clone();
                    view! { <option value=revision selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// The launch type select and, for awsvpc tasks, the subnets, security groups and public IP;
/// test ids `{testid}-launch-type`, `{testid}-subnets`, `{testid}-security-groups`.
#[component]
pub fn NetworkFields(workload: Workload, testid: &'static str) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">"Launch type"</span>
            <select class="field__input" data-testid=format!("{testid}-launch-type")
                on:change=move |ev| workload.launch_type.set(event_target_value(&ev))>
                {["EC2", "FARGATE"].map(|kind| view! {
                    <option value=kind selected=move || workload.launch_type.get() == kind>{kind}</option>
                })}
            </select>
        </label>
        {move || workload.awsvpc.get().then(|| view! {
            <label class="field field--wide">
                <span class="field__label">"Subnets (awsvpc)"</span>
                <input class="field__input mono" data-testid=format!("{testid}-subnets") placeholder="subnet-…, subnet-…"
                    prop:value=move || workload.subnets.get()
                    on:input=move |ev| workload.subnets.set(event_target_value(&ev))/>
            </label>
            <label class="field field--wide">
                <span class="field__label">"Security groups"</span>
                <input class="field__input mono" data-testid=format!("{testid}-security-groups") placeholder="sg-…"
                    prop:value=move || workload.security_groups.get()
                    on:input=move |ev| workload.security_groups.set(event_target_value(&ev))/>
            </label>
            <label class="check">
                <input type="checkbox"
                    prop:checked=move || workload.public_ip.get()
                    on:change=move |ev| workload.public_ip.set(event_target_checked(&ev))/>
                "Give each task a public IP"
            </label>
        })}
    }
}

/// Says when the families cannot be read; test id `{testid}-families-error`.
#[component]
pub fn FamiliesError(workload: Workload, testid: &'static str) -> impl IntoView {
    let families = workload.families;
    move || {
        families.get().and_then(Result::err).map(|error| {
            view! {
                <p class="notice notice--bad" role="alert" data-testid=format!("{testid}-families-error")>
                    {format!("The task definitions could not be read: {error}")}
                </p>
            }
        })
    }
}

/// The account the work would start in: its region (for the command lines) and its name.
#[derive(Debug, Clone, Copy)]
pub struct Destination {
    /// The source's region (empty while unknown).
    pub region: Signal<String>,
    /// The source in words (`this account` while unknown).
    pub label: Signal<String>,
}

impl Destination {
    /// Where the server's source is.
    pub fn of(health: ServerHealth) -> Self {
        let source = Memo::new(move |_| {
            health
                .resource()
                .get()
                .and_then(Result::ok)
                .and_then(|h| h.source)
        });
        Self {
            region: Signal::derive(move || {
                source
                    .get()
                    .map(|s| s.region().to_owned())
                    .unwrap_or_default()
            }),
            label: Signal::derive(move || {
                source
                    .get()
                    .map(|s| s.label())
                    .unwrap_or_else(|| "this account".to_owned())
            }),
        }
    }
}

/// What a preview of new work says of the request: its problems, and whether one blocks it.
pub trait StartPreview {
    /// The request's problems.
    fn problems(&self) -> &[Problem];
    /// Whether an error blocks the work.
    fn blocked(&self) -> bool;
}

impl StartPreview for RunTaskPreview {
    fn problems(&self) -> &[Problem] {
        &self.problems
    }
    fn blocked(&self) -> bool {
        self.blocked
    }
}

impl StartPreview for CreateServicePreview {
    fn problems(&self) -> &[Problem] {
        &self.problems
    }
    fn blocked(&self) -> bool {
        self.blocked
    }
}

/// A draft request and its preview, checked together.
#[derive(Clone, Copy)]
pub struct Checked {
    /// Every problem: the one that keeps the draft from being a request, else the preview's.
    pub problems: Signal<Vec<Problem>>,
    /// Whether the draft is a request its preview does not block.
    pub ready: Memo<bool>,
}

impl Checked {
    /// Checks `request` (as drafted) with its `preview`.
    pub fn new<R, P>(request: Memo<Result<R, Problem>>, preview: Memo<Option<P>>) -> Self
    where
        R: Clone + PartialEq + Send + Sync + 'static,
        P: StartPreview + Clone + PartialEq + Send + Sync + 'static,
    {
        Self {
            problems: Signal::derive(move || {
                let mut problems =
                    request.with(|r| r.as_ref().err().cloned().into_iter().collect::<Vec<_>>());
                problems.extend(preview.with(|p| {
                    p.iter()
                        .flat_map(|p| p.problems().to_vec())
                        .collect::<Vec<_>>()
                }));
                problems
            }),
            ready: Memo::new(move |_| {
                request.with(Result::is_ok)
                    && preview.with(|p| p.as_ref().is_some_and(|p| !p.blocked()))
            }),
        }
    }

    /// `N problems to fix before this can {verb}.` when an error blocks the draft.
    pub fn blocked_headline(self, verb: &str) -> Option<String> {
        self.problems
            .with(|problems| blocking_problems(problems, verb))
    }
}

/// The callback that starts the work `request` drafts with `send` (which gives it its client
/// token and calls the API), keeping `state` up to date.
pub fn starter<R, T, Fut>(
    state: RwSignal<StartState<T>>,
    request: Memo<Result<R, Problem>>,
    send: impl Fn(R) -> Fut + Send + Sync + 'static,
) -> Callback<()>
where
    R: Clone + PartialEq + Send + Sync + 'static,
    T: Send + Sync + 'static,
    Fut: Future<Output = Result<T, ClientError>> + 'static,
{
    Callback::new(move |()| {
        let Ok(request) = request.get_untracked() else {
            return;
        };
        state.set(StartState::Working);
        let sent = send(request);
        spawn_local(async move { state.set(StartState::after(sent.await)) });
    })
}

/// Where a start button is.
#[derive(Debug, Clone, PartialEq)]
pub enum StartState<T> {
    /// Nothing asked yet.
    Idle,
    /// Waiting for the confirmation.
    Confirming,
    /// Sent; the server is making the call.
    Working,
    /// Done: what the call answered.
    Done(Box<T>),
    /// Refused or failed.
    Failed {
        /// The error's kind, in words.
        title: String,
        /// What the server said.
        message: String,
    },
}

impl<T> StartState<T> {
    /// The state after `result`.
    pub fn after(result: Result<T, ClientError>) -> Self {
        match result {
            Ok(done) => Self::Done(Box::new(done)),
            Err(error) => Self::Failed {
                title: error.title().to_owned(),
                message: error.to_string(),
            },
        }
    }
}

/// The button that starts work after a confirmation, for those whose role allows it (others
/// read why not), the error when it failed, and `children` (what it started, read from
/// `state`). Test ids: the section `{testid}`, the button `{testid}-button`, the confirmation
/// `confirm-{testid}` and its button `confirm-{testid}-yes`, the error `{testid}-error`.
#[component]
pub fn StartButton<T>(
    state: RwSignal<StartState<T>>,
    /// Whether the preview allows starting.
    ready: Memo<bool>,
    /// The role starting needs.
    needed: Role,
    /// The confirmation's question, naming cluster and account.
    #[prop(into)]
    question: Signal<String>,
    /// What would start, in words.
    #[prop(into)]
    summary: Signal<Option<String>>,
    /// The button's verb (`Run`).
    verb: &'static str,
    /// The button while the call is made (`Running…`).
    working: &'static str,
    /// Why the button is off while the preview has errors.
    not_ready: &'static str,
    testid: &'static str,
    /// Whether the work starts only once (the button goes once it is done).
    #[prop(optional)]
    once: bool,
    /// Starts the work, once confirmed.
    on_confirm: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let allowed = use_server_health().may_change(needed);
    let is_working = move || state.with(|s| *s == StartState::Working);
    move || {
        if !allowed.get() {
            return view! { <NoChangesNotice needed/> }.into_any();
        }
        let children = children.clone();
        view! {
            <section class="panel apply" data-testid=testid>
                {move || if once && state.with(|s| matches!(s, StartState::Done(_))) {
                    ().into_any()
                } else if state.with(|s| *s == StartState::Confirming) {
                    view! {
                        <Confirm label=format!("Confirm: {verb}") testid=format!("confirm-{testid}") verb=verb
                            return_to=format!("{testid}-button") on_confirm
                            on_cancel=Callback::new(move |()| state.set(StartState::Idle))>
                            <p><strong>{question}</strong></p>
                            <p>{summary}</p>
                        </Confirm>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button" data-testid=format!("{testid}-button")
                            prop:disabled=move || !ready.get() || is_working()
                            on:click=move |_| state.set(StartState::Confirming)>
                            {move || if is_working() { working.to_owned() } else { format!("{verb}…") }}
                        </button>
                        {move || (!ready.get()).then(|| view! { <span class="muted">" "{not_ready}</span> })}
                    }.into_any()
                }}
                {move || match state.get() {
                    StartState::Failed { title, message } => Some(view! {
                        <p class="notice notice--bad" role="alert" data-testid=format!("{testid}-error")>
                            <strong>{title}": "</strong>{message}
                        </p>
                    }),
                    _ => None,
                }}
                {children()}
            </section>
        }
        .into_any()
    }
}
