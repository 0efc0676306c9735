//! The agents' 360° pages: the search (a plain GET form) with the form for a person met at the
//! counter, and one page per person. Every action is a plain form (`ActionForm`), so the pages
//! work before (or without) hydration.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{CreateUsager, EditUsager, NoteUsager, load_usager, search_usagers};
use super::model::{AttributeLine, PersonPage, UsagerLine};
use super::strings as s;
use crate::error::AppError;
use crate::people::model::{Attribute, Certainty, Civility};
use crate::ui::{
    ErrorSummary, Field, Notice, Restricted, TextArea, action_error, action_succeeded,
};

fn failure(error: AppError) -> AnyView {
    view! { <Restricted message=error.to_string()/> }.into_any()
}

#[component]
pub fn UsagersPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let found = Resource::new(
        move || q.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                search_usagers(q).await.map(Some)
            }
        },
    );
    view! {
        <Title text=s::TITLE/>
        <p><a href="/back-office">"← Back-office"</a></p>
        <h1>{s::TITLE}</h1>
        <p>{s::INTRO}</p>
        <form method="get" action="/back-office/usagers" role="search" class="quick-search">
            <div class="field">
                <label for="q">{s::SEARCH_LABEL}</label>
                <input id="q" name="q" type="search" value=move || q.get()/>
            </div>
            <button type="submit" class="button">{s::SEARCH_BUTTON}</button>
        </form>
        <Suspense>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(Some(lines)) if lines.is_empty() => view! { <p data-testid="usagers-none">{s::NO_RESULT}</p> }.into_any(),
                    Ok(Some(lines)) => view! { <UsagerTable lines/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
        <CreatePanel/>
    }
}

