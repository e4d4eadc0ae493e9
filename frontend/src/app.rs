//! The console's shell: top bar, routes and the not-found page.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};

use crate::{
    components::top_bar::TopBar,
    features::{
        clusters::{cluster_page::ClusterPage, overview_page::OverviewPage},
        instances::instance_page::InstancePage,
        repositories::{list_page::RepositoriesPage, repository_page::RepositoryPage},
        services::service_page::ServicePage,
        task_definitions::{family_page::FamilyPage, list_page::TaskDefinitionsPage},
        tasks::task_page::TaskPage,
    },
};

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <TopBar/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage/>
                    <Route path=path!("/clusters") view=OverviewPage/>
                    <Route path=path!("/clusters/:name") view=ClusterPage/>
                    <Route path=path!("/clusters/:cluster/services/:service") view=ServicePage/>
                    <Route path=path!("/clusters/:cluster/tasks/:task") view=TaskPage/>
                    <Route path=path!("/clusters/:cluster/instances/:instance") view=InstancePage/>
                    <Route path=path!("/repositories") view=RepositoriesPage/>
                    <Route path=path!("/repositories/*name") view=RepositoryPage/>
                    <Route path=path!("/task-definitions") view=TaskDefinitionsPage/>
                    <Route path=path!("/task-definitions/:family") view=FamilyPage/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="panel panel--empty">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <A href="/clusters">"Go to clusters"</A>
        </section>
    }
}
