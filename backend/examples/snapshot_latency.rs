//! Snapshot benchmark over the AWS API (issue #5), opt-in:
//! `cargo run -p berth-backend --example snapshot_latency` (add `--release` for an optimised client).
//!
//! Starts moto on a free loopback port, seeds through the SDK a cluster `fleet` with 200
//! container instances, 50 services and 2,000 running tasks, and a cluster `many-services` with
//! 2,000 services, then puts a small proxy in front of moto that
//! - adds 50 ms to every call (a distant Region),
//! - counts calls by `X-Amz-Target` (ListTasks by desired status), Application Auto
//!   Scaling's DescribeScalableTargets included,
//! - pages List calls as AWS does (moto ignores `maxResults` and never returns `nextToken`):
//!   `maxResults` per page (default 100, ListServices 10) with an opaque offset token,
//! - rejects Describe batches over ECS's limits (100, DescribeServices 10) as AWS would.
//!
//! Through the proxy it times [`SdkEcs::cluster_snapshot`] against a plain sequential loop of
//! the same calls on the raw SDK client, checks both make exactly the minimum number of calls
//! (docs/ECS-MODEL.md §9.1), and prints a Markdown table. `BERTH_MOTO_SERVER` names the
//! `moto_server` binary (default: `~/.cache/berth/moto-venv/bin/moto_server`).
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::{
    collections::{BTreeMap, HashSet},
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use aws_sdk_ecs::{
    Client,
    types::{ContainerDefinition, DesiredStatus},
};
use berth_backend::{
    EcsApi,
    ecs::sdk::{SdkClients, SdkEcs},
};
use berth_shared::api::SourceInfo;
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::JoinSet,
};

/// Injected per-call latency.
const LATENCY: Duration = Duration::from_millis(50);
/// Timed runs of each kind (after one warm-up run).
const RUNS: usize = 5;
const FLEET_INSTANCES: usize = 200;
const FLEET_SERVICES: usize = 50;
const FLEET_TASKS: usize = 2_000;
const MANY_SERVICES: usize = 2_000;

// ---------------------------------------------------------------------------------------------
// Minimal HTTP/1.1 over tokio (the backend has no HTTP client of its own besides the SDK's).

/// One HTTP message: the start line and headers, and the body.
#[derive(Debug)]
struct Message {
    head: String,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The start line and headers without the framing ones, which the sender rewrites.
    fn head_without_framing(&self) -> String {
        let mut lines = self.head.lines();
        let mut head = lines.next().unwrap_or_default().to_owned();
        for line in lines {
            let key = line.split_once(':').map_or("", |(k, _)| k.trim());
            if !["content-length", "transfer-encoding", "connection"]
                .iter()
                .any(|framing| key.eq_ignore_ascii_case(framing))
            {
                head.push_str("\r\n");
                head.push_str(line);
            }
        }
        head
    }

