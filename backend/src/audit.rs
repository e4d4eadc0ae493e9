//! The audit log: every change asked of Berth, made or refused, as one line of JSON.
//!
//! [`record`] wraps every endpoint that can change an account (everything but reads and the
//! "what if" tools). It keeps who asked (their [`Identity`]), the source, the AWS operation,
//! the request's path and body (environment values left out: they may hold secrets), and
//! once the handler has answered, the status, the error code and message or AWS's request id.
//! With `--audit-log PATH` the line is appended to that file and flushed to disk (`fsync`)
//! before the answer leaves, so a change the caller heard about is on record even if the
//! machine stops right after; the answer is held back as a 500 if that fails. Without the
//! flag the record goes to the server's log. Admins read the file through `GET /api/audit`.

use std::{
    fs::File,
    io::{self, BufRead, BufReader, Write},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use axum::{
    body::Body,
    extract::{MatchedPath, Query, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use berth_shared::{
    access::{AuditLog as AuditPage, AuditRecord},
    sources::{SOURCE_PARAMETER, SourceId},
};
use serde_json::Value;

use crate::{
    AppState,
    auth::{Identity, policy},
    blocking::off_workers,
    error::ApiError,
    routes::MAX_BODY_BYTES,
};

/// The most records one `GET /api/audit` answers.
pub const MAX_RECORDS: usize = 1_000;

/// Where the audit records go.
#[derive(Debug, Clone, Default)]
pub struct AuditLog(Option<Arc<AuditFile>>);

#[derive(Debug)]
struct AuditFile {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    /// Records to the server's log only.
    pub fn server_log_only() -> Self {
        Self(None)
    }

    /// Appends to the file at `path`, created (readable by its owner only) when it does not
    /// exist. Fails at start rather than at the first change.
    pub fn open(path: &Path) -> io::Result<Self> {
        if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(directory)?;
        }
        let mut options = File::options();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path)?;
        Ok(Self(Some(Arc::new(AuditFile {
            path: path.to_owned(),
            file: Mutex::new(file),
        }))))
    }

    /// Appends `record` and flushes it to disk (or writes it to the server's log).
    pub async fn append(&self, record: AuditRecord) -> Result<(), ApiError> {
        let line = serde_json::to_string(&record).map_err(ApiError::internal)?;
        let Some(audit) = self.0.clone() else {
            tracing::info!(target: "berth::audit", "{line}");
            return Ok(());
        };
        off_workers(move || -> io::Result<()> {
            let mut file = audit.file.lock().unwrap_or_else(|e| e.into_inner());
            file.write_all(format!("{line}\n").as_bytes())?;
            file.sync_data()
        })
        .await?
        .map_err(|error| {
            ApiError::internal(format!(
                "the change was answered but could not be written to the audit log: {error}"
            ))
        })
    }

    /// The records matching `filter`, newest first.
    pub async fn read(&self, filter: AuditFilter) -> Result<AuditPage, ApiError> {
        let Some(audit) = self.0.clone() else {
            return Err(ApiError::not_configured(
                "this Berth keeps no audit file: start it with --audit-log PATH (records go to \
                 the server's log until then)",
            ));
        };
        off_workers(move || read_records(&audit.path, &filter))
            .await?
            .map_err(ApiError::internal)
    }
}

/// What `GET /api/audit` filters on: every field optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditFilter {
    /// Records of this identity only.
    pub identity: Option<String>,
    /// Records of this operation only (`UpdateService`, …).
    pub operation: Option<String>,
    /// Records whose path or body mentions this text (a cluster, service or task).
    pub text: Option<String>,
    /// `ok` for changes made, `error` for refused or failed ones.
    pub outcome: Option<String>,
    /// How many records at most (default 200, at most [`MAX_RECORDS`]).
    pub limit: Option<usize>,
}

impl AuditFilter {
    fn matches(&self, record: &AuditRecord) -> bool {
        let identity = self.identity.as_ref().is_none_or(|i| record.identity == *i);
        let operation = self
            .operation
            .as_ref()
            .is_none_or(|o| record.operation.eq_ignore_ascii_case(o));
        let outcome = match self.outcome.as_deref() {
            Some("ok") => record.succeeded(),
            Some("error") => !record.succeeded(),
            _ => true,
        };
        let text = self.text.as_ref().is_none_or(|text| {
            record.path.contains(text.as_str())
                || record
                    .change
                    .as_ref()
                    .is_some_and(|change| change.to_string().contains(text.as_str()))
        });
        identity && operation && outcome && text
    }

    /// Checks the filter's values: a 400 naming the field.
    pub fn check(&self) -> Result<(), ApiError> {
        if let Some(outcome) = &self.outcome
            && !matches!(outcome.as_str(), "ok" | "error")
        {
            return Err(ApiError::invalid_input(
                "outcome",
                format!("outcome is ok or error, not {outcome:?}"),
            ));
        }
        if let Some(limit) = self.limit
            && !(1..=MAX_RECORDS).contains(&limit)
        {
            return Err(ApiError::invalid_input(
                "limit",
                format!("limit is 1 to {MAX_RECORDS}, not {limit}"),
            ));
        }
        Ok(())
    }
}

