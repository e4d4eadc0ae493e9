//! The service page's scaling and utilization: how Application Auto Scaling changes the
//! desired count (its scalable target, policies and scheduled actions, in words), and the
//! service's CPU and memory utilization from CloudWatch over a window kept in the URL
//! (`?metrics=minutes`), drawn against the targets its policies hold.

use berth_shared::autoscaling::{
    DEFAULT_METRICS_MINUTES, MetricSeries, ServiceMetrics, ServiceScaling,
};
use berth_view::words;
use leptos::prelude::*;

use crate::{
    api,
    components::{
        error_panel::ErrorPanel,
        help::{Concept, Help},
        live::ClusterStream,
    },
    url_query::UrlQuery,
};

/// Query key of the utilization window, in minutes.
const METRICS_KEY: &str = "metrics";
/// Windows offered, in minutes, with their labels.
const WINDOWS: [(i64, &str); 4] = [(60, "1 h"), (180, "3 h"), (720, "12 h"), (1440, "24 h")];

/// The service's scalable target, policies and scheduled actions, following the live stream.
#[component]
pub fn ScalingPanel(
    /// The service's name.
    name: Signal<String>,
    /// The cluster's live snapshot.
    stream: ClusterStream,
) -> impl IntoView {
    let scaling = Memo::new(move |_| {
        let name = name.get();
        stream.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.scaling.iter().find(|x| x.service_name == name).cloned())
        })
    });
    view! {
        <section class="panel" data-testid="scaling">
            <h2>"Auto scaling"<Help concept=Concept::ServiceAutoScaling/></h2>
            {move || match scaling.get() {
                None => view! {
                    <p class="muted" data-testid="scaling-none">
                        "Not auto scaled: the desired count changes only when someone sets it."
                    </p>
                }
                .into_any(),
                Some(scaling) => scaling_details(scaling).into_any(),
            }}
        </section>
    }
}

fn scaling_details(scaling: ServiceScaling) -> impl IntoView {
    let policies = scaling
        .scaling_policies
        .iter()
        .map(|policy| {
            let kind = match policy.policy_type.as_str() {
                "TargetTrackingScaling" => "target tracking",
                "StepScaling" => "step",
                other => other,
            }
            .to_owned();
            view! {
                <li class="scaling__item" data-testid="scaling-policy">
                    <span class="mono scaling__name">{policy.policy_name.clone()}</span>
                    <span class="chip">{kind}</span>
                    <p class="explain">{words::scaling_policy(policy)}</p>
                </li>
            }
        })
        .collect_view();
    let actions = scaling
        .scheduled_actions
        .iter()
        .map(|action| {
            view! {
                <li class="scaling__item" data-testid="scheduled-action">
                    <span class="mono scaling__name">{action.scheduled_action_name.clone()}</span>
                    <p class="explain">{words::scheduled_action(action)}</p>
                </li>
            }
        })
        .collect_view();
    let no_policies = scaling.scaling_policies.is_empty();
    let no_actions = scaling.scheduled_actions.is_empty();
    view! {
        <p class="explain" data-testid="scaling-target">{words::scalable_target(&scaling.scalable_target)}</p>
        <h3>"Policies"</h3>
        {if no_policies {
            view! { <p class="muted">"No policies: only scheduled actions move the count."</p> }.into_any()
        } else {
            view! { <ul class="plain-list scaling">{policies}</ul> }.into_any()
        }}
        <h3>"Scheduled actions"</h3>
        {if no_actions {
            view! { <p class="muted">"None."</p> }.into_any()
        } else {
            view! { <ul class="plain-list scaling">{actions}</ul> }.into_any()
        }}
    }
}

/// CPU and memory utilization charts with a window picker.
#[component]
pub fn UtilizationPanel(
    /// The cluster's name.
    cluster: Signal<String>,
    /// The service's name.
    name: Signal<String>,
    /// The cluster's live snapshot (for the policies' targets).
    stream: ClusterStream,
) -> impl IntoView {
    let query = UrlQuery::new();
    let chosen = query.get(METRICS_KEY);
    let minutes = Memo::new(move |_| {
        chosen
            .get()
            .and_then(|m| m.parse::<i64>().ok())
            .filter(|m| WINDOWS.iter().any(|(w, _)| w == m))
            .unwrap_or(DEFAULT_METRICS_MINUTES)
    });
    let choose = move |window: i64| query.set(&[(METRICS_KEY, Some(window.to_string()))], true);
    let targets = Memo::new(move |_| {
        let name = name.get();
        stream.snapshot.with(|s| {
            let scaling = s
                .as_ref()
                .and_then(|s| s.scaling.iter().find(|x| x.service_name == name));
            (
                scaling.and_then(|s| s.target_value("ECSServiceAverageCPUUtilization")),
                scaling.and_then(|s| s.target_value("ECSServiceAverageMemoryUtilization")),
            )
        })
    });
    let metrics = LocalResource::new(move || {
        let (cluster, name, minutes) = (cluster.get(), name.get(), minutes.get());
        async move { api::service_metrics(&cluster, &name, minutes).await }
    });
    let retry = Callback::new(move |()| metrics.refetch());
    let charts = move || {
        Suspend::new(async move {
            match metrics.await {
                Ok(metrics) => view! { <Charts metrics targets/> }.into_any(),
                Err(error) => view! { <ErrorPanel error on_retry=retry/> }.into_any(),
            }
        })
    };
    view! {
        <section class="panel" data-testid="utilization">
            <div class="toolbar toolbar--plain">
                <h2>"Utilization"</h2>
                <div class="segmented" role="group" aria-label="Window">
                    {WINDOWS.map(|(window, label)| view! {
                        <button
                            type="button"
                            class="segmented__item"
                            aria-pressed=move || (minutes.get() == window).to_string()
                            data-testid=format!("window-{window}")
                            on:click=move |_| choose(window)
                        >
                            {label}
                        </button>
                    })}
                </div>
                <button type="button" class="button button--quiet" on:click=move |_| metrics.refetch()>"Refresh"</button>
            </div>
            <Transition fallback=|| view! { <div class="chart chart--loading" aria-busy="true"></div> }>
                {charts}
            </Transition>
        </section>
    }
}

