//! Berth's "what if" tools, the same from the command line and over HTTP.
//!
//! Each [`Tool`] reads one JSON document in AWS's shapes, runs a pure function of
//! `berth_shared` and answers JSON. Bad input is an [`InputError`] naming the field (exit code
//! 2 on the CLI, HTTP 400 on the API). A validation that finds errors is a successful run
//! whose verdict is negative: the report is printed and the CLI exits with 1.
//!
//! A run is CPU-bound (up to 10,000 tasks or instances) and synchronous; the API runs it off
//! the async workers ([`crate::blocking`]).

use berth_shared::{
    input::{InputError, from_json},
    ops, placement,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// A tool and where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Where ECS would place tasks, and why not (`simulate placement`).
    Placement,
    /// Which tasks ECS stops first when a service shrinks (`simulate scale-in`).
    ScaleIn,
    /// How a capacity provider strategy splits tasks (`simulate strategy`).
    Strategy,
    /// Service auto scaling over a metric series (`simulate scaling`).
    Scaling,
    /// Cluster auto scaling with capacity providers (`simulate capacity`).
    Capacity,
    /// A rolling deployment step by step (`simulate deployment`).
    Deployment,
    /// An ECR lifecycle policy over a repository's images (`simulate lifecycle`).
    Lifecycle,
    /// Hourly and monthly cost (`estimate cost`).
    Cost,
    /// Problems of a task definition (`validate task-definition`).
    ValidateTaskDefinition,
}

impl Tool {
    /// Every tool, in the order the help lists them.
    pub const ALL: [Tool; 9] = [
        Tool::Placement,
        Tool::ScaleIn,
        Tool::Strategy,
        Tool::Scaling,
        Tool::Capacity,
        Tool::Deployment,
        Tool::Lifecycle,
        Tool::ValidateTaskDefinition,
        Tool::Cost,
    ];

    /// The tool's path under `/api/` (also its CLI words: `simulate placement`).
    pub fn path(self) -> &'static str {
        match self {
            Self::Placement => "simulate/placement",
            Self::ScaleIn => "simulate/scale-in",
            Self::Strategy => "simulate/strategy",
            Self::Scaling => "simulate/scaling",
            Self::Capacity => "simulate/capacity",
            Self::Deployment => "simulate/deployment",
            Self::Lifecycle => "simulate/lifecycle",
            Self::Cost => "estimate/cost",
            Self::ValidateTaskDefinition => "validate/task-definition",
        }
    }

    /// The tool at an `/api/` path.
    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tool| tool.path() == path)
    }

    /// Runs the tool on a JSON document.
    pub fn run(self, document: &str) -> Result<Outcome, InputError> {
        match self {
            Self::Placement => simulate(document, placement::simulate_placement),
            Self::ScaleIn => simulate(document, placement::scale_in),
            Self::Strategy => simulate(document, ops::split_tasks),
            Self::Scaling => simulate(document, ops::simulate_scaling),
            Self::Capacity => simulate(document, ops::simulate_capacity),
            Self::Deployment => simulate(document, ops::simulate_deployment),
            Self::Lifecycle => simulate(document, ops::simulate_lifecycle),
            Self::Cost => simulate(document, ops::estimate_cost),
            Self::ValidateTaskDefinition => {
                let definition: Value = from_json(document)?;
                let report = ops::validate_task_definition(&definition);
                Ok(Outcome {
                    negative: !report.valid,
                    json: to_value(&report)?,
                })
            }
        }
    }
}

/// A tool's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The JSON answer.
    pub json: Value,
    /// Whether the verdict is negative (a validation with errors).
    pub negative: bool,
}

fn simulate<I, O>(
    document: &str,
    tool: fn(&I) -> Result<O, InputError>,
) -> Result<Outcome, InputError>
where
    I: DeserializeOwned,
    O: Serialize,
{
    let input: I = from_json(document)?;
    Ok(Outcome {
        json: to_value(&tool(&input)?)?,
        negative: false,
    })
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, InputError> {
    serde_json::to_value(value)
        .map_err(|e| InputError::new(".", format!("the result could not be encoded: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for tool in Tool::ALL {
            assert_eq!(Tool::from_path(tool.path()), Some(tool));
        }
        assert_eq!(Tool::from_path("simulate/nothing"), None);
    }

    #[test]
    fn every_documented_example_runs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
        for (tool, file) in [
            (Tool::Placement, "placement.json"),
            (Tool::Strategy, "strategy.json"),
            (Tool::Scaling, "scaling.json"),
            (Tool::Capacity, "capacity.json"),
            (Tool::Deployment, "deployment.json"),
            (Tool::Lifecycle, "lifecycle.json"),
            (Tool::Cost, "cost.json"),
            (Tool::ValidateTaskDefinition, "task-definition.json"),
        ] {
            let document = std::fs::read_to_string(root.join(file)).unwrap();
            let outcome = tool
                .run(&document)
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(!outcome.negative, "{file} is a valid example");
        }
    }

    #[test]
    fn invalid_input_names_the_field() {
        let error = Tool::Placement
            .run(r#"{"taskDefinition": {"family": "web", "containerDefinitions": []}, "count": "ten"}"#)
            .unwrap_err();
        assert_eq!(error.field, "count");
        let error = Tool::Placement.run("{").unwrap_err();
        assert!(
            error.message.starts_with("not valid JSON"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_failed_validation_is_a_negative_outcome() {
        let outcome = Tool::ValidateTaskDefinition
            .run(r#"{"family": "", "containerDefinitions": []}"#)
            .unwrap();
        assert!(outcome.negative);
        assert_eq!(outcome.json["valid"], false);
    }
}
