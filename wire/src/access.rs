//! Who may do what through Berth: roles, the signed-in session, sign-in requests and the audit
//! log's records.
//!
//! The server decides (it checks a request's role before any handler runs); the console reads
//! the same [`Role`] to offer only what the server would allow.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{sources::SourceId, time::Timestamp};

/// What a signed-in person may do. Each role may do everything the one before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything and runs the "what if" tools; changes nothing.
    Viewer,
    /// Also ships: updates services, runs and stops tasks, registers task-definition revisions.
    Deployer,
    /// Everything: also creates services, deregisters revisions and reads the audit log.
    Admin,
}

impl Role {
    /// Every role, least first.
    pub const ALL: [Self; 3] = [Self::Viewer, Self::Deployer, Self::Admin];

    /// Whether this role includes `needed`.
    pub fn includes(self, needed: Self) -> bool {
        self >= needed
    }

    /// The lowercase name (`viewer`, `deployer`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Deployer => "deployer",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| format!("{text:?} is not a role: use viewer, deployer or admin"))
    }
}

/// How a request proved who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignedInVia {
    /// No sign-in is configured: the server serves loopback only, to whoever runs it.
    Loopback,
    /// An API token sent as `Authorization: Bearer …`.
    Token,
    /// The session cookie the sign-in page set in exchange for a token.
    Session,
    /// An identity header set by a trusted reverse proxy (for example an ALB with OIDC).
    Proxy,
}

impl SignedInVia {
    /// The lowercase name (`loopback`, `token`, `session`, `proxy`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::Token => "token",
            Self::Session => "session",
            Self::Proxy => "proxy",
        }
    }
}

/// `GET /api/session`: who the request is from and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The token's name, the proxy's identity, or the server's user on loopback.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// How they proved it.
    pub via: SignedInVia,
    /// Whether this server requires sign-in (false: loopback only, nobody signs in).
    pub sign_in_required: bool,
    /// With a session cookie, the token every change must carry in the `X-Berth-Csrf` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// Whether the server was started with `--read-only` (every change refused whatever the role).
    #[serde(default)]
    pub read_only: bool,
}

impl Session {
    /// Whether this session may make a change that needs `role` (never on a read-only server).
    pub fn may_change(&self, role: Role) -> bool {
        !self.read_only && self.role.includes(role)
    }
}

/// `POST /api/session`: exchange an API token for a session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignIn {
    /// The token `berth token create` printed.
    pub token: String,
}

/// The header carrying a cookie session's CSRF token on every change.
pub const CSRF_HEADER: &str = "x-berth-csrf";

/// One change (or refused attempt) in the audit log: a line of JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// When the answer was given.
    pub time: Timestamp,
    /// Who: a token's name, a proxy identity, or the server's user on loopback.
    pub identity: String,
    /// Their role when they asked.
    pub role: Role,
    /// How they signed in.
    pub via: SignedInVia,
    /// The account and region changed (`sandbox`, `aws:eu-west-1`).
    pub source: SourceId,
    /// The AWS operation it stands for (`UpdateService`, `RunTask`, …).
    pub operation: String,
    /// HTTP method and path of the request.
    pub method: String,
    /// The request path, naming the cluster, service, task or revision.
    pub path: String,
    /// The body of the request as sent, with environment values and secrets left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<serde_json::Value>,
    /// HTTP status of the answer.
    pub status: u16,
    /// The error code when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error's message when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// AWS's request id, when AWS answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl AuditRecord {
    /// Whether the change was made (a 2xx answer).
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// `GET /api/audit`: the newest records first, filtered as asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    /// Matching records, newest first, at most the `limit` asked for.
    pub records: Vec<AuditRecord>,
    /// How many records matched in all (more than `records.len()` when cut at the limit).
    pub matched: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_ones_before_it() {
        let cases = [
            (Role::Viewer, Role::Viewer, true),
            (Role::Viewer, Role::Deployer, false),
            (Role::Deployer, Role::Viewer, true),
            (Role::Deployer, Role::Admin, false),
            (Role::Admin, Role::Deployer, true),
        ];
        for (role, needed, included) in cases {
            assert_eq!(role.includes(needed), included, "{role} needs {needed}");
        }
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn a_read_only_server_allows_no_change_whatever_the_role() {
        let mut session = Session {
            name: "ana".to_owned(),
            role: Role::Admin,
            via: SignedInVia::Token,
            sign_in_required: true,
            csrf_token: None,
            read_only: false,
        };
        assert!(session.may_change(Role::Deployer));
        session.read_only = true;
        assert!(!session.may_change(Role::Deployer));
    }
}
