//! Simulated CloudWatch utilization of the sandbox's services.
//!
//! The sandbox has no real workload, so it makes one up, deterministically: every point is a
//! pure function of the service's ARN and the period's start, so two reads of the same window
//! agree and a page refresh does not redraw a different past. The shape (MODEL, chosen to look
//! like a web service's day):
//! - A base load per service, between 15 % and 50 % CPU; a service with a target-tracking
//!   policy hovers just under its target instead (the policy keeps it there).
//! - A daily wave of ±30 % of the base, peaking at a service-specific hour, plus noise of a few
//!   points; memory is steadier (a third of CPU's wave and noise) around its own base.
//! - `Maximum` is the average plus a per-period spike of 5–20 points; both are clamped to
//!   0–100.
//! - A service with no running task reports no points, as CloudWatch does.

use berth_shared::{
    autoscaling::{
        MetricDatum, MetricSeries, MetricsWindow, SERVICE_METRICS, SERVICE_STATISTICS,
        ServiceMetrics, ServiceScaling,
    },
    ecs::Service,
    ops::scaling::PREDEFINED_METRICS,
    time::Timestamp,
};

use super::ids::{fnv1a, mix};

const DAY_MS: f64 = 86_400_000.0;

/// The utilization of `service` over `window`.
pub fn service_metrics(
    cluster_name: &str,
    service: &Service,
    scaling: Option<&ServiceScaling>,
    window: MetricsWindow,
) -> ServiceMetrics {
    let identity = fnv1a(service.service_arn.as_bytes());
    let running = service.running_count > 0;
    let series = SERVICE_METRICS
        .into_iter()
        .enumerate()
        .flat_map(|(metric_index, metric)| {
            let profile = Profile::new(identity, metric_index, target_of(scaling, metric));
            SERVICE_STATISTICS.into_iter().map(move |statistic| {
                let points = if running {
                    window
                        .periods()
                        .map(|at| MetricDatum {
                            timestamp: at,
                            value: profile.value(at, statistic == "Maximum"),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                MetricSeries {
                    metric_name: metric.to_owned(),
                    statistic: statistic.to_owned(),
                    unit: "Percent".to_owned(),
                    points,
                }
            })
        })
        .collect();
    ServiceMetrics {
        cluster_name: cluster_name.to_owned(),
        service_name: service.service_name.clone(),
        period_seconds: window.period_seconds,
        start_time: window.start,
        end_time: window.end,
        series,
    }
}

/// The target value of a target-tracking policy on `metric`, if the service has one.
fn target_of(scaling: Option<&ServiceScaling>, metric: &str) -> Option<f64> {
    let predefined = match metric {
        "CPUUtilization" => PREDEFINED_METRICS[0],
        "MemoryUtilization" => PREDEFINED_METRICS[1],
        _ => return None,
    };
    scaling?.target_value(predefined)
}

/// One metric's made-up behaviour.
#[derive(Debug, Clone, Copy)]
struct Profile {
    seed: u64,
    base: f64,
    wave: f64,
    noise: f64,
    peak_ms: f64,
}

impl Profile {
    fn new(identity: u64, metric_index: usize, target: Option<f64>) -> Self {
        let seed = mix(identity ^ (metric_index as u64 + 1));
        let steadiness = if metric_index == 0 { 1.0 } else { 1.0 / 3.0 };
        let base = target.map_or_else(|| 15.0 + unit(seed) * 35.0, |t| t * 0.85);
        Self {
            seed,
            base,
            wave: 0.3 * base * steadiness,
            noise: 4.0 * steadiness,
            peak_ms: unit(mix(seed)) * DAY_MS,
        }
    }

    fn value(&self, at: Timestamp, maximum: bool) -> f64 {
        let phase = (at.0 as f64 - self.peak_ms) / DAY_MS * std::f64::consts::TAU;
        let point = mix(self.seed ^ at.0.cast_unsigned());
        let average = self.base + self.wave * phase.cos() + (unit(point) - 0.5) * 2.0 * self.noise;
        let value = if maximum {
            average + 5.0 + unit(mix(point)) * 15.0
        } else {
            average
        };
        (value.clamp(0.0, 100.0) * 10.0).round() / 10.0
    }
}

/// `x` as a fraction in [0, 1).
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use berth_shared::autoscaling::DEFAULT_METRICS_MINUTES;

    use super::*;
    use crate::sandbox::seed::demo_fleet;

    fn window() -> MetricsWindow {
        MetricsWindow::ending_at(Timestamp(1_760_000_000_000), DEFAULT_METRICS_MINUTES)
    }

    #[test]
    fn every_point_is_a_percentage_and_the_maximum_is_at_least_the_average() {
        let fleet = demo_fleet(Timestamp(1_760_000_000_000));
        for cluster in &fleet.clusters {
            for service in &cluster.services {
                let scaling = cluster
                    .scaling
                    .iter()
                    .find(|s| s.service_name == service.service_name);
                let metrics = service_metrics(&cluster.name, service, scaling, window());
                assert_eq!(metrics.series.len(), 4);
                for pair in metrics.series.chunks(2) {
                    let (average, maximum) = (&pair[0], &pair[1]);
                    for (a, m) in average.points.iter().zip(&maximum.points) {
                        assert!((0.0..=100.0).contains(&a.value), "{a:?}");
                        assert!(m.value >= a.value, "{m:?} < {a:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_same_window_reads_the_same_points_and_idle_services_have_none() {
        let fleet = demo_fleet(Timestamp(1_760_000_000_000));
        let cluster = &fleet.clusters[0];
        let busy = cluster
            .services
            .iter()
            .find(|s| s.running_count > 0)
            .unwrap();
        let first = service_metrics(&cluster.name, busy, None, window());
        assert_eq!(first, service_metrics(&cluster.name, busy, None, window()));
        assert_eq!(first.series[0].points.len(), 180);
        let mut idle = busy.clone();
        idle.running_count = 0;
        let none = service_metrics(&cluster.name, &idle, None, window());
        assert!(none.series.iter().all(|s| s.points.is_empty()));
    }

    #[test]
    fn a_target_tracking_service_hovers_under_its_target() {
        let fleet = demo_fleet(Timestamp(1_760_000_000_000));
        let cluster = &fleet.clusters[0];
        let scaling = cluster
            .scaling
            .iter()
            .find(|s| target_of(Some(s), "CPUUtilization").is_some())
            .expect("the demo fleet has a CPU target-tracking policy");
        let target = target_of(Some(scaling), "CPUUtilization").unwrap();
        let service = cluster
            .services
            .iter()
            .find(|s| s.service_name == scaling.service_name)
            .unwrap();
        let metrics = service_metrics(&cluster.name, service, Some(scaling), window());
        let points = &metrics.series[0].points;
        let mean = points.iter().map(|p| p.value).sum::<f64>() / points.len() as f64;
        assert!(
            (target * 0.5..=target * 1.2).contains(&mean),
            "{mean} vs {target}"
        );
    }
}
