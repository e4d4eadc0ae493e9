//! The pages that are not part of the console's first download.
//!
//! The shell, the router and the clusters overview (`/`, `/clusters`) are in the main wasm
//! module, the one every page load fetches. `cargo xtask build` splits the rest off with
//! wasm-split at the `#[wasm_split]` functions below, into two modules fetched the first time
//! one of their routes is opened:
//!
//! - `cluster_views`: a cluster (placement graph, tabs, selection panel, benchmark page) and its
//!   services, tasks and container instances;
//! - `registry_views`: repositories and task definitions;
//! - `admin_views`: the audit log;
//! - `deploy_views`: a service's Deploy page and a cluster's Run task and Create service pages
//!   (their previews run the placement engine, the deployment planner and the cost model in
//!   the browser).
//!
//! Code that only these two modules use goes into a third, shared module, fetched with
//! whichever comes first. When a module cannot be fetched (the server is unreachable, or it was
//! rebuilt since this tab was opened and the old files are gone), the page says so and offers
//! to reload instead of stopping the console; the next visit to the route tries again.

use leptos::{
    prelude::*,
    wasm_split::{SplitLoaderError, wasm_split},
};
use leptos_router::LazyRoute;

use crate::features::{
    access::audit_page::AuditPage,
    clusters::cluster_page::ClusterPage,
    deploy::{create_page::CreateServicePage, deploy_page::DeployPage, run_page::RunTaskPage},
    instances::instance_page::InstancePage,
    repositories::{list_page::RepositoriesPage, repository_page::RepositoryPage},
    services::service_page::ServicePage,
    task_definitions::{family_page::FamilyPage, list_page::TaskDefinitionsPage},
    tasks::task_page::TaskPage,
};

/// Declares `$route`, a [`LazyRoute`] showing `$page`, whose code is in the wasm module
/// `$module` and is loaded by `$load`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident: $page:ident in $module:ident via $load:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $route;

        #[wasm_split($module, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $load() -> Result<AnyView, SplitLoaderError> {
            Ok(view! { <$page/> }.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_route: Self) -> AnyView {
                $load().await.unwrap_or_else(|_| load_failed())
            }
        }
    };
}

lazy_page!(
    /// `/clusters/:name`.
    ClusterRoute: ClusterPage in cluster_views via cluster_page
);
lazy_page!(
    /// `/clusters/:cluster/services/:service`.
    ServiceRoute: ServicePage in cluster_views via service_page
);
lazy_page!(
    /// `/clusters/:cluster/services/:service/deploy`.
    DeployRoute: DeployPage in deploy_views via deploy_page
);
lazy_page!(
    /// `/clusters/:cluster/run`.
    RunTaskRoute: RunTaskPage in deploy_views via run_page
);
lazy_page!(
    /// `/clusters/:cluster/new-service`.
    CreateServiceRoute: CreateServicePage in deploy_views via create_page
);
lazy_page!(
    /// `/clusters/:cluster/tasks/:task`.
    TaskRoute: TaskPage in cluster_views via task_page
);
lazy_page!(
    /// `/clusters/:cluster/instances/:instance`.
    InstanceRoute: InstancePage in cluster_views via instance_page
);
lazy_page!(
    /// `/repositories`.
    RepositoriesRoute: RepositoriesPage in registry_views via repositories_page
);
lazy_page!(
    /// `/repositories/*name`.
    RepositoryRoute: RepositoryPage in registry_views via repository_page
);
lazy_page!(
    /// `/task-definitions`.
    TaskDefinitionsRoute: TaskDefinitionsPage in registry_views via task_definitions_page
);
lazy_page!(
    /// `/task-definitions/:family`.
    FamilyRoute: FamilyPage in registry_views via family_page
);

lazy_page!(
    /// `/audit`.
    AuditRoute: AuditPage in admin_views via audit_page
);

/// What a lazily loaded page shows when its module could not be fetched.
fn load_failed() -> AnyView {
    view! {
        <section class="panel panel--error" role="alert" data-testid="error">
            <h2>"This page could not be loaded"</h2>
            <p class="panel__message">
                "Its code did not download: the Berth server may be unreachable, or it was \
                 updated since this tab was opened. Reloading fetches the current console."
            </p>
            <button
                class="button"
                on:click=|_| {
                    // A failed reload leaves the page as it is, with the button still there.
                    let _ = window().location().reload();
                }
            >
                "Reload"
            </button>
        </section>
    }
    .into_any()
}
