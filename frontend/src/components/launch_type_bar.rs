//! A stacked bar showing how running tasks split over EC2, Fargate and external instances.

use berth_shared::ecs::LaunchTypeMix;
use leptos::prelude::*;

/// The bar with its legend; "no running tasks" when the mix is empty.
#[component]
pub fn LaunchTypeBar(
    /// Running tasks per launch type.
    mix: LaunchTypeMix,
) -> impl IntoView {
    let total = mix.total();
    if total == 0 {
        return view! { <p class="mix mix--empty">"No running tasks"</p> }.into_any();
    }
    let parts = [
        ("EC2", "ec2", mix.ec2),
        ("Fargate", "fargate", mix.fargate),
        ("External", "external", mix.external),
    ];
    let percent = move |count: i64| format!("{:.1}%", count as f64 * 100.0 / total as f64);
    view! {
        <div class="mix">
            <div class="mix__bar" role="img" aria-label="Running tasks by launch type">
                {parts
                    .iter()
                    .filter(|(_, _, count)| *count > 0)
                    .map(|(label, class, count)| view! {
                        <span
                            class=format!("mix__part mix__part--{class}")
                            style:width=percent(*count)
                            title=format!("{label}: {count}")
                        ></span>
                    })
                    .collect_view()}
            </div>
            <ul class="mix__legend">
                {parts
                    .iter()
                    .filter(|(_, _, count)| *count > 0)
                    .map(|(label, class, count)| view! {
                        <li><span class=format!("dot dot--{class}")></span>{*label}" "<strong>{*count}</strong></li>
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}
