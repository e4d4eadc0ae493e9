//! The side-by-side comparison of two revisions of a family: the line diff of their
//! pretty-printed JSON (`berth_shared::diff`), unchanged stretches folded, and a sentence
//! naming the changed fields.

use berth_view::diff::{Diff, Line, Row, diff};
use leptos::prelude::*;

use crate::{
    api::{self, ClientError},
    components::error_panel::ErrorPanel,
};
use berth_view::task_definitions::{DiffItem, diff_summary, fold_unchanged, pretty_json};

/// Unchanged lines kept around each change.
const CONTEXT: usize = 3;

/// Loads both revisions and draws their differences.
#[component]
pub fn CompareView(
    /// Family name.
    family: String,
    /// The older (left) revision.
    old: i64,
    /// The newer (right) revision.
    new: i64,
) -> impl IntoView {
    let ids = (format!("{family}:{old}"), format!("{family}:{new}"));
    let pair = LocalResource::new(move || {
        let (a, b) = ids.clone();
        async move {
            let a = api::task_definition(&a).await?;
            let b = api::task_definition(&b).await?;
            Ok::<_, ClientError>((pretty_json(&a), pretty_json(&b)))
        }
    });
    let retry = Callback::new(move |()| pair.refetch());
    let content = move || {
        let family = family.clone();
        Suspend::new(async move {
            match pair.await {
                Ok((a, b)) => {
                    let diff = diff(&a, &b);
                    view! { <DiffTable family old new diff/> }.into_any()
                }
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <Transition fallback=|| view! { <section class="panel card--skeleton" aria-busy="true"></section> }>
            {content}
        </Transition>
    }
}

/// The summary and the two columns.
#[component]
fn DiffTable(
    /// Family name.
    family: String,
    /// The older (left) revision.
    old: i64,
    /// The newer (right) revision.
    new: i64,
    /// The comparison.
    diff: Diff,
) -> impl IntoView {
    let summary = diff_summary(&diff);
    let changed = diff.changed_rows();
    let items = fold_unchanged(&diff, CONTEXT)
        .into_iter()
        .map(|item| match item {
            DiffItem::Row(index) => row_view(&diff.rows[index]).into_any(),
            DiffItem::Fold(count) => view! {
                <tr class="td-diff__fold">
                    <td colspan="4">{if count == 1 { "1 unchanged line".to_owned() } else { format!("{count} unchanged lines") }}</td>
                </tr>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <section class="panel td-diff-panel" data-testid="diff">
            <div class="td-panel__head">
                <h2>{format!("{family}: revision {old} → revision {new}")}</h2>
            </div>
            <p class="td-diff__summary" data-testid="diff-summary">{summary}</p>
            <p class="muted td-small">
                {format!("{changed} lines differ. ")}
                <span class="td-key td-key--removed">"removed"</span>" "
                <span class="td-key td-key--changed">"changed"</span>" "
                <span class="td-key td-key--added">"added"</span>
            </p>
            <div class="td-diff__scroll">
                <table class="td-diff mono">
                    <colgroup><col class="td-diff__num"/><col/><col class="td-diff__num"/><col/></colgroup>
                    <thead>
                        <tr>
                            <th colspan="2">{format!("Revision {old}")}</th>
                            <th colspan="2">{format!("Revision {new}")}</th>
                        </tr>
                    </thead>
                    <tbody>{items}</tbody>
                </table>
            </div>
        </section>
    }
}

fn row_view(row: &Row) -> impl IntoView + use<> {
    let kind = row.kind.as_str();
    let side = |line: &Option<Line>| match line {
        Some(line) => (line.number.to_string(), line.text.clone()),
        None => (String::new(), String::new()),
    };
    let (left_number, left) = side(&row.left);
    let (right_number, right) = side(&row.right);
    view! {
        <tr class=format!("td-diff__row td-diff__row--{kind}") data-kind=kind data-testid="diff-row">
            <td class="td-diff__n">{left_number}</td>
            <td class="td-diff__old">{left}</td>
            <td class="td-diff__n">{right_number}</td>
            <td class="td-diff__new">{right}</td>
        </tr>
    }
}
