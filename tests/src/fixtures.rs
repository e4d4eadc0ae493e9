//! A small ECS fleet seeded into moto through the AWS SDK, for the SDK-path tests.
//!
//! moto needs a real (emulated) EC2 instance behind each container instance; Berth does not
//! depend on aws-sdk-ec2, so the instances are launched with one EC2 Query API call each.

use aws_sdk_ecs::types::{ContainerDefinition, PortMapping};

use crate::moto::Moto;

/// What [`seed_fleet`] created.
#[derive(Debug)]
pub struct Fleet {
    /// `(cluster name, container instances, services, running tasks)` as seeded.
    pub clusters: Vec<(&'static str, i64, i64, i64)>,
}

/// Launches `count` EC2 instances of `instance_type` in `zone` with one RunInstances call and
/// returns their IDs.
async fn launch_ec2_instances(
    moto: &Moto,
    zone: &str,
    instance_type: &str,
    count: usize,
) -> Vec<String> {
    let count = count.to_string();
    let form = [
        ("Action", "RunInstances"),
        ("Version", "2016-11-15"),
        ("ImageId", "ami-760aaa0f"),
        ("MinCount", count.as_str()),
        ("MaxCount", count.as_str()),
        ("InstanceType", instance_type),
        ("Placement.AvailabilityZone", zone),
    ];
    let body = reqwest::Client::new()
        .post(&moto.url)
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
        )
        .form(&form)
        .send()
        .await
        .expect("moto answers RunInstances")
        .text()
        .await
        .expect("an XML body");
    let ids: Vec<String> = body
        .split("<instanceId>")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("</instanceId>")
                .map(|(id, _)| id.to_owned())
        })
        .collect();
    assert_eq!(
        ids.len().to_string(),
        count,
        "RunInstances answered {body:.300}"
    );
    ids
}

/// Registers EC2 instance `instance_id` as a container instance of `cluster`.
async fn register_instance(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    instance_id: &str,
    zone: &str,
    instance_type: &str,
) {
    let document = serde_json::json!({
        "instanceId": instance_id, "availabilityZone": zone, "instanceType": instance_type,
        "region": "us-east-1", "accountId": "123456789012", "imageId": "ami-760aaa0f"
    });
    ecs.register_container_instance()
        .cluster(cluster)
        .instance_identity_document(document.to_string())
        .send()
        .await
        .expect("register_container_instance");
}

/// Seeds two clusters: `it-ec2` (3 instances over 2 AZs, a task definition, a service, 4
/// running tasks) and `it-empty`.
pub async fn seed_fleet(moto: &Moto) -> Fleet {
    let ecs = moto.ecs().await;
    for name in ["it-ec2", "it-empty"] {
        ecs.create_cluster()
            .cluster_name(name)
            .send()
            .await
            .expect("create_cluster");
    }
    for (zone, instance_type) in [
        ("us-east-1a", "m5.large"),
        ("us-east-1b", "m5.large"),
        ("us-east-1a", "c5.xlarge"),
    ] {
        for instance_id in launch_ec2_instances(moto, zone, instance_type, 1).await {
            register_instance(&ecs, "it-ec2", &instance_id, zone, instance_type).await;
        }
    }
    let container = ContainerDefinition::builder()
        .name("web")
        .image("public.ecr.aws/nginx/nginx:1.27")
        .cpu(256)
        .memory(512)
        .essential(true)
        .port_mappings(PortMapping::builder().container_port(80).build())
        .build();
    ecs.register_task_definition()
        .family("it-web")
        .container_definitions(container)
        .send()
        .await
        .expect("register_task_definition");
    ecs.create_service()
        .cluster("it-ec2")
        .service_name("it-web")
        .task_definition("it-web")
        .desired_count(4)
        .send()
        .await
        .expect("create_service");
    ecs.run_task()
        .cluster("it-ec2")
        .task_definition("it-web")
        .count(4)
        .group("service:it-web")
        .send()
        .await
        .expect("run_task");
    Fleet {
        clusters: vec![("it-ec2", 3, 1, 4), ("it-empty", 0, 0, 0)],
    }
}

