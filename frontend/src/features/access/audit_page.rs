//! `/audit`: the audit log for admins: every change asked of this Berth, made or refused, with
//! who asked, newest first, filtered by person, operation, outcome and text. The filters live
//! in the URL (`?who=ana&op=RunTask&outcome=error&q=demo-ec2`), so a view can be linked to.

use berth_shared::access::{AuditLog, AuditRecord, Role};
use berth_view::format::{absolute_time, plural};
use leptos::prelude::*;

use crate::{
    api,
    components::{error_panel::ErrorPanel, server::use_server_health},
    source::encode_query_value,
    url_query::UrlQuery,
};

/// The filter keys of the page's URL and of `GET /api/audit`.
const FILTERS: [(&str, &str); 4] = [
    ("who", "identity"),
    ("op", "operation"),
    ("outcome", "outcome"),
    ("q", "text"),
];

/// The audit page: the log for admins; for anyone else, a sentence and no request.
#[component]
pub fn AuditPage() -> impl IntoView {
    let admin = use_server_health().has_role(Role::Admin);
    view! {
        <Show
            when=move || admin.get()
            fallback=|| view! {
                <div class="page__header"><h1>"Audit log"</h1></div>
                <section class="panel" data-testid="audit-admins-only">
                    <p class="muted">"Only admins read the audit log."</p>
                </section>
            }
        >
            <AuditLogView/>
        </Show>
    }
}

/// The filters and the records, read only once the page knows the session is an admin's.
#[component]
fn AuditLogView() -> impl IntoView {
    let query = UrlQuery::new();
    let values = FILTERS.map(|(key, _)| query.get(key));
    let api_query = Memo::new(move |_| {
        FILTERS
            .iter()
            .zip(values)
            .filter_map(|((_, name), value)| {
                value
                    .get()
                    .map(|v| format!("{name}={}", encode_query_value(&v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    let log = LocalResource::new(move || {
        let query = api_query.get();
        async move { api::audit(&query).await }
    });
    let retry = Callback::new(move |()| log.refetch());
    let field = move |key: &'static str, label: &'static str, placeholder: &'static str| {
        let value = query.get(key);
        view! {
            <label class="field">
                <span class="field__label">{label}</span>
                <input
                    class="field__input"
                    type="search"
                    placeholder=placeholder
                    data-testid=format!("audit-{key}")
                    prop:value=move || value.get().unwrap_or_default()
                    on:input=move |event| query.set(&[(key, Some(event_target_value(&event)))], true)
                />
            </label>
        }
    };
    let outcome = query.get("outcome");
    let content = move || {
        Suspend::new(async move {
            match log.await {
                Ok(log) => view! { <AuditTable log/> }.into_any(),
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <div class="page__header">
            <h1>"Audit log"</h1>
            <button class="button button--quiet" on:click=move |_| log.refetch()>"Refresh"</button>
        </div>
        <section class="panel toolbar toolbar--filters" data-testid="audit-filters">
            {field("who", "Who", "name")}
            {field("op", "Operation", "RunTask, UpdateService…")}
            <label class="field">
                <span class="field__label">"Outcome"</span>
                <select
                    class="field__input"
                    data-testid="audit-outcome"
                    prop:value=move || outcome.get().unwrap_or_default()
                    on:change=move |event| query.set(&[("outcome", Some(event_target_value(&event)))], true)
                >
                    <option value="">"Any"</option>
                    <option value="ok">"Made"</option>
                    <option value="error">"Refused or failed"</option>
                </select>
            </label>
            {field("q", "Mentions", "cluster, service, task…")}
        </section>
        <Transition fallback=|| view! { <section class="panel card--skeleton" aria-busy="true" data-testid="loading"></section> }>
            {content}
        </Transition>
    }
}

/// The records found.
#[component]
fn AuditTable(
    /// What the API returned.
    log: AuditLog,
) -> impl IntoView {
    if log.records.is_empty() {
        return view! {
            <section class="panel panel--empty" data-testid="audit-empty">
                <h2>"No change recorded"</h2>
                <p>"Nothing matches these filters: every change asked of this Berth, made or refused, appears here."</p>
            </section>
        }
        .into_any();
    }
    let summary = if log.matched > log.records.len() {
        format!(
            "The newest {} of {} matching changes",
            log.records.len(),
            log.matched
        )
    } else {
        format!("{} matching", plural(log.matched, "change", "changes"))
    };
    let rows = log.records.into_iter().map(audit_row).collect_view();
    view! {
        <section class="panel panel--flush" data-testid="audit">
            <div class="toolbar"><p class="muted" data-testid="audit-summary">{summary}</p></div>
            <table class="table">
                    <thead>
                        <tr>
                            <th>"When"</th><th>"Who"</th><th>"Operation"</th><th>"On"</th>
                            <th>"Source"</th><th>"Outcome"</th><th>"AWS request id"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
        </section>
    }
    .into_any()
}

fn audit_row(record: AuditRecord) -> impl IntoView {
    let made = record.succeeded();
    let outcome = if made {
        format!("Made · HTTP {}", record.status)
    } else {
        let why = record
            .message
            .clone()
            .or(record.error.clone())
            .unwrap_or_default();
        format!("Refused · HTTP {} · {why}", record.status)
    };
    view! {
        <tr data-testid="audit-row">
            <td class="nowrap">{absolute_time(record.time)}</td>
            <td>
                <strong>{record.identity.clone()}</strong>
                <span class="muted">{format!(" · {} · {}", record.role, record.via.as_str())}</span>
            </td>
            <td class="mono">{record.operation.clone()}</td>
            <td class="mono">{record.path.clone()}</td>
            <td class="mono">{record.source.to_string()}</td>
            <td class:cell--bad=!made data-testid="audit-outcome-cell">{outcome}</td>
            <td class="mono">{record.request_id.unwrap_or_else(|| "–".to_owned())}</td>
        </tr>
    }
}
