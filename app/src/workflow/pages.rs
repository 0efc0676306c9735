use leptos::prelude::*;

#[component]
pub fn InstructionPage() -> impl IntoView {
    view! { <p>"TODO"</p> }
}