/// The cluster [`seed_large_fleet`] builds.
pub const LARGE_CLUSTER: &str = "it-large";
/// The task definition family of its tasks (256 CPU units, 640 MiB: 11 fit on one of moto's
/// container instances, which all register 4096 CPU units and 7482 MiB).
pub const LARGE_FAMILY: &str = "it-large-web";

/// Seeds cluster [`LARGE_CLUSTER`]: `instances` container instances round-robin over three
/// zones (every tenth a c5.2xlarge, the others m5.2xlarge), and `services` services
/// `svc-00`, `svc-01`, ... of `tasks_per_service` running tasks each, started as ECS starts a
/// service's tasks (group `service:<name>`). moto places them first-fit in registration order.
/// Task states are frozen, so the fleet stays as seeded however often it is described.
pub async fn seed_large_fleet(
    moto: &Moto,
    instances: usize,
    services: usize,
    tasks_per_service: usize,
) {
    let ecs = moto.ecs().await;
    ecs.create_cluster()
        .cluster_name(LARGE_CLUSTER)
        .send()
        .await
        .expect("create_cluster");
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let layout: Vec<(&str, &str)> = (0..instances)
        .map(|i| {
            let instance_type = if i % 10 == 0 {
                "c5.2xlarge"
            } else {
                "m5.2xlarge"
            };
            (zones[i % zones.len()], instance_type)
        })
        .collect();
    let mut launched: Vec<(String, &str, &str)> = Vec::with_capacity(instances);
    for zone in zones {
        for instance_type in ["c5.2xlarge", "m5.2xlarge"] {
            let wanted = layout
                .iter()
                .filter(|&&(z, t)| z == zone && t == instance_type)
                .count();
            if wanted > 0 {
                for id in launch_ec2_instances(moto, zone, instance_type, wanted).await {
                    launched.push((id, zone, instance_type));
                }
            }
        }
    }
    concurrently(launched, |(id, zone, instance_type)| {
        let ecs = ecs.clone();
        async move { register_instance(&ecs, LARGE_CLUSTER, &id, zone, instance_type).await }
    })
    .await;
    let container = ContainerDefinition::builder()
        .name("web")
        .image("public.ecr.aws/nginx/nginx:1.27")
        .cpu(256)
        .memory(640)
        .essential(true)
        .build();
    ecs.register_task_definition()
        .family(LARGE_FAMILY)
        .container_definitions(container)
        .send()
        .await
        .expect("register_task_definition");
    let per_service = i32::try_from(tasks_per_service).expect("a task count");
    concurrently(0..services, |n| {
        let request = ecs
            .create_service()
            .cluster(LARGE_CLUSTER)
            .service_name(format!("svc-{n:02}"))
            .task_definition(LARGE_FAMILY)
            .desired_count(per_service);
        async move {
            request.send().await.expect("create_service");
        }
    })
    .await;
    let runs = (0..services).flat_map(|n| {
        (0..tasks_per_service)
            .step_by(10)
            .map(move |first| (n, (tasks_per_service - first).min(10)))
    });
    concurrently(runs, |(n, count)| {
        run_tasks(&ecs, &format!("service:svc-{n:02}"), count)
    })
    .await;
    moto.freeze_tasks().await;
}

/// Starts `count` (at most 10) tasks of [`LARGE_FAMILY`] in [`LARGE_CLUSTER`] in task group
/// `group`, through moto, and checks every one was placed.
pub fn run_tasks(
    ecs: &aws_sdk_ecs::Client,
    group: &str,
    count: usize,
) -> impl std::future::Future<Output = ()> + Send + 'static + use<> {
    let request = ecs
        .run_task()
        .cluster(LARGE_CLUSTER)
        .task_definition(LARGE_FAMILY)
        .count(i32::try_from(count).expect("at most 10"))
        .group(group);
    async move {
        let output = request.send().await.expect("run_task");
        assert_eq!(output.tasks().len(), count, "moto placed every task");
    }
}

/// Runs `work` on every item, four at a time (moto serves requests one thread each).
async fn concurrently<I, F, W>(items: I, work: W)
where
    I: IntoIterator,
    W: Fn(I::Item) -> F,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    for item in items {
        if running.len() >= 4 {
            running
                .join_next()
                .await
                .expect("a seeding call")
                .expect("seeded");
        }
        running.spawn(work(item));
    }
    while let Some(done) = running.join_next().await {
        done.expect("seeded");
    }
}

