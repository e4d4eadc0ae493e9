//! The change being drafted, and how it reads as a [`ServiceChange`].
//!
//! The definition to deploy is one JSON text, the single source of truth that both the form
//! and the JSON editor edit; the form's fields read it and write it back. An existing revision
//! chosen instead takes precedence over the text.

use berth_shared::{
    api::{ScalingBounds, ServiceChange},
    autoscaling::ScalableTarget,
    ecs::{DeploymentCircuitBreaker, DeploymentConfiguration, Service, TaskDefinition},
    ops::{
        Problem, Severity, images::with_tag, preview::registration, requests::Scheduling,
        validate_task_definition,
    },
};
use berth_view::deploy::{parse_strategy, strategy_text};
use leptos::prelude::*;
use serde_json::Value;

/// The draft's signals.
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    /// The definition to deploy, as JSON (what `RegisterTaskDefinition` takes).
    pub text: RwSignal<String>,
    /// An existing revision to deploy instead (`family:revision` or ARN).
    pub revision: RwSignal<Option<String>>,
    /// The desired count as typed.
    pub desired: RwSignal<String>,
    /// `minimumHealthyPercent` as typed.
    pub minimum: RwSignal<String>,
    /// `maximumPercent` as typed.
    pub maximum: RwSignal<String>,
    /// Whether the circuit breaker is on.
    pub breaker: RwSignal<bool>,
    /// Whether a tripped breaker rolls back.
    pub rollback: RwSignal<bool>,
    /// Whether to replace every task even when nothing else changes.
    pub force: RwSignal<bool>,
    /// The capacity provider strategy as typed (empty: the service's launch type stays).
    pub strategy: RwSignal<String>,
    /// The lowest desired count auto scaling may set, as typed (services with a scalable target).
    pub scale_min: RwSignal<String>,
    /// The highest, as typed.
    pub scale_max: RwSignal<String>,
}

impl Draft {
    /// An empty draft, filled by [`Draft::start_from`].
    pub fn new() -> Self {
        Self {
            text: RwSignal::new(String::new()),
            revision: RwSignal::new(None),
            desired: RwSignal::new(String::new()),
            minimum: RwSignal::new(String::new()),
            maximum: RwSignal::new(String::new()),
            breaker: RwSignal::new(false),
            rollback: RwSignal::new(false),
            force: RwSignal::new(false),
            strategy: RwSignal::new(String::new()),
            scale_min: RwSignal::new(String::new()),
            scale_max: RwSignal::new(String::new()),
        }
    }

    /// Starts from what the service runs now: its definition and settings.
    pub fn start_from(self, service: &Service, definition: &TaskDefinition) {
        self.text.set(pretty(&registration(definition)));
        self.desired.set(service.desired_count.to_string());
        let (minimum, maximum) = current_percents(service);
        self.minimum.set(minimum.to_string());
        self.maximum.set(maximum.to_string());
        let breaker = configuration(service).deployment_circuit_breaker;
        self.breaker.set(breaker.as_ref().is_some_and(|b| b.enable));
        self.rollback
            .set(breaker.as_ref().is_some_and(|b| b.rollback));
        self.force.set(false);
        self.strategy
            .set(strategy_text(&service.capacity_provider_strategy));
    }

    /// Starts the auto scaling bounds from the service's scalable target, if it has one.
    pub fn start_scaling(self, target: Option<&ScalableTarget>) {
        let text = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
        self.scale_min.set(text(target.map(|t| t.min_capacity)));
        self.scale_max.set(text(target.map(|t| t.max_capacity)));
    }

    /// Changes the definition text with `edit` on its JSON (nothing when it does not parse).
    pub fn edit_json(self, edit: impl FnOnce(&mut Value)) {
        let Ok(mut value) = serde_json::from_str::<Value>(&self.text.get_untracked()) else {
            return;
        };
        edit(&mut value);
        self.text.set(pretty(&value));
        self.revision.set(None);
    }

