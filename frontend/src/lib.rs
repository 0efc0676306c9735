//! The WASM entry point: hydrates the server-rendered page. Nothing else lives here.
// The designer's view types nest deeply; release (LTO) builds compute their layouts here.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets browser tests (and curious developers) tell an enhanced page from plain HTML.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
