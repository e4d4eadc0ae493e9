//! Page-wide keyboard shortcuts (`/`, `j`, `k`, Enter) that stay out of the way while typing.

use leptos::{ev, prelude::*, wasm_bindgen::JsCast, web_sys};

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