    /// Puts `tag` on container `index`'s image, in the repository at `repository_uri`.
    pub fn set_tag(self, index: usize, repository_uri: &str, tag: &str) {
        self.edit_json(|value| {
            if let Some(image) = value
                .pointer_mut(&format!("/containerDefinitions/{index}/image"))
                .filter(|image| image.is_string())
            {
                let reference = image.as_str().unwrap_or_default().to_owned();
                *image = Value::String(with_tag(&reference, repository_uri, tag));
            }
        });
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn configuration(service: &Service) -> DeploymentConfiguration {
    service.deployment_configuration.clone().unwrap_or_default()
}

/// The service's minimum healthy and maximum percents, its scheduling's defaults filled in.
pub fn current_percents(service: &Service) -> (i64, i64) {
    let configuration = configuration(service);
    let (minimum, maximum) =
        Scheduling::of_service(&service.scheduling_strategy).default_percents();
    (
        configuration.minimum_healthy_percent.unwrap_or(minimum),
        configuration.maximum_percent.unwrap_or(maximum),
    )
}

/// What the draft's text holds: its JSON (when it parses) and the problems found before the
/// model sees it (syntax, wrong types), at their paths under `register`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDefinition {
    /// The definition, when the text is one.
    pub definition: Option<TaskDefinition>,
    /// The JSON, when the text parses.
    pub json: Option<Value>,
    /// Problems the model cannot report itself (it needs a definition).
    pub problems: Vec<Problem>,
}

/// Reads the definition text.
pub fn parse_definition(text: &str) -> ParsedDefinition {
    let json = match serde_json::from_str::<Value>(text) {
        Ok(json) => json,
        Err(error) => {
            return ParsedDefinition {
                definition: None,
                json: None,
                problems: vec![Problem {
                    path: "register".to_owned(),
                    severity: Severity::Error,
                    message: format!(
                        "the JSON does not parse at line {}, column {}: {error}",
                        error.line(),
                        error.column()
                    ),
                }],
            };
        }
    };
    match serde_json::from_value::<TaskDefinition>(json.clone()) {
        Ok(definition) => ParsedDefinition {
            definition: Some(definition),
            json: Some(json),
            problems: Vec::new(),
        },
        Err(_) => {
            // Wrong types: the validator locates them.
            let problems = validate_task_definition(&json)
                .problems
                .into_iter()
                .map(|p| Problem {
                    path: format!("register.{}", p.path.trim_start_matches('.')),
                    ..p
                })
                .collect();
            ParsedDefinition {
                definition: None,
                json: Some(json),
                problems,
            }
        }
    }
}

/// A number field as typed: a whole number, or a problem at `path`.
fn number(text: &str, path: &str, what: &str) -> Result<i64, Problem> {
    text.trim().parse::<i64>().map_err(|_| Problem {
        path: path.to_owned(),
        severity: Severity::Error,
        message: format!("{what} must be a whole number, not “{}”", text.trim()),
    })
}

/// The change the draft makes to `service` (running `current`), or the problems that keep it
/// from being one. `client_token` is set by Apply.
pub fn change_of(
    draft: Draft,
    parsed: &ParsedDefinition,
    service: &Service,
    current: &TaskDefinition,
    target: Option<&ScalableTarget>,
) -> Result<ServiceChange, Vec<Problem>> {
    let mut problems = parsed.problems.clone();
    let revision = draft.revision.get();
    let register = match (&revision, &parsed.definition) {
        (Some(_), _) => None,
        (None, Some(definition)) => {
            (registration(definition) != registration(current)).then(|| definition.clone())
        }
        (None, None) => None,
    };
    let daemon = service.scheduling_strategy == "DAEMON";
    let desired = if daemon {
        None
    } else {
        match number(&draft.desired.get(), "desiredCount", "The desired count") {
            Ok(count) => (count != service.desired_count).then_some(count),
            Err(problem) => {
                problems.push(problem);
                None
            }
        }
    };
    let minimum = number(
        &draft.minimum.get(),
        "deploymentConfiguration.minimumHealthyPercent",
        "The minimum healthy percent",
    );
    let maximum = number(
        &draft.maximum.get(),
        "deploymentConfiguration.maximumPercent",
        "The maximum percent",
    );
    let configuration = match (minimum, maximum) {
        (Ok(minimum), Ok(maximum)) => {
            let wanted = DeploymentConfiguration {
                minimum_healthy_percent: Some(minimum),
                maximum_percent: Some(maximum),
                deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                    enable: draft.breaker.get(),
                    rollback: draft.breaker.get() && draft.rollback.get(),
                }),
            };
            let now = configuration(service);
            let same = current_percents(service) == (minimum, maximum)
                && now.deployment_circuit_breaker.unwrap_or_default()
                    == wanted.deployment_circuit_breaker.unwrap_or_default();
            (!same).then_some(wanted)
        }
        (minimum, maximum) => {
            problems.extend(minimum.err());
            problems.extend(maximum.err());
            None
        }
    };
    let strategy = match parse_strategy(&draft.strategy.get()) {
        Ok(strategy) if strategy == service.capacity_provider_strategy => None,
        Ok(strategy) if strategy.is_empty() && service.capacity_provider_strategy.is_empty() => {
            None
        }
        Ok(strategy) => Some(strategy),
        Err(message) => {
            problems.push(Problem {
                path: "capacityProviderStrategy".to_owned(),
                severity: Severity::Error,
                message,
            });
            None
        }
    };
    let scalable_target = target.and_then(|target| {
        let minimum = number(
            &draft.scale_min.get(),
            "scalableTarget.minCapacity",
            "The auto scaling minimum",
        );
        let maximum = number(
            &draft.scale_max.get(),
            "scalableTarget.maxCapacity",
            "The auto scaling maximum",
        );
        match (minimum, maximum) {
            (Ok(min_capacity), Ok(max_capacity)) => ((min_capacity, max_capacity)
                != (target.min_capacity, target.max_capacity))
                .then_some(ScalingBounds {
                    min_capacity,
                    max_capacity,
                }),
            (minimum, maximum) => {
                problems.extend(minimum.err());
                problems.extend(maximum.err());
                None
            }
        }
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ServiceChange {
        register,
        task_definition: revision,
        desired_count: desired,
        deployment_configuration: configuration,
        // ECS replaces every task for a new strategy, and asks for it to be said.
        force_new_deployment: draft.force.get() || strategy.is_some(),
        capacity_provider_strategy: strategy,
        scalable_target,
        expected_task_definition: Some(service.task_definition.clone()),
        client_token: None,
    })
}

/// A fresh token for one Apply: 128 random bits in hex (none without Web Crypto, which every
/// browser Berth supports has).
pub fn client_token() -> Option<String> {
    let mut bytes = [0u8; 16];
    window()
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
