//! Where each page is: the console's URLs, every one carrying the page's `?source=` (see
//! [`crate::source::link`]) so a link never changes the account. Every feature builds its
//! links here, never by hand.

use berth_view::{format::task_definition_label, table::Target};

use crate::source::link;

/// `/task-definitions/{family}?revision={n}` for a task definition ARN or `family:revision`.
pub fn task_definition_href(definition: &str) -> String {
    let label = task_definition_label(definition);
    match label.rsplit_once(':') {
        Some((family, revision)) => {
            link(&format!("/task-definitions/{family}?revision={revision}"))
        }
        None => link(&format!("/task-definitions/{label}")),
    }
}

/// The URL of a revision's page.
pub fn revision_href(family: &str, revision: i64) -> String {
    crate::source::link(&format!("/task-definitions/{family}?revision={revision}"))
}

/// The URL comparing two revisions of a family.
pub fn compare_href(family: &str, old: i64, new: i64) -> String {
    crate::source::link(&format!("/task-definitions/{family}?compare={old},{new}"))
}

/// `/clusters/{cluster}/services/{service}`.
pub fn service_href(cluster: &str, service: &str) -> String {
    link(&format!("/clusters/{cluster}/services/{service}"))
}

/// `/clusters/{cluster}/services/{service}/deploy`, with an existing revision to deploy
/// chosen when `revision` is given.
pub fn deploy_href(cluster: &str, service: &str, revision: Option<&str>) -> String {
    match revision {
        Some(revision) => link(&format!(
            "/clusters/{cluster}/services/{service}/deploy?revision={}",
            task_definition_label(revision)
        )),
        None => link(&format!("/clusters/{cluster}/services/{service}/deploy")),
    }
}

/// `/clusters/{cluster}/run`: the Run task page.
pub fn run_task_href(cluster: &str) -> String {
    link(&format!("/clusters/{cluster}/run"))
}

/// `/clusters/{cluster}/new-service`.
pub fn new_service_href(cluster: &str) -> String {
    link(&format!("/clusters/{cluster}/new-service"))
}

/// `/clusters/{cluster}/tasks/{task id}`.
pub fn task_href(cluster: &str, task: &str) -> String {
    link(&format!("/clusters/{cluster}/tasks/{task}"))
}

/// `/clusters/{cluster}/instances/{container instance id}`.
pub fn instance_href(cluster: &str, instance: &str) -> String {
    link(&format!("/clusters/{cluster}/instances/{instance}"))
}

/// Where a row of a shared tasks/instances table leads.
pub fn target_href(cluster: &str, target: &Target) -> String {
    match target {
        Target::Task(id) => task_href(cluster, id),
        Target::Instance(id) => instance_href(cluster, id),
        Target::Service(name) => service_href(cluster, name),
    }
}
