//! The IAM policies in `deploy/iam/` allow exactly what Berth's code calls: every action an
//! SDK adapter names (each AWS call names its IAM action for its error messages) and nothing
//! else, split by Berth's own role table (`auth::policy::CHANGES`): the viewer policy holds the
//! reads, the deployer policy also the changes a deployer may make, the admin policy all.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

use berth_backend::auth::policy::{CHANGES, OTHER_CHANGE_ACTIONS};
use berth_shared::access::Role;
use serde_json::Value;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `"service:Action"` literal in the backend's code (test modules left out).
fn actions_in_code() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![repository().join("backend/src")];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for literal in code.split('"').skip(1).step_by(2) {
            let Some((service, action)) = literal.split_once(':') else {
                continue;
            };
            let known = [
                "ecs",
                "ecr",
                "application-autoscaling",
                "cloudwatch",
                "logs",
            ];
            if known.contains(&service)
                && action
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase())
                && action.chars().all(|c| c.is_ascii_alphanumeric())
            {
                found.insert(literal.to_owned());
            }
        }
    }
    found
}

/// The actions a policy allows, but `iam:PassRole`, and whether it passes roles to ECS tasks
/// only.
fn policy(role: Role) -> (BTreeSet<String>, Option<bool>) {
    let path = repository().join(format!("deploy/iam/berth-{role}.json"));
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut actions = BTreeSet::new();
    let mut passes_roles = None;
    for statement in document["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow", "{statement}");
        for action in statement["Action"].as_array().unwrap() {
            let action = action.as_str().unwrap();
            if action == "iam:PassRole" {
                let to = &statement["Condition"]["StringEquals"]["iam:PassedToService"];
                passes_roles = Some(to == "ecs-tasks.amazonaws.com");
            } else {
                actions.insert(action.to_owned());
            }
        }
    }
    (actions, passes_roles)
}

#[test]
fn each_policy_allows_exactly_what_its_role_makes_berth_call() {
    let called = actions_in_code();
    let change = |role: Role| -> BTreeSet<String> {
        let others = OTHER_CHANGE_ACTIONS
            .iter()
            .filter(|(_, needed)| role.includes(*needed))
            .map(|(action, _)| (*action).to_owned());
        CHANGES
            .iter()
            .filter(|(_, _, needed, _)| role.includes(*needed))
            .map(|(_, _, _, operation)| format!("ecs:{operation}"))
            .chain(others)
            .collect()
    };
    let every_change = change(Role::Admin);
    assert!(
        every_change.is_subset(&called),
        "every change in the role table is an AWS call: {every_change:?}"
    );
    let reads: BTreeSet<String> = called.difference(&every_change).cloned().collect();
    assert!(
        reads.contains("ecs:DescribeServices") && reads.len() >= 15,
        "{reads:?}"
    );
    for role in Role::ALL {
        let (allowed, passes_roles) = policy(role);
        let expected: BTreeSet<String> = reads.union(&change(role)).cloned().collect();
        assert_eq!(
            allowed,
            expected,
            "deploy/iam/berth-{role}.json: missing {:?}, more than needed {:?}",
            expected.difference(&allowed).collect::<Vec<_>>(),
            allowed.difference(&expected).collect::<Vec<_>>()
        );
        let changes = role != Role::Viewer;
        assert_eq!(
            passes_roles,
            changes.then_some(true),
            "{role}: iam:PassRole only to ecs-tasks.amazonaws.com, and only with changes"
        );
    }
}
