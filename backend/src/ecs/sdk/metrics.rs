//! ECS metrics through `aws-sdk-cloudwatch` (namespace `AWS/ECS`), each read with as few
//! `GetMetricData` calls as CloudWatch allows (500 queries per call, `NextToken` followed):
//! - a service's utilization: the average and maximum of `CPUUtilization` and
//!   `MemoryUtilization` (dimensions `ClusterName` and `ServiceName`) over the window, one call;
//! - clusters' reservation: the latest one-minute average of `CPUReservation` and
//!   `MemoryReservation` (dimension `ClusterName`) in the last [`RESERVATION_LOOKBACK_MINUTES`],
//!   one call per 250 clusters.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::{
    Client,
    primitives::DateTime,
    types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy},
};
use berth_shared::{
    api::ClusterReservation,
    autoscaling::{
        ECS_METRICS_NAMESPACE, MetricDatum, MetricSeries, MetricsWindow, SERVICE_METRICS,
        SERVICE_STATISTICS, ServiceMetrics,
    },
    time::Timestamp,
};

use super::{all_pages, from_sdk::time, map_sdk_error};
use crate::error::SourceError;

/// A service's utilization over `window`.
pub(super) async fn service_metrics(
    client: &Client,
    cluster_name: &str,
    service_name: &str,
    window: MetricsWindow,
) -> Result<ServiceMetrics, SourceError> {
    let MetricsWindow {
        start,
        end,
        period_seconds,
    } = window;
    let queries = series_keys()
        .map(|(id, metric, statistic)| {
            query(
                id,
                metric,
                vec![
                    dimension("ClusterName", cluster_name),
                    dimension("ServiceName", service_name),
                ],
                period_seconds,
                statistic,
            )
        })
        .collect();
    let mut points = metric_data(client, queries, start, end).await?;
    let series = series_keys()
        .map(|(id, metric, statistic)| {
            let points = points.remove(&id).unwrap_or_default();
            MetricSeries {
                metric_name: metric.to_owned(),
                statistic: statistic.to_owned(),
                unit: "Percent".to_owned(),
                points,
            }
        })
        .collect();
    Ok(ServiceMetrics {
        cluster_name: cluster_name.to_owned(),
        service_name: service_name.to_owned(),
        period_seconds,
        start_time: start,
        end_time: end,
        series,
    })
}

/// How far back the latest reservation point is looked for.
const RESERVATION_LOOKBACK_MINUTES: i64 = 10;
/// `GetMetricData` takes at most 500 queries; each cluster needs two.
const CLUSTERS_PER_CALL: usize = 250;

/// The latest CPU and memory reservation of each cluster, in the order of `cluster_names`.
pub(super) async fn cluster_reservations(
    client: &Client,
    cluster_names: &[&str],
    now: Timestamp,
) -> Result<Vec<ClusterReservation>, SourceError> {
    let end = Timestamp(now.0.div_euclid(60_000) * 60_000);
    let start = Timestamp(end.0 - RESERVATION_LOOKBACK_MINUTES * 60_000);
    let mut reservations = Vec::with_capacity(cluster_names.len());
    for batch in cluster_names.chunks(CLUSTERS_PER_CALL) {
        let queries = batch
            .iter()
            .enumerate()
            .flat_map(|(index, cluster)| {
                [("cpu", "CPUReservation"), ("memory", "MemoryReservation")].map(|(key, metric)| {
                    query(
                        format!("c{index}_{key}"),
                        metric,
                        vec![dimension("ClusterName", cluster)],
                        60,
                        "Average",
                    )
                })
            })
            .collect();
        let points = metric_data(client, queries, start, end).await?;
        let latest = |id: String| points.get(&id).and_then(|p| p.last()).map(|p| p.value);
        reservations.extend(
            batch
                .iter()
                .enumerate()
                .map(|(index, cluster)| ClusterReservation {
                    cluster_name: (*cluster).to_owned(),
                    cpu_reservation: latest(format!("c{index}_cpu")),
                    memory_reservation: latest(format!("c{index}_memory")),
                }),
        );
    }
    Ok(reservations)
}

/// Runs `queries` over `[start, end)` and returns each query's points by id, in time order.
async fn metric_data(
    client: &Client,
    queries: Vec<MetricDataQuery>,
    start: Timestamp,
    end: Timestamp,
) -> Result<BTreeMap<String, Vec<MetricDatum>>, SourceError> {
    let pages = all_pages(|next_token| {
        let request = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(date_time(start))
            .end_time(date_time(end))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(next_token);
        async move {
            let page = request
                .send()
                .await
                .map_err(|e| map_sdk_error("cloudwatch:GetMetricData", &[], e))?;
            Ok((
                page.metric_data_results().to_vec(),
                page.next_token().map(str::to_owned),
            ))
        }
    })
    .await?;
    let mut points: BTreeMap<String, Vec<MetricDatum>> = BTreeMap::new();
    for result in &pages {
        let series = points
            .entry(result.id().unwrap_or_default().to_owned())
            .or_default();
        series.extend(
            result
                .timestamps()
                .iter()
                .zip(result.values())
                .filter_map(|(at, value)| {
                    Some(MetricDatum {
                        timestamp: time(Some(at))?,
                        value: *value,
                    })
                }),
        );
    }
    for series in points.values_mut() {
        series.sort_by_key(|p| p.timestamp);
        series.dedup_by_key(|p| p.timestamp);
    }
    Ok(points)
}

/// One `GetMetricData` query of an `AWS/ECS` metric.
fn query(
    id: String,
    metric: &str,
    dimensions: Vec<Dimension>,
    period_seconds: i64,
    statistic: &str,
) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(ECS_METRICS_NAMESPACE)
                        .metric_name(metric)
                        .set_dimensions(Some(dimensions))
                        .build(),
                )
                .period(i32::try_from(period_seconds).unwrap_or(60))
                .stat(statistic)
                .build(),
        )
        .return_data(true)
        .build()
}

/// (query id, metric, statistic) for every series, in the order they are returned.
fn series_keys() -> impl Iterator<Item = (String, &'static str, &'static str)> {
    SERVICE_METRICS.into_iter().flat_map(|metric| {
        SERVICE_STATISTICS.into_iter().map(move |statistic| {
            (
                format!("{}_{}", metric.to_lowercase(), statistic.to_lowercase()),
                metric,
                statistic,
            )
        })
    })
}

fn dimension(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

fn date_time(at: Timestamp) -> DateTime {
    DateTime::from_millis(at.0)
}
