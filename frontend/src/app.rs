//! The console's shell: top bar, routes and the not-found page.
//!
//! The clusters overview and the sign-in page are rendered from the main wasm module; every
//! other page is lazily loaded (see `lazy_pages`). A visitor the server does not know is sent
//! to the sign-in page (`SignInGate`).

use leptos::prelude::*;
use leptos_router::{
    Lazy,
    components::{A, Route, Router, Routes},
    path,
};

use crate::{
    components::{server::provide_server_health, stale_banner::StaleBanner, top_bar::TopBar},
    features::{
        access::sign_in_page::{SignInGate, SignInPage},
        clusters::overview_page::OverviewPage,
    },
    lazy_pages::{
        AuditRoute, ClusterRoute, CreateServiceRoute, DeployRoute, FamilyRoute, InstanceRoute,
        RepositoriesRoute, RepositoryRoute, RunTaskRoute, ServiceRoute, TaskDefinitionsRoute,
        TaskRoute,
    },
};

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_server_health();
    view! {
        <Router>
            <SignInGate/>
            <TopBar/>
            <StaleBanner/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage/>
                    <Route path=path!("/clusters") view=OverviewPage/>
                    <Route path=path!("/clusters/:name") view={Lazy::<ClusterRoute>::new()}/>
                    <Route path=path!("/clusters/:cluster/services/:service") view={Lazy::<ServiceRoute>::new()}/>
                    <Route path=path!("/clusters/:cluster/services/:service/deploy") view={Lazy::<DeployRoute>::new()}/>
                    <Route path=path!("/clusters/:cluster/run") view={Lazy::<RunTaskRoute>::new()}/>
                    <Route path=path!("/clusters/:cluster/new-service") view={Lazy::<CreateServiceRoute>::new()}/>
                    <Route path=path!("/clusters/:cluster/tasks/:task") view={Lazy::<TaskRoute>::new()}/>
                    <Route path=path!("/clusters/:cluster/instances/:instance") view={Lazy::<InstanceRoute>::new()}/>
                    <Route path=path!("/repositories") view={Lazy::<RepositoriesRoute>::new()}/>
                    <Route path=path!("/repositories/*name") view={Lazy::<RepositoryRoute>::new()}/>
                    <Route path=path!("/task-definitions") view={Lazy::<TaskDefinitionsRoute>::new()}/>
                    <Route path=path!("/task-definitions/:family") view={Lazy::<FamilyRoute>::new()}/>
                    <Route path=path!("/login") view=SignInPage/>
                    <Route path=path!("/audit") view={Lazy::<AuditRoute>::new()}/>
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
            <A href=crate::source::link("/clusters")>"Go to clusters"</A>
        </section>
    }
}
