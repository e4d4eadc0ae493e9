//! Where each image of a repository runs: a pure index over task definitions and clusters.
//!
//! A container names an image of the repository as `berth_shared::ops::images::resolve` reads
//! its reference. A running task's container also carries the
//! digest ECS actually pulled (`imageDigest`), which is used first: a task started from
//! `:latest` keeps running the image it pulled even after `latest` moved.
//!
//! Services count through their deployments (primary and older ones still running), tasks
//! when their last status is `RUNNING` or `PENDING`. Inactive services are ignored.

use std::collections::{BTreeMap, BTreeSet};

use berth_shared::{
    api::{ClusterSnapshot, ImageUsage, ServiceUsage, TaskUsage},
    ecr::ImageDetail,
    ecs::{Task, TaskDefinition},
    ops::images::resolve,
};

/// The task-definition ARNs the clusters' services deploy and their live tasks run, sorted:
/// the definitions to read (besides the active ones) for [`image_usage`].
pub fn definitions_in_use(clusters: &[ClusterSnapshot]) -> Vec<String> {
    let mut arns = BTreeSet::new();
    for snapshot in clusters {
        for service in snapshot.services.iter().filter(|s| s.status != "INACTIVE") {
            arns.extend(service_definitions(service).into_iter().map(|(arn, _)| arn));
        }
        for task in snapshot.tasks.iter().filter(|t| is_live(t)) {
            arns.insert(task.task_definition_arn.clone());
        }
    }
    arns.into_iter().filter(|arn| !arn.is_empty()).collect()
}

/// Where each of `images` runs, in the order of `images`; images in use nowhere are left out.
pub fn image_usage(
    repository_uri: &str,
    images: &[ImageDetail],
    definitions: &[TaskDefinition],
    clusters: &[ClusterSnapshot],
) -> Vec<ImageUsage> {
    let mut usage: Vec<ImageUsage> = images
        .iter()
        .map(|image| ImageUsage {
            image_digest: image.image_digest.clone(),
            task_definitions: Vec::new(),
            services: Vec::new(),
            tasks: Vec::new(),
        })
        .collect();

    // Task definition ARN → the images its containers name.
    let mut named_by: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for definition in definitions {
        let Some(arn) = definition.task_definition_arn.as_deref() else {
            continue;
        };
        let named: BTreeSet<usize> = definition
            .container_definitions
            .iter()
            .filter_map(|c| resolve(&c.image, repository_uri, images))
            .collect();
        if !named.is_empty() {
            named_by.entry(arn).or_default().extend(named);
        }
    }
    for (arn, named) in &named_by {
        for &n in named {
            usage[n].task_definitions.push((*arn).to_owned());
        }
    }

    for snapshot in clusters {
        let cluster_name = &snapshot.cluster.cluster_name;
        for service in snapshot.services.iter().filter(|s| s.status != "INACTIVE") {
            for (arn, running_count) in service_definitions(service) {
                for &n in named_by.get(arn.as_str()).into_iter().flatten() {
                    usage[n].services.push(ServiceUsage {
                        cluster_name: cluster_name.clone(),
                        service_name: service.service_name.clone(),
                        task_definition: arn.clone(),
                        running_count,
                    });
                }
            }
        }
        for task in snapshot.tasks.iter().filter(|t| is_live(t)) {
            for n in task_images(task, repository_uri, images, &named_by) {
                usage[n].tasks.push(TaskUsage {
                    cluster_name: cluster_name.clone(),
                    task_arn: task.task_arn.clone(),
                    task_definition_arn: task.task_definition_arn.clone(),
                    group: task.group.clone(),
                });
            }
        }
    }

    for entry in &mut usage {
        entry.services.sort_by(|a, b| {
            (&a.cluster_name, &a.service_name, &a.task_definition).cmp(&(
                &b.cluster_name,
                &b.service_name,
                &b.task_definition,
            ))
        });
        entry.services.dedup();
        entry
            .tasks
            .sort_by(|a, b| (&a.cluster_name, &a.task_arn).cmp(&(&b.cluster_name, &b.task_arn)));
        entry.tasks.dedup();
    }
    usage.retain(|u| {
        !(u.task_definitions.is_empty() && u.services.is_empty() && u.tasks.is_empty())
    });
    usage
}

fn is_live(task: &Task) -> bool {
    matches!(task.last_status.as_str(), "RUNNING" | "PENDING")
}

