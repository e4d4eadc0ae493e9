//! The preview of the drafted change, as the shared model computes it: headline, problems,
//! definition changes, the rolling plan, whether the new tasks fit, cost, and the AWS calls.

use berth_shared::ops::{
    CostOutput, ServicePreview,
    preview::{PlannedCall, SurgePlacement},
};
use berth_view::deploy::{cost_change, format_usd, headline};
use leptos::prelude::*;

use super::editor::ProblemList;

/// The preview, or nothing while the page loads.
#[component]
pub fn PreviewPanel(
    /// The preview of the change.
    preview: Memo<Option<ServicePreview>>,
) -> impl IntoView {
    move || {
        preview.get().map(|preview| {
            let problems = preview.problems.clone();
            view! {
                <section class="panel deploy-preview" data-testid="preview" aria-live="polite">
                    <h2>"Preview"</h2>
                    <p class="deploy-preview__headline" class:text-bad=preview.blocked data-testid="preview-headline">{headline(&preview)}</p>
                    <ProblemList problems=Signal::stored(problems) testid="preview-problems"/>
                    <Changes preview=preview.clone()/>
                    <Plan preview=preview.clone()/>
                    {preview.placement.clone().map(|placement| view! { <Placement placement/> })}
                    {preview.cost.clone().map(|cost| view! { <Cost cost/> })}
                    <Calls calls=preview.calls.clone() title="What Apply calls"/>
                    <details class="deploy-preview__json">
                        <summary>"This preview as JSON (what POST …/preview answers)"</summary>
                        <pre class="mono" data-testid="preview-json" tabindex="0">{serde_json::to_string_pretty(&preview).unwrap_or_default()}</pre>
                    </details>
                </section>
            }
        })
    }
}

fn compact(value: Option<&serde_json::Value>) -> String {
    value.map_or_else(
        || "–".to_owned(),
        |v| match v {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        },
    )
}

#[component]
fn Changes(preview: ServicePreview) -> impl IntoView {
    (!preview.changes.is_empty()).then(|| {
        view! {
            <h3>{format!("Definition: {} → {}", preview.from_revision, preview.to_revision)}</h3>
            <table class="table table--compact" data-testid="preview-changes">
                <thead><tr><th>"Field"</th><th>"Now"</th><th>"After"</th></tr></thead>
                <tbody>
                    {preview.changes.iter().map(|change| view! {
                        <tr>
                            <td class="mono">{change.path.clone()}</td>
                            <td class="mono diff-cell diff-cell--removed"><div class="diff-cell__value" tabindex="0">{compact(change.before.as_ref())}</div></td>
                            <td class="mono diff-cell diff-cell--added"><div class="diff-cell__value" tabindex="0">{compact(change.after.as_ref())}</div></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    })
}

#[component]
fn Plan(preview: ServicePreview) -> impl IntoView {
    preview.plan.map(|plan| {
        let bounds = format!(
            "{} desired: at least {} healthy ({} %) and at most {} running ({} %) while it rolls{}.",
            plan.desired_count,
            plan.min_healthy_tasks,
            plan.minimum_healthy_percent,
            plan.max_tasks,
            plan.maximum_percent,
            plan.circuit_breaker_threshold
                .map(|t| format!("; the circuit breaker trips after {t} failed launches"))
                .unwrap_or_default()
        );
        view! {
            <h3>"Rolling plan"</h3>
            <p class="explain">{bounds}</p>
            <table class="table table--compact" data-testid="preview-plan">
                <thead><tr>
                    <th class="numeric">"Step"</th><th class="numeric" title="Old tasks stopped">"Stop old"</th>
                    <th class="numeric" title="New tasks started">"Start new"</th><th class="numeric">"Healthy"</th>
                    <th class="numeric" title="Tasks running at most">"Running"</th><th class="plan__words">"What happens"</th>
                </tr></thead>
                <tbody>
                    {plan.steps.iter().map(|step| view! {
                        <tr data-testid="plan-step">
                            <td class="numeric">{step.step}</td>
                            <td class="numeric">{step.stopped_old}</td>
                            <td class="numeric">{step.started_new}</td>
                            <td class="numeric">{step.healthy_tasks}</td>
                            <td class="numeric">{step.total_tasks}</td>
                            <td class="plan__words">{step.description.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="explain" data-testid="plan-outcome">{plan.message}</p>
        }
    })
}

/// Whether new tasks fit on the instances, and the reasons of the first that does not.
#[component]
pub fn Placement(placement: SurgePlacement) -> impl IntoView {
    let fits = placement.placed >= placement.tasks;
    let reasons = placement.first_unplaced.as_ref().map(|explanation| {
        explanation
            .instances
            .iter()
            .filter_map(|verdict| {
                let name = placement.instances.get(verdict.instance)?.clone();
                let rejection = verdict.rejection.as_ref()?;
                Some((name, rejection.detail.clone()))
            })
            .collect::<Vec<_>>()
    });
    view! {
        <h3>"Room on the cluster"</h3>
        <p class="explain" class:text-bad=!fits data-testid="preview-placement">{placement.summary}</p>
        {reasons.filter(|r| !r.is_empty()).map(|reasons| view! {
            <ul class="plain-list reasons" data-testid="placement-reasons">
                {reasons.into_iter().map(|(instance, reason)| view! {
                    <li><span class="mono">{instance}</span>": "{reason}</li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// Cost a month before and after, with the prices' provenance.
#[component]
pub fn Cost(cost: CostOutput) -> impl IntoView {
    {
        let after = cost
            .proposed
            .as_ref()
            .map_or(cost.current.monthly, |p| p.monthly);
        let change = cost.difference.map_or(0.0, |d| d.monthly);
        view! {
            <h3>"Cost"</h3>
            <dl class="facts" data-testid="preview-cost">
                <dt>"Now"</dt><dd>{format!("{} a month", format_usd(cost.current.monthly))}</dd>
                <dt>"After"</dt><dd>{format!("{} a month", format_usd(after))}</dd>
                <dt>"Change"</dt><dd data-testid="cost-change">{cost_change(change)}</dd>
            </dl>
            <p class="muted">{format!(
                "{} prices as of {}, {} hours a month{}{}",
                cost.region,
                cost.prices_as_of,
                cost.hours_per_month,
                if cost.notes.is_empty() { "" } else { "; " },
                cost.notes.join(" ")
            )}</p>
        }
    }
}

/// The AWS calls a change makes, each as a command line.
#[component]
pub fn Calls(calls: Vec<PlannedCall>, title: &'static str) -> impl IntoView {
    view! {
        <h3>{title}</h3>
        <ol class="calls" data-testid="preview-calls">
            {calls.into_iter().map(|call| view! {
                <li>
                    <strong>{call.operation}</strong>
                    <pre class="mono calls__line">{call.command_line}</pre>
                </li>
            }).collect_view()}
        </ol>
    }
}
