//! Which role each API endpoint needs, and the AWS operation each change stands for: one table,
//! read by the authorizer before any handler runs and by the audit log.
//!
//! - Anyone may ask `/health` and use `/session` (to sign in and out).
//! - A viewer reads everything but the audit log, and runs the "what if" tools.
//! - A deployer also ships: updates services, runs and stops tasks, registers revisions.
//! - An admin may do everything, including what this table does not name: a route added
//!   without an entry needs an admin until someone decides otherwise.

use axum::http::Method;
use berth_shared::access::Role;

/// What an endpoint requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Nothing: anyone may call it.
    Public,
    /// At least this role.
    Role(Role),
}

/// Calls to AWS services other than ECS that changes make, with the role of the change that
/// makes them: the Deploy flow (`…/deploy`, a deployer's) sets the bounds of a service's auto
/// scaling with Application Auto Scaling.
pub const OTHER_CHANGE_ACTIONS: [(&str, Role); 1] = [(
    "application-autoscaling:RegisterScalableTarget",
    Role::Deployer,
)];

/// The changes Berth makes, by method and route: the role each needs and the AWS operation it
/// stands for.
pub const CHANGES: [(Method, &str, Role, &str); 7] = [
    (
        Method::PUT,
        "/api/clusters/{cluster}/services/{service}",
        Role::Deployer,
        "UpdateService",
    ),
    (
        Method::POST,
        "/api/clusters/{cluster}/services/{service}/deploy",
        Role::Deployer,
        // Also RegisterTaskDefinition when the change has a new revision (a deployer's too).
        "UpdateService",
    ),
    (
        Method::POST,
        "/api/clusters/{cluster}/tasks",
        Role::Deployer,
        "RunTask",
    ),
    (
        Method::POST,
        "/api/clusters/{cluster}/tasks/{task}/stop",
        Role::Deployer,
        "StopTask",
    ),
    (
        Method::POST,
        "/api/task-definitions",
        Role::Deployer,
        "RegisterTaskDefinition",
    ),
    (
        Method::POST,
        "/api/clusters/{cluster}/services",
        Role::Admin,
        "CreateService",
    ),
    (
        Method::DELETE,
        "/api/task-definitions/{*id}",
        Role::Admin,
        "DeregisterTaskDefinition",
    ),
];

/// Routes under `/api/` anyone may call.
const PUBLIC: [&str; 2] = ["/api/health", "/api/session"];

/// Reads only admins may make.
const ADMIN_READS: [&str; 1] = ["/api/audit"];

/// Whether a request changes nothing: it reads, or it runs a "what if" tool that only
/// computes (the tools, and a service change's preview).
pub fn changes_nothing(method: &Method, path: &str) -> bool {
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let computes = ["/api/simulate/", "/api/validate/", "/api/estimate/"]
        .iter()
        .any(|prefix| path.starts_with(prefix));
    let segments: Vec<&str> = path.split('/').collect();
    let previews = matches!(
        segments.as_slice(),
        ["", "api", "clusters", _, "services", _, "preview"]
            | ["", "api", "clusters", _, "tasks", "preview"]
            | ["", "api", "clusters", _, "new-service", "preview"]
    );
    reads || (*method == Method::POST && (computes || previews))
}

/// What a request to `route` (its matched route under `/api/`, e.g.
/// `/api/clusters/{cluster}/tasks`) with `method` requires.
pub fn requirement(method: &Method, route: &str) -> Requirement {
    if PUBLIC.contains(&route) {
        return Requirement::Public;
    }
    if ADMIN_READS.contains(&route) {
        return Requirement::Role(Role::Admin);
    }
    if changes_nothing(method, route) {
        return Requirement::Role(Role::Viewer);
    }
    CHANGES
        .iter()
        .find(|(m, r, _, _)| m == method && *r == route)
        .map_or(Requirement::Role(Role::Admin), |(_, _, role, _)| {
            Requirement::Role(*role)
        })
}

/// The AWS operation a change stands for, or `METHOD route` for one the table does not name.
pub fn operation(method: &Method, route: &str) -> String {
    CHANGES
        .iter()
        .find(|(m, r, _, _)| m == method && *r == route)
        .map_or_else(
            || format!("{method} {route}"),
            |(_, _, _, op)| (*op).to_owned(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_endpoint_needs_the_role_the_issue_of_roles_names() {
        use Requirement::{Public, Role as Needs};
        let cases = [
            (Method::GET, "/api/health", Public),
            (Method::POST, "/api/session", Public),
            (Method::DELETE, "/api/session", Public),
            (Method::GET, "/api/clusters/{name}", Needs(Role::Viewer)),
            (Method::GET, "/api/audit", Needs(Role::Admin)),
            (Method::POST, "/api/simulate/{tool}", Needs(Role::Viewer)),
            (Method::POST, "/api/validate/{tool}", Needs(Role::Viewer)),
            (
                Method::PUT,
                "/api/clusters/{cluster}/services/{service}",
                Needs(Role::Deployer),
            ),
            (
                Method::POST,
                "/api/clusters/{cluster}/tasks",
                Needs(Role::Deployer),
            ),
            (Method::POST, "/api/task-definitions", Needs(Role::Deployer)),
            (
                Method::POST,
                "/api/clusters/{cluster}/services",
                Needs(Role::Admin),
            ),
            (
                Method::DELETE,
                "/api/task-definitions/{*id}",
                Needs(Role::Admin),
            ),
            (Method::PATCH, "/api/some-new-route", Needs(Role::Admin)),
        ];
        for (method, route, needs) in cases {
            assert_eq!(requirement(&method, route), needs, "{method} {route}");
        }
    }

    #[test]
    fn changes_are_named_by_their_aws_operation() {
        assert_eq!(
            operation(&Method::POST, "/api/clusters/{cluster}/tasks/{task}/stop"),
            "StopTask"
        );
        assert_eq!(operation(&Method::PATCH, "/api/x"), "PATCH /api/x");
    }
}
