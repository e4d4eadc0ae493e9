//! The live stream's deltas: what changed between two snapshots of a cluster, keyed by ARN
//! (services, tasks, container instances) or service name (scaling), and how a client brings
//! its snapshot up to date with one.
//!
//! The server computes [`diff`] once per change and every watcher's console applies it with
//! [`apply`]; the one law that matters is `apply(&mut a, &diff(&a, &b))` leaves `a == b`, for
//! any two snapshots (pinned by a property test). A list whose keys repeat is sent whole
//! rather than by key, since keys then do not say which entry changed.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{
    api::ClusterSnapshot,
    autoscaling::ServiceScaling,
    ecs::{Cluster, ContainerInstance, Service, Task},
    keys::KeyMap,
    time::Timestamp,
};

/// What changed in one list of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
pub struct ListChanges<T> {
    /// Entries that are new or changed, whole, in the new list's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upserted: Vec<T>,
    /// Keys of the entries that are gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// Every key in the new order, when removing and upserting (new entries last) would not
    /// give it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<String>>,
    /// The whole new list, when keys repeat in either list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced: Option<Vec<T>>,
}

impl<T> Default for ListChanges<T> {
    fn default() -> Self {
        Self {
            upserted: Vec::new(),
            removed: Vec::new(),
            order: None,
            replaced: None,
        }
    }
}

impl<T> ListChanges<T> {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.upserted.is_empty()
            && self.removed.is_empty()
            && self.order.is_none()
            && self.replaced.is_none()
    }
}

/// What changed in a cluster's snapshot since the stream's previous event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDelta {
    /// The cluster, when it changed (its counters, status, providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Cluster>,
    /// Container instances, keyed by ARN.
    #[serde(default, skip_serializing_if = "ListChanges::is_empty")]
    pub container_instances: ListChanges<ContainerInstance>,
    /// Services, keyed by ARN.
    #[serde(default, skip_serializing_if = "ListChanges::is_empty")]
    pub services: ListChanges<Service>,
    /// Tasks, keyed by ARN.
    #[serde(default, skip_serializing_if = "ListChanges::is_empty")]
    pub tasks: ListChanges<Task>,
    /// Services' scaling, keyed by service name.
    #[serde(default, skip_serializing_if = "ListChanges::is_empty")]
    pub scaling: ListChanges<ServiceScaling>,
    /// When the new snapshot was read.
    pub fetched_at: Timestamp,
}

/// The key an entry of a snapshot's list is known by.
pub trait Keyed {
    /// The key (an ARN, or a service's name).
    fn key(&self) -> &str;
}

impl Keyed for ContainerInstance {
    fn key(&self) -> &str {
        &self.container_instance_arn
    }
}

impl Keyed for Service {
    fn key(&self) -> &str {
        &self.service_arn
    }
}

impl Keyed for Task {
    fn key(&self) -> &str {
        &self.task_arn
    }
}

impl Keyed for ServiceScaling {
    fn key(&self) -> &str {
        &self.service_name
    }
}

/// What takes `before` to `after`.
pub fn diff(before: &ClusterSnapshot, after: &ClusterSnapshot) -> SnapshotDelta {
    SnapshotDelta {
        cluster: (before.cluster != after.cluster).then(|| after.cluster.clone()),
        container_instances: diff_list(&before.container_instances, &after.container_instances),
        services: diff_list(&before.services, &after.services),
        tasks: diff_list(&before.tasks, &after.tasks),
        scaling: diff_list(&before.scaling, &after.scaling),
        fetched_at: after.fetched_at,
    }
}

/// Brings `snapshot` up to date with `delta`.
pub fn apply(snapshot: &mut ClusterSnapshot, delta: &SnapshotDelta) {
    if let Some(cluster) = &delta.cluster {
        snapshot.cluster = cluster.clone();
    }
    apply_list(
        &mut snapshot.container_instances,
        &delta.container_instances,
    );
    apply_list(&mut snapshot.services, &delta.services);
    apply_list(&mut snapshot.tasks, &delta.tasks);
    apply_list(&mut snapshot.scaling, &delta.scaling);
    snapshot.fetched_at = delta.fetched_at;
}

fn has_unique_keys<T: Keyed>(list: &[T]) -> bool {
    let mut seen = HashSet::with_capacity(list.len());
    list.iter().all(|entry| seen.insert(entry.key()))
}

