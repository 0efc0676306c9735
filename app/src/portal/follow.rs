//! Following one's démarches: drafts in progress ("Mes démarches"), submitted dossiers ("Mes
//! demandes") and a dossier's page, whose status updates live through server-sent events.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::dossiers::api::{dossier, my_dossiers, my_drafts};
use crate::dossiers::model::{DossierView, LiveStatus, RefusedPiece, UploadRefusal};
use crate::dossiers::strings as s;
use crate::error::AppError;

fn failure(error: AppError) -> AnyView {
    let login = matches!(error, AppError::Unauthenticated);
    view! {
        <p class="alert alert-error" role="alert">{error.to_string()}</p>
        {login.then(|| view! { <p><A href="/connexion">{s::LOGIN}</A></p> })}
    }
    .into_any()
}

#[component]
pub fn MyDrafts() -> impl IntoView {
    let drafts = Resource::new_blocking(|| (), |_| my_drafts());
    view! {
        <Title text=s::MY_DRAFTS_TITLE/>
        <h1>{s::MY_DRAFTS_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match drafts.await {
                    Ok(list) if list.is_empty() => view! {
                        <p>{s::MY_DRAFTS_EMPTY}</p>
                        <p><A href="/demarches">{s::CATALOGUE_TITLE}</A></p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="card-list">
                            {list.into_iter().map(|draft| view! {
                                <li class="card">
                                    <h2><a href=format!("/brouillons/{}?etape={}", draft.key, draft.step.min(draft.steps.saturating_sub(1)) + 1)>{draft.title.clone()}</a></h2>
                                    <p>{format!("{} – modifié le {}", s::step_progress((draft.step + 1).min(draft.steps), draft.steps), draft.updated)}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn MyDossiers() -> impl IntoView {
    let dossiers = Resource::new_blocking(|| (), |_| my_dossiers());
    view! {
        <Title text=s::MY_DOSSIERS_TITLE/>
        <h1>{s::MY_DOSSIERS_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match dossiers.await {
                    Ok(list) if list.is_empty() => view! { <p>{s::MY_DOSSIERS_EMPTY}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrapper" role="region" aria-label=s::MY_DOSSIERS_TITLE tabindex="0">
                        <table class="table">
                            <caption class="sr-only">{s::MY_DOSSIERS_TITLE}</caption>
                            <thead><tr><th scope="col">"Numéro"</th><th scope="col">"Démarche"</th><th scope="col">"Déposé le"</th><th scope="col">{s::STATUS}</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|d| view! {
                                    <tr>
                                        <td><A href=format!("/mes-demandes/{}", d.reference)>{d.reference.clone()}</A></td>
                                        <td>{d.title}</td>
                                        <td>{d.submitted_on}</td>
                                        <td><span class=format!("status status-{}", d.status)>{d.status_label.clone()}</span></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn MyDossier() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let found = Resource::new_blocking(reference, |reference| dossier(Some(reference), None));
    view! { <DossierPage found/> }
}

#[component]
pub fn TrackedDossier() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("key").unwrap_or_default());
    let found = Resource::new_blocking(key, |key| dossier(None, Some(key)));
    view! {
        <p class="alert alert-info">{s::ANONYMOUS_TRACKING_NOTE}</p>
        <DossierPage found/>
    }
}

#[component]
fn DossierPage(found: Resource<Result<DossierView, AppError>>) -> impl IntoView {
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(view) => view! { <DossierDetail dossier=view/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

/// A refused piece: what and why, and the plain multipart form that sends its replacement
/// (it works without any script; the server checks the file as it checked the original).
#[component]
fn RefusedPieceItem(piece: RefusedPiece, problem: Option<UploadRefusal>) -> impl IntoView {
    let input = format!("remplacer-{}", piece.id);
    let hint = format!("{input}-aide");
    let error = format!("{input}-erreur");
    let message = problem.map(|p| p.message(&piece));
    let invalid = message.is_some();
    let described_by = if invalid {
        format!("{hint} {error}")
    } else {
        hint.clone()
    };
    view! {
        <li id=format!("piece-{}", piece.id) class="refused-piece">
            <p><strong class="file-name">{piece.name.clone()}</strong> " (" {piece.field.clone()} ") : "
                <span class="pre-line">{piece.reason.clone()}</span></p>
            <form method="post" action=piece.replace_url.clone() enctype="multipart/form-data" class="form">
                <div class=if invalid { "field field-invalid" } else { "field" }>
                    <label for=input.clone()>{s::replacement_label(&piece.name)}</label>
                    <p class="hint" id=hint.clone()>{piece.hint()}</p>
                    {message.map(|m| view! { <p class="error-message" id=error.clone()>{m}</p> })}
                    <input type="file" id=input.clone() name="fichier" accept=piece.accept() required
                        aria-invalid=if invalid { "true" } else { "false" }
                        aria-describedby=described_by/>
                </div>
                <button type="submit" class="button">{s::REPLACE_BUTTON}</button>
            </form>
        </li>
    }
}

#[component]
fn DossierDetail(dossier: DossierView) -> impl IntoView {
    let status = RwSignal::new(LiveStatus {
        status: dossier.status.clone(),
        label: dossier.status_label.clone(),
    });
    let query = leptos_router::hooks::use_query_map();
    let blank_message = query.with_untracked(|q| q.get("message").is_some());
    // After a replacement: `?piece=remplacee`, or `?piece=<id>&erreur=<code>` when refused.
    let (piece_query, refusal) = query.with_untracked(|q| {
        (
            q.get("piece").unwrap_or_default(),
            q.get("erreur").as_deref().and_then(UploadRefusal::parse),
        )
    });
    let replaced = piece_query == "remplacee";
    let complement_url = dossier.complement_url.clone();
    let letters = dossier.letters.clone();
    let messages_url = dossier.messages_url.clone();
    view! {
        <Title text=s::reference_line(&dossier.reference)/>
        <h1>{dossier.title.clone()}</h1>
        <p class="dossier-reference">{s::reference_line(&dossier.reference)}</p>
        <p>{s::submitted_on(&dossier.submitted_on)}</p>
        <p class="dossier-status" role="status" aria-live="polite" data-events-url=dossier.events_url.clone()>
            {s::STATUS} " : "
            <span class=move || format!("status status-{}", status.get().status) data-status=move || status.get().status>
                {move || status.get().label}
            </span>
        </p>
        {dossier.complement.clone().map(|message| view! {
            <section class="alert alert-warning complement-request" aria-labelledby="complement">
                <h2 id="complement">{s::COMPLEMENT_TITLE}</h2>
                <p class="pre-line">{message}</p>
                <form method="post" action=complement_url.clone()>
                    <button type="submit" class="button">{s::COMPLEMENT_BUTTON}</button>
                </form>
            </section>
        })}
        <section aria-labelledby="documents">
            <h2 id="documents">{s::DOCUMENTS_TITLE}</h2>
            <ul data-testid="dossier-documents">
                {dossier.documents.clone().into_iter().map(|(label, url)| view! {
                    <li><a href=url download rel="external">{label}</a></li>
                }).collect_view()}
            </ul>
        </section>
        {replaced.then(|| view! { <p id="pieces" class="alert alert-success" role="status">{s::REPLACEMENT_DONE}</p> })}
        {(!dossier.refused_pieces.is_empty()).then(|| view! {
            <section aria-labelledby="pieces-refusees" class="refused-pieces">
                <h2 id="pieces-refusees">{s::PIECE_REFUSED}</h2>
                <ul>
                    {dossier.refused_pieces.clone().into_iter().map(|piece| {
                        let problem = refusal.filter(|_| piece_query == piece.id);
                        view! { <RefusedPieceItem piece problem/> }
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!dossier.notes.is_empty()).then(|| view! {
            <section aria-labelledby="informations">
                <h2 id="informations">{s::NOTES_TITLE}</h2>
                <ul class="notes">
                    {dossier.notes.clone().into_iter().map(|(at, body)| view! {
                        <li><span class="history-date">{at}</span> <span class="pre-line">{body}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section>
            <h2>{s::ANSWERS}</h2>
            <dl class="summary-list">
                {dossier.answers.into_iter().map(|line| {
                    let files = line.files.clone();
                    view! {
                        <dt>{line.label}</dt>
                        <dd>
                            {if files.is_empty() {
                                view! { {line.value} }.into_any()
                            } else {
                                view! {
                                    <ul class="file-links">
                                        {files.into_iter().map(|(id, name)| view! {
                                            <li><a href=format!("/pieces/{id}") download="">{name}</a></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </dd>
                    }
                }).collect_view()}
            </dl>
        </section>
        <section id="messages" aria-labelledby="messages-titre">
            <h2 id="messages-titre">{s::MESSAGES_TITLE}</h2>
            {if dossier.messages.is_empty() {
                view! { <p>{s::NO_MESSAGES}</p> }.into_any()
            } else {
                view! {
                    <ol class="messages">
                        {dossier.messages.clone().into_iter().map(|m| view! {
                            <li class=if m.from_citizen { "message message-citizen" } else { "message message-agent" }>
                                <p class="message-meta">
                                    <strong>{if m.from_citizen { s::FROM_YOU } else { s::FROM_AGENT }}</strong>
                                    " – " {m.at}
                                </p>
                                <p class="pre-line">{m.body}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <form method="post" action=messages_url class="form" novalidate>
                <div class=if blank_message { "field field-invalid" } else { "field" }>
                    <label for="message-body">{s::MESSAGE_LABEL}</label>
                    {blank_message.then(|| view! { <p class="error-message" id="message-error">{s::MESSAGE_REQUIRED}</p> })}
                    <textarea id="message-body" name="body" rows="4" maxlength="5000" required
                        aria-invalid=if blank_message { "true" } else { "false" }
                        aria-describedby=blank_message.then_some("message-error")></textarea>
                </div>
                <button type="submit" class="button">{s::MESSAGE_SEND}</button>
            </form>
        </section>
        {(!letters.is_empty()).then(|| view! {
            <section aria-labelledby="courriers">
                <h2 id="courriers">{crate::responses::strings::CITIZEN_LETTERS}</h2>
                <ul class="file-links" data-testid="citizen-letters">
                    {letters.into_iter().map(|l| view! {
                        <li><a href=l.url download="">{l.title}</a> " – " {crate::responses::strings::signed_on(&l.signed_on)}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section>
            <h2>{s::HISTORY}</h2>
            <ol class="history">
                {dossier.events.into_iter().map(|e| view! { <li><span class="history-date">{e.at}</span> " – " {e.label}</li> }).collect_view()}
            </ol>
        </section>
    }
}
