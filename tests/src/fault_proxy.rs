//! A loopback HTTP proxy in front of an AWS endpoint (moto) that misbehaves on demand: it
//! passes requests on, delays them, drops the connection without an answer, or answers as a
//! throttling AWS does (`ThrottlingException`). Only HTTP/1.1 with `Content-Length` bodies, as
//! the AWS SDK sends them.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

/// What the proxy does with the next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Pass them on.
    None,
    /// Wait this long, then pass them on.
    Delay(Duration),
    /// Close the connection without answering.
    Drop,
    /// Answer `400 ThrottlingException` without passing them on.
    Throttle,
}

/// A running proxy, stopped when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    fault: Arc<Mutex<Fault>>,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let fault = Arc::new(Mutex::new(Fault::None));
        let requests = Arc::new(AtomicUsize::new(0));
        let upstream = upstream.to_owned();
        let (shared_fault, counted) = (Arc::clone(&fault), Arc::clone(&requests));
        let task = tokio::spawn(async move {
            let client = reqwest::Client::new();
            while let Ok((stream, _)) = listener.accept().await {
                let (client, upstream) = (client.clone(), upstream.clone());
                let (fault, counted) = (Arc::clone(&shared_fault), Arc::clone(&counted));
                tokio::spawn(async move {
                    let _ = serve(stream, &client, &upstream, &fault, &counted).await;
                });
            }
        });
        Self {
            url,
            fault,
            requests,
            task,
        }
    }

    /// Sets what the proxy does from now on.
    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner) = fault;
    }

    /// How many requests reached the proxy so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection's requests until it closes or a fault drops it.
async fn serve(
    stream: TcpStream,
    client: &reqwest::Client,
    upstream: &str,
    fault: &Mutex<Fault>,
    counted: &AtomicUsize,
) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        let Some((method, path)) = head.first().and_then(|l| {
            let mut parts = l.split(' ');
            Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
        }) else {
            return Ok(());
        };
        let headers: Vec<(String, String)> = head[1..]
            .iter()
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await?;
        counted.fetch_add(1, Ordering::SeqCst);
        let now = *fault.lock().unwrap_or_else(PoisonError::into_inner);
        let (status, content_type, answer) = match now {
            Fault::Drop => return Ok(()),
            Fault::Throttle => (
                400,
                "application/x-amz-json-1.1".to_owned(),
                br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_vec(),
            ),
            Fault::Delay(_) | Fault::None => {
                if let Fault::Delay(delay) = now {
                    tokio::time::sleep(delay).await;
                }
                let method =
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::POST);
                let mut request = client.request(method, format!("{upstream}{path}"));
                for (name, value) in &headers {
                    if !matches!(name.as_str(), "host" | "content-length" | "connection") {
                        request = request.header(name, value);
                    }
                }
                let Ok(response) = request.body(body).send().await else {
                    return Ok(());
                };
                let status = response.status().as_u16();
                let content_type = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = response.bytes().await.unwrap_or_default().to_vec();
                (status, content_type, bytes)
            }
        };
        let error_type = if now == Fault::Throttle {
            "x-amzn-errortype: ThrottlingException\r\n"
        } else {
            ""
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n{error_type}content-length: {}\r\n\r\n",
            answer.len()
        );
        let writer = stream.get_mut();
        writer.write_all(head.as_bytes()).await?;
        writer.write_all(&answer).await?;
        writer.flush().await?;
    }
}
