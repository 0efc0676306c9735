//! `/back-office/publipostages` (managers and admins): the mail merge form (template,
//! dossiers, result, emails, free text) and the commune's merges with their progress, followed
//! every second while one is queued or running. The form and "Annuler" are plain forms
//! (`ActionForm`); "Télécharger" is a plain link to the streamed result.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{CancelMailMerge, CreateMailMerge, list_mail_merges, mail_merge_options};
use super::model::{
    MergeOptions, MergeStatus, MergeView, SOURCE_LIST, SOURCE_REFERENCES, SOURCE_SEARCH,
};
use super::strings as s;
use crate::backoffice::model::DossierFilter;
use crate::store::pages::DesignersOnly;
use crate::ui::{ErrorSummary, Notice, action_error};

#[component]
pub fn MailMergesPage() -> impl IntoView {
    // The dossier list's filter, when the page is opened from it.
    let filter = crate::backoffice::dossiers::filter_from_query();
    let create = ServerAction::<CreateMailMerge>::new();
    let cancel = ServerAction::<CancelMailMerge>::new();
    let tick = RwSignal::new(0u32);
    // Resources are created before the gate's suspense (same order on server and browser).
    let options = Resource::new(|| (), |_| mail_merge_options());
    let merges = Resource::new(
        move || (create.version().get(), cancel.version().get(), tick.get()),
        |_| list_mail_merges(),
    );
    // While a merge is queued or running, the list is read again every second.
    let active = Memo::new(move |_| {
        merges
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| list.iter().any(|m| m.status.active()))
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if active.get_untracked() {
                    tick.update(|t| *t = t.wrapping_add(1));
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let error = action_error(create.value());
    let cancel_error = action_error(cancel.value());
    let started = move || create.value().get().is_some_and(|r| r.is_ok());
    view! {
        <Title text=s::MERGE_TITLE/>
        <h1>{s::MERGE_TITLE}</h1>
        <p>{s::MERGE_INTRO}</p>
        <DesignersOnly>
            <Suspense>
                {move || Suspend::new(async move {
                    match options.await {
                        Ok(options) => view! { <MergeForm options filter=filter.get_untracked() create/> }.into_any(),
                        Err(error) => view! { <p class="error-message">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ErrorSummary error/>
            {move || started().then(|| view! { <Notice>{s::MERGE_STARTED}</Notice> })}
            <h2>{s::MERGE_LIST}</h2>
            <ErrorSummary error=cancel_error/>
            <Transition>
                {move || Suspend::new(async move {
                    match merges.await {
                        Ok(list) if list.is_empty() => view! { <p>{s::MERGE_NONE}</p> }.into_any(),
                        Ok(list) => view! { <MergeTable list cancel/> }.into_any(),
                        Err(error) => view! { <p class="error-message">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </DesignersOnly>
    }
}

#[component]
fn MergeForm(
    options: MergeOptions,
    filter: DossierFilter,
    create: ServerAction<CreateMailMerge>,
) -> impl IntoView {
    let from_list = filter != DossierFilter::default();
    let default_source = if from_list {
        SOURCE_LIST
    } else if !options.searches.is_empty() {
        SOURCE_SEARCH
    } else {
        SOURCE_REFERENCES
    };
    let radio = move |value: &'static str, label: &'static str| {
        let id = format!("merge-source-{value}");
        view! {
            <div class="radio">
                <input type="radio" id=id.clone() name="request[source]" value=value checked=default_source == value/>
                <label for=id>{label}</label>
            </div>
        }
    };
    view! {
        <section aria-labelledby="merge-new">
            <h2 id="merge-new">{s::MERGE_NEW}</h2>
            <ActionForm action=create attr:class="form" attr:data-testid="merge-form">
                <div class="field"><label for="merge-template">{s::MERGE_TEMPLATE}</label>
                    <select id="merge-template" name="request[template_id]" required>
                        <option value="">"—"</option>
                        {options.templates.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select></div>
                <fieldset class="field">
                    <legend>{s::MERGE_SOURCE}</legend>
                    {radio(SOURCE_SEARCH, s::MERGE_SOURCE_SEARCH)}
                    {radio(SOURCE_LIST, s::MERGE_SOURCE_LIST)}
                    {radio(SOURCE_REFERENCES, s::MERGE_SOURCE_REFERENCES)}
                </fieldset>
                <input type="hidden" name="request[filter]" value=filter.to_query()/>
                <div class="field"><label for="merge-search">{s::MERGE_SAVED_SEARCH}</label>
                    <select id="merge-search" name="request[saved_search]">
                        <option value="">"—"</option>
                        {options.searches.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="merge-references">{s::MERGE_REFERENCES}</label>
                    <textarea id="merge-references" name="request[references]" rows="4"></textarea></div>
                <fieldset class="field">
                    <legend>{s::MERGE_OUTPUT}</legend>
                    <div class="radio"><input type="radio" id="merge-zip" name="request[output]" value="zip" checked=true/>
                        <label for="merge-zip">{s::MERGE_OUTPUT_ZIP}</label></div>
                    <div class="radio"><input type="radio" id="merge-pdf" name="request[output]" value="pdf"/>
                        <label for="merge-pdf">{s::MERGE_OUTPUT_PDF}</label></div>
                </fieldset>
                <div class="field checkbox"><input type="checkbox" id="merge-emails" name="request[send_emails]" value="true"/>
                    <label for="merge-emails">{s::MERGE_EMAILS}</label></div>
                <div class="field"><label for="merge-text">{s::MERGE_FREE_TEXT}</label>
                    <textarea id="merge-text" name="request[free_text]" rows="4"></textarea></div>
                <button type="submit" class="button">{s::MERGE_SUBMIT}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn MergeTable(list: Vec<MergeView>, cancel: ServerAction<CancelMailMerge>) -> impl IntoView {
    view! {
        <table class="table" data-testid="mail-merges">
            <caption class="sr-only">{s::MERGE_LIST}</caption>
            <thead><tr>
                <th scope="col">{s::COL_CREATED}</th>
                <th scope="col">{s::MERGE_TEMPLATE}</th>
                <th scope="col">{s::COL_SELECTION}</th>
                <th scope="col">{s::COL_PROGRESS}</th>
                <th scope="col">{s::COL_ACTIONS}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|m| {
                    let id = m.id.clone();
                    let label = format!("{} : {}", m.template, s::merge_progress(m.done, m.total));
                    view! {
                        <tr data-testid="mail-merge" data-status=format!("{:?}", m.status).to_lowercase()>
                            <td>{m.created_at.clone()} {m.created_by.clone().map(|b| format!(" ({b})"))}</td>
                            <td>{m.template.clone()} " — " {m.output.to_uppercase()}</td>
                            <td>{m.selection.clone()}</td>
                            <td>
                                <progress max=m.total.max(1) value=m.done aria-label=label></progress>
                                " " {s::merge_progress(m.done, m.total)} " · " <strong>{m.status.label()}</strong>
                                {m.send_emails.then(|| view! { <br/><span class="hint">{s::merge_emails(m.emails, m.no_email)}</span> })}
                                {m.error.clone().map(|e| view! { <br/><span class="error-message">{e}</span> })}
                            </td>
                            <td>
                                {(m.status == MergeStatus::Done).then(|| view! {
                                    <a class="button button-secondary" href=format!("/back-office/publipostages/{id}/resultat") download="">
                                        {s::MERGE_DOWNLOAD}
                                        {m.result_size.map(|size| format!(" ({})", s::file_size(size)))}
                                    </a>
                                })}
                                {m.status.active().then(|| view! {
                                    <ActionForm action=cancel>
                                        <input type="hidden" name="id" value=m.id.clone()/>
                                        <button type="submit" class="button button-secondary">{s::MERGE_CANCEL}</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
