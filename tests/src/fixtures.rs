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
