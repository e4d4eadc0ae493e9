//! The Deploy page's inputs: an existing revision, or the definition edited through the form
//! (image tags from the container's repository, the task size, environment variables) and the
//! JSON editor; and the service's settings. Every input writes the [`Draft`].

use berth_shared::{
    api::TaskDefinitionFamilies,
    ecr::Repository,
    ops::{Problem, Severity, images::wanted},
    time::Timestamp,
};
use berth_view::deploy::{
    TagChoice, fargate_cpu_choices, fargate_memory_choices, parse_ports, ports_text, tag_choices,
};
use leptos::prelude::*;
use serde_json::{Value, json};

use super::draft::{Draft, ParsedDefinition};
use crate::api;

/// An existing revision of the family, or the definition being edited.
#[component]
pub fn RevisionPicker(
    draft: Draft,
    /// The service's family.
    #[prop(into)]
    family: Signal<String>,
    /// The revision the service runs (`family:revision`).
    #[prop(into)]
    running: Signal<String>,
) -> impl IntoView {
    let families = LocalResource::new(api::task_definition_families);
    let revisions = move || {
        let family = family.get();
        families
            .get()
            .and_then(Result::ok)
            .map(|TaskDefinitionFamilies { families, .. }| {
                families
                    .into_iter()
                    .filter(|f| f.family == family)
                    .flat_map(|f| f.revisions)
                    .filter(|r| r.status == "ACTIVE")
                    .map(|r| format!("{family}:{}", r.revision))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <label class="field field--wide">
            <span class="field__label">"Revision"</span>
            <select
                class="field__input"
                data-testid="revision-select"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    draft.revision.set((!value.is_empty()).then_some(value));
                }
                prop:value=move || draft.revision.get().unwrap_or_default()
            >
                <option value="" selected=move || draft.revision.with(Option::is_none)>
                    "A new revision, edited below"
                </option>
                {move || revisions().into_iter().map(|revision| {
                    let label = if revision == running.get() {
                        format!("{revision} (running now)")
                    } else {
                        revision.clone()
                    };
                    let chosen = draft.revision.get_untracked().as_deref() == Some(revision.as_str());
                    view! { <option value=revision selected=chosen>{label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// The containers' images: a tag from each container's repository, newest first, or any tag
/// typed in (warned when the repository does not hold it).
#[component]
pub fn ImagePicker(
    draft: Draft,
    parsed: Memo<ParsedDefinition>,
    /// The repositories of the account.
    repositories: LocalResource<Result<berth_shared::api::RepositoryList, api::ClientError>>,
    /// The page's "now", for push times.
    #[prop(into)]
    now: Signal<Timestamp>,
) -> impl IntoView {
    let containers = Memo::new(move |_| {
        parsed.with(|p| {
            containers_of(p)
                .iter()
                .map(|c| (text_of(c, "name", "?"), text_of(c, "image", "")))
                .collect::<Vec<_>>()
        })
    });
    let repository_of = move |image: &str| -> Option<Repository> {
        repositories.get().and_then(Result::ok).and_then(|list| {
            list.repositories
                .into_iter()
                .map(|summary| summary.repository)
                .find(|repository| wanted(image, &repository.repository_uri).is_some())
        })
    };
    view! {
        <div class="image-picker" data-testid="image-picker">
            {move || containers.get().into_iter().enumerate().map(|(index, (name, image))| {
                let repository = repository_of(&image);
                view! {
                    <div class="image-picker__row" data-testid="image-row">
                        <span class="image-picker__name mono">{name}</span>
                        {match repository {
                            Some(repository) => view! {
                                <TagSelect draft index image=image repository now/>
                            }.into_any(),
                            None => view! {
                                <span class="mono image-picker__image">{image}</span>
                                <span class="muted">" (not in one of this account's repositories: edit it in the JSON)"</span>
                            }.into_any(),
                        }}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn TagSelect(
    draft: Draft,
    index: usize,
    image: String,
    repository: Repository,
    now: Signal<Timestamp>,
) -> impl IntoView {
    let name = repository.repository_name.clone();
    let uri = repository.repository_uri.clone();
    let detail = LocalResource::new(move || {
        let name = name.clone();
        async move { api::repository(&name).await }
    });
    let current_tag = match wanted(&image, &uri) {
        Some(berth_shared::ops::images::Wanted::Tag(tag)) => tag.to_owned(),
        _ => String::new(),
    };
    let choices = Memo::new(move |_| -> Vec<TagChoice> {
        detail
            .get()
            .and_then(Result::ok)
            .map(|d| tag_choices(&d.image_details, now.get()))
            .unwrap_or_default()
    });
    let typed = RwSignal::new(current_tag);
    let known = move || {
        let tag = typed.get();
        choices.with(|c| c.is_empty() || c.iter().any(|choice| choice.tag == tag))
    };
    let uri_for_select = uri.clone();
    let uri_for_input = uri;
    view! {
        <select
            class="field__input image-picker__select"
            aria-label=format!("Image tag of {}", repository.repository_name)
            data-testid="tag-select"
            prop:value=move || typed.get()
            on:change=move |ev| {
                let tag = event_target_value(&ev);
                typed.set(tag.clone());
                draft.set_tag(index, &uri_for_select, &tag);
            }
        >
            {move || {
                let mut choices = choices.get();
                let typed = typed.get();
                if !typed.is_empty() && !choices.iter().any(|c| c.tag == typed) {
                    choices.insert(0, TagChoice { label: format!("{typed} · not in the repository"), tag: typed.clone() });
                }
                choices.into_iter().map(|choice| {
                    let chosen = choice.tag == typed;
                    view! { <option value=choice.tag selected=chosen>{choice.label}</option> }
                }).collect_view()
            }}
        </select>
        <input
            class="field__input image-picker__tag mono"
            aria-label="Or type a tag"
            placeholder="or type a tag"
            data-testid="tag-input"
            prop:value=move || typed.get()
            on:change=move |ev| {
                let tag = event_target_value(&ev).trim().to_owned();
                if !tag.is_empty() {
                    typed.set(tag.clone());
                    draft.set_tag(index, &uri_for_input, &tag);
                }
            }
        />
        {move || (!known()).then(|| view! {
            <p class="notice notice--bad image-picker__warning" data-testid="tag-warning">
                {format!("The repository {} has no image tagged {}: tasks will fail to start with CannotPullContainerError.", repository.repository_name, typed.get())}
            </p>
        })}
    }
}

/// The task's CPU and memory: Fargate's valid pairs only on Fargate, any numbers elsewhere.
#[component]
pub fn TaskSize(
    draft: Draft,
    parsed: Memo<ParsedDefinition>,
    /// Whether the service runs on Fargate.
    #[prop(into)]
    fargate: Signal<bool>,
) -> impl IntoView {
    let field = move |name: &'static str| {
        move || {
            parsed.with(|p| {
                p.json
                    .as_ref()
                    .and_then(|json| json.get(name))
                    .and_then(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .or_else(|| Some(v.to_string()))
                    })
                    .unwrap_or_default()
            })
        }
    };
    let set = move |name: &'static str, value: String| {
        draft.edit_json(|json| {
            if let Some(fields) = json.as_object_mut() {
                if value.trim().is_empty() {
                    fields.remove(name);
                } else {
                    fields.insert(name.to_owned(), json!(value.trim()));
                }
            }
        });
    };
    let cpu = field("cpu");
    let memory = field("memory");
    move || {
        if fargate.get() {
            let units: i64 = cpu().parse().unwrap_or(0);
            let chosen_memory: i64 = memory().parse().unwrap_or(0);
            view! {
                <label class="field">
                    <span class="field__label">"Task CPU"</span>
                    <select class="field__input" data-testid="cpu-select" prop:value=cpu
                        on:change=move |ev| set("cpu", event_target_value(&ev))>
                        {fargate_cpu_choices().into_iter().map(|(choice, label)| view! {
                            <option value=choice.to_string() selected=choice == units>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Task memory"</span>
                    <select class="field__input" data-testid="memory-select" prop:value=memory
                        on:change=move |ev| set("memory", event_target_value(&ev))>
                        {fargate_memory_choices(units).into_iter().map(|(mib, label)| view! {
                            <option value=mib.to_string() selected=mib == chosen_memory>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <p class="muted field-note">"Fargate runs only these CPU and memory pairs."</p>
            }
            .into_any()
        } else {
            view! {
                <label class="field">
                    <span class="field__label">"Task CPU (units)"</span>
                    <input class="field__input" inputmode="numeric" data-testid="cpu-input" prop:value=cpu
                        placeholder="none"
                        on:change=move |ev| set("cpu", event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span class="field__label">"Task memory (MiB)"</span>
                    <input class="field__input" inputmode="numeric" data-testid="memory-input" prop:value=memory
                        placeholder="none"
                        on:change=move |ev| set("memory", event_target_value(&ev))/>
                </label>
            }
            .into_any()
        }
    }
}

/// The draft's container definitions, as JSON (none while the JSON does not parse).
fn containers_of(parsed: &ParsedDefinition) -> Vec<Value> {
    parsed
        .json
        .as_ref()
        .and_then(|json| json.get("containerDefinitions"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The text field `key` of `value`, or `default`.
fn text_of(value: &Value, key: &str, default: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or(default)
        .to_owned()
}

/// Each container's environment variables, one `NAME=value` per line.
#[component]
pub fn Environment(draft: Draft, parsed: Memo<ParsedDefinition>) -> impl IntoView {
    let containers = Memo::new(move |_| {
        parsed.with(|p| {
            containers_of(p)
                .iter()
                .map(|c| {
                    let lines = c
                        .get("environment")
                        .and_then(Value::as_array)
                        .map(|pairs| {
                            pairs
                                .iter()
                                .map(|pair| {
                                    format!(
                                        "{}={}",
                                        text_of(pair, "name", ""),
                                        text_of(pair, "value", "")
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join("\n")
                        })
                        .unwrap_or_default();
                    (text_of(c, "name", "?"), lines)
                })
                .collect::<Vec<_>>()
        })
    });
    move || {
        containers
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, (name, lines))| {
                view! {
                    <label class="field field--wide">
                        <span class="field__label">{format!("Environment of {name}")}</span>
                        <textarea
                            class="field__input field__input--text mono"
                            rows="3"
                            placeholder="NAME=value, one per line"
                            data-testid="environment-input"
                            prop:value=lines
                            on:change=move |ev| {
                                let text = event_target_value(&ev);
                                draft.edit_json(|json| set_environment(json, index, &text));
                            }
                        ></textarea>
                    </label>
                }
            })
            .collect_view()
    }
}

/// Each container's port mappings and, when it logs with `awslogs` (or not at all), its log
/// group and stream prefix: the edits a deploy most often needs beyond the image.
#[component]
pub fn PortsAndLogs(
    draft: Draft,
    parsed: Memo<ParsedDefinition>,
    /// The account's region, for a new `awslogs` configuration.
    #[prop(into)]
    region: Signal<String>,
) -> impl IntoView {
    let containers = Memo::new(move |_| parsed.with(containers_of));
    move || {
        containers
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, container)| {
                let name = text_of(&container, "name", "?");
                let mappings = container.get("portMappings").cloned().unwrap_or(Value::Null);
                let ports = ports_text(&mappings);
                let ports_problem = RwSignal::new(None::<String>);
                let log = container.get("logConfiguration").cloned();
                let driver = log
                    .as_ref()
                    .and_then(|l| l.get("logDriver"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let option = |key: &str| {
                    log.as_ref()
                        .and_then(|l| l.pointer(&format!("/options/{key}")))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                };
                let (group, prefix) = (option("awslogs-group"), option("awslogs-stream-prefix"));
                let set_log = move |key: &'static str, value: String| {
                    let region = region.get_untracked();
                    draft.edit_json(|json| set_awslogs(json, index, key, value.trim(), &region));
                };
                let logs = match driver.as_deref() {
                    None | Some("awslogs") => view! {
                        <label class="field ports-logs__group">
                            <span class="field__label">{format!("Log group of {name}")}</span>
                            <input class="field__input mono" data-testid="log-group-input" placeholder="/ecs/…"
                                prop:value=group
                                on:change=move |ev| set_log("awslogs-group", event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span class="field__label">"Stream prefix"</span>
                            <input class="field__input mono" data-testid="log-prefix-input" placeholder="app"
                                prop:value=prefix
                                on:change=move |ev| set_log("awslogs-stream-prefix", event_target_value(&ev))/>
                        </label>
                    }.into_any(),
                    Some(other) => view! {
                        <p class="muted field-note">{format!("{name} logs with the {other} driver: edit it in the JSON.")}</p>
                    }.into_any(),
                };
                view! {
                    <div class="settings ports-logs">
                        <label class="field field--wide">
                            <span class="field__label">{format!("Ports of {name}")}</span>
                            <input class="field__input mono" data-testid="ports-input"
                                placeholder="8080, 80:8080, 5353/udp"
                                prop:value=ports
                                on:change=move |ev| {
                                    let text = event_target_value(&ev);
                                    match parse_ports(&text, &mappings) {
                                        Ok(parsed) => {
                                            ports_problem.set(None);
                                            draft.edit_json(|json| set_container_field(json, index, "portMappings", Value::Array(parsed)));
                                        }
                                        Err(problem) => ports_problem.set(Some(problem)),
                                    }
                                }/>
                        </label>
                        {move || ports_problem.get().map(|problem| view! {
                            <p class="problems__item problems__item--error field-note" data-testid="ports-problem">{problem}</p>
                        })}
                        {logs}
                    </div>
                }
            })
            .collect_view()
    }
}

/// Sets `field` of container `index` to `value` (an empty list removes it).
fn set_container_field(json: &mut Value, index: usize, field: &str, value: Value) {
    if let Some(container) = json
        .pointer_mut(&format!("/containerDefinitions/{index}"))
        .and_then(Value::as_object_mut)
    {
        if value.as_array().is_some_and(Vec::is_empty) {
            container.remove(field);
        } else {
            container.insert(field.to_owned(), value);
        }
    }
}

/// Sets one `awslogs` option of container `index` (a new configuration names `region`); a
/// configuration left with neither group nor prefix is removed.
fn set_awslogs(json: &mut Value, index: usize, key: &str, value: &str, region: &str) {
    let Some(container) = json
        .pointer_mut(&format!("/containerDefinitions/{index}"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let log = container
        .entry("logConfiguration")
        .or_insert_with(|| json!({"logDriver": "awslogs", "options": {"awslogs-region": region}}));
    if let Some(options) = log
        .as_object_mut()
        .map(|log| log.entry("options").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    {
        if value.is_empty() {
            options.remove(key);
        } else {
            options.insert(key.to_owned(), json!(value));
        }
        let configured = ["awslogs-group", "awslogs-stream-prefix"]
            .iter()
            .any(|k| options.contains_key(*k));
        if !configured {
            container.remove("logConfiguration");
        }
    }
}

/// Writes `text` (`NAME=value` lines) as container `index`'s `environment`.
fn set_environment(json: &mut Value, index: usize, text: &str) {
    let pairs: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            json!({"name": name.trim(), "value": value})
        })
        .collect();
    if let Some(container) = json
        .pointer_mut(&format!("/containerDefinitions/{index}"))
        .and_then(Value::as_object_mut)
    {
        if pairs.is_empty() {
            container.remove("environment");
        } else {
            container.insert("environment".to_owned(), Value::Array(pairs));
        }
    }
}

/// The whole definition as JSON, for everything the form does not cover; its problems are
/// listed under it with their paths.
#[component]
pub fn JsonEditor(
    draft: Draft,
    /// Problems of the definition (paths under `register`).
    #[prop(into)]
    problems: Signal<Vec<Problem>>,
) -> impl IntoView {
    view! {
        <details class="json-editor" open=false data-testid="json-editor">
            <summary>"Edit the definition as JSON (ports, logging, health checks, everything else)"</summary>
            <textarea
                class="json-editor__text mono"
                spellcheck="false"
                rows="24"
                aria-label="Task definition JSON"
                data-testid="json-input"
                prop:value=move || draft.text.get()
                on:input=move |ev| {
                    draft.text.set(event_target_value(&ev));
                    draft.revision.set(None);
                }
            ></textarea>
        </details>
        <ProblemList problems testid="definition-problems"/>
    }
}

/// Problems with their paths, errors first.
#[component]
pub fn ProblemList(
    #[prop(into)] problems: Signal<Vec<Problem>>,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <ul class="problems" data-testid=testid>
            {move || {
                let mut problems = problems.get();
                problems.sort_by_key(|p| p.severity);
                problems.into_iter().map(|p| {
                    let error = p.severity == Severity::Error;
                    view! {
                        <li class="problems__item" class:problems__item--error=error data-testid="problem">
                            <span class="problems__severity">{if error { "Error" } else { "Warning" }}</span>
                            <span class="mono problems__path">{p.path}</span>
                            <span>{p.message}</span>
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
    }
}

/// The deployment circuit breaker and its rollback (off while the breaker is); test ids
/// `{testid}breaker-input` and `{testid}rollback-input`.
#[component]
pub fn CircuitBreaker(
    breaker: RwSignal<bool>,
    rollback: RwSignal<bool>,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" data-testid=format!("{testid}breaker-input")
                prop:checked=move || breaker.get()
                on:change=move |ev| breaker.set(event_target_checked(&ev))/>
            "Circuit breaker: fail a deployment when tasks keep failing to start"
        </label>
        <label class="check" class:check--off=move || !breaker.get()>
            <input type="checkbox" data-testid=format!("{testid}rollback-input")
                prop:checked=move || rollback.get()
                prop:disabled=move || !breaker.get()
                on:change=move |ev| rollback.set(event_target_checked(&ev))/>
            "and roll back to the last completed deployment"
        </label>
    }
}

/// Desired count, the deployment configuration and the capacity provider strategy.
#[component]
pub fn Settings(
    draft: Draft,
    /// Whether the service is a daemon (no desired count).
    #[prop(into)]
    daemon: Signal<bool>,
    /// The cluster's capacity providers (the strategy is offered when there are any).
    #[prop(into)]
    providers: Signal<Vec<String>>,
    /// Whether the service has a scalable target (its bounds are offered then).
    #[prop(into)]
    scaled: Signal<bool>,
) -> impl IntoView {
    let text_field = |label: &'static str, signal: RwSignal<String>, testid: &'static str| {
        view! {
            <label class="field">
                <span class="field__label">{label}</span>
                <input class="field__input" inputmode="numeric" data-testid=testid
                    prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <div class="settings">
            {move || (!daemon.get()).then(|| text_field("Desired tasks", draft.desired, "desired-input"))}
            {move || (scaled.get() && !daemon.get()).then(|| view! {
                {text_field("Auto scaling min", draft.scale_min, "scale-min-input")}
                {text_field("Auto scaling max", draft.scale_max, "scale-max-input")}
            })}
            {text_field("Minimum healthy %", draft.minimum, "minimum-input")}
            {text_field("Maximum %", draft.maximum, "maximum-input")}
            <CircuitBreaker breaker=draft.breaker rollback=draft.rollback testid=""/>
            <label class="check">
                <input type="checkbox" data-testid="force-input"
                    prop:checked=move || draft.force.get()
                    on:change=move |ev| draft.force.set(event_target_checked(&ev))/>
                "Replace every task even if the revision stays"
            </label>
            {move || (!providers.with(Vec::is_empty) || !draft.strategy.with(String::is_empty)).then(|| view! {
                <label class="field field--wide">
                    <span class="field__label">"Capacity provider strategy"</span>
                    <input class="field__input mono" data-testid="strategy-input"
                        placeholder="FARGATE base 1 weight 1, FARGATE_SPOT weight 3"
                        prop:value=move || draft.strategy.get()
                        on:change=move |ev| draft.strategy.set(event_target_value(&ev))/>
                </label>
                <p class="muted field-note">{move || format!(
                    "The cluster's providers: {}. A new strategy replaces every task.",
                    providers.get().join(", ")
                )}</p>
            })}
        </div>
    }
}