fn diff_list<T: Keyed + PartialEq + Clone>(before: &[T], after: &[T]) -> ListChanges<T> {
    if !has_unique_keys(before) || !has_unique_keys(after) {
        return if before == after {
            ListChanges::default()
        } else {
            ListChanges {
                replaced: Some(after.to_vec()),
                ..ListChanges::default()
            }
        };
    }
    let old: HashMap<&str, &T> = before.iter().map(|e| (e.key(), e)).collect();
    let new_keys: HashSet<&str> = after.iter().map(Keyed::key).collect();
    let removed: Vec<String> = before
        .iter()
        .map(Keyed::key)
        .filter(|key| !new_keys.contains(key))
        .map(str::to_owned)
        .collect();
    let upserted: Vec<T> = after
        .iter()
        .filter(|entry| old.get(entry.key()).is_none_or(|was| *was != *entry))
        .cloned()
        .collect();
    // The order applying gives: the kept entries in their old order, then the new ones.
    let applied_order = before
        .iter()
        .map(Keyed::key)
        .filter(|key| new_keys.contains(key))
        .chain(
            after
                .iter()
                .map(Keyed::key)
                .filter(|key| !old.contains_key(key)),
        );
    let order = (!applied_order.eq(after.iter().map(Keyed::key)))
        .then(|| after.iter().map(|e| e.key().to_owned()).collect());
    ListChanges {
        upserted,
        removed,
        order,
        replaced: None,
    }
}