/// `(task definition ARN, running tasks)` of each deployment, or of the service itself when
/// the source reports no deployments.
fn service_definitions(service: &berth_shared::ecs::Service) -> Vec<(String, i64)> {
    if service.deployments.is_empty() {
        return vec![(service.task_definition.clone(), service.running_count)];
    }
    service
        .deployments
        .iter()
        .filter(|d| d.status != "INACTIVE")
        .map(|d| (d.task_definition.clone(), d.running_count))
        .collect()
}

/// The images a task's containers run: by pulled digest, else by reference, else (when the
/// source reports no containers) by its task definition.
fn task_images(
    task: &Task,
    repository_uri: &str,
    images: &[ImageDetail],
    named_by: &BTreeMap<&str, BTreeSet<usize>>,
) -> BTreeSet<usize> {
    if task.containers.is_empty() {
        return named_by
            .get(task.task_definition_arn.as_str())
            .cloned()
            .unwrap_or_default();
    }
    task.containers
        .iter()
        .filter_map(|container| {
            let reference = container.image.as_deref().unwrap_or_default();
            let pulled = container
                .image_digest
                .as_deref()
                .filter(|_| reference.starts_with(repository_uri))
                .and_then(|digest| images.iter().position(|i| i.image_digest == digest));
            pulled.or_else(|| resolve(reference, repository_uri, images))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use berth_shared::{
        ecs::{Cluster, Container, ContainerDefinition, Deployment, Service},
        time::Timestamp,
    };

    use super::*;

    const URI: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo/api";

    fn image(digest: &str, tags: &[&str]) -> ImageDetail {
        ImageDetail {
            registry_id: "123456789012".into(),
            repository_name: "demo/api".into(),
            image_digest: digest.into(),
            image_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            image_size_in_bytes: 1,
            image_pushed_at: Some(Timestamp(0)),
            image_scan_status: None,
            image_scan_findings_summary: None,
            image_manifest_media_type: None,
            last_recorded_pull_time: None,
        }
    }

    fn images() -> Vec<ImageDetail> {
        vec![
            image("sha256:new", &["v3", "latest"]),
            image("sha256:mid", &["v2"]),
            image("sha256:old", &[]),
        ]
    }

    fn definition(arn: &str, images: &[&str]) -> TaskDefinition {
        TaskDefinition {
            task_definition_arn: Some(arn.into()),
            family: "api".into(),
            container_definitions: images
                .iter()
                .enumerate()
                .map(|(n, image)| ContainerDefinition {
                    name: format!("c{n}"),
                    image: (*image).to_owned(),
                    ..ContainerDefinition::default()
                })
                .collect(),
            ..TaskDefinition::default()
        }
    }

    fn service(name: &str, deployments: &[(&str, &str, i64)]) -> Service {
        let mut service: Service = serde_json::from_value(serde_json::json!({
            "serviceArn": format!("arn:aws:ecs:us-east-1:123456789012:service/c/{name}"),
            "serviceName": name,
            "taskDefinition": deployments.first().map(|d| d.1).unwrap_or_default(),
        }))
        .unwrap();
        service.deployments = deployments
            .iter()
            .map(|(status, arn, running)| {
                let mut deployment: Deployment = serde_json::from_value(
                    serde_json::json!({"id": "ecs-svc/1", "status": status, "taskDefinition": arn}),
                )
                .unwrap();
                deployment.running_count = *running;
                deployment
            })
            .collect();
        service
    }

    fn task(
        arn: &str,
        definition: &str,
        status: &str,
        containers: &[(&str, Option<&str>)],
    ) -> Task {
        let mut task: Task = serde_json::from_value(serde_json::json!({
            "taskArn": arn, "taskDefinitionArn": definition, "lastStatus": status,
            "group": "service:api",
        }))
        .unwrap();
        task.containers = containers
            .iter()
            .map(|(image, digest)| {
                let mut container: Container =
                    serde_json::from_value(serde_json::json!({"name": "c0"})).unwrap();
                container.image = Some((*image).to_owned());
                container.image_digest = digest.map(str::to_owned);
                container
            })
            .collect();
        task
    }

    fn cluster(name: &str, services: Vec<Service>, tasks: Vec<Task>) -> ClusterSnapshot {
        ClusterSnapshot {
            cluster: serde_json::from_value::<Cluster>(serde_json::json!({
                "clusterArn": format!("arn:aws:ecs:us-east-1:123456789012:cluster/{name}"),
                "clusterName": name,
                "status": "ACTIVE",
            }))
            .unwrap(),
            container_instances: Vec::new(),
            services,
            tasks,
            scaling: Vec::new(),
            fetched_at: Timestamp(0),
        }
    }

    #[test]
    fn references_resolve_by_tag_digest_or_implicit_latest() {
        let images = images();
        let cases = [
            (format!("{URI}:v2"), Some(1)),
            (format!("{URI}:v3"), Some(0)),
            (URI.to_owned(), Some(0)),
            (format!("{URI}@sha256:old"), Some(2)),
            (format!("{URI}:v3@sha256:mid"), Some(1)),
            (format!("{URI}:v9"), None),
            (format!("{URI}:"), None),
            (format!("{URI}-other:v2"), None),
            (format!("{URI}/nested:v2"), None),
            ("public.ecr.aws/nginx/nginx:v2".to_owned(), None),
            (format!("{URI}@sha256:unknown"), None),
        ];
        for (reference, expected) in cases {
            assert_eq!(resolve(&reference, URI, &images), expected, "{reference}");
        }
    }

    #[test]
    fn indexes_definitions_services_and_tasks_per_image() {
        let images = images();
        let v2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2";
        let v3 = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:3";
        let sidecar = "arn:aws:ecs:us-east-1:123456789012:task-definition/proxy:1";
        let definitions = [
            definition(
                v2,
                &[&format!("{URI}:v2"), "public.ecr.aws/nginx/nginx:1.27"],
            ),
            definition(v3, &[&format!("{URI}:latest")]),
            definition(sidecar, &["public.ecr.aws/nginx/nginx:1.27"]),
        ];
        let clusters = [
            cluster(
                "prod",
                vec![
                    // A rolling deployment from v2 to v3: both deployments count.
                    service("api", &[("PRIMARY", v3, 2), ("ACTIVE", v2, 1)]),
                    service("proxy", &[("PRIMARY", sidecar, 1)]),
                ],
                vec![
                    task(
                        "t-new-1",
                        v3,
                        "RUNNING",
                        &[(&format!("{URI}:latest"), Some("sha256:new"))],
                    ),
                    // Started from :latest before it moved: runs what it pulled.
                    task(
                        "t-pulled-old",
                        v3,
                        "RUNNING",
                        &[(&format!("{URI}:latest"), Some("sha256:old"))],
                    ),
                    task("t-mid", v2, "RUNNING", &[(&format!("{URI}:v2"), None)]),
                    task("t-stopped", v2, "STOPPED", &[(&format!("{URI}:v2"), None)]),
                ],
            ),
            // No container details reported: the task definition decides.
            cluster(
                "batch",
                Vec::new(),
                vec![task("t-bare", v2, "PENDING", &[])],
            ),
        ];
        let usage = image_usage(URI, &images, &definitions, &clusters);
        let digests: Vec<_> = usage.iter().map(|u| u.image_digest.as_str()).collect();
        assert_eq!(digests, ["sha256:new", "sha256:mid", "sha256:old"]);

        let new = &usage[0];
        assert_eq!(new.task_definitions, [v3]);
        assert_eq!(new.services.len(), 1);
        assert_eq!(
            (
                new.services[0].service_name.as_str(),
                new.services[0].running_count
            ),
            ("api", 2)
        );
        assert_eq!(new.tasks.len(), 1);
        assert_eq!(new.tasks[0].task_arn, "t-new-1");

        let mid = &usage[1];
        assert_eq!(mid.task_definitions, [v2]);
        assert_eq!(mid.services[0].running_count, 1);
        let tasks: Vec<_> = mid
            .tasks
            .iter()
            .map(|t| (t.cluster_name.as_str(), t.task_arn.as_str()))
            .collect();
        assert_eq!(tasks, [("batch", "t-bare"), ("prod", "t-mid")]);

        let old = &usage[2];
        assert!(old.task_definitions.is_empty() && old.services.is_empty());
        assert_eq!(old.tasks[0].task_arn, "t-pulled-old");

        assert_eq!(
            definitions_in_use(&clusters),
            [v2, v3, sidecar],
            "services' deployments and live tasks name these definitions"
        );
    }

    #[test]
    fn images_in_use_nowhere_are_left_out() {
        let images = images();
        let usage = image_usage(
            URI,
            &images,
            &[],
            &[cluster("empty", Vec::new(), Vec::new())],
        );
        assert!(usage.is_empty());
    }
}
