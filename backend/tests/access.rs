//! Sign-in, roles and the audit log, in process: a server with an auth file holding one token
//! per role, driven with `oneshot`. The server decides: every endpoint refuses what the role
//! may not do, a cookie session's changes need its CSRF token, and every change asked (made
//! or refused) is in the audit log with who asked.

mod support;

use std::collections::HashMap;

use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use berth_backend::{
    audit::AuditLog,
    auth::{Access, AccessSettings, tokens::AuthFile},
};
use berth_shared::{access::Role, time::Timestamp};
use serde_json::{Value, json};
use tower::ServiceExt;

use support::{app_with_access, json_request, request, scratch, send};

/// A server requiring sign-in, with a token per role, an audit log, and whether it is read-only.
struct Signed {
    app: Router,
    tokens: HashMap<Role, String>,
}

async fn signed_in_app(name: &str, read_only: bool) -> Signed {
    let dir = scratch(name);
    let path = dir.join("auth.json");
    let mut file = AuthFile::new().unwrap();
    let tokens = Role::ALL
        .into_iter()
        .map(|role| {
            let token = file
                .create_token(role.as_str(), role, Timestamp(0))
                .unwrap();
            (role, token)
        })
        .collect();
    file.save(&path).unwrap();
    let access = Access::new(AccessSettings {
        auth_file: Some(path),
        read_only,
        ..AccessSettings::default()
    })
    .unwrap();
    let audit = AuditLog::open(&dir.join("audit.jsonl")).unwrap();
    Signed {
        app: app_with_access(&dir, read_only, access, audit).await,
        tokens,
    }
}

impl Signed {
    /// `request` sent with the bearer token of `role`.
    async fn send_as(&self, role: Role, mut request: Request<Body>) -> (StatusCode, Value) {
        let value = format!("Bearer {}", self.tokens[&role]).parse().unwrap();
        request.headers_mut().insert(header::AUTHORIZATION, value);
        send(&self.app, request).await
    }
}

fn get(uri: &str) -> Request<Body> {
    request(Method::GET, uri, None, Body::empty())
}

