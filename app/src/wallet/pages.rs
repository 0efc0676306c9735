//! The citizen's wallet (`/porte-documents`) and the admins' piece types
//! (`/administration/porte-documents`). The wallet's forms are plain: a multipart post to add
//! a piece, a post per piece to delete it, links to download; each redirects back here with
//! what happened in the query (`?ajout=ok`, `?erreur=<code>`, `?suppression=ok`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{SavePieceType, load_piece_types, load_wallet};
use super::model::{ACCEPTED_TYPES, Origin, PieceType, Refusal, WalletPiece};
use super::strings as s;
use crate::ui::{ErrorSummary, Notice};

#[component]
pub fn WalletPage() -> impl IntoView {
    let query = use_query_map();
    let wallet = Resource::new_blocking(|| (), |_| load_wallet());
    let notice = move || {
        query.with(|q| {
            if q.get("ajout").is_some() {
                Some(s::ADDED)
            } else if q.get("suppression").is_some() {
                Some(s::DELETED)
            } else {
                None
            }
        })
    };
    let refusal = move || query.with(|q| q.get("erreur").and_then(|code| Refusal::parse(&code)));
    view! {
        <Title text=s::TITLE/>
        <h1>{s::TITLE}</h1>
        <p>{s::INTRO}</p>
        {move || notice().map(|text| view! { <Notice><p>{text}</p></Notice> })}
        <Suspense>
            {move || Suspend::new(async move {
                match wallet.await {
                    Ok(view) => {
                        let count = view.pieces.len();
                        let table = if view.pieces.is_empty() {
                            view! { <p>{s::EMPTY}</p> }.into_any()
                        } else {
                            view! {
                                <table class="table wallet" data-testid="wallet-pieces">
                                    <thead><tr>
                                        <th scope="col">{s::COL_TYPE}</th>
                                        <th scope="col">{s::COL_NAME}</th>
                                        <th scope="col">{s::COL_DATE}</th>
                                        <th scope="col">{s::COL_EXPIRY}</th>
                                        <th scope="col">{s::COL_ORIGIN}</th>
                                        <th scope="col">{s::COL_ACTIONS}</th>
                                    </tr></thead>
                                    <tbody>
                                        {view.pieces.into_iter().map(piece_row).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        };
                        view! {
                            <p class="hint">{s::usage(count, view.used_bytes)}</p>
                            {table}
                            <AddForm types=view.types refusal=Signal::derive(refusal)/>
                        }.into_any()
                    }
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn piece_row(piece: WalletPiece) -> impl IntoView {
    let validity = match (&piece.expires_on, piece.expired) {
        (Some(date), true) => view! {
            <strong class="badge badge-error">{s::EXPIRED}</strong> " " <span class="hint">{s::expired_on(date)}</span>
        }.into_any(),
        (Some(date), false) => view! { <span>{s::expires_on(date)}</span> }.into_any(),
        (None, _) => view! { <span>{s::NO_EXPIRY}</span> }.into_any(),
    };
    let origin = match piece.origin {
        Origin::Citizen => s::BY_CITIZEN,
        Origin::Agent => s::BY_AGENT,
    };
    let delete_label = format!("{} {}", s::DELETE, piece.name);
    view! {
        <tr data-testid="wallet-piece" class:expired=piece.expired>
            <td>{piece.type_label.clone()}</td>
            <td>{piece.name.clone()}</td>
            <td>{piece.document_date.clone()}</td>
            <td>{validity}</td>
            <td>{origin}</td>
            <td>
                <a href=format!("/porte-documents/pieces/{}", piece.id) download="">{s::DOWNLOAD}<span class="sr-only">" " {piece.name.clone()}</span></a>
                <form method="post" action=format!("/porte-documents/pieces/{}/supprimer", piece.id) class="form-inline">
                    <button type="submit" class="link-button" aria-label=delete_label>{s::DELETE}</button>
                </form>
            </td>
        </tr>
    }
}

#[component]
fn AddForm(types: Vec<PieceType>, refusal: Signal<Option<Refusal>>) -> impl IntoView {
    let accept = ACCEPTED_TYPES.join(",");
    let message = move || refusal.get().map(s::refusal);
    view! {
        <section aria-labelledby="ajouter">
            <h2 id="ajouter">{s::ADD_TITLE}</h2>
            <form class="form" method="post" action="/porte-documents/pieces" enctype="multipart/form-data">
                {move || message().map(|text| view! {
                    <p class="alert alert-error" role="alert" id="porte-documents-erreur">{text}</p>
                })}
                <div class="field">
                    <label for="piece-type">{s::FIELD_TYPE}</label>
                    <select id="piece-type" name="type" required=true>
                        {types.into_iter().map(|t| {
                            let text = format!("{} ({})", t.label, s::validity(t.validity_months));
                            view! { <option value=t.id>{text}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="piece-date">{s::FIELD_DATE}</label>
                    <p class="hint">{s::FIELD_DATE_HINT}</p>
                    <input id="piece-date" name="date" type="date" required=true/>
                </div>
                <div class="field">
                    <label for="piece-file">{s::FIELD_FILE}</label>
                    <p class="hint">{s::rules()}</p>
                    <input id="piece-file" name="fichier" type="file" accept=accept required=true/>
                </div>
                <button type="submit" class="button">{s::ADD}</button>
            </form>
        </section>
    }
}

#[component]
pub fn PieceTypesPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let types = Resource::new(move || version.get(), |_| load_piece_types());
    let saved = RwSignal::new(false);
    let changed = move || {
        saved.set(true);
        version.update(|v| *v += 1);
    };
    view! {
        <Title text=s::ADMIN_TITLE/>
        <h1>{s::ADMIN_TITLE}</h1>
        <p>{s::ADMIN_INTRO}</p>
        <Show when=move || saved.get()><Notice><p>{s::ADMIN_SAVED}</p></Notice></Show>
        <Transition>
            {move || Suspend::new(async move {
                match types.await {
                    Ok(types) => view! {
                        <ul class="piece-types" data-testid="piece-types">
                            {types.into_iter().map(|t| view! { <li><TypeForm kind=Some(t) changed/></li> }).collect_view()}
                        </ul>
                        <h2>{s::ADMIN_NEW}</h2>
                        <TypeForm kind=None changed/>
                    }.into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TypeForm(
    kind: Option<PieceType>,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let save = ServerAction::<SavePieceType>::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            changed();
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let creating = kind.is_none();
    let kind = kind.unwrap_or(PieceType {
        id: String::new(),
        label: String::new(),
        validity_months: None,
        active: true,
    });
    let prefix = if creating {
        "nouveau-type".to_owned()
    } else {
        format!("type-{}", kind.id)
    };
    view! {
        <ActionForm action=save attr:class="form form-inline">
            <input type="hidden" name="id" value=kind.id.clone()/>
            <ErrorSummary error/>
            <label for=format!("{prefix}-label")>{s::ADMIN_LABEL}</label>
            <input id=format!("{prefix}-label") name="label" value=kind.label.clone() maxlength="120"/>
            <label for=format!("{prefix}-validity")>{s::ADMIN_VALIDITY}</label>
            <input id=format!("{prefix}-validity") name="validity" inputmode="numeric"
                value=kind.validity_months.map(|m| m.to_string()).unwrap_or_default()/>
            <input type="checkbox" id=format!("{prefix}-active") name="active" value="oui" checked=kind.active/>
            <label for=format!("{prefix}-active")>{s::ADMIN_ACTIVE}</label>
            <button type="submit" class="button button-secondary">{if creating { s::ADMIN_ADD } else { s::ADMIN_SAVE }}</button>
        </ActionForm>
    }
}
