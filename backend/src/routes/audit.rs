//! `GET /api/audit?identity=&operation=&text=&outcome=ok|error&limit=N`: the audit log's
//! records, newest first (admins only; see [`crate::audit`]).

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::get,
};
use berth_shared::access::AuditLog;

use crate::{AppState, audit::AuditFilter, error::ApiError};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit_log))
}

async fn audit_log(
    State(state): State<AppState>,
    Query(filter): Query<AuditFilter>,
) -> Result<Json<AuditLog>, ApiError> {
    filter.check()?;
    Ok(Json(state.audit.read(filter).await?))
}