#[component]
fn UsagerTable(lines: Vec<UsagerLine>) -> impl IntoView {
    view! {
        <table class="table" data-testid="usagers-results">
            <thead><tr>
                <th scope="col">{s::COL_NAME}</th>
                <th scope="col">{s::COL_DETAIL}</th>
                <th scope="col">{s::COL_CONTACT}</th>
                <th scope="col">{s::COL_ACCOUNT}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|line| {
                    let contact = [line.email.clone(), line.phone.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                    if line.organisation {
                        view! {
                            <tr>
                                <td>{line.name} " " <span class="hint">"(" {s::ORGANISATION} ")"</span>
                                    {(!line.representatives.is_empty()).then(|| view! {
                                        <br/><span class="hint">{s::REPRESENTED_BY} " "</span>
                                        {line.representatives.into_iter().map(|(id, name)| view! {
                                            <a href=format!("/back-office/usagers/{id}")>{name}</a> " "
                                        }).collect_view()}
                                    })}
                                </td>
                                <td>{line.detail}</td>
                                <td>{contact}</td>
                                <td>"—"</td>
                            </tr>
                        }.into_any()
                    } else {
                        view! {
                            <tr>
                                <td><a href=format!("/back-office/usagers/{}", line.id)>{line.name}</a></td>
                                <td>{line.detail}</td>
                                <td>{contact}</td>
                                <td>{if line.has_account { s::WITH_ACCOUNT } else { s::WITHOUT_ACCOUNT }}</td>
                            </tr>
                        }.into_any()
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CivilityChoice(#[prop(default = None)] current: Option<Civility>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="champ-civility">{crate::people::strings::ATTR_CIVILITY}</label>
            <select id="champ-civility" name="civility">
                <option value="" selected=current.is_none()>{s::CIVILITY_NONE}</option>
                <option value="madame" selected=current == Some(Civility::Madame)>{s::CIVILITY_MADAME}</option>
                <option value="monsieur" selected=current == Some(Civility::Monsieur)>{s::CIVILITY_MONSIEUR}</option>
            </select>
        </div>
    }
}

#[component]
fn CreatePanel() -> impl IntoView {
    let action = ServerAction::<CreateUsager>::new();
    let error = action_error(action.value());
    let p = crate::people::strings::ATTR_GIVEN_NAMES;
    view! {
        <section aria-labelledby="nouvel-usager">
            <h2 id="nouvel-usager">{s::CREATE_TITLE}</h2>
            <p class="hint">{s::CREATE_HINT}</p>
            <ErrorSummary error/>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <CivilityChoice/>
                <Field name="given_names" label=p error/>
                <Field name="birth_name" label=crate::people::strings::ATTR_BIRTH_NAME error/>
                <Field name="usage_name" label=crate::people::strings::ATTR_USAGE_NAME error/>
                <Field name="birth_date" label=crate::people::strings::ATTR_BIRTH_DATE hint=s::BIRTH_DATE_HINT error/>
                <Field name="email" label=crate::people::strings::ATTR_EMAIL kind="email" error/>
                <Field name="phone" label=crate::people::strings::ATTR_PHONE kind="tel" error/>
                <AddressFields error address=None/>
                <button type="submit" class="button">{s::CREATE_BUTTON}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn AddressFields(
    error: Signal<Option<AppError>>,
    address: Option<crate::demarches::model::Address>,
) -> impl IntoView {
    let a = address.unwrap_or_default();
    view! {
        <fieldset>
            <legend>{crate::people::strings::ATTR_ADDRESS}</legend>
            <Field name="address_number" label=s::ADDRESS_NUMBER error value=a.number/>
            <Field name="address_street" label=s::ADDRESS_STREET error value=a.street/>
            <Field name="address_postcode" label=s::ADDRESS_POSTCODE error inputmode="numeric" value=a.postcode/>
            <Field name="address_commune" label=s::ADDRESS_COMMUNE error value=a.commune/>
        </fieldset>
    }
}

#[component]
pub fn UsagerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let edit = ServerAction::<EditUsager>::new();
    let note = ServerAction::<NoteUsager>::new();
    let found = Resource::new(
        move || (id(), edit.version().get(), note.version().get()),
        |(id, _, _)| load_usager(id),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(page) => view! { <PersonSections page edit note/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

fn badge(line: &AttributeLine) -> impl IntoView + use<> {
    let class = match line.certainty {
        Certainty::Declared => "badge badge-declared",
        Certainty::EmailVerified => "badge badge-verified",
        Certainty::AgentChecked => "badge badge-checked",
        Certainty::Certified => "badge badge-certified",
    };
    let text = match &line.source {
        Some(source) if line.certainty != Certainty::Declared || !source.is_empty() => {
            format!("{} ({source})", line.certainty.label())
        }
        _ => line.certainty.label().to_owned(),
    };
    view! { <span class=class data-certainty=format!("{:?}", line.certainty)>{text}</span> }
}

#[component]
fn PersonSections(
    page: PersonPage,
    edit: ServerAction<EditUsager>,
    note: ServerAction<NoteUsager>,
) -> impl IntoView {
    let edit_error = action_error(edit.value());
    let edited = action_succeeded(edit.value());
    let note_error = action_error(note.value());
    let note_id = page.person.id.clone();
    let edit_id = page.person.id.clone();
    let person = page.person.clone();
    let editable = |attribute: Attribute| person.provenance.editable_by_agent(attribute);
    // Certified values are shown above, not offered here (nor posted).
    let mut edit_fields: Vec<AnyView> = Vec::new();
    if editable(Attribute::Civility) {
        edit_fields.push(view! { <CivilityChoice current=person.civility/> }.into_any());
    }
    for (attribute, name, value) in [
        (
            Attribute::GivenNames,
            "given_names",
            person.given_names.clone(),
        ),
        (
            Attribute::BirthName,
            "birth_name",
            person.birth_name.clone(),
        ),
        (
            Attribute::UsageName,
            "usage_name",
            person.usage_name.clone().unwrap_or_default(),
        ),
        (
            Attribute::BirthDate,
            "birth_date",
            person
                .birth_date
                .as_deref()
                .map(super::model::french_day)
                .unwrap_or_default(),
        ),
        (
            Attribute::BirthPlace,
            "birth_place",
            person.birth_place.clone().unwrap_or_default(),
        ),
        (
            Attribute::BirthCountry,
            "birth_country",
            person.birth_country.clone().unwrap_or_default(),
        ),
        (
            Attribute::Email,
            "email",
            person.email.clone().unwrap_or_default(),
        ),
        (
            Attribute::Phone,
            "phone",
            person.phone.clone().unwrap_or_default(),
        ),
    ] {
        if editable(attribute) {
            edit_fields.push(
                view! { <Field name label=attribute.label() error=edit_error value/> }.into_any(),
            );
        }
    }
    if editable(Attribute::Address) {
        edit_fields.push(
            view! { <AddressFields error=edit_error address=person.address.clone()/> }.into_any(),
        );
    }
    view! {
        <Title text=s::person_title(&page.name)/>
        <p><a href="/back-office/usagers">{s::BACK_TO_SEARCH}</a></p>
        <h1 data-testid="usager-name">{page.name.clone()}</h1>
        {page.met_at_counter.then(|| view! { <p class="hint">{s::MET_AT_COUNTER}</p> })}
        <section aria-labelledby="identite">
            <h2 id="identite">{s::IDENTITY}</h2>
            <table class="table" data-testid="usager-identity">
                <thead><tr><th scope="col">""</th><th scope="col">""</th><th scope="col">{s::CERTAINTY}</th></tr></thead>
                <tbody>
                    {page.attributes.iter().map(|line| view! {
                        <tr>
                            <th scope="row">{line.label.clone()}</th>
                            <td>{if line.value.is_empty() { s::NOT_KNOWN.to_owned() } else { line.value.clone() }}</td>
                            <td>{(!line.value.is_empty()).then(|| badge(line))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section aria-labelledby="compte">
            <h2 id="compte">{s::ACCOUNT}</h2>
            {match page.account.clone() {
                Some(account) => view! {
                    <p data-testid="usager-account">{account.display_name} " — " {account.email}
                        {account.email_verified.then(|| format!(" ({})", s::EMAIL_VERIFIED))}
                        " — " {s::ACCOUNT_SINCE} " " {account.created_on}</p>
                }.into_any(),
                None => view! { <p>{s::NO_ACCOUNT}</p> }.into_any(),
            }}
        </section>
        <section aria-labelledby="foyer">
            <h2 id="foyer">{s::HOUSEHOLD}</h2>
            {if page.household.is_empty() {
                view! { <p>{s::NO_HOUSEHOLD}</p> }.into_any()
            } else {
                view! {
                    <ul data-testid="usager-household">
                        {page.household.clone().into_iter().map(|m| view! {
                            <li>
                                {if m.is_self {
                                    view! { <span>{m.name.clone()} " " {s::THIS_PERSON}</span> }.into_any()
                                } else {
                                    view! { <a href=format!("/back-office/usagers/{}", m.person_id)>{m.name.clone()}</a> }.into_any()
                                }}
                                " — " {m.relation}
                                {m.birth_date.map(|d| format!(", {d}"))}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="organisations">
            <h2 id="organisations">{s::ORGANISATIONS}</h2>
            {if page.organisations.is_empty() {
                view! { <p>{s::NO_ORGANISATION}</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {page.organisations.clone().into_iter().map(|o| view! {
                            <li>{o.name} " (" {o.kind} " " {o.identifier} ")"
                                {(!o.role.is_empty()).then(|| format!(" — {}", o.role))}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="dossiers">
            <h2 id="dossiers">{s::DOSSIERS}</h2>
            {if page.dossiers.is_empty() {
                view! { <p>{s::NO_DOSSIER}</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="usager-dossiers">
                        <thead><tr>
                            <th scope="col">{s::COL_REFERENCE}</th>
                            <th scope="col">{s::COL_DEMARCHE}</th>
                            <th scope="col">{s::COL_STATUS}</th>
                            <th scope="col">{s::COL_ROLE}</th>
                            <th scope="col">{s::COL_MESSAGES}</th>
                            <th scope="col">{s::COL_LETTERS}</th>
                        </tr></thead>
                        <tbody>
                            {page.dossiers.clone().into_iter().map(|d| {
                                let role = match (d.owner, d.beneficiary) {
                                    (true, true) | (true, false) => s::ROLE_OWNER,
                                    _ => s::ROLE_BENEFICIARY,
                                };
                                let href = format!("/back-office/dossiers/{}", d.line.reference);
                                view! {
                                    <tr>
                                        <td><a href=href>{d.line.reference.clone()}</a></td>
                                        <td>{d.line.demarche.clone()}</td>
                                        <td><span class="status-badge" style=format!("--status-colour: {}", d.line.status_colour)>{d.line.status_name.clone()}</span></td>
                                        <td>{role}</td>
                                        <td>{d.messages}</td>
                                        <td>{d.letters}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="notes">
            <h2 id="notes">{s::NOTES}</h2>
            <p class="hint">{s::NOTES_HINT}</p>
            {if page.notes.is_empty() {
                view! { <p>{s::NO_NOTE}</p> }.into_any()
            } else {
                view! {
                    <ul data-testid="usager-notes">
                        {page.notes.clone().into_iter().map(|n| view! {
                            <li><p>{n.body}</p><p class="hint">{n.author} " — " {n.at}</p></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ErrorSummary error=note_error/>
            <ActionForm action=note attr:class="form">
                <input type="hidden" name="id" value=note_id/>
                <TextArea name="body" label=s::NOTE_LABEL error=note_error/>
                <button type="submit" class="button">{s::NOTE_BUTTON}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="corriger">
            <h2 id="corriger">{s::EDIT}</h2>
            <p class="hint">{s::EDIT_HINT}</p>
            <ErrorSummary error=edit_error/>
            <Show when=move || edited.get()><Notice><p>{s::SAVED}</p></Notice></Show>
            <ActionForm action=edit attr:class="form" attr:novalidate=true>
                <input type="hidden" name="id" value=edit_id/>
                {edit_fields}
                <div class="field checkbox">
                    <input type="checkbox" id="champ-verifie" name="verifie" value="on"/>
                    <label for="champ-verifie">{s::CHECKED_ON_DOCUMENT}</label>
                </div>
                <button type="submit" class="button">{s::SAVE}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="historique">
            <h2 id="historique">{s::HISTORY}</h2>
            <ul data-testid="usager-history">
                {page.history.clone().into_iter().map(|e| view! {
                    <li>{e.at} " — " {e.who} " : " {e.what}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}
