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

async fn launch_ec2_instance(moto: &Moto, zone: &str, instance_type: &str) -> String {
    let form = [
        ("Action", "RunInstances"),
        ("Version", "2016-11-15"),
        ("ImageId", "ami-760aaa0f"),
        ("MinCount", "1"),
        ("MaxCount", "1"),
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
    let start = body
        .find("<instanceId>")
        .expect("RunInstances returned an instance")
        + "<instanceId>".len();
    let end = start
        + body[start..]
            .find("</instanceId>")
            .expect("a closed instanceId");
    body[start..end].to_owned()
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
        let instance_id = launch_ec2_instance(moto, zone, instance_type).await;
        let document = serde_json::json!({
            "instanceId": instance_id, "availabilityZone": zone, "instanceType": instance_type,
            "region": "us-east-1", "accountId": "123456789012", "imageId": "ami-760aaa0f"
        });
        ecs.register_container_instance()
            .cluster("it-ec2")
            .instance_identity_document(document.to_string())
            .send()
            .await
            .expect("register_container_instance");
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
