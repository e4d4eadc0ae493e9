//! The banner saying the page shows the last data Berth read, because AWS could not be read
//! again (unreachable, failing or throttling): when that read was made and why the new one
//! failed. It goes away with the next fresh answer.

use berth_view::format::absolute_time;
use leptos::prelude::*;

use crate::api;

/// Shown below the top bar while the latest answer is stale.
#[component]
pub fn StaleBanner() -> impl IntoView {
    let stale = api::stale_read();
    move || {
        stale.get().map(|stale| {
            view! {
                <div class="stale-banner" role="status" data-testid="stale-banner">
                    <strong>{format!("Showing data from {}", absolute_time(stale.read_at))}</strong>
                    {format!(
                        ": AWS could not be read just now ({}). Refresh to try again.",
                        stale.reason
                    )}
                </div>
            }
        })
    }
}
