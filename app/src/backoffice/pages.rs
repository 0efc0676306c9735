use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::strings as s;
use crate::account::model::Role;
use crate::context::{SiteView, use_site};
use crate::portal::api::{PublishNews, latest_news};
use crate::portal::pages::NewsList;
use crate::ui::{
    ErrorSummary, Field, Notice, Restricted, TextArea, action_error, action_succeeded,
};

#[component]
pub fn Home() -> impl IntoView {
    let site = use_site();
    view! {
        <Title text=s::HOME_TITLE/>
        <h1>{s::HOME_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) => match tenant.user.filter(|u| u.has_role(Role::Agent)) {
                        Some(agent) => view! {
                            <p data-testid="agent-welcome">
                                {format!(
                                    "Bonjour {} — {}, {}",
                                    agent.display_name,
                                    agent.role.map(|r| r.label()).unwrap_or_default(),
                                    tenant.name
                                )}
                            </p>
                            <p><a href="/back-office/dossiers" class="button">{s::DOSSIERS_LINK}</a>
                                " " <a href="/back-office/usagers">{crate::usagers::strings::LINK}</a>
                                " " <a href="/back-office/absences">{crate::org::strings::ABSENCES_LINK}</a>
                                " " <a href="/back-office/parapheur">{crate::responses::strings::PARAPHEUR_TITLE}</a></p>
                            {agent.has_role(Role::Manager).then(|| view! {
                                <p><A href="/back-office/demarches">{crate::designer::strings::LIST_LINK}</A>
                                    " " <A href="/back-office/catalogue">{crate::store::strings::STORE_LINK}</A>
                                    " " <A href="/back-office/courriers">{crate::letters::strings::LETTERS_LINK}</A>
                                    " " <a href="/back-office/circuits">{crate::responses::strings::CIRCUITS_TITLE}</a>
                                    " " <A href="/back-office/publipostages">{crate::letters::strings::MERGE_TITLE}</A>
                                    " " <a href="/back-office/doublons">{crate::duplicates::strings::QUEUE_TITLE}</a></p>
                            })}
                            <PublishNewsPanel/>
                        }
                        .into_any(),
                        None => view! {
                            <Restricted message=crate::account::strings::NOT_AN_AGENT.to_owned()/>
                        }
                        .into_any(),
                    },
                    _ => view! { <Restricted message="Page introuvable.".to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PublishNewsPanel() -> impl IntoView {
    let action = ServerAction::<PublishNews>::new();
    let error = action_error(action.value());
    let done = action_succeeded(action.value());
    let news = Resource::new(move || action.version().get(), |_| latest_news());
    view! {
        <section aria-labelledby="publier">
            <h2 id="publier">{s::PUBLISH_TITLE}</h2>
            <ErrorSummary error/>
            <Show when=move || done.get()><Notice><p>{s::PUBLISHED}</p></Notice></Show>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <Field name="title" label=s::FIELD_TITLE error/>
                <TextArea name="body" label=s::FIELD_BODY error/>
                <button type="submit" class="button">"Publier"</button>
            </ActionForm>
        </section>
        <section aria-labelledby="publiees">
            <h2 id="publiees">"Actualités publiées"</h2>
            <Transition>
                {move || Suspend::new(async move {
                    match news.await {
                        Ok(items) => view! { <NewsList news=items/> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