/// What [`seed_registry`] created.
#[derive(Debug)]
pub struct Registry {
    /// `(repository name, images)` sorted by name.
    pub repositories: Vec<(&'static str, usize)>,
    /// The lifecycle policy put on `it/api`.
    pub policy: serde_json::Value,
    /// The task definition naming `it/api:v5`.
    pub task_definition_arn: String,
}

/// An ECR client for this moto.
pub async fn ecr(moto: &Moto) -> aws_sdk_ecr::Client {
    let credentials =
        aws_sdk_ecr::config::Credentials::new("testing", "testing", None, None, "berth-tests");
    let config = aws_sdk_ecr::Config::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_sdk_ecr::config::Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(&moto.url)
        .build();
    aws_sdk_ecr::Client::from_conf(config)
}

/// A minimal Docker image manifest; `n` makes it (and so its digest) unique.
fn manifest(n: u64) -> String {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1469,
                   "digest": format!("sha256:{n:064x}")},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1_000_000 * n, "digest": format!("sha256:{:064x}", n + 1000)}]
    })
    .to_string()
}

/// Seeds three repositories through the SDK: `it/api` (tags `v1`…`v5` and an untagged build;
/// a lifecycle policy), `it/worker` (2 images) and `base/python` (1 image, no policy); and an
/// ECS task definition and service (in cluster `it-registry`) running `it/api:v5`.
pub async fn seed_registry(moto: &Moto) -> Registry {
    let ecr = ecr(moto).await;
    let mut uri = String::new();
    for name in ["it/api", "it/worker", "base/python"] {
        let created = ecr
            .create_repository()
            .repository_name(name)
            .send()
            .await
            .expect("create_repository");
        if name == "it/api" {
            uri = created
                .repository()
                .and_then(|r| r.repository_uri())
                .expect("a repository URI")
                .to_owned();
        }
    }
    let pushes: [(&str, u64, &str); 9] = [
        ("it/api", 1, "v1"),
        ("it/api", 2, "v2"),
        ("it/api", 3, "v3"),
        ("it/api", 4, "v4"),
        ("it/api", 5, "v5"),
        ("it/api", 6, ""),
        ("it/worker", 7, "1.0"),
        ("it/worker", 8, "1.1"),
        ("base/python", 9, "3.13"),
    ];
    for (repository, n, tag) in pushes {
        let mut push = ecr
            .put_image()
            .repository_name(repository)
            .image_manifest(manifest(n));
        if !tag.is_empty() {
            push = push.image_tag(tag);
        }
        push.send().await.expect("put_image");
    }
    let policy = serde_json::json!({"rules": [
        {"rulePriority": 1, "description": "Untagged images go after a day",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                       "countUnit": "days", "countNumber": 1},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "Keep two releases",
         "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"],
                       "countType": "imageCountMoreThan", "countNumber": 2},
         "action": {"type": "expire"}}
    ]});
    ecr.put_lifecycle_policy()
        .repository_name("it/api")
        .lifecycle_policy_text(policy.to_string())
        .send()
        .await
        .expect("put_lifecycle_policy");

    let ecs = moto.ecs().await;
    ecs.create_cluster()
        .cluster_name("it-registry")
        .send()
        .await
        .expect("create_cluster");
    let registered = ecs
        .register_task_definition()
        .family("it-api")
        .container_definitions(
            ContainerDefinition::builder()
                .name("api")
                .image(format!("{uri}:v5"))
                .cpu(256)
                .memory(512)
                .essential(true)
                .build(),
        )
        .send()
        .await
        .expect("register_task_definition");
    let task_definition_arn = registered
        .task_definition()
        .and_then(|d| d.task_definition_arn())
        .expect("a task definition ARN")
        .to_owned();
    ecs.create_service()
        .cluster("it-registry")
        .service_name("it-api")
        .task_definition(&task_definition_arn)
        .desired_count(0)
        .send()
        .await
        .expect("create_service");
    Registry {
        repositories: vec![("base/python", 1), ("it/api", 6), ("it/worker", 2)],
        policy,
        task_definition_arn,
    }
}
