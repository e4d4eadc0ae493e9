//! The overview's source switch: the sandbox or one of the AWS regions the server offers
//! (`GET /api/sources`). Choosing one opens the overview at `?source=…` (see
//! [`crate::source`]); the list marks the server's default.

use berth_shared::sources::{SourceId, SourceList, SourceOption};
use leptos::prelude::*;

use crate::{
    api,
    components::help::{Concept, Help},
    source,
};

/// A labelled select of every source, the page's own selected.
#[component]
pub fn SourceSwitch() -> impl IntoView {
    let sources = LocalResource::new(api::sources);
    let content = move || {
        Suspend::new(async move {
            match sources.await {
                Ok(list) => view! { <SourceSelect list/> }.into_any(),
                Err(error) => view! {
                    <span class="notice notice--bad" data-testid="source-switch-error">
                        "The sources cannot be listed: " {error.to_string()}
                    </span>
                }
                .into_any(),
            }
        })
    };
    view! {
        <div class="source-switch">
            <Transition fallback=|| view! { <span class="muted">"Loading sources…"</span> }>{content}</Transition>
            <Help concept=Concept::Region/>
        </div>
    }
}

#[component]
fn SourceSelect(list: SourceList) -> impl IntoView {
    let chosen = source::chosen();
    let current = chosen
        .as_deref()
        .and_then(|text| text.parse::<SourceId>().ok())
        .unwrap_or_else(|| list.default_source.clone());
    // A source the URL names but the server does not offer stays visible as chosen, so the
    // switch never claims to show another account than the page does.
    let unknown = chosen.filter(|_| !list.sources.iter().any(|s| s.id == current));
    let offered = unknown.is_none();
    let (sandbox, regions): (Vec<SourceOption>, Vec<SourceOption>) = list
        .sources
        .into_iter()
        .partition(|option| option.id == SourceId::Sandbox);
    let default = list.default_source;
    let option = move |entry: SourceOption| {
        let mut label = match &entry.id {
            SourceId::Sandbox => entry.name.clone(),
            SourceId::Aws { region } if entry.name == *region => region.clone(),
            SourceId::Aws { region } => format!("{} · {region}", entry.name),
        };
        if entry.id == default {
            label.push_str(" · default");
        }
        let selected = offered && entry.id == current;
        view! { <option value=entry.id.to_string() selected=selected>{label}</option> }
    };
    let unknown_option = unknown.map(|text| {
        view! { <option value="" selected=true disabled=true>{format!("{text} (not offered)")}</option> }
    });
    view! {
        <label class="source-switch__field">
            <span class="source-switch__label">"Account"</span>
            <select
                class="source-switch__select"
                data-testid="source-switch"
                aria-label="Account and region"
                on:change=move |ev| {
                    if let Ok(id) = event_target_value(&ev).parse::<SourceId>() {
                        source::switch_to(&id);
                    }
                }
            >
                {unknown_option}
                <optgroup label="Simulated">{sandbox.into_iter().map(&option).collect_view()}</optgroup>
                <optgroup label="AWS regions">{regions.into_iter().map(&option).collect_view()}</optgroup>
            </select>
        </label>
    }
}
