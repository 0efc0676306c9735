//! `/administration/courriels` (tenant admins): the sender identity, and the commune's outbox
//! filtered by status, with "Renvoyer" on failed mail. `MailTable` is also the dossier page's
//! "Courriels" section. Plain forms (`ActionForm`, a GET filter): all work before hydration.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{ResendMail, SaveMailSettings, load_outbox};
use super::model::{MailLine, MailStatus, OutboxPage};
use super::strings as s;
use crate::ui::{ErrorSummary, Notice, Restricted, action_error, action_succeeded};

#[component]
pub fn MailPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| query.with(|q| q.get("statut").unwrap_or_default()));
    let save = ServerAction::<SaveMailSettings>::new();
    let resend = ServerAction::<ResendMail>::new();
    // One resource, created before the suspense (the server checks the admin role).
    let page = Resource::new(
        move || (status.get(), save.version().get(), resend.version().get()),
        |(status, _, _)| load_outbox(status),
    );
    view! {
        <Title text=s::PAGE_TITLE/>
        <h1>{s::PAGE_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <OutboxView page status=status.get_untracked() save resend/> }.into_any(),
                    Err(error) => view! { <Restricted message=error.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OutboxView(
    page: OutboxPage,
    status: String,
    save: ServerAction<SaveMailSettings>,
    resend: ServerAction<ResendMail>,
) -> impl IntoView {
    let save_error = action_error(save.value());
    let saved = action_succeeded(save.value());
    let resend_error = action_error(resend.value());
    let resent = action_succeeded(resend.value());
    let settings = page.settings.clone();
    let hint = s::sender_name_hint(&settings.default_sender_name);
    let filters = std::iter::once((String::new(), s::ALL.to_owned(), None))
        .chain(
            page.counts
                .iter()
                .map(|(st, n)| (st.slug().to_owned(), st.label().to_owned(), Some(*n))),
        )
        .map(|(slug, label, n)| {
            let current = slug == status;
            let href = if slug.is_empty() {
                "/administration/courriels".to_owned()
            } else {
                format!("/administration/courriels?statut={slug}")
            };
            let text = match n {
                Some(n) => format!("{label} ({n})"),
                None => label,
            };
            view! {
                <li><a href=href aria-current=current.then_some("page")>{text}</a></li>
            }
        })
        .collect_view();
    let shown = s::shown(page.mails.len(), page.limit);
    view! {
        <p>{s::INTRO}</p>
        <section aria-labelledby="expediteur">
            <h2 id="expediteur">{s::SETTINGS_TITLE}</h2>
            <ErrorSummary error=save_error/>
            <Show when=move || saved.get()><Notice><p>{s::SAVED}</p></Notice></Show>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <MailField name="sender_name" label=s::FIELD_SENDER_NAME hint value=settings.sender_name.clone() error=save_error/>
                <MailField name="reply_to" label=s::FIELD_REPLY_TO hint=s::REPLY_TO_HINT.to_owned() value=settings.reply_to.clone() error=save_error kind="email"/>
                <button type="submit" class="button">{s::SAVE}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="liste-courriels">
            <h2 id="liste-courriels">{s::LIST_TITLE}</h2>
            <nav aria-label="Filtrer par état"><ul class="admin-links">{filters}</ul></nav>
            <ErrorSummary error=resend_error/>
            <Show when=move || resent.get()><Notice><p>{s::RESENT}</p></Notice></Show>
            {(!shown.is_empty()).then(|| view! { <p class="hint">{shown.clone()}</p> })}
            <MailTable mails=page.mails resend=Some(resend) with_dossier=true/>
        </section>
    }
}

/// A labelled input with a hint and its error (the hint is dynamic, unlike `ui::Field`'s).
#[component]
fn MailField(
    name: &'static str,
    label: &'static str,
    hint: String,
    value: String,
    error: Signal<Option<crate::error::AppError>>,
    #[prop(default = "text")] kind: &'static str,
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
            if message().is_some() {
                format!("{hint_id} {error_id}")
            } else {
                hint_id.clone()
            }
        }
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <p class="hint" id=hint_id.clone()>{hint}</p>
            <input id=id.clone() name=name type=kind value=value
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=described_by/>
            {move || message().map(|text| view! { <p class="error-message" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

/// The mails as a table; with `resend`, failed ones get a "Renvoyer" button.
#[component]
pub fn MailTable(
    mails: Vec<MailLine>,
    resend: Option<ServerAction<ResendMail>>,
    #[prop(optional)] with_dossier: bool,
    #[prop(default = s::NONE)] empty: &'static str,
) -> impl IntoView {
    if mails.is_empty() {
        return view! { <p>{empty}</p> }.into_any();
    }
    view! {
        <div class="table-wrapper" role="region" aria-label=s::PAGE_TITLE tabindex="0">
            <table data-testid="mails">
                <caption class="sr-only">{s::PAGE_TITLE}</caption>
                <thead>
                    <tr>
                        <th scope="col">{s::COL_QUEUED}</th>
                        <th scope="col">{s::COL_RECIPIENT}</th>
                        <th scope="col">{s::COL_SUBJECT}</th>
                        {with_dossier.then(|| view! { <th scope="col">{s::COL_DOSSIER}</th> })}
                        <th scope="col">{s::COL_STATE}</th>
                        <th scope="col">{s::COL_ATTEMPTS}</th>
                        {resend.is_some().then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {mails.into_iter().map(|mail| {
                        let failed = mail.status == MailStatus::Failed;
                        let id = mail.id.clone();
                        view! {
                            <tr data-mail=mail.id.clone() data-status=mail.status.as_str()>
                                <td>{mail.queued_at}</td>
                                <td>{mail.recipient}</td>
                                <td>{mail.subject}</td>
                                {with_dossier.then(|| view! {
                                    <td>{mail.dossier.map(|r| view! { <a href=format!("/back-office/dossiers/{r}")>{r.clone()}</a> })}</td>
                                })}
                                <td class=format!("mail-state mail-{}", mail.status.as_str())>{mail.state}</td>
                                <td>{mail.attempts}</td>
                                {resend.map(|action| view! {
                                    <td>{failed.then(|| view! {
                                        <ActionForm action>
                                            <input type="hidden" name="id" value=id.clone()/>
                                            <button class="button button-secondary">{s::RESEND}</button>
                                        </ActionForm>
                                    })}</td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