    fn to_bytes(&self, connection: &str) -> Vec<u8> {
        let mut bytes = format!(
            "{}\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n",
            self.head_without_framing(),
            self.body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one message from `stream` (Content-Length or chunked body; a response without either
/// runs to the end of the stream). `None` when the peer closed the connection between messages.
async fn read_message(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Message> {
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            break end;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    buffer.drain(..header_end + 4);
    let mut message = Message {
        head,
        body: Vec::new(),
    };
    if let Some(length) = message.header("content-length") {
        let length: usize = length.parse().ok()?;
        while buffer.len() < length {
            let read = stream.read(&mut chunk).await.ok()?;
            if read == 0 {
                return None;
            }
            buffer.extend_from_slice(&chunk[..read]);
        }
        message.body = buffer.drain(..length).collect();
    } else if message
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let line_end = loop {
                if let Some(end) = find(buffer, b"\r\n") {
                    break end;
                }
                let read = stream.read(&mut chunk).await.ok()?;
                if read == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..read]);
            };
            let size_text = String::from_utf8_lossy(&buffer[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            while buffer.len() < line_end + 2 + size + 2 {
                let read = stream.read(&mut chunk).await.ok()?;
                if read == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..read]);
            }
            message
                .body
                .extend_from_slice(&buffer[line_end + 2..line_end + 2 + size]);
            buffer.drain(..line_end + 2 + size + 2);
            if size == 0 {
                break;
            }
        }
    } else if !message.head.starts_with("HTTP/") {
        // A request without a body.
    } else {
        stream.read_to_end(buffer).await.ok()?;
        message.body = std::mem::take(buffer);
    }
    Some(message)
}

/// Sends one request on a fresh connection and reads the answer.
async fn exchange(address: SocketAddr, request: &Message) -> std::io::Result<Message> {
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(&request.to_bytes("close")).await?;
    let mut buffer = Vec::new();
    read_message(&mut stream, &mut buffer)
        .await
        .ok_or_else(|| std::io::Error::other("no HTTP answer"))
}

async fn post(address: SocketAddr, path: &str, headers: &str, body: String) -> Message {
    let request = Message {
        head: format!("POST {path} HTTP/1.1\r\nHost: {address}{headers}"),
        body: body.into_bytes(),
    };
    exchange(address, &request).await.expect("moto answers")
}

// ---------------------------------------------------------------------------------------------
// The latency proxy.

/// What the proxy saw.
#[derive(Debug, Default)]
struct Stats {
    calls: Mutex<BTreeMap<String, usize>>,
    violations: Mutex<Vec<String>>,
    /// Time moto took to answer, summed over calls, by operation.
    upstream: Mutex<BTreeMap<String, Duration>>,
    /// Full listings moto returned for a first page, by (operation, input without paging), so
    /// that later pages continue the same listing as AWS's `nextToken` does.
    listings: Mutex<BTreeMap<String, Vec<Value>>>,
}

impl Stats {
    fn take(
        &self,
    ) -> (
        BTreeMap<String, usize>,
        Vec<String>,
        BTreeMap<String, Duration>,
    ) {
        (
            std::mem::take(&mut *self.calls.lock().unwrap()),
            std::mem::take(&mut *self.violations.lock().unwrap()),
            std::mem::take(&mut *self.upstream.lock().unwrap()),
        )
    }
}

/// The ARN list a List operation returns, and its default page size.
fn list_field(operation: &str) -> Option<(&'static str, usize)> {
    match operation {
        "ListClusters" => Some(("clusterArns", 100)),
        "ListContainerInstances" => Some(("containerInstanceArns", 100)),
        "ListServices" => Some(("serviceArns", 10)),
        "ListTasks" => Some(("taskArns", 100)),
        _ => None,
    }
}

/// The ID list a Describe operation takes, and its limit.
fn describe_field(operation: &str) -> Option<(&'static str, usize)> {
    match operation {
        "DescribeClusters" => Some(("clusters", 100)),
        "DescribeContainerInstances" => Some(("containerInstances", 100)),
        "DescribeServices" => Some(("services", 10)),
        "DescribeTasks" => Some(("tasks", 100)),
        "DescribeScalableTargets" => Some(("ResourceIds", 50)),
        _ => None,
    }
}

fn error_response(code: &str, message: &str) -> Message {
    Message {
        head: "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1".to_owned(),
        body: serde_json::json!({ "__type": code, "message": message })
            .to_string()
            .into_bytes(),
    }
}

async fn relay(request: Message, moto: SocketAddr, stats: &Stats) -> Message {
    let operation = request
        .header("x-amz-target")
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("other")
        .to_owned();
    let input: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let label = if operation == "ListTasks" {
        format!(
            "ListTasks {}",
            input["desiredStatus"].as_str().unwrap_or("RUNNING")
        )
    } else {
        operation.clone()
    };
    *stats.calls.lock().unwrap().entry(label).or_default() += 1;
    tokio::time::sleep(LATENCY).await;
    if let Some((field, limit)) = describe_field(&operation) {
        let count = input[field].as_array().map_or(0, Vec::len);
        if count == 0 || count > limit {
            let problem = format!("{operation} with {count} {field} (limit {limit})");
            stats.violations.lock().unwrap().push(problem.clone());
            return error_response("InvalidParameterException", &problem);
        }
    }
    let token = input["nextToken"].as_str().map(str::to_owned);
    let listing_key = {
        let mut unpaged = input.clone();
        if let Some(fields) = unpaged.as_object_mut() {
            fields.remove("nextToken");
            fields.remove("maxResults");
        }
        format!("{operation} {unpaged}")
    };
    let cached = token
        .as_ref()
        .and_then(|_| stats.listings.lock().unwrap().get(&listing_key).cloned());
    let mut response = if let Some(all) = cached {
        // A later page: AWS continues the listing the token belongs to; so does the proxy.
        let (field, _) = list_field(&operation).expect("only lists are cached");
        Message {
            head: "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1".to_owned(),
            body: serde_json::json!({ field: all }).to_string().into_bytes(),
        }
    } else {
        let started = Instant::now();
        let response = exchange(moto, &request).await.expect("moto answers");
        *stats
            .upstream
            .lock()
            .unwrap()
            .entry(operation.clone())
            .or_default() += started.elapsed();
        response
    };
    if let Some((field, default_page)) = list_field(&operation) {
        let mut output: Value = serde_json::from_slice(&response.body).expect("a JSON answer");
        let all = output[field].as_array().cloned().unwrap_or_default();
        if token.is_none() {
            stats
                .listings
                .lock()
                .unwrap()
                .insert(listing_key, all.clone());
        }
        let start = token
            .as_deref()
            .and_then(|t| t.strip_prefix("offset-"))
            .map_or(0, |n| n.parse().expect("a token this proxy issued"));
        let size = input["maxResults"]
            .as_u64()
            .map_or(default_page, |m| usize::try_from(m).unwrap_or(usize::MAX));
        if !(1..=100).contains(&size) {
            let problem = format!("{operation} with maxResults {size}");
            stats.violations.lock().unwrap().push(problem.clone());
            return error_response("InvalidParameterException", &problem);
        }
        let end = (start + size).min(all.len());
        output[field] = Value::Array(all[start.min(end)..end].to_vec());
        if end < all.len() {
            output["nextToken"] = Value::String(format!("offset-{end}"));
        }
        response.body = output.to_string().into_bytes();
    }
    response
}

async fn proxy_connection(mut client: TcpStream, moto: SocketAddr, stats: Arc<Stats>) {
    let mut buffer = Vec::new();
    while let Some(request) = read_message(&mut client, &mut buffer).await {
        let response = relay(request, moto, &stats).await;
        if client
            .write_all(&response.to_bytes("keep-alive"))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Starts the proxy in front of `moto`; returns its URL.
async fn start_proxy(moto: SocketAddr, stats: Arc<Stats>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let url = format!("http://{}", listener.local_addr().expect("proxy address"));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(proxy_connection(client, moto, Arc::clone(&stats)));
        }
    });
    url
}

