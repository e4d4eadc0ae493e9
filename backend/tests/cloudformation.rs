//! The CloudFormation template that runs Berth on ECS (`deploy/cloudformation/berth.json`)
//! against Berth itself: its task roles are exactly the IAM policies of `deploy/iam/` (which
//! `iam.rs` checks against the AWS calls in the code), its task definition passes Berth's own
//! `validate task-definition` with no errors, every setting it passes in the environment is
//! one `berth serve` reads, and the load balancer checks the health path Berth answers.
//! (`cargo xtask test` also runs cfn-lint on it.)

use std::path::{Path, PathBuf};

use berth_backend::simulate::Tool;
use serde_json::{Map, Value, json};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repository().join(path)).unwrap()).unwrap()
}

fn template() -> Value {
    read_json("deploy/cloudformation/berth.json")
}

/// `value` as a deployment with `deploys` (the Access parameter) would see it: intrinsic
/// functions resolved with example parameter values, `AWS::NoValue` entries left out.
fn resolve(value: &Value, deploys: bool) -> Option<Value> {
    let example = |name: &str| match name {
        "Image" => json!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth:0.1.0"),
        "HostName" => json!("berth.example.com"),
        "VpcCidr" => json!("10.0.0.0/16"),
        "AuthSecretArn" => json!("arn:aws:secretsmanager:eu-west-1:123456789012:secret:berth-auth"),
        "OidcRole" => json!("viewer"),
        "AWS::Region" => json!("eu-west-1"),
        "AWS::StackName" => json!("ops-console"),
        "AWS::Partition" => json!("aws"),
        "AWS::AccountId" => json!("123456789012"),
        "AWS::NoValue" => Value::Null,
        other => json!(format!("example-{other}")),
    };
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (key, argument) = map.iter().next().unwrap();
            match key.as_str() {
                "Ref" => {
                    let resolved = example(argument.as_str().unwrap());
                    (!resolved.is_null()).then_some(resolved)
                }
                "Fn::Sub" => {
                    let mut text = argument.as_str().unwrap().to_owned();
                    while let Some(start) = text.find("${") {
                        let end = start + text[start..].find('}').unwrap();
                        let name = &text[start + 2..end];
                        let value = example(name);
                        let value = value.as_str().unwrap_or_default().to_owned();
                        text.replace_range(start..=end, &value);
                    }
                    Some(json!(text))
                }
                "Fn::GetAtt" => Some(json!(format!(
                    "arn:aws:iam::123456789012:role/{}",
                    argument[0].as_str().unwrap()
                ))),
                "Fn::If" => {
                    // Every condition holds but OnlyViews when the stack deploys.
                    let holds = argument[0] != "OnlyViews" || !deploys;
                    let holds = holds && (argument[0] != "Deploys" || deploys);
                    resolve(&argument[if holds { 1 } else { 2 }], deploys)
                }
                _ => Some(resolve_object(map, deploys)),
            }
        }
        Value::Object(map) => Some(resolve_object(map, deploys)),
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|item| resolve(item, deploys))
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

fn resolve_object(map: &Map<String, Value>, deploys: bool) -> Value {
    Value::Object(
        map.iter()
            .filter_map(|(key, value)| resolve(value, deploys).map(|v| (key.clone(), v)))
            .collect(),
    )
}

