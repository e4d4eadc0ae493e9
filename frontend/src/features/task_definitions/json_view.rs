//! A revision's JSON, pretty-printed, with a Copy button: the Clipboard API when the page may
//! use it, otherwise the text is selected so Ctrl+C (⌘C) copies it.

use leptos::{
    html,
    prelude::*,
    wasm_bindgen::{JsCast, JsValue, closure::Closure},
    web_sys::{
        self,
        js_sys::{Function, Reflect},
    },
};

/// What the last press of Copy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Copied {
    /// Not pressed yet.
    Idle,
    /// On the clipboard.
    Done,
    /// The clipboard refused; the text is selected instead.
    Selected,
}

/// The JSON panel.
#[component]
pub fn JsonPanel(
    /// Pretty-printed JSON.
    json: String,
    /// The panel's title.
    title: String,
) -> impl IntoView {
    let state = RwSignal::new(Copied::Idle);
    let code = NodeRef::<html::Pre>::new();
    let text = StoredValue::new(json.clone());
    let select = move || {
        if let Some(node) = code.get_untracked() {
            select_contents(&node);
            state.set(Copied::Selected);
        }
    };
    let copy = move |_| {
        let Some(then) = write_clipboard(&text.get_value()) else {
            select();
            return;
        };
        let done = Closure::once_into_js(move |_: JsValue| state.set(Copied::Done));
        let failed = Closure::once_into_js(move |_: JsValue| select());
        if then(&done, &failed).is_err() {
            select();
        }
    };
    let label = move || match state.get() {
        Copied::Idle => "Copy JSON",
        Copied::Done => "Copied ✓",
        Copied::Selected => "Selected: press Ctrl+C",
    };
    let lines = json.lines().count();
    view! {
        <section class="panel td-json" data-testid="json">
            <div class="td-panel__head">
                <h2>{title}</h2>
                <span class="muted">{format!("{lines} lines")}</span>
                <button type="button" class="button td-copy" data-testid="copy" on:click=copy>{label}</button>
            </div>
            <pre class="td-json__code mono" node_ref=code tabindex="0">{json}</pre>
        </section>
    }
}

/// Starts `navigator.clipboard.writeText(text)`; returns a function that attaches the
/// promise's callbacks, or `None` where the Clipboard API is missing (plain-HTTP pages).
fn write_clipboard(
    text: &str,
) -> Option<impl Fn(&JsValue, &JsValue) -> Result<JsValue, JsValue> + use<>> {
    let window: JsValue = window().into();
    let navigator = Reflect::get(&window, &"navigator".into()).ok()?;
    let clipboard = Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null())?;
    let write = Reflect::get(&clipboard, &"writeText".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let promise = write.call1(&clipboard, &JsValue::from_str(text)).ok()?;
    let then = Reflect::get(&promise, &"then".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some(move |ok: &JsValue, err: &JsValue| then.call2(&promise, ok, err))
}

/// Selects everything inside `node` (`window.getSelection().selectAllChildren(node)`).
fn select_contents(node: &web_sys::Node) {
    let window: JsValue = window().into();
    let selection = Reflect::get(&window, &"getSelection".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(&window).ok());
    if let Some(selection) = selection
        && let Some(select_all) = Reflect::get(&selection, &"selectAllChildren".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = select_all.call1(&selection, node);
    }
}