// ---------------------------------------------------------------------------------------------
// moto and the fleet.

/// `moto_server` on a free loopback port, killed when dropped.
#[derive(Debug)]
struct Moto {
    child: Child,
    address: SocketAddr,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Moto {
    let binary = std::env::var_os("BERTH_MOTO_SERVER").map_or_else(
        || {
            let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
            home.join(".cache/berth/moto-venv/bin/moto_server")
        },
        PathBuf::from,
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let moto = Moto { child, address };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let probe = Message {
            head: format!("GET /moto-api/ HTTP/1.1\r\nHost: {address}"),
            body: Vec::new(),
        };
        if exchange(address, &probe).await.is_ok() {
            return moto;
        }
        assert!(Instant::now() < deadline, "moto did not answer in 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ecs::config::SharedCredentialsProvider::new(
            aws_sdk_ecs::config::Credentials::new("testing", "testing", None, None, "bench"),
        ))
        .endpoint_url(endpoint)
        .build()
}

fn client(endpoint: &str) -> Client {
    Client::new(&sdk_config(endpoint))
}

/// Launches `count` EC2 instances in moto with one RunInstances call (the Query API; Berth does
/// not depend on aws-sdk-ec2) and returns their IDs.
async fn launch_instances(moto: SocketAddr, count: usize) -> Vec<String> {
    let form = format!(
        "Action=RunInstances&Version=2016-11-15&ImageId=ami-760aaa0f&MinCount={count}\
         &MaxCount={count}&InstanceType=m5.large&Placement.AvailabilityZone=us-east-1a"
    );
    let headers = "\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: \
                   AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/ec2/aws4_request, \
                   SignedHeaders=host, Signature=0";
    let answer = post(moto, "/", headers, form).await;
    let xml = String::from_utf8_lossy(&answer.body);
    let ids: Vec<String> = xml
        .split("<instanceId>")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("</instanceId>")
                .map(|(id, _)| id.to_owned())
        })
        .collect();
    assert_eq!(ids.len(), count, "RunInstances answered {xml:.300}");
    ids
}

