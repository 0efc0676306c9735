//! Pages of responses: the "Courriers" section of a dossier's page, the agent's parapheur
//! (steps waiting for them, their signature image) and the managers' saved circuits. Every
//! action is a plain form (`ActionForm`, or a multipart form for the image), so they work
//! before (or without) hydration.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{ActOnResponse, DeleteCircuit, SaveCircuit, load_circuits, load_parapheur};
use super::model::{
    CircuitsPage as CircuitsData, InboxItem, Parapheur, ResponseView, ResponsesPanel, StepKind,
};
use super::strings as s;
use crate::error::AppError;
use crate::ui::{ErrorSummary, Restricted, action_error};

/// Rows offered to compose a circuit by hand.
const STEP_ROWS: usize = 4;

fn failure(error: AppError) -> AnyView {
    view! { <Restricted message=error.to_string()/> }.into_any()
}

fn options(items: &[(String, String)]) -> impl IntoView + use<> {
    items
        .iter()
        .map(|(value, label)| view! { <option value=value.clone()>{label.clone()}</option> })
        .collect_view()
}

/// Rows of (kind, agent or service) named `step_kinds[i]` / `step_assignees[i]`; rows left
/// without an assignee are ignored. `prefix` makes their ids unique on the page (one circuit
/// form per draft).
#[component]
fn StepRows(prefix: String, assignees: Vec<(String, String)>) -> impl IntoView {
    (0..STEP_ROWS)
        .map(|i| {
            let kind_id = format!("{prefix}-kind-{i}");
            let who_id = format!("{prefix}-who-{i}");
            let last = i + 1 == STEP_ROWS;
            view! {
                <fieldset class="step-row">
                    <legend>{s::step_label(i)}</legend>
                    <div class="field"><label for=kind_id.clone()>{s::STEP_KIND}</label>
                        <select id=kind_id name=format!("step_kinds[{i}]")>
                            <option value="visa" selected=!last>{s::KIND_VISA}</option>
                            <option value="signature" selected=last>{s::KIND_SIGNATURE}</option>
                        </select></div>
                    <div class="field"><label for=who_id.clone()>{s::STEP_WHO}</label>
                        <select id=who_id name=format!("step_assignees[{i}]")>
                            <option value="">{s::NOBODY}</option>
                            {options(&assignees)}
                        </select></div>
                </fieldset>
            }
        })
        .collect_view()
}

/// The "Courriers" section of a dossier's back-office page.
///
/// The page reads its data again after each action and draws this section from it. From the
/// moment an action is sent until then, the section's forms are disabled and it says it is
/// updating: a second action (a send while the text's save is on its way) never races the
/// first. A refusal is shown at the section's top, focused and scrolled into view, where the
/// agent who just clicked sees it.
#[component]
pub fn ResponsesSection(
    panel: ResponsesPanel,
    action: ServerAction<ActOnResponse>,
) -> impl IntoView {
    let error = action_error(action.value());
    let drawn_at = action.version().get_untracked();
    let busy = Signal::derive(move || action.pending().get() || action.version().get() != drawn_at);
    let alert = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if error.with(Option::is_some)
            && let Some(alert) = alert.get()
        {
            let _ = alert.focus();
            alert.scroll_into_view();
        }
    });
    let reference = panel.reference.clone();
    let can_create = panel.can_create && !panel.templates.is_empty();
    let panel = StoredValue::new(panel);
    view! {
        <section aria-labelledby="courriers" class="responses" aria-busy=move || busy.get().to_string()>
            <h2 id="courriers">{s::SECTION}</h2>
            <div tabindex="-1" node_ref=alert data-testid="responses-error"><ErrorSummary error/></div>
            <p class="hint" role="status">{move || busy.get().then_some(s::UPDATING)}</p>
            <fieldset class="responses-forms" disabled=move || busy.get()
                style="border: 0; margin: 0; padding: 0; min-width: 0">
            {if panel.read_value().responses.is_empty() {
                view! { <p>{s::NO_RESPONSES}</p> }.into_any()
            } else {
                panel
                    .read_value()
                    .responses
                    .clone()
                    .into_iter()
                    .map(|response| view! { <ResponseCard response panel action/> })
                    .collect_view()
                    .into_any()
            }}
            {can_create.then(|| view! {
                <details>
                    <summary>{s::NEW_RESPONSE}</summary>
                    <ActionForm action attr:class="form">
                        <input type="hidden" name="action" value="create"/>
                        <input type="hidden" name="reference" value=reference.clone()/>
                        <div class="field"><label for="response-template">{s::TEMPLATE}</label>
                            <select id="response-template" name="template">{options(&panel.read_value().templates)}</select></div>
                        <button class="button">{s::CREATE}</button>
                    </ActionForm>
                </details>
            })}
            {(panel.read_value().can_create && panel.read_value().templates.is_empty())
                .then(|| view! { <p class="hint">{s::NO_TEMPLATES}</p> })}
            </fieldset>
        </section>
    }
}

