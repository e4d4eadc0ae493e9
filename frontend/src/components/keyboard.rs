//! Page-wide keyboard shortcuts (`/`, `j`, `k`, Enter) that stay out of the way while typing,
//! and the keyboard use every table of the console shares ([`use_table_keys`]).

use leptos::{ev, html, prelude::*, wasm_bindgen::JsCast, web_sys};

/// The class of a table's highlighted row.
pub const ACTIVE_ROW_CLASS: &str = "data-table__row--active";

/// Whether the event was typed into a text field, a select or an editable element.
pub fn typed_in_field(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element.get_attribute("contenteditable").is_some()
        })
}

/// Whether the event's target is a control Enter already activates (a link, a button), so a
/// page shortcut on Enter must leave it alone.
fn on_control(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "A" | "BUTTON" | "SUMMARY")
                || element.get_attribute("role").as_deref() == Some("button")
        })
}

/// Calls `handler` with every keydown on the window that has no Ctrl, Alt or Meta modifier,
/// until the calling component is cleaned up.
pub fn use_shortcuts(handler: impl Fn(&web_sys::KeyboardEvent) + 'static) {
    let handle = window_event_listener(ev::keydown, move |event| {
        if event.ctrl_key() || event.alt_key() || event.meta_key() {
            return;
        }
        handler(&event);
    });
    on_cleanup(move || handle.remove());
}

/// Focuses `target` when `/` is pressed outside a text field.
pub fn use_slash_focus(target: impl Fn() -> Option<web_sys::HtmlElement> + 'static) {
    use_shortcuts(move |event| {
        if event.key() == "/"
            && !typed_in_field(event)
            && let Some(element) = target()
        {
            event.prevent_default();
            let _ = element.focus();
        }
    });
}

/// Follows the first link of the highlighted row (the `open` of tables whose rows hold
/// their links, such as the ECR tables).
pub fn follow_active_row_link(_key: &str) {
    let link = document()
        .query_selector(&format!(".{ACTIVE_ROW_CLASS} a[href]"))
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = link {
        link.click();
    }
}

/// Keyboard use of a table: `/` focuses and selects `filter`; `j`/`k` (or the arrow keys, once
/// a row is highlighted) move `highlight` over the keys `visible_keys` returns, in display
/// order, scrolling the row drawn with [`ACTIVE_ROW_CLASS`] into view; Enter calls `open` with
/// the highlighted key, unless a link or button has the focus (Enter is then theirs). Nothing
/// happens while typing in a field.
pub fn use_table_keys(
    filter: NodeRef<html::Input>,
    visible_keys: impl Fn() -> Vec<String> + 'static,
    open: impl Fn(&str) + 'static,
    highlight: RwSignal<Option<String>>,
) {
    use_shortcuts(move |event| {
        let key = event.key();
        if key == "/" && !typed_in_field(event) {
            if let Some(input) = filter.get_untracked() {
                event.prevent_default();
                let _ = input.focus();
                input.select();
            }
            return;
        }
        if typed_in_field(event) {
            return;
        }
        match key.as_str() {
            "j" | "k" | "ArrowDown" | "ArrowUp" if !event.shift_key() => {
                let keys = visible_keys();
                if keys.is_empty() {
                    return;
                }
                let current = highlight
                    .get_untracked()
                    .and_then(|h| keys.iter().position(|k| *k == h));
                let next = match (key.as_str(), current) {
                    ("j" | "ArrowDown", None) => 0,
                    ("j" | "ArrowDown", Some(i)) => (i + 1).min(keys.len() - 1),
                    (_, None) => keys.len() - 1,
                    (_, Some(i)) => i.saturating_sub(1),
                };
                if matches!(key.as_str(), "j" | "k") || current.is_some() {
                    event.prevent_default();
                }
                highlight.set(Some(keys[next].clone()));
                // The highlighted row now has the keyboard: a link or button that had the
                // focus lets it go, so Enter opens the row rather than following the link.
                if on_control(event)
                    && let Some(focused) = document()
                        .active_element()
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = focused.blur();
                }
                request_animation_frame(move || {
                    if let Some(row) = document()
                        .query_selector(&format!(".{ACTIVE_ROW_CLASS}"))
                        .ok()
                        .flatten()
                    {
                        row.scroll_into_view_with_bool(false);
                    }
                });
            }
            "Enter" if !on_control(event) => {
                if let Some(key) = highlight.get_untracked() {
                    event.prevent_default();
                    open(&key);
                }
            }
            _ => {}
        }
    });
}
