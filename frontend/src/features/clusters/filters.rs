//! The service, status and attribute filters and the legend, shared by the graph and the
//! tasks table. They read and write the URL (`service`, `status`, `attr`).

use berth_view::graph::Choices;
use leptos::{html, prelude::*};
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    links::service_href,
    url_query::{UrlQuery, key},
};

/// Selects for service, status and (optionally) instance attribute.
#[component]
pub fn FilterSelects(
    /// What the selects offer.
    #[prop(into)]
    choices: Signal<Choices>,
    /// The page's URL state.
    query: UrlQuery,
    /// Offer the instance-attribute filter (the graph) or not (the tasks table).
    #[prop(optional)]
    attributes: bool,
    /// Set on the service select (the graph focuses it with `/`).
    #[prop(optional)]
    service_ref: Option<NodeRef<html::Select>>,
) -> impl IntoView {
    let filter = query.filter();
    let set = move |name: &'static str, value: String| {
        query.set(&[(name, Some(value))], true);
    };
    let services = move || {
        let current = filter.with(|f| f.service.clone());
        choices.with(|c| {
            c.legend
                .iter()
                .map(|e| {
                    let selected = current.as_deref() == Some(e.service.as_str());
                    view! { <option value=e.service.clone() selected=selected>{format!("{} ({})", e.service, e.tasks)}</option> }
                })
                .collect_view()
        })
    };
    let statuses = move || {
        let current = filter.with(|f| f.status.clone());
        choices.with(|c| {
            c.statuses
                .iter()
                .map(|s| {
                    let selected = current.as_deref() == Some(s.as_str());
                    view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                })
                .collect_view()
        })
    };
    let attribute_select = attributes.then(|| {
        let options = move || {
            let current = filter.with(|f| f.attribute.clone());
            choices.with(|c| {
                c.attributes
                    .iter()
                    .map(|(name, value)| {
                        let selected = current.as_ref() == Some(&(name.clone(), value.clone()));
                        view! { <option value=format!("{name}={value}") selected=selected>{format!("{name} = {value}")}</option> }
                    })
                    .collect_view()
            })
        };
        view! {
            <label class="toolbar__field">
                <span>"Instances"</span>
                <select data-testid="filter-attribute" on:change=move |ev| set(key::ATTRIBUTE, event_target_value(&ev))>
                    <option value="" selected=move || filter.with(|f| f.attribute.is_none())>"All instances"</option>
                    {options}
                </select>
            </label>
        }
    });
    let service_ref = service_ref.unwrap_or_default();
    // The service filtered to has a page of its own (task groups that are not services do not:
    // their labels are not service names, which are letters, digits, `-` and `_`).
    let params = use_params_map();
    let service_page = move || {
        let service = filter.with(|f| f.service.clone())?;
        let is_service = service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let cluster = params.read().get("name")?;
        is_service.then(|| {
            view! {
                <A href=service_href(&cluster, &service) attr:class="button button--quiet button--small" attr:data-testid="service-page-link">
                    {format!("Open service {service}")}
                </A>
            }
        })
    };
    view! {
        <label class="toolbar__field">
            <span>"Service"</span>
            <select data-testid="filter-service" node_ref=service_ref on:change=move |ev| set(key::SERVICE, event_target_value(&ev))>
                <option value="" selected=move || filter.with(|f| f.service.is_none())>"All services"</option>
                {services}
            </select>
        </label>
        <label class="toolbar__field">
            <span>"Status"</span>
            <select data-testid="filter-status" on:change=move |ev| set(key::STATUS, event_target_value(&ev))>
                <option value="" selected=move || filter.with(|f| f.status.is_none())>"Any status"</option>
                {statuses}
            </select>
        </label>
        {service_page}
        {attribute_select}
        <Show when=move || filter.with(|f| f.is_active())>
            <button
                type="button"
                class="button button--quiet button--small"
                data-testid="clear-filters"
                on:click=move |_| query.set(&[(key::SERVICE, None), (key::STATUS, None), (key::ATTRIBUTE, None)], true)
            >
                "Clear filters"
            </button>
        </Show>
    }
}

/// The legend: one button per service with its swatch (colour and pattern) and task count; clicking filters.
#[component]
pub fn Legend(
    /// The services.
    #[prop(into)]
    choices: Signal<Choices>,
    /// The page's URL state.
    query: UrlQuery,
) -> impl IntoView {
    let service = query.get(key::SERVICE);
    view! {
        <ul class="legend" data-testid="legend" aria-label="Services">
            <For each=move || choices.with(|c| c.legend.clone()) key=|e| (e.service.clone(), e.tasks) let:entry>
                {
                    let name = entry.service.clone();
                    let toggle = name.clone();
                    let active = Memo::new(move |_| service.with(|s| s.as_deref() == Some(name.as_str())));
                    let dimmed = move || service.with(|s| s.is_some()) && !active.get();
                    view! {
                        <li>
                            <button
                                type="button"
                                class="legend__item"
                                class:legend__item--active=active
                                class:legend__item--dimmed=dimmed
                                aria-pressed=move || active.get().to_string()
                                title=format!("Show only {}", entry.service)
                                data-service=entry.service
                                on:click=move |_| {
                                    let next = (service.get_untracked().as_deref() != Some(toggle.as_str())).then(|| toggle.clone());
                                    query.set(&[(key::SERVICE, next)], true);
                                }
                            >
                                <span class="swatch" style:background=entry.swatch.css() aria-hidden="true"></span>
                                <span class="legend__name">{entry.service.clone()}</span>
                                <span class="legend__count">{entry.tasks}</span>
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}