#[component]
fn ResponseCard(
    response: ResponseView,
    panel: StoredValue<ResponsesPanel>,
    action: ServerAction<ActOnResponse>,
) -> impl IntoView {
    let id = response.id.clone();
    let frozen = response.status.is_frozen();
    let status = s::status_label(response.status.code());
    let text_id = format!("text-{id}");
    let model_id = format!("model-{id}");
    let (heading, labelled_by) = (format!("response-{id}"), format!("response-{id}"));
    let (email_id, portal_id, postal_id) = (
        format!("email-{id}"),
        format!("portal-{id}"),
        format!("postal-{id}"),
    );
    let prefix = format!("circuit-{id}");
    view! {
        <article class="response" data-testid="response" aria-labelledby=labelled_by>
            <h3 id=heading>{response.template_name.clone()} " – " <span class=format!("response-status response-{}", response.status.code())>{status}</span></h3>
            <p class="hint">{response.author.clone()}</p>
            {response.returned_comment.clone().map(|c| view! { <p class="alert alert-info" role="status">{s::RETURNED_NOTICE} {c}</p> })}
            <p><a href=response.pdf_url.clone() download="">{if frozen { s::DOWNLOAD_SIGNED } else { s::PREVIEW }}</a></p>
            {response.signed_on.clone().map(|on| view! {
                <dl class="dossier-facts">
                    <dt>{s::SIGNED_ON}</dt>
                    <dd>{on} " – " {response.signed_by.clone().unwrap_or_default()}
                        {response.on_behalf_of.clone().map(|b| view! { " " {s::ON_BEHALF} " " {b} })}</dd>
                    <dt>{s::SHA256}</dt><dd><code>{response.sha256.clone().unwrap_or_default()}</code></dd>
                    <dt>{s::CHANNELS}</dt><dd>{response.channels.labels().join(", ")}</dd>
                </dl>
            })}
            {(!response.steps.is_empty()).then(|| view! {
                <ol class="circuit">
                    {response.steps.clone().into_iter().map(|st| view! {
                        <li class=if st.current { "step step-current" } else { "step" }>
                            {st.kind.label()} " – " {st.assignee} " : " <strong>{s::state_label(&st.state)}</strong>
                            {st.current.then(|| view! { " " {s::CURRENT} })}
                            {st.acted_by.map(|by| view! { " – " {by} {st.acted_for.map(|f| view! { " " {s::ON_BEHALF} " " {f} })} " " {st.acted_at.unwrap_or_default()} })}
                            {st.comment.map(|c| view! { <br/><span class="pre-line">{c}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            })}
            {(!response.editable).then(|| view! { <p class="pre-line">{response.free_text.clone()}</p> })}
            // One form for the draft: its text and its circuit. "Envoyer dans le circuit" posts
            // the text as it stands with the circuit (saved together), so a send never depends
            // on a separate save of the text having landed first.
            {response.editable.then(|| view! {
                <ActionForm action attr:class="form">
                    <input type="hidden" name="response" value=id.clone()/>
                    <div class="field"><label for=text_id.clone()>{s::FREE_TEXT}</label>
                        <textarea id=text_id.clone() name="free_text" rows="8" maxlength="20000">{response.free_text.clone()}</textarea></div>
                    <button class="button button-secondary" name="action" value="edit">{s::SAVE_TEXT}</button>
                    <details>
                        <summary>{s::START_CIRCUIT}</summary>
                        <div class="field"><label for=model_id.clone()>{s::CIRCUIT_MODEL}</label>
                            <select id=model_id.clone() name="model"><option value="">{s::AD_HOC}</option>{options(&panel.read_value().models)}</select></div>
                        <StepRows prefix=prefix.clone() assignees=panel.read_value().assignees.clone()/>
                        <fieldset>
                            <legend>{s::CHANNELS}</legend>
                            <div class="choice"><input type="checkbox" id=email_id.clone() name="by_email" value="on"/><label for=email_id>{s::BY_EMAIL}</label></div>
                            <div class="choice"><input type="checkbox" id=portal_id.clone() name="by_portal" value="on" checked=true/><label for=portal_id>{s::BY_PORTAL}</label></div>
                            <div class="choice"><input type="checkbox" id=postal_id.clone() name="by_postal" value="on"/><label for=postal_id>{s::BY_POSTAL}</label></div>
                        </fieldset>
                        <button class="button" name="action" value="start">{s::SEND}</button>
                    </details>
                </ActionForm>
            })}
        </article>
    }
}

/// `/back-office/parapheur`: the steps waiting for the agent, and their signature image.
#[component]
pub fn ParapheurPage() -> impl IntoView {
    let action = ServerAction::<ActOnResponse>::new();
    let data = Resource::new(move || action.version().get(), |_| load_parapheur());
    let error = action_error(action.value());
    view! {
        <Title text=s::PARAPHEUR_TITLE/>
        <p><a href="/back-office">"Retour au back-office"</a></p>
        <h1>{s::PARAPHEUR_TITLE}</h1>
        <ErrorSummary error/>
        <Suspense>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <ParapheurView page action/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ParapheurView(page: Parapheur, action: ServerAction<ActOnResponse>) -> impl IntoView {
    let saved = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("signature").is_some_and(|v| v == "ok"));
    view! {
        {if page.items.is_empty() {
            view! { <p>{s::PARAPHEUR_EMPTY}</p> }.into_any()
        } else {
            view! {
                <ul class="parapheur" data-testid="parapheur">
                    {page.items.into_iter().map(|item| view! { <InboxLine item action/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <section aria-labelledby="ma-signature">
            <h2 id="ma-signature">{s::MY_SIGNATURE}</h2>
            {saved.then(|| view! { <p class="alert alert-success" role="status">{s::SIGNATURE_SAVED}</p> })}
            {if page.has_signature {
                view! { <p><img class="signature-image" src="/back-office/signature" alt=s::SIGNATURE_ALT/></p> }.into_any()
            } else {
                view! { <p>{s::SIGNATURE_NONE}</p> }.into_any()
            }}
            <form method="post" action="/back-office/signature" enctype="multipart/form-data" class="form">
                <div class="field"><label for="signature-file">{s::MY_SIGNATURE}</label>
                    <p class="hint" id="signature-hint">{s::SIGNATURE_HINT}</p>
                    <input type="file" id="signature-file" name="file" required accept="image/png,image/jpeg,image/svg+xml" aria-describedby="signature-hint"/></div>
                <button type="submit" class="button button-secondary">{s::SIGNATURE_UPLOAD}</button>
            </form>
        </section>
    }
}

#[component]
fn InboxLine(item: InboxItem, action: ServerAction<ActOnResponse>) -> impl IntoView {
    let id = item.response_id.clone();
    let position = item.position.to_string();
    let main = match item.kind {
        StepKind::Visa => ("approve", s::APPROVE),
        StepKind::Signature => ("sign", s::SIGN),
    };
    let target_id = format!("target-{id}");
    let comment_id = format!("comment-{id}");
    let (main_id, back_id) = (id.clone(), id);
    let (main_position, back_position) = (position.clone(), position);
    view! {
        <li class="parapheur-item">
            <p><strong>{item.template_name.clone()}</strong> " – " {s::DOSSIER} " "
                <a href=item.dossier_url.clone()>{item.reference.clone()}</a> " – "
                {s::step_label(item.position)} " (" {item.kind.label()} ")"
                {item.on_behalf_of.clone().map(|b| view! { " " {s::ON_BEHALF} " " {b} })}</p>
            <p><a href=item.pdf_url.clone() download="">{s::PREVIEW}</a></p>
            <div class="action-row">
                <ActionForm action attr:class="form form-inline">
                    <input type="hidden" name="action" value=main.0/>
                    <input type="hidden" name="response" value=main_id/>
                    <input type="hidden" name="position" value=main_position/>
                    <button class="button">{main.1}</button>
                </ActionForm>
            </div>
            <details>
                <summary>{s::SEND_BACK}</summary>
                <ActionForm action attr:class="form">
                    <input type="hidden" name="action" value="return"/>
                    <input type="hidden" name="response" value=back_id/>
                    <input type="hidden" name="position" value=back_position/>
                    <div class="field"><label for=target_id.clone()>{s::SEND_BACK_TO}</label>
                        <select id=target_id name="target">{options(&item.targets)}</select></div>
                    <div class="field"><label for=comment_id.clone()>{s::COMMENT}</label>
                        <textarea id=comment_id name="comment" rows="3" maxlength="5000" required></textarea></div>
                    <button class="button button-secondary">{s::SEND_BACK}</button>
                </ActionForm>
            </details>
        </li>
    }
}

/// `/back-office/circuits`: the commune's saved circuits (managers).
#[component]
pub fn CircuitsPage() -> impl IntoView {
    let save = ServerAction::<SaveCircuit>::new();
    let delete = ServerAction::<DeleteCircuit>::new();
    let data = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| load_circuits(),
    );
    let save_error = action_error(save.value());
    let delete_error = action_error(delete.value());
    view! {
        <Title text=s::CIRCUITS_TITLE/>
        <p><a href="/back-office">"Retour au back-office"</a></p>
        <h1>{s::CIRCUITS_TITLE}</h1>
        <ErrorSummary error=delete_error/>
        <Suspense>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <CircuitsView page save delete save_error/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CircuitsView(
    page: CircuitsData,
    save: ServerAction<SaveCircuit>,
    delete: ServerAction<DeleteCircuit>,
    save_error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        {if page.models.is_empty() {
            view! { <p>{s::CIRCUITS_EMPTY}</p> }.into_any()
        } else {
            view! {
                <ul class="circuit-models" data-testid="circuit-models">
                    {page.models.into_iter().map(|m| view! {
                        <li>
                            <strong>{m.name.clone()}</strong>
                            <ol>{m.steps.into_iter().map(|(kind, who)| view! { <li>{kind.label()} " – " {who}</li> }).collect_view()}</ol>
                            <ActionForm action=delete attr:class="form form-inline">
                                <input type="hidden" name="id" value=m.id.clone()/>
                                <button class="button button-secondary">{s::CIRCUIT_DELETE} " " <span class="visually-hidden">{m.name.clone()}</span></button>
                            </ActionForm>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <section aria-labelledby="nouveau-circuit">
            <h2 id="nouveau-circuit">{s::NEW_CIRCUIT}</h2>
            <ErrorSummary error=save_error/>
            <ActionForm action=save attr:class="form">
                <div class="field"><label for="circuit-name">{s::CIRCUIT_NAME}</label><input id="circuit-name" name="name" required/></div>
                <StepRows prefix="model".to_owned() assignees=page.assignees/>
                <button class="button">{s::CIRCUIT_SAVE}</button>
            </ActionForm>
        </section>
    }
}