#[tokio::test]
async fn without_a_sign_in_only_health_and_sign_in_answer() {
    let server = signed_in_app("anonymous", false).await;
    for uri in [
        "/api/clusters",
        "/api/clusters/demo-ec2",
        "/api/repositories",
        "/api/audit",
    ] {
        let (status, body) = send(&server.app, get(uri)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}: {body}");
        assert_eq!(body["code"], "unauthenticated");
        assert!(
            body["message"].as_str().unwrap().contains("/login"),
            "{body}"
        );
    }
    let (status, _) = send(
        &server.app,
        json_request(
            Method::POST,
            "/api/clusters/demo-ec2/tasks",
            r#"{"taskDefinition":"api"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, health) = send(&server.app, get("/api/health")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        health["source"].is_null(),
        "the account is told to signed-in requests only: {health}"
    );
    let (_, health) = server.send_as(Role::Viewer, get("/api/health")).await;
    assert_eq!(health["source"]["kind"], "sandbox");
    assert_eq!(
        send(&server.app, get("/api/session")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let mut forged = get("/api/clusters");
    forged
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer berth_0000".parse().unwrap());
    let (status, body) = send(&server.app, forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["message"].as_str().unwrap().contains("not valid"),
        "{body}"
    );
}

#[tokio::test]
async fn each_role_may_do_what_it_allows_and_is_refused_the_rest() {
    let server = signed_in_app("roles", false).await;
    let put_service = || {
        json_request(
            Method::PUT,
            "/api/clusters/demo-small/services/scheduler",
            r#"{"desiredCount": 2}"#,
        )
    };
    let run_task = || {
        json_request(
            Method::POST,
            "/api/clusters/demo-small/tasks",
            r#"{"taskDefinition": "scheduler"}"#,
        )
    };
    let stop_task = || {
        json_request(
            Method::POST,
            "/api/clusters/demo-small/tasks/nope/stop",
            "{}",
        )
    };
    let register = || json_request(Method::POST, "/api/task-definitions", r#"{"family": "x"}"#);
    let create = || json_request(Method::POST, "/api/clusters/demo-small/services", "{}");
    let deregister = || {
        request(
            Method::DELETE,
            "/api/task-definitions/nope:1",
            None,
            Body::empty(),
        )
    };
    let simulate = || json_request(Method::POST, "/api/validate/task-definition", "{}");
    let preview = || {
        json_request(
            Method::POST,
            "/api/clusters/demo-small/services/scheduler/preview",
            r#"{"desiredCount": 2}"#,
        )
    };
    let preview_run = || {
        json_request(
            Method::POST,
            "/api/clusters/demo-small/tasks/preview",
            r#"{"taskDefinition": "scheduler"}"#,
        )
    };
    let preview_create = || {
        json_request(
            Method::POST,
            "/api/clusters/demo-small/new-service/preview",
            r#"{"serviceName": "reports", "taskDefinition": "scheduler"}"#,
        )
    };
    let deploy = || {
        json_request(
            Method::POST,
            "/api/clusters/demo-small/services/scheduler/deploy",
            r#"{"desiredCount": 2}"#,
        )
    };
    type Make = Box<dyn Fn() -> Request<Body>>;
    let cases: Vec<(&str, Make, Role)> = vec![
        (
            "read a cluster",
            Box::new(|| get("/api/clusters/demo-small")),
            Role::Viewer,
        ),
        ("validate", Box::new(simulate), Role::Viewer),
        ("preview a service change", Box::new(preview), Role::Viewer),
        ("deploy a service change", Box::new(deploy), Role::Deployer),
        ("update a service", Box::new(put_service), Role::Deployer),
        ("preview a run", Box::new(preview_run), Role::Viewer),
        ("run a task", Box::new(run_task), Role::Deployer),
        ("stop a task", Box::new(stop_task), Role::Deployer),
        ("register a revision", Box::new(register), Role::Deployer),
        (
            "preview a new service",
            Box::new(preview_create),
            Role::Viewer,
        ),
        ("create a service", Box::new(create), Role::Admin),
        ("deregister a revision", Box::new(deregister), Role::Admin),
        (
            "read the audit log",
            Box::new(|| get("/api/audit")),
            Role::Admin,
        ),
    ];
    for (what, make, needed) in &cases {
        for role in Role::ALL {
            let (status, body) = server.send_as(role, make()).await;
            if role.includes(*needed) {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "a {role} may {what}: {status} {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "a {role} may not {what}: {body}"
                );
                assert_eq!(body["code"], "forbidden");
                let message = body["message"].as_str().unwrap();
                assert!(message.contains(needed.as_str()), "{message}");
            }
        }
    }
}

#[tokio::test]
async fn a_session_cookie_signs_in_and_its_changes_need_the_csrf_token() {
    let server = signed_in_app("cookie", false).await;
    let (status, body) = send(
        &server.app,
        json_request(Method::POST, "/api/session", r#"{"token": "berth_wrong"}"#),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );

    let sign_in = json_request(
        Method::POST,
        "/api/session",
        &json!({ "token": server.tokens[&Role::Deployer] }).to_string(),
    );
    let response = server.app.clone().oneshot(sign_in).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains(&server.tokens[&Role::Deployer]),
        "the token is not the cookie"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let with_cookie = |mut request: Request<Body>| {
        request
            .headers_mut()
            .insert(header::COOKIE, cookie.parse().unwrap());
        request
    };

    let (status, session) = send(&server.app, with_cookie(get("/api/session"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (session["name"].as_str(), session["role"].as_str()),
        (Some("deployer"), Some("deployer"))
    );
    assert_eq!(session["via"], "session");
    let csrf = session["csrfToken"].as_str().unwrap().to_owned();

    let change = || {
        json_request(
            Method::PUT,
            "/api/clusters/demo-small/services/scheduler",
            r#"{"desiredCount": 3}"#,
        )
    };
    let (status, body) = send(&server.app, with_cookie(change())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("x-berth-csrf"));
    let mut with_token = with_cookie(change());
    with_token
        .headers_mut()
        .insert("x-berth-csrf", csrf.parse().unwrap());
    let (status, body) = send(&server.app, with_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let sign_out = with_cookie(request(Method::DELETE, "/api/session", None, Body::empty()));
    let response = server.app.clone().oneshot(sign_out).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn every_change_is_audited_with_who_asked_and_ecs_shows_who() {
    let server = signed_in_app("audit", false).await;
    let run = json_request(
        Method::POST,
        "/api/clusters/demo-small/tasks",
        r#"{"taskDefinition": "scheduler", "startedBy": "someone-else"}"#,
    );
    let (status, ran) = server.send_as(Role::Deployer, run).await;
    assert_eq!(status, StatusCode::OK, "{ran}");
    let task = &ran["resource"]["tasks"][0];
    assert_eq!(
        task["startedBy"], "berth-deployer",
        "the identity, not the body, says who"
    );
    let arn = task["taskArn"].as_str().unwrap();
    let stop = json_request(
        Method::POST,
        &format!(
            "/api/clusters/demo-small/tasks/{}/stop",
            arn.rsplit('/').next().unwrap()
        ),
        r#"{"reason": "smoke test done"}"#,
    );
    let (status, stopped) = server.send_as(Role::Deployer, stop).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(
        stopped["resource"]["stoppedReason"],
        "smoke test done (stopped by deployer through Berth)"
    );
    let refused = json_request(
        Method::PUT,
        "/api/clusters/demo-small/services/scheduler",
        r#"{"desiredCount": 9}"#,
    );
    assert_eq!(
        server.send_as(Role::Viewer, refused).await.0,
        StatusCode::FORBIDDEN
    );

    let (status, log) = server.send_as(Role::Admin, get("/api/audit")).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let records = log["records"].as_array().unwrap();
    let summary: Vec<_> = records
        .iter()
        .map(|r| {
            (
                r["identity"].as_str().unwrap(),
                r["operation"].as_str().unwrap(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("viewer", "UpdateService", 403),
            ("deployer", "StopTask", 200),
            ("deployer", "RunTask", 200)
        ],
        "newest first"
    );
    assert_eq!(records[0]["error"], "forbidden");
    assert_eq!(records[2]["change"]["taskDefinition"], "scheduler");
    assert_eq!(records[2]["source"], "sandbox");
    assert_eq!(records[2]["via"], "token");

    let (_, filtered) = server
        .send_as(
            Role::Admin,
            get("/api/audit?identity=deployer&operation=StopTask"),
        )
        .await;
    assert_eq!(filtered["matched"], 1);
    let (status, body) = server.send_as(Role::Admin, get("/api/audit?limit=0")).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit"))
    );
}

#[tokio::test]
async fn a_read_only_server_refuses_changes_to_admins_too() {
    let server = signed_in_app("read-only-roles", true).await;
    let change = json_request(
        Method::PUT,
        "/api/clusters/demo-small/services/scheduler",
        r#"{"desiredCount": 2}"#,
    );
    let (status, body) = server.send_as(Role::Admin, change).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("read_only"))
    );
    let (_, session) = server.send_as(Role::Admin, get("/api/session")).await;
    assert_eq!(session["readOnly"], true);
}

#[tokio::test]
async fn the_metrics_need_a_viewers_sign_in() {
    let server = signed_in_app("metrics", false).await;
    let (status, body) = send(&server.app, get("/metrics")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "unauthenticated");
    let mut asked = get("/metrics");
    let value = format!("Bearer {}", server.tokens[&Role::Viewer])
        .parse()
        .unwrap();
    asked.headers_mut().insert(header::AUTHORIZATION, value);
    let response = server.app.clone().oneshot(asked).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