/// CloudFormation's property names (`ContainerDefinitions`) as ECS's API spells them
/// (`containerDefinitions`), keys of maps the user names (log options) left alone.
fn api_case(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let mut chars = key.chars();
                    let first = chars.next().unwrap().to_ascii_lowercase();
                    let user_keys = key == "Options";
                    let value = if user_keys {
                        value.clone()
                    } else {
                        api_case(value)
                    };
                    (format!("{first}{}", chars.as_str()), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(api_case).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_task_roles_are_exactly_berths_iam_policies() {
    let template = template();
    for (resource, policy) in [
        ("ViewerTaskRole", "deploy/iam/berth-viewer.json"),
        ("DeployerTaskRole", "deploy/iam/berth-deployer.json"),
    ] {
        let role = &template["Resources"][resource];
        assert_eq!(role["Type"], "AWS::IAM::Role");
        let documents = role["Properties"]["Policies"].as_array().unwrap();
        assert_eq!(documents.len(), 1, "{resource}: one policy, Berth's");
        assert_eq!(
            documents[0]["PolicyDocument"],
            read_json(policy),
            "{resource} differs from {policy}"
        );
        assert!(
            role["Properties"].get("ManagedPolicyArns").is_none(),
            "{resource}: no managed policy widens it"
        );
    }
    assert_eq!(
        template["Resources"]["TaskDefinition"]["Properties"]["TaskRoleArn"],
        json!({"Fn::If": ["Deploys",
            {"Fn::GetAtt": ["DeployerTaskRole", "Arn"]},
            {"Fn::GetAtt": ["ViewerTaskRole", "Arn"]}]})
    );
}

#[test]
fn the_task_definition_passes_berths_own_validation() {
    let properties = &template()["Resources"]["TaskDefinition"]["Properties"];
    for deploys in [false, true] {
        let definition = api_case(&resolve(properties, deploys).unwrap());
        let outcome = Tool::ValidateTaskDefinition
            .run(&definition.to_string())
            .unwrap();
        let errors: Vec<&Value> = outcome.json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["severity"] == "error")
            .collect();
        assert!(
            errors.is_empty() && !outcome.negative,
            "deploys {deploys}: {errors:#?}\n{definition:#}"
        );
        let container = &definition["containerDefinitions"][0];
        let command = container["command"].as_array().unwrap();
        assert_eq!(
            command.contains(&json!("--read-only")),
            !deploys,
            "a viewer's Berth changes nothing: {command:?}"
        );
        assert_eq!(container["portMappings"][0]["containerPort"], 8080);
    }
}

/// The `Value` of the entry of `list` whose `key` is `name` (CloudFormation's name–value lists).
fn named_value<'a>(list: &'a Value, key: &str, name: &str) -> &'a str {
    list.as_array()
        .unwrap()
        .iter()
        .find(|entry| entry[key] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))["Value"]
        .as_str()
        .unwrap()
}

#[test]
fn every_setting_in_the_environment_is_one_berth_reads() {
    let cli = std::fs::read_to_string(repository().join("backend/src/cli.rs")).unwrap();
    let container =
        &template()["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0];
    let definition = resolve(container, true).unwrap();
    let names = definition["Environment"]
        .as_array()
        .unwrap()
        .iter()
        .chain(definition["Secrets"].as_array().unwrap())
        .map(|variable| variable["Name"].as_str().unwrap().to_owned());
    for name in names {
        assert!(
            cli.contains(&format!("env = \"{name}\"")),
            "berth serve does not read {name}"
        );
    }
    assert_eq!(
        named_value(&definition["Environment"], "Name", "BERTH_ADDR"),
        "0.0.0.0:8080"
    );
    // The idle connection timeout is above the load balancer's, so the balancer never reuses
    // a connection Berth has just closed.
    let template = template();
    let attributes = &template["Resources"]["LoadBalancer"]["Properties"]["LoadBalancerAttributes"];
    let idle: u32 = named_value(attributes, "Key", "idle_timeout.timeout_seconds")
        .parse()
        .unwrap();
    let header_timeout: u32 = named_value(
        &definition["Environment"],
        "Name",
        "BERTH_HEADER_READ_TIMEOUT",
    )
    .parse()
    .unwrap();
    assert!(header_timeout > idle, "{header_timeout} s ≤ {idle} s");
}

#[test]
fn the_load_balancer_checks_berths_health_and_runs_two_tasks_or_more() {
    let template = template();
    let group = &template["Resources"]["TargetGroup"]["Properties"];
    assert_eq!(group["HealthCheckPath"], "/api/health");
    assert_eq!(group["Port"], 8080);
    assert_eq!(template["Parameters"]["DesiredCount"]["MinValue"], 2);
    let listener = &template["Resources"]["HttpsListener"]["Properties"];
    assert_eq!(listener["Protocol"], "HTTPS");
    let service = &template["Resources"]["Service"]["Properties"];
    assert_eq!(
        service["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
        json!({"Enable": true, "Rollback": true})
    );
}