fn read_records(path: &Path, filter: &AuditFilter) -> io::Result<AuditPage> {
    let limit = filter.limit.unwrap_or(200);
    let mut matching = Vec::new();
    for line in BufReader::new(File::open(path)?).lines() {
        let line = line?;
        // A line cut short by a crash mid-write is skipped, not fatal.
        if let Ok(record) = serde_json::from_str::<AuditRecord>(&line)
            && filter.matches(&record)
        {
            matching.push(record);
        }
    }
    let matched = matching.len();
    let records = matching.into_iter().rev().take(limit).collect();
    Ok(AuditPage { records, matched })
}

/// Keeps a record of every change asked of the API (see the module). Route layer: it runs on
/// the matched route, after routing.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let method = request.method().clone();
    if policy::changes_nothing(&method, &route)
        || policy::requirement(&method, &route) == policy::Requirement::Public
    {
        return next.run(request).await;
    }
    let Some(identity) = request.extensions().get::<Identity>().cloned() else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    let source = Query::<std::collections::HashMap<String, String>>::try_from_uri(request.uri())
        .ok()
        .and_then(|query| query.0.get(SOURCE_PARAMETER).cloned())
        .and_then(|text| text.parse::<SourceId>().ok())
        .unwrap_or_else(|| state.accounts.default_source().clone());
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::payload_too_large(MAX_BODY_BYTES).into_response();
    };
    let change = serde_json::from_slice::<Value>(&body)
        .ok()
        .map(without_secrets);
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let answer = serde_json::from_slice::<Value>(&body).unwrap_or_default();
    let text = |key: &str| answer.get(key).and_then(Value::as_str).map(str::to_owned);
    let failed = parts.status.is_client_error() || parts.status.is_server_error();
    let record = AuditRecord {
        time: crate::now(),
        identity: identity.name,
        role: identity.role,
        via: identity.via,
        source,
        operation: policy::operation(&method, &route),
        method: method.to_string(),
        path: format!("/api{path}"),
        change,
        status: parts.status.as_u16(),
        error: failed.then(|| text("code")).flatten(),
        message: failed.then(|| text("message")).flatten(),
        request_id: text("requestId"),
    };
    if let Err(error) = state.audit.append(record).await {
        return error.into_response();
    }
    let mut response = Response::from_parts(parts, Body::from(body));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

/// `value` with the values of every `environment` list left out: task definitions and task
/// overrides put secrets there more often than they should.
pub fn without_secrets(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(object) => {
                for (key, inner) in object.iter_mut() {
                    if key == "environment"
                        && let Value::Array(variables) = inner
                    {
                        for variable in variables.iter_mut() {
                            if let Some(value) = variable.get_mut("value") {
                                *value = Value::String("(not recorded)".to_owned());
                            }
                        }
                    } else {
                        walk(inner);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_shared::access::{Role, SignedInVia};
    use serde_json::json;

    #[test]
    fn environment_values_are_left_out_wherever_they_are() {
        let change = json!({
            "family": "web",
            "containerDefinitions": [{"name": "app", "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}],
            "overrides": {"containerOverrides": [{"environment": [{"name": "K", "value": "v"}]}]}
        });
        let text = without_secrets(change).to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("\"v\""),
            "{text}"
        );
        assert!(text.contains("DB_PASSWORD"), "names stay: {text}");
    }

    fn record(identity: &str, operation: &str, status: u16) -> AuditRecord {
        AuditRecord {
            time: berth_shared::time::Timestamp(0),
            identity: identity.to_owned(),
            role: Role::Deployer,
            via: SignedInVia::Token,
            source: SourceId::Sandbox,
            operation: operation.to_owned(),
            method: "POST".to_owned(),
            path: "/api/clusters/demo-ec2/tasks".to_owned(),
            change: Some(json!({"taskDefinition": "api"})),
            status,
            error: None,
            message: None,
            request_id: None,
        }
    }

    #[tokio::test]
    async fn records_are_appended_durably_and_read_newest_first_filtered() {
        let directory = std::env::temp_dir().join(format!("berth-audit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        let log = AuditLog::open(&directory.join("audit.jsonl")).unwrap();
        for (who, operation, status) in [
            ("ana", "RunTask", 200),
            ("bo", "StopTask", 403),
            ("ana", "StopTask", 200),
        ] {
            log.append(record(who, operation, status)).await.unwrap();
        }
        std::fs::write(directory.join("audit.jsonl"), {
            let mut text = std::fs::read_to_string(directory.join("audit.jsonl")).unwrap();
            text.push_str("{\"cut short");
            text
        })
        .unwrap();
        let read = |filter: AuditFilter| {
            let log = log.clone();
            async move { log.read(filter).await.unwrap() }
        };
        let all = read(AuditFilter::default()).await;
        assert_eq!(all.matched, 3);
        assert_eq!(all.records[0].operation, "StopTask");
        assert_eq!(all.records[0].identity, "ana");
        let ana = read(AuditFilter {
            identity: Some("ana".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(ana.matched, 2);
        let refused = read(AuditFilter {
            outcome: Some("error".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            refused
                .records
                .iter()
                .map(|r| r.identity.as_str())
                .collect::<Vec<_>>(),
            ["bo"]
        );
        let one = read(AuditFilter {
            limit: Some(1),
            text: Some("demo-ec2".into()),
            ..Default::default()
        })
        .await;
        assert_eq!((one.matched, one.records.len()), (3, 1));
        assert!(
            AuditFilter {
                limit: Some(0),
                ..Default::default()
            }
            .check()
            .is_err()
        );
        assert!(
            AuditFilter {
                outcome: Some("maybe".into()),
                ..Default::default()
            }
            .check()
            .is_err()
        );
        std::fs::remove_dir_all(directory).unwrap();
    }
}