/// Runs `make(i)` for `0..count`, 8 at a time.
async fn concurrently<F, Fut>(count: usize, make: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut set = JoinSet::new();
    for i in 0..count {
        if set.len() >= 8 {
            set.join_next().await.expect("a task").expect("seeding");
        }
        set.spawn(make(i));
    }
    while let Some(done) = set.join_next().await {
        done.expect("seeding");
    }
}

async fn seed(moto: &Moto) {
    let ecs = client(&format!("http://{}", moto.address));
    for name in ["fleet", "many-services"] {
        ecs.create_cluster()
            .cluster_name(name)
            .send()
            .await
            .expect("create_cluster");
    }
    let ids = Arc::new(launch_instances(moto.address, FLEET_INSTANCES).await);
    let (e, i) = (ecs.clone(), Arc::clone(&ids));
    concurrently(FLEET_INSTANCES, move |n| {
        let document = serde_json::json!({
            "instanceId": i[n], "availabilityZone": "us-east-1a", "instanceType": "m5.large",
            "region": "us-east-1", "accountId": "123456789012", "imageId": "ami-760aaa0f"
        });
        let request = e
            .register_container_instance()
            .cluster("fleet")
            .instance_identity_document(document.to_string());
        async move {
            request.send().await.expect("register_container_instance");
        }
    })
    .await;
    let container = ContainerDefinition::builder()
        .name("web")
        .image("public.ecr.aws/nginx/nginx:1.27")
        .cpu(16)
        .memory(32)
        .essential(true)
        .build();
    ecs.register_task_definition()
        .family("bench-web")
        .container_definitions(container)
        .send()
        .await
        .expect("register_task_definition");
    for (cluster, count) in [("fleet", FLEET_SERVICES), ("many-services", MANY_SERVICES)] {
        let e = ecs.clone();
        concurrently(count, move |n| {
            let request = e
                .create_service()
                .cluster(cluster)
                .service_name(format!("svc-{n:04}"))
                .task_definition("bench-web")
                .desired_count(i32::try_from(FLEET_TASKS / FLEET_SERVICES).unwrap_or(1));
            async move {
                request.send().await.expect("create_service");
            }
        })
        .await;
    }
    let e = ecs.clone();
    concurrently(FLEET_SERVICES, move |n| {
        let request = e
            .run_task()
            .cluster("fleet")
            .task_definition("bench-web")
            .count(i32::try_from(FLEET_TASKS / FLEET_SERVICES).unwrap_or(1))
            .group(format!("service:svc-{n:04}"));
        async move {
            let output = request.send().await.expect("run_task");
            assert_eq!(
                output.tasks().len(),
                FLEET_TASKS / FLEET_SERVICES,
                "all placed"
            );
        }
    })
    .await;
    // moto advances a task one state per DescribeTasks; keep the fleet as seeded.
    let freeze = serde_json::json!({
        "model_name": "ecs::task",
        "transition": { "progression": "manual", "times": 1_000_000_000u64 }
    });
    post(
        moto.address,
        "/moto-api/state-manager/set-transition",
        "\r\nContent-Type: application/json",
        freeze.to_string(),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// The two clients under test.

/// Every ARN of one List operation, page by page.
macro_rules! list_all {
    ($request:expr, $field:ident) => {{
        let mut arns: Vec<String> = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = $request
                .max_results(100)
                .set_next_token(next_token)
                .send()
                .await
                .expect(stringify!($field));
            arns.extend(page.$field().iter().cloned());
            next_token = page.next_token().map(str::to_owned);
            if next_token.is_none() {
                break arns;
            }
        }
    }};
}

/// The same calls as a snapshot, one after the other; returns (instances, services, tasks).
async fn sequential_snapshot(
    ecs: &Client,
    autoscaling: &aws_sdk_applicationautoscaling::Client,
    cluster: &str,
) -> (usize, usize, usize) {
    let described = ecs
        .describe_clusters()
        .clusters(cluster)
        .send()
        .await
        .expect("describe_clusters");
    let arn = described.clusters()[0]
        .cluster_arn()
        .unwrap_or(cluster)
        .to_owned();
    let instances = list_all!(
        ecs.list_container_instances().cluster(&arn),
        container_instance_arns
    );
    let mut instance_count = 0;
    for batch in instances.chunks(100) {
        let output = ecs
            .describe_container_instances()
            .cluster(&arn)
            .set_container_instances(Some(batch.to_vec()))
            .send()
            .await
            .expect("describe_container_instances");
        instance_count += output.container_instances().len();
    }
    let services = list_all!(ecs.list_services().cluster(&arn), service_arns);
    let mut service_count = 0;
    for batch in services.chunks(10) {
        let output = ecs
            .describe_services()
            .cluster(&arn)
            .set_services(Some(batch.to_vec()))
            .send()
            .await
            .expect("describe_services");
        service_count += output.services().len();
    }
    let resource_ids: Vec<String> = services
        .iter()
        .map(|arn| {
            format!(
                "service/{cluster}/{}",
                arn.rsplit('/').next().unwrap_or(arn)
            )
        })
        .collect();
    for batch in resource_ids.chunks(50) {
        autoscaling
            .describe_scalable_targets()
            .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
            .scalable_dimension(
                aws_sdk_applicationautoscaling::types::ScalableDimension::EcsServiceDesiredCount,
            )
            .set_resource_ids(Some(batch.to_vec()))
            .send()
            .await
            .expect("describe_scalable_targets");
    }
    let mut tasks = Vec::new();
    for desired in [DesiredStatus::Running, DesiredStatus::Stopped] {
        tasks.extend(list_all!(
            ecs.list_tasks()
                .cluster(&arn)
                .desired_status(desired.clone()),
            task_arns
        ));
    }
    let mut seen = HashSet::new();
    tasks.retain(|t| seen.insert(t.clone()));
    let mut task_count = 0;
    for batch in tasks.chunks(100) {
        let output = ecs
            .describe_tasks()
            .cluster(&arn)
            .set_tasks(Some(batch.to_vec()))
            .send()
            .await
            .expect("describe_tasks");
        task_count += output.tasks().len();
    }
    (instance_count, service_count, task_count)
}

/// The fewest calls ECS allows for a snapshot (as in backend/tests/sdk_adapter.rs): 1
/// DescribeClusters + ceil(I/100) ListContainerInstances (≥ 1) + ceil(I/100)
/// DescribeContainerInstances + ceil(S/100) ListServices (≥ 1) + ceil(S/10) DescribeServices +
/// ListTasks pages RUNNING (≥ 1) and STOPPED (≥ 1) + ceil(T/100) DescribeTasks +
/// ceil(S/50) DescribeScalableTargets (no service here scales, so nothing more).
fn minimum_calls(instances: usize, services: usize, tasks: usize) -> BTreeMap<String, usize> {
    let pages = |n: usize| n.div_ceil(100).max(1);
    [
        ("DescribeClusters", 1),
        ("ListContainerInstances", pages(instances)),
        ("DescribeContainerInstances", instances.div_ceil(100)),
        ("ListServices", pages(services)),
        ("DescribeServices", services.div_ceil(10)),
        ("ListTasks RUNNING", pages(tasks)),
        ("ListTasks STOPPED", 1),
        ("DescribeTasks", tasks.div_ceil(100)),
        ("DescribeScalableTargets", services.div_ceil(50)),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(op, n)| (op.to_owned(), n))
    .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// One measured run: wall time, moto's own time by operation, and the calls made.
struct Run {
    wall: Duration,
    upstream: BTreeMap<String, Duration>,
    calls: BTreeMap<String, usize>,
}

async fn measure<F, Fut>(stats: &Stats, expected: &BTreeMap<String, usize>, run: F) -> Run
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = (usize, usize, usize)>,
{
    stats.take();
    let started = Instant::now();
    let _ = run().await;
    let wall = started.elapsed();
    let (calls, violations, upstream) = stats.take();
    assert!(violations.is_empty(), "ECS limits broken: {violations:?}");
    assert_eq!(&calls, expected, "calls differ from the minimum");
    Run {
        wall,
        upstream,
        calls,
    }
}

#[tokio::main]
async fn main() {
    let moto = start_moto().await;
    let seeding = Instant::now();
    seed(&moto).await;
    println!("seeded moto in {:.1} s", seeding.elapsed().as_secs_f64());
    let stats = Arc::new(Stats::default());
    let url = start_proxy(moto.address, Arc::clone(&stats)).await;
    let raw = client(&url);
    let raw_autoscaling = aws_sdk_applicationautoscaling::Client::new(&sdk_config(&url));
    let berth = SdkEcs::from_clients(
        SdkClients::new(&sdk_config(&url)),
        SourceInfo::Aws {
            region: "us-east-1".to_owned(),
            profile: None,
            endpoint_url: Some(url.clone()),
        },
    );

    println!(
        "\n| cluster | calls (min) | SdkEcs::cluster_snapshot median (min–max) | sequential median | ratio | moto busy time (sum over calls) |"
    );
    println!("|---|---|---|---|---|---|");
    for (cluster, instances, services, tasks) in [
        ("fleet", FLEET_INSTANCES, FLEET_SERVICES, FLEET_TASKS),
        ("many-services", 0, MANY_SERVICES, 0),
    ] {
        let expected = minimum_calls(instances, services, tasks);
        let mut berth_runs = Vec::new();
        let mut sequential_runs = Vec::new();
        for round in 0..=RUNS {
            let b = measure(&stats, &expected, || async {
                let snapshot = berth.cluster_snapshot(cluster).await.expect("snapshot");
                assert_eq!(
                    (
                        snapshot.container_instances.len(),
                        snapshot.services.len(),
                        snapshot.tasks.len()
                    ),
                    (instances, services, tasks)
                );
                (instances, services, tasks)
            })
            .await;
            let s = measure(&stats, &expected, || async {
                let counts = sequential_snapshot(&raw, &raw_autoscaling, cluster).await;
                assert_eq!(counts, (instances, services, tasks));
                counts
            })
            .await;
            if round > 0 {
                berth_runs.push(b);
                sequential_runs.push(s);
            }
        }
        let calls: usize = berth_runs[0].calls.values().sum();
        let berth_wall = median(berth_runs.iter().map(|r| r.wall).collect());
        let sequential_wall = median(sequential_runs.iter().map(|r| r.wall).collect());
        let fastest = berth_runs.iter().map(|r| r.wall).min().unwrap_or_default();
        let slowest = berth_runs.iter().map(|r| r.wall).max().unwrap_or_default();
        let upstream = median(
            berth_runs
                .iter()
                .map(|r| r.upstream.values().sum())
                .collect(),
        );
        println!(
            "| `{cluster}` ({instances} instances, {services} services, {tasks} tasks) | {calls} (= min) | {:.2} s ({:.2}–{:.2}) | {:.2} s | {:.1}× | {:.2} s |",
            berth_wall.as_secs_f64(),
            fastest.as_secs_f64(),
            slowest.as_secs_f64(),
            sequential_wall.as_secs_f64(),
            sequential_wall.as_secs_f64() / berth_wall.as_secs_f64(),
            upstream.as_secs_f64(),
        );
        println!("<!-- {cluster} calls: {:?} -->", berth_runs[0].calls);
        let per_call: BTreeMap<&String, String> = sequential_runs[0]
            .upstream
            .iter()
            .map(|(op, time)| {
                let calls = sequential_runs[0]
                    .calls
                    .iter()
                    .filter(|(label, _)| label.starts_with(op.as_str()))
                    .map(|(_, n)| n)
                    .sum::<usize>();
                (
                    op,
                    format!(
                        "{:.0} ms",
                        time.as_secs_f64() * 1000.0 / calls.max(1) as f64
                    ),
                )
            })
            .collect();
        println!(
            "<!-- {cluster} moto time per call (sequential run, listings fetched once): {per_call:?} -->"
        );
    }
}
