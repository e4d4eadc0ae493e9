//! The console's dialogs: a confirmation before anything that changes an account, and the help
//! popovers. Both keep the keyboard where a person expects it: the focus moves into the dialog
//! when it opens, Tab and Shift+Tab cycle among its controls without leaving it, Escape closes
//! it, and when it closes the focus goes back to the control that opened it (or, when that
//! control is gone or disabled, to the dialog's surrounding panel), never to the page's start.

use leptos::{html, prelude::*, wasm_bindgen::JsCast, web_sys};

/// What can take the keyboard focus inside a dialog.
const FOCUSABLE: &str = "button:not([disabled]), a[href], input:not([disabled]), \
                         select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The focusable elements inside `container`, in document order.
fn focusable_in(container: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = container.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Whether nothing in particular has the focus (it fell back to the page's body when the
/// focused control was removed).
fn focus_is_lost() -> bool {
    document()
        .active_element()
        .is_none_or(|element| element.tag_name() == "BODY")
}

/// Focuses `element` if it can take the focus; `false` when it cannot (disabled or gone).
fn try_focus(element: &web_sys::HtmlElement) -> bool {
    if element.is_connected() && !element.has_attribute("disabled") {
        let _ = element.focus();
        document()
            .active_element()
            .is_some_and(|active| active == **element)
    } else {
        false
    }
}

/// Where the focus goes back to when a dialog closes.
#[derive(Debug, Clone)]
pub enum ReturnFocus {
    /// The element that had the focus when the dialog opened (it stays on the page: the help
    /// popover's "?" button).
    Opener,
    /// The control with this `data-testid`, drawn again in the opener's place when the dialog
    /// closes (the "Apply…" button a confirmation replaces).
    Control(String),
}

/// Gives the element `dialog` refers to the behaviour of a dialog: its control with
/// `data-autofocus` (else its first focusable one) is focused once it is drawn, and the whole
/// dialog scrolled into view; when it is
/// removed the focus goes back as `return_to` says, if the focus was lost with it. Returns the
/// dialog's keydown handler: Tab and Shift+Tab wrap around inside it, Escape calls `close`.
pub fn use_dialog_focus<E>(
    dialog: NodeRef<E>,
    return_to: ReturnFocus,
    close: Callback<()>,
) -> impl Fn(web_sys::KeyboardEvent) + Clone + 'static
where
    E: html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let opener = StoredValue::new_local(
        document()
            .active_element()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    let element = move || {
        dialog
            .get_untracked()
            .map(|element| element.unchecked_into::<web_sys::Element>())
    };
    let panel = StoredValue::new_local(None::<web_sys::Element>);
    Effect::new(move |_| {
        let Some(element) = dialog.get().map(|e| e.unchecked_into::<web_sys::Element>()) else {
            return;
        };
        let first = element
            .query_selector("[data-autofocus]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            .or_else(|| focusable_in(&element).into_iter().next());
        if let Some(first) = first {
            let _ = first.focus();
        }
        // All of it in view, not only the control with the focus.
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&options);
        panel.set_value(element.parent_element());
    });
    on_cleanup(move || {
        let panel = panel.try_get_value().flatten();
        let opener = opener.try_get_value().flatten();
        // The dialog's view is removed after this runs: look again once it has been.
        request_animation_frame(move || {
            if !focus_is_lost() {
                return;
            }
            let back = match return_to {
                ReturnFocus::Opener => opener,
                ReturnFocus::Control(testid) => document()
                    .query_selector(&format!("[data-testid='{testid}']"))
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
            };
            if back.as_ref().is_some_and(try_focus) {
                return;
            }
            if let Some(panel) = panel.and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok()) {
                if !panel.has_attribute("tabindex") {
                    let _ = panel.set_attribute("tabindex", "-1");
                }
                let _ = panel.focus();
            }
        });
    });
    move |event: web_sys::KeyboardEvent| match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            event.stop_propagation();
            close.run(());
        }
        "Tab" => {
            let Some(element) = element() else {
                return;
            };
            let controls = focusable_in(&element);
            let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
                return;
            };
            let active = document().active_element();
            let at =
                |control: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == &**control);
            if event.shift_key() && at(first) {
                event.prevent_default();
                let _ = last.focus();
            } else if !event.shift_key() && at(last) {
                event.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    }
}

/// The confirmation asked before a change to an account: what will happen (`children`), a
/// danger button with `verb` and Cancel. The focus starts on Cancel (the harmless choice, so
/// an Enter pressed twice does not confirm), stays inside while it is open, Escape cancels, and
/// the focus returns to the control `return_to` names once it closes.
#[component]
pub fn Confirm(
    /// The dialog's accessible name ("Confirm the change").
    #[prop(into)]
    label: String,
    /// The dialog's `data-testid`; its confirming button is `{testid}-yes`.
    #[prop(into)]
    testid: String,
    /// The confirming button's words.
    #[prop(into)]
    verb: String,
    /// The `data-testid` of the control that opened the dialog.
    #[prop(into)]
    return_to: String,
    /// Called when the change is confirmed.
    on_confirm: Callback<()>,
    /// Called on Cancel or Escape.
    on_cancel: Callback<()>,
    /// What the change will do, in words.
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Div>::new();
    let keys = use_dialog_focus(dialog, ReturnFocus::Control(return_to), on_cancel);
    let (yes, cancel) = (format!("{testid}-yes"), format!("{testid}-cancel"));
    view! {
        <div class="confirm" role="alertdialog" aria-label=label node_ref=dialog
            data-testid=testid on:keydown=keys>
            {children()}
            <button type="button" class="button button--danger" data-testid=yes
                on:click=move |_| on_confirm.run(())>{verb}</button>
            <button type="button" class="button button--quiet" data-autofocus
                data-testid=cancel on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </div>
    }
}
