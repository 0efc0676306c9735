//! Design-system components. No server calls here.

use leptos::prelude::*;

use crate::error::AppError;

/// The error of a server action's last result, if it failed.
pub fn action_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(Result::err))
}

/// True once the action's last result succeeded.
pub fn action_succeeded<T, S>(value: S) -> Signal<bool>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || matches!(value.get(), Some(Ok(_))))
}

/// A labelled input with its hint and its error message, linked for screen readers.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
    /// The virtual keyboard phones show (`numeric` for codes).
    #[prop(optional)]
    inputmode: Option<&'static str>,
) -> impl IntoView {
    let id = format!("champ-{name}");
    let hint_id = format!("{id}-aide");
    let error_id = format!("{id}-erreur");
    let message = move || {
        error
            .get()
            .filter(|e| e.field() == Some(name))
            .map(|e| e.to_string())
    };
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            <input
                id=id.clone()
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                inputmode=inputmode
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {move || message().map(|text| view! { <p class="error-message" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

/// Same as [`Field`] for multi-line text.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("champ-{name}");
    let error_id = format!("{id}-erreur");
    let message = move || {
        error
            .get()
            .filter(|e| e.field() == Some(name))
            .map(|e| e.to_string())
    };
    let described_by = {
        let error_id = error_id.clone();
        move || message().map(|_| error_id.clone())
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id.clone()
                name=name
                rows="5"
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            ></textarea>
            {move || message().map(|text| view! { <p class="error-message" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

/// The failure of the last submission, announced to assistive technology.
#[component]
pub fn ErrorSummary(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <div class="alert alert-error" role="alert">
                    <p>{e.to_string()}</p>
                </div>
            }
        })
    }
}

#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! { <div class="alert alert-success" role="status">{children()}</div> }
}

/// Shown in place of a page the visitor may not see.
#[component]
pub fn Restricted(message: String) -> impl IntoView {
    view! {
        <div class="alert alert-info" role="status">
            <p>{message}</p>
        </div>
    }
}