fn apply_list<T: Keyed + Clone>(list: &mut Vec<T>, changes: &ListChanges<T>) {
    if let Some(replaced) = &changes.replaced {
        list.clone_from(replaced);
        return;
    }
    if !changes.removed.is_empty() {
        let removed: HashSet<&str> = changes.removed.iter().map(String::as_str).collect();
        list.retain(|entry| !removed.contains(entry.key()));
    }
    if !changes.upserted.is_empty() {
        // One pass over the list, looking each key up among the few changed ones (no copy of
        // the list's keys: a change to 50 of 20,000 tasks stays cheap in the browser).
        let mut pending: KeyMap<&str, &T> = changes.upserted.iter().map(|e| (e.key(), e)).collect();
        for entry in list.iter_mut() {
            if pending.is_empty() {
                break;
            }
            let changed = pending.remove(entry.key());
            if let Some(changed) = changed {
                entry.clone_from(changed);
            }
        }
        // What is left is new: appended in the order it came.
        for entry in &changes.upserted {
            if let Some(new) = pending.remove(entry.key()) {
                list.push(new.clone());
            }
        }
    }
    if let Some(order) = &changes.order {
        let position: HashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, key)| (key.as_str(), i))
            .collect();
        list.sort_by_key(|entry| position.get(entry.key()).copied().unwrap_or(usize::MAX));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// An entry of each list from its key number and a variant (what differs between two
    /// versions of one entry).
    fn task(key: u8, variant: u8) -> Task {
        let status = ["PENDING", "RUNNING", "STOPPED"][usize::from(variant % 3)];
        serde_json::from_value(json!({
            "taskArn": format!("arn:aws:ecs:us-east-1:1:task/c/{key:02x}"),
            "lastStatus": status,
            "group": "service:web"
        }))
        .unwrap()
    }

    fn service(key: u8, variant: u8) -> Service {
        serde_json::from_value(json!({
            "serviceArn": format!("arn:aws:ecs:us-east-1:1:service/c/s{key}"),
            "serviceName": format!("s{key}"), "status": "ACTIVE",
            "desiredCount": variant, "runningCount": variant % 2, "pendingCount": 0,
            "taskDefinition": "web:1"
        }))
        .unwrap()
    }

    fn instance(key: u8, variant: u8) -> ContainerInstance {
        serde_json::from_value(json!({
            "containerInstanceArn": format!("arn:aws:ecs:us-east-1:1:container-instance/c/{key}"),
            "status": if variant.is_multiple_of(2) { "ACTIVE" } else { "DRAINING" },
            "runningTasksCount": variant
        }))
        .unwrap()
    }

    fn scaling(key: u8, variant: u8) -> ServiceScaling {
        serde_json::from_value(json!({
            "serviceName": format!("s{key}"),
            "scalableTarget": {"serviceNamespace": "ecs", "resourceId": format!("service/c/s{key}"),
                "scalableDimension": "ecs:service:DesiredCount",
                "minCapacity": 1, "maxCapacity": 2 + i64::from(variant)}
        }))
        .unwrap()
    }

    /// A list of up to `len` entries with keys below `keys` (so keys repeat sometimes).
    fn entries(keys: u8, len: usize) -> impl Strategy<Value = Vec<(u8, u8)>> {
        prop::collection::vec((0..keys, 0u8..3), 0..len)
    }

    fn snapshot() -> impl Strategy<Value = ClusterSnapshot> {
        (
            entries(40, 30),
            entries(8, 6),
            entries(10, 8),
            entries(8, 4),
            0u8..2,
            0i64..1_000,
        )
            .prop_map(|(tasks, services, instances, scalings, cluster, at)| {
                // Mostly unique keys, as real snapshots have; repeats are kept now and then.
                let dedup = |list: Vec<(u8, u8)>| -> Vec<(u8, u8)> {
                    if list.len().is_multiple_of(5) {
                        return list;
                    }
                    let mut seen = HashSet::new();
                    list.into_iter().filter(|(k, _)| seen.insert(*k)).collect()
                };
                ClusterSnapshot {
                    cluster: serde_json::from_value(json!({
                        "clusterArn": "arn:aws:ecs:us-east-1:1:cluster/c", "clusterName": "c",
                        "status": "ACTIVE", "runningTasksCount": cluster
                    }))
                    .unwrap(),
                    container_instances: dedup(instances)
                        .into_iter()
                        .map(|(k, v)| instance(k, v))
                        .collect(),
                    services: dedup(services)
                        .into_iter()
                        .map(|(k, v)| service(k, v))
                        .collect(),
                    tasks: dedup(tasks).into_iter().map(|(k, v)| task(k, v)).collect(),
                    scaling: dedup(scalings)
                        .into_iter()
                        .map(|(k, v)| scaling(k, v))
                        .collect(),
                    fetched_at: Timestamp(at),
                }
            })
    }

    proptest! {
        // A fixed seed, so every run checks the same cases.
        #![proptest_config(ProptestConfig {
            cases: 512,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x0BE7_0016),
            ..ProptestConfig::default()
        })]

        #[test]
        fn applying_the_diff_gives_the_new_snapshot(before in snapshot(), after in snapshot()) {
            let delta = diff(&before, &after);
            let mut applied = before;
            apply(&mut applied, &delta);
            prop_assert_eq!(&applied, &after);
            // The delta survives the wire.
            let wire: SnapshotDelta =
                serde_json::from_str(&serde_json::to_string(&delta).unwrap()).unwrap();
            prop_assert_eq!(wire, delta);
        }

        #[test]
        fn a_snapshot_diffed_with_itself_changes_nothing(snapshot in snapshot()) {
            let delta = diff(&snapshot, &snapshot);
            prop_assert!(delta.cluster.is_none());
            prop_assert!(delta.tasks.is_empty() && delta.services.is_empty());
            prop_assert!(delta.container_instances.is_empty() && delta.scaling.is_empty());
        }
    }

    #[test]
    fn one_changed_task_of_many_is_sent_alone() {
        let many: Vec<Task> = (0..200u8).map(|k| task(k, 0)).collect();
        let before = ClusterSnapshot {
            cluster: serde_json::from_value(json!({
                "clusterArn": "arn:aws:ecs:us-east-1:1:cluster/c", "clusterName": "c",
                "status": "ACTIVE"
            }))
            .unwrap(),
            container_instances: Vec::new(),
            services: Vec::new(),
            tasks: many,
            scaling: Vec::new(),
            fetched_at: Timestamp(1),
        };
        let mut after = before.clone();
        after.tasks[7] = task(7, 1);
        after.tasks.remove(3);
        after.tasks.push(task(250, 0));
        let delta = diff(&before, &after);
        let keys: Vec<&str> = delta.tasks.upserted.iter().map(Keyed::key).collect();
        assert_eq!(
            keys,
            [
                "arn:aws:ecs:us-east-1:1:task/c/07",
                "arn:aws:ecs:us-east-1:1:task/c/fa"
            ]
        );
        assert_eq!(delta.tasks.removed, ["arn:aws:ecs:us-east-1:1:task/c/03"]);
        assert!(delta.tasks.order.is_none() && delta.tasks.replaced.is_none());
        let full = serde_json::to_string(&after).unwrap().len();
        let sent = serde_json::to_string(&delta).unwrap().len();
        assert!(sent * 20 < full, "{sent} bytes of {full}");
    }
}