#[component]
fn Charts(metrics: ServiceMetrics, targets: Memo<(Option<f64>, Option<f64>)>) -> impl IntoView {
    let series = |metric: &str, statistic: &str| {
        metrics
            .series
            .iter()
            .find(|s| s.metric_name == metric && s.statistic == statistic)
            .cloned()
    };
    let window = (metrics.start_time.0, metrics.end_time.0);
    let minutes = (window.1 - window.0) / 60_000;
    let cpu = (
        series("CPUUtilization", "Average"),
        series("CPUUtilization", "Maximum"),
    );
    let memory = (
        series("MemoryUtilization", "Average"),
        series("MemoryUtilization", "Maximum"),
    );
    view! {
        <div class="columns">
            <Chart title="CPU" testid="cpu-chart" average=cpu.0 maximum=cpu.1 window minutes target=Signal::derive(move || targets.get().0)/>
            <Chart title="Memory" testid="memory-chart" average=memory.0 maximum=memory.1 window minutes target=Signal::derive(move || targets.get().1)/>
        </div>
        <p class="muted chart__note">
            {format!(
                "Percent of what the service's tasks reserve, one point per {} (CloudWatch AWS/ECS).",
                if metrics.period_seconds >= 120 { format!("{} minutes", metrics.period_seconds / 60) } else { "minute".to_owned() }
            )}
        </p>
    }
}

/// Plot area of a chart, in SVG units.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 34.0;
const TOP: f64 = 8.0;

/// One utilization chart: the average as a line, the maximum as a band edge, a policy's target
/// as a dashed line.
#[component]
fn Chart(
    title: &'static str,
    testid: &'static str,
    average: Option<MetricSeries>,
    maximum: Option<MetricSeries>,
    window: (i64, i64),
    minutes: i64,
    target: Signal<Option<f64>>,
) -> impl IntoView {
    let x = move |t: i64| {
        let span = (window.1 - window.0).max(1) as f64;
        LEFT + (t - window.0) as f64 / span * WIDTH
    };
    let y = |v: f64| TOP + HEIGHT - v.clamp(0.0, 100.0) / 100.0 * HEIGHT;
    let line = |series: &Option<MetricSeries>| {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .map(|p| format!("{:.1},{:.1}", x(p.timestamp.0), y(p.value)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let latest = |series: &Option<MetricSeries>| {
        series
            .as_ref()
            .and_then(|s| s.points.last())
            .map(|p| p.value)
    };
    let caption = match (latest(&average), latest(&maximum)) {
        (Some(avg), Some(max)) => format!("{avg:.0}% average, {max:.0}% peak in the last period"),
        (Some(avg), None) => format!("{avg:.0}% average in the last period"),
        _ => "No data in this window".to_owned(),
    };
    let empty = average.as_ref().is_none_or(|s| s.points.is_empty());
    let window_label = WINDOWS.iter().find(|(w, _)| *w == minutes).map_or_else(
        || format!("{minutes} min"),
        |(_, label)| (*label).to_owned(),
    );
    let grid = [0.0, 25.0, 50.0, 75.0, 100.0].map(|v| {
        view! {
            <line class="chart__grid" x1=LEFT x2=LEFT + WIDTH y1=y(v) y2=y(v)/>
            <text class="chart__axis" x=LEFT - 6.0 y=y(v) + 3.5 text-anchor="end">{format!("{v:.0}")}</text>
        }
    });
    view! {
        <figure class="chart" data-testid=testid>
            <figcaption class="chart__title">
                <strong>{title}</strong>
                <span class="muted" data-testid="chart-latest">{caption}</span>
            </figcaption>
            <svg class="chart__svg" viewBox=format!("0 0 {} {}", LEFT + WIDTH + 4.0, TOP + HEIGHT + 20.0) role="img" aria-label=format!("{title} utilization over the last {window_label}")>
                {grid}
                <polyline class="chart__max" points=line(&maximum)/>
                <polyline class="chart__avg" points=line(&average)/>
                {move || target.get().map(|t| view! {
                    <line class="chart__target" x1=LEFT x2=LEFT + WIDTH y1=y(t) y2=y(t) data-testid="chart-target"/>
                    <text class="chart__target-label" x=LEFT + WIDTH - 4.0 y=y(t) - 4.0 text-anchor="end">{format!("target {t:.0}%")}</text>
                })}
                <text class="chart__axis" x=LEFT y=TOP + HEIGHT + 15.0>{format!("{window_label} ago")}</text>
                <text class="chart__axis" x=LEFT + WIDTH y=TOP + HEIGHT + 15.0 text-anchor="end">"now"</text>
            </svg>
            {empty.then(|| view! {
                <p class="muted chart__empty">"CloudWatch has no points for this window: the service ran no tasks, or Container Insights and ECS metrics are not being published."</p>
            })}
            <ul class="chart__legend">
                <li><span class="chart__key chart__key--avg"></span>"average"</li>
                <li><span class="chart__key chart__key--max"></span>"maximum"</li>
                {move || target.get().is_some().then(|| view! { <li><span class="chart__key chart__key--target"></span>"policy target"</li> })}
            </ul>
        </figure>
    }
}
