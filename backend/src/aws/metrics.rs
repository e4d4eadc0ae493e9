//! Service utilization through `aws-sdk-cloudwatch`: one `GetMetricData` call asks for the
//! average and maximum of `CPUUtilization` and `MemoryUtilization` (namespace `AWS/ECS`,
//! dimensions `ClusterName` and `ServiceName`) over the window, following `NextToken` when
//! CloudWatch splits the answer.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::{
    Client,
    primitives::DateTime,
    types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy},
};
use berth_shared::{
    autoscaling::{
        ECS_METRICS_NAMESPACE, MetricDatum, MetricSeries, MetricsWindow, SERVICE_METRICS,
        SERVICE_STATISTICS, ServiceMetrics,
    },
    time::Timestamp,
};

use super::{convert::time, map_sdk_error};
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
            MetricDataQuery::builder()
                .id(id)
                .metric_stat(
                    MetricStat::builder()
                        .metric(
                            Metric::builder()
                                .namespace(ECS_METRICS_NAMESPACE)
                                .metric_name(metric)
                                .dimensions(dimension("ClusterName", cluster_name))
                                .dimensions(dimension("ServiceName", service_name))
                                .build(),
                        )
                        .period(i32::try_from(period_seconds).unwrap_or(60))
                        .stat(statistic)
                        .build(),
                )
                .return_data(true)
                .build()
        })
        .collect::<Vec<_>>();
    let mut points: BTreeMap<String, Vec<MetricDatum>> = BTreeMap::new();
    let mut next_token = None;
    loop {
        let page = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(date_time(start))
            .end_time(date_time(end))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_sdk_error("cloudwatch:GetMetricData", e))?;
        for result in page.metric_data_results() {
            let series = points
                .entry(result.id().unwrap_or_default().to_owned())
                .or_default();
            series.extend(result.timestamps().iter().zip(result.values()).filter_map(
                |(at, value)| {
                    Some(MetricDatum {
                        timestamp: time(Some(at))?,
                        value: *value,
                    })
                },
            ));
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    let series = series_keys()
        .map(|(id, metric, statistic)| {
            let mut points = points.remove(&id).unwrap_or_default();
            points.sort_by_key(|p| p.timestamp);
            points.dedup_by_key(|p| p.timestamp);
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
