//! `/back-office/demarches`: the démarches of the commune, creation, import and export.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::strings as s;
use crate::account::model::Role;
use crate::context::{SiteView, use_site};
use crate::demarches::api::{
    CreateDemarche, DemarcheSummary, export_demarche, import_demarche, list_demarches,
};
use crate::error::AppError;
use crate::ui::{ErrorSummary, Field, Restricted, action_error};

pub use super::editor::DesignerPage;

type DemarchesResource = Resource<(
    Result<Vec<DemarcheSummary>, AppError>,
    Vec<crate::store::model::StoreSummary>,
)>;

#[component]
pub fn DemarchesList() -> impl IntoView {
    let site = use_site();
    // Created here, before the gate's suspense: created inside it, its place among the page's
    // resources depended on which suspense the server resumed first, and the browser could
    // hydrate the list against another resource's data (a hydration error seen in the journeys).
    // One resource for the list and the store's pending updates of the commune's imports.
    let list = Resource::new(
        || (),
        |_| async {
            let updates = crate::store::api::store_updates().await.unwrap_or_default();
            (list_demarches().await, updates)
        },
    );
    view! {
        <Title text=s::LIST_TITLE/>
        <h1>{s::LIST_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) if tenant.user.as_ref().is_some_and(|u| u.has_role(Role::Manager)) => {
                        view! { <ListPanel list/> }.into_any()
                    }
                    _ => view! {
                        <Restricted message=crate::demarches::strings::NOT_A_DESIGNER.to_owned()/>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListPanel(list: DemarchesResource) -> impl IntoView {
    let create = ServerAction::<CreateDemarche>::new();
    let error = action_error(create.value());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/back-office/demarches/{id}"), Default::default());
        }
    });
    view! {
        <section aria-labelledby="nouvelle">
            <h2 id="nouvelle">{s::CREATE_TITLE}</h2>
            <ErrorSummary error/>
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <Field name="title" label=s::CREATE_FIELD error/>
                <button type="submit" class="button">{s::CREATE_BUTTON}</button>
            </ActionForm>
        </section>
        <ImportPanel/>
        <section aria-labelledby="liste">
            <h2 id="liste">{s::LIST_TITLE}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    let (list, updates) = list.await;
                    match list {
                        Ok(items) if items.is_empty() => view! { <p>{s::EMPTY_LIST}</p> }.into_any(),
                        Ok(items) => view! {
                            <crate::store::pages::UpdatesNotice updates/>
                            <DemarchesTable items/>
                        }
                        .into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn state_label(item: &DemarcheSummary) -> String {
    let base = match (item.state.as_str(), item.current_version) {
        ("closed", _) => s::STATE_CLOSED.to_owned(),
        (_, Some(version)) => s::state_published(version),
        _ => s::STATE_DRAFT.to_owned(),
    };
    if item.unpublished_changes && item.current_version.is_some() {
        format!("{base}, {}", s::UNPUBLISHED_CHANGES)
    } else {
        base
    }
}

#[component]
fn DemarchesTable(items: Vec<DemarcheSummary>) -> impl IntoView {
    view! {
        <div class="table-wrapper" role="region" aria-label=s::LIST_TITLE tabindex="0">
            <table>
                <caption class="sr-only">{s::LIST_TITLE}</caption>
                <thead>
                    <tr>
                        <th scope="col">{s::COL_TITLE}</th>
                        <th scope="col">{s::COL_RUBRIQUE}</th>
                        <th scope="col">{s::COL_STATE}</th>
                        <th scope="col">{s::COL_ACTIONS}</th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|item| {
                        let state = state_label(&item);
                        let aria = s::edit_link(&item.title);
                        let (title, export_id, export_title) = (item.title.clone(), item.id.clone(), item.title.clone());
                        view! {
                            <tr>
                                <td>
                                    <A href=format!("/back-office/demarches/{}", item.id)
                                        attr:aria-label=aria>{title}</A>
                                </td>
                                <td>{item.rubrique.clone()}</td>
                                <td>{state}</td>
                                <td>
                                    <ExportButton id=export_id title=export_title/>
                                    " "
                                    <A href=format!("/back-office/demarches/{}/instruction", item.id)
                                        attr:aria-label=crate::workflow::strings::link_label(&item.title)>
                                        {crate::workflow::strings::LINK}
                                    </A>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `data:` URL of a JSON text, so that the export downloads without another request.
fn json_data_url(json: &str) -> String {
    let mut out = String::from("data:application/json;charset=utf-8,");
    for byte in json.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn file_name(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    format!("{}.json", if slug.is_empty() { "demarche" } else { slug })
}

/// Fetches the document, then offers it as a download link.
#[component]
fn ExportButton(id: String, title: String) -> impl IntoView {
    let link = RwSignal::new(None::<Result<String, AppError>>);
    let id = StoredValue::new(id);
    let name = file_name(&title);
    view! {
        <button type="button" class="link-button" aria-label=s::export_label(&title)
            on:click=move |_| spawn_local(async move {
                link.set(Some(export_demarche(id.get_value()).await.map(|json| json_data_url(&json))));
            })>{s::EXPORT}</button>
        {move || link.get().map(|result| match result {
            Ok(href) => view! { " " <a href=href download=name.clone()>{s::DOWNLOAD}</a> }.into_any(),
            Err(error) => view! { <span class="error-message">{error.to_string()}</span> }.into_any(),
        })}
    }
}

#[component]
fn ImportPanel() -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let problems = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(file) = input.get().and_then(browser::chosen_file) else {
            problems.set(vec![s::IMPORT_NO_FILE.to_owned()]);
            return;
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let text = browser::read_text(file).await;
            let result = match text {
                Some(text) => import_demarche(text).await,
                None => Err(AppError::invalid("document", s::IMPORT_UNREADABLE)),
            };
            busy.set(false);
            match result {
                Ok(id) => navigate(&format!("/back-office/demarches/{id}"), Default::default()),
                Err(AppError::Rejected { problems: list }) => problems.set(
                    list.into_iter()
                        .map(|p| format!("{} : {}", p.path, p.message))
                        .collect(),
                ),
                Err(other) => problems.set(vec![other.to_string()]),
            }
        });
    };
    view! {
        <section aria-labelledby="importer">
            <h2 id="importer">{s::IMPORT_TITLE}</h2>
            {move || {
                let list = problems.get();
                (!list.is_empty()).then(|| view! {
                    <div class="alert alert-error" role="alert">
                        <ul>{list.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    </div>
                })
            }}
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="champ-import">{s::IMPORT_FIELD}</label>
                    <input id="champ-import" type="file" accept="application/json,.json" node_ref=input/>
                </div>
                <button type="submit" class="button button-secondary" disabled=move || busy.get()>{s::IMPORT_BUTTON}</button>
            </form>
        </section>
    }
}

/// File reading, with web-sys features only the browser build (`hydrate`) enables.
mod browser {
    use leptos::web_sys;

    #[cfg(feature = "hydrate")]
    pub fn chosen_file(input: web_sys::HtmlInputElement) -> Option<web_sys::File> {
        input.files()?.get(0)
    }

    #[cfg(feature = "hydrate")]
    pub async fn read_text(file: web_sys::File) -> Option<String> {
        wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|value| value.as_string())
    }

    /// Never called on the server: forms are submitted in the browser.
    #[cfg(not(feature = "hydrate"))]
    pub fn chosen_file(_: web_sys::HtmlInputElement) -> Option<()> {
        None
    }

    #[cfg(not(feature = "hydrate"))]
    pub async fn read_text(_: ()) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_download_as_percent_encoded_data_urls_with_a_readable_name() {
        assert_eq!(
            json_data_url("{\"a\": \"é\"}"),
            "data:application/json;charset=utf-8,%7B%22a%22%3A%20%22%C3%A9%22%7D"
        );
        assert_eq!(file_name("Cantine 2026 !"), "cantine-2026.json");
        assert_eq!(file_name("Été"), "t.json");
        assert_eq!(file_name("!!"), "demarche.json");
    }
}
