//! The catalogue of démarches (grouped by rubrique, with a search box) and a démarche's start
//! page. Both work as plain HTML: the search is a GET form, starting is a POST form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::contexts::api::{SpaceCatalogue, load_space_catalogue};
use crate::contexts::model::Space;
use crate::contexts::pages::{GoneNotice, SpaceTheme};
use crate::contexts::strings as contexts_s;
use crate::demarches::api::CatalogueEntry;
use crate::dossiers::api::demarche_start;
use crate::dossiers::model::{Availability, FilingStart};
use crate::dossiers::strings as s;
use crate::text::fold;

/// Entries matching every word of `query`, grouped by rubrique (the catalogue is sorted).
pub fn search(entries: Vec<CatalogueEntry>, query: &str) -> Vec<(String, Vec<CatalogueEntry>)> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    let mut groups: Vec<(String, Vec<CatalogueEntry>)> = Vec::new();
    for entry in entries {
        let haystack = fold(&format!(
            "{} {} {}",
            entry.title, entry.description, entry.rubrique
        ));
        if !words.iter().all(|w| haystack.contains(w.as_str())) {
            continue;
        }
        let rubrique = if entry.rubrique.trim().is_empty() {
            s::OTHER_RUBRIQUE.to_owned()
        } else {
            entry.rubrique.clone()
        };
        match groups.last_mut() {
            Some((name, list)) if *name == rubrique => list.push(entry),
            _ => groups.push((rubrique, vec![entry])),
        }
    }
    groups
}

/// The catalogue of the portal, or of the context (`crate::contexts`) the page is in
/// (`?contexte=familles`, or the host's): then only its bouquet, and links that keep it.
#[component]
pub fn Catalogue() -> impl IntoView {
    let query = use_query_map();
    let contexte = move || query.with(|q| q.get("contexte"));
    let entries = Resource::new_blocking(contexte, load_space_catalogue);
    let current = move || query.with(|q| q.get("q").unwrap_or_default());
    view! {
        <Title text=s::CATALOGUE_TITLE/>
        <Suspense>
            {move || Suspend::new(async move {
                let SpaceCatalogue { space, entries } = match entries.await {
                    Ok(page) => page,
                    Err(error) => return view! { <h1>{s::CATALOGUE_TITLE}</h1><p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                };
                let link_query = space.query();
                let heading = match &space {
                    Space::Context(context) => format!("{} – {}", s::CATALOGUE_TITLE, context.name),
                    _ => s::CATALOGUE_TITLE.to_owned(),
                };
                let q = current();
                let results = if entries.is_empty() {
                    view! { <p>{s::CATALOGUE_EMPTY}</p> }.into_any()
                } else {
                    let groups = search(entries, &q);
                    if groups.is_empty() {
                        view! { <p role="status">{s::catalogue_no_match(&q)}</p> }.into_any()
                    } else {
                        groups
                            .into_iter()
                            .map(|(rubrique, list)| view! {
                                <section class="rubrique">
                                    <h2>{rubrique}</h2>
                                    <ul class="card-list">
                                        {list.into_iter().map(|entry| view! {
                                            <li class="card">
                                                <h3><A href=format!("/demarches/{}{link_query}", entry.id)>{entry.title}</A></h3>
                                                <p>{entry.description}</p>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </section>
                            })
                            .collect_view()
                            .into_any()
                    }
                };
                view! {
                    <SpaceTheme space=space.clone()/>
                    <GoneNotice space=space.clone()/>
                    <h1>{heading}</h1>
                    <form method="get" action="/demarches" class="search-form" role="search">
                        {space.code().map(|code| view! { <input type="hidden" name="contexte" value=code.to_owned()/> })}
                        <label for="recherche-demarche">{s::CATALOGUE_SEARCH}</label>
                        <div class="search-row">
                            <input id="recherche-demarche" type="search" name="q" value=q.clone()/>
                            <button type="submit" class="button">{s::CATALOGUE_SEARCH_BUTTON}</button>
                        </div>
                    </form>
                    {results}
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// What a démarche is, whether it is open, and how to start or resume it.
#[component]
pub fn DemarcheStart() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let contexte = move || query.with(|q| q.get("contexte"));
    let pour = move || query.with(|q| q.get("pour"));
    let start = Resource::new_blocking(
        move || (id(), contexte(), pour()),
        |(id, contexte, pour)| demarche_start(id, contexte, pour),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let start = match start.await {
                    Ok(start) => start,
                    Err(error) => return view! {
                        <Title text=s::CATALOGUE_TITLE/>
                        <h1>{s::CATALOGUE_TITLE}</h1>
                        <p class="alert alert-error" role="alert">{error.to_string()}</p>
                        <p><A href="/demarches">{s::CATALOGUE_TITLE}</A></p>
                    }.into_any(),
                };
                let refusal = match &start.availability {
                    Availability::Open => None,
                    Availability::NotYetOpen(date) => Some(s::demarche_opens_on(date)),
                    Availability::Closed(Some(date)) => Some(s::demarche_closed_since(date)),
                    Availability::Closed(None) => Some(s::DEMARCHE_CLOSED.to_owned()),
                };
                let space = start.space.clone();
                let context_input = space.code().map(|code| view! {
                    <input type="hidden" name="contexte" value=code.to_owned()/>
                });
                let context_input_again = context_input.clone();
                if start.outside_space {
                    let context_name = match &space {
                        Space::Context(context) => context.name.clone(),
                        _ => String::new(),
                    };
                    let portal = match &space {
                        Space::Context(context) => context.portal.clone(),
                        _ => String::new(),
                    };
                    return view! {
                        <Title text=start.title.clone()/>
                        <SpaceTheme space/>
                        <h1>{start.title.clone()}</h1>
                        <p class="alert alert-info" role="status" data-testid="not-in-context">{contexts_s::not_in_context(&start.title, &context_name)}</p>
                        <p class="actions">
                            <a class="button" href=format!("{portal}/demarches/{}", start.demarche_id)>{contexts_s::TO_PORTAL}</a>
                        </p>
                    }.into_any();
                }
                let choices = (!start.beneficiaries.is_empty()).then(|| beneficiary_choices(&start));
                let refused = start.beneficiary_refusal.clone().map(|reason| view! {
                    <p class="alert alert-error" role="alert" id="beneficiaire-refus">{reason}</p>
                });
                let actions = match (refusal, start.needs_login, start.draft.clone()) {
                    (Some(reason), _, _) => view! {
                        <p class="alert alert-info" role="status">{reason}</p>
                    }.into_any(),
                    (None, true, _) => view! {
                        <p class="alert alert-info">{s::LOGIN_REQUIRED}</p>
                        <p class="actions">
                            <A href="/connexion" attr:class="button">{s::LOGIN}</A>
                            <A href="/inscription" attr:class="button button-secondary">{s::SIGNUP}</A>
                        </p>
                    }.into_any(),
                    (None, false, Some(draft)) if choices.is_some() => view! {
                        <p>{s::draft_saved_on(&draft.updated)}</p>
                        <p><a class="button button-secondary" href=format!("/brouillons/{}?etape={}", draft.key, draft.step.min(draft.steps.saturating_sub(1)) + 1)>{s::RESUME}</a></p>
                        <form method="post" action="/api/portal/start">
                            <input type="hidden" name="demarche" value=start.demarche_id.clone()/>
                            {context_input}
                            {choices}
                            <button type="submit" class="button">{s::START}</button>
                        </form>
                    }.into_any(),
                    (None, false, Some(draft)) => view! {
                        <p>{s::draft_saved_on(&draft.updated)}</p>
                        <div class="actions">
                            <a class="button" href=format!("/brouillons/{}?etape={}", draft.key, draft.step.min(draft.steps.saturating_sub(1)) + 1)>{s::RESUME}</a>
                            <form method="post" action="/api/portal/start" class="inline-form">
                                <input type="hidden" name="demarche" value=start.demarche_id.clone()/>
                                {context_input}
                                <input type="hidden" name="fresh" value="1"/>
                                <button type="submit" class="button button-secondary">{s::START_ANOTHER}</button>
                            </form>
                        </div>
                    }.into_any(),
                    (None, false, None) => view! {
                        <form method="post" action="/api/portal/start">
                            <input type="hidden" name="demarche" value=start.demarche_id.clone()/>
                            {context_input_again}
                            {choices}
                            <button type="submit" class="button">{s::START}</button>
                        </form>
                    }.into_any(),
                };
                view! {
                    <Title text=start.title.clone()/>
                    <SpaceTheme space=space.clone()/>
                    <GoneNotice space/>
                    <h1>{start.title.clone()}</h1>
                    <p class="lead">{start.description.clone()}</p>
                    {refused}
                    {actions}
                }.into_any()
            })}
        </Suspense>
    }
}

/// "Pour qui faites-vous cette démarche ?": one radio per allowed beneficiary; one refused by
/// the age rule is shown, disabled, with the reason. Plain HTML: posted with the start form.
fn beneficiary_choices(start: &FilingStart) -> AnyView {
    let selectable: Vec<&str> = start
        .beneficiaries
        .iter()
        .filter(|o| o.refusal.is_none())
        .map(|o| o.value.as_str())
        .collect();
    // The refused choice is not kept; a single possible one is preselected.
    let checked = match start.chosen.as_deref() {
        Some(chosen) if selectable.contains(&chosen) && start.beneficiary_refusal.is_none() => {
            Some(chosen.to_owned())
        }
        _ if selectable.len() == 1 => selectable.first().map(|v| (*v).to_owned()),
        _ => None,
    };
    let options = start
        .beneficiaries
        .iter()
        .enumerate()
        .map(|(index, option)| {
            let id = format!("pour-{index}");
            let hint_id = format!("{id}-aide");
            let hint = match (&option.refusal, option.detail.is_empty()) {
                (Some(reason), _) => Some(reason.clone()),
                (None, false) => Some(option.detail.clone()),
                (None, true) => None,
            };
            view! {
                <div class="choice" class:choice-disabled=option.refusal.is_some()>
                    <input type="radio" name="pour" id=id.clone() value=option.value.clone()
                        checked=checked.as_deref() == Some(option.value.as_str())
                        disabled=option.refusal.is_some()
                        aria-describedby=hint.is_some().then(|| hint_id.clone())/>
                    <label for=id>{option.label.clone()}</label>
                    {hint.map(|text| view! { <p class="hint" id=hint_id>{text}</p> })}
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field beneficiary-choice" id="pour">
            <legend>{s::FOR_WHOM}</legend>
            <p class="hint">{s::FOR_WHOM_HINT}</p>
            {selectable.is_empty().then(|| view! { <p class="alert alert-info">{s::FOR_WHOM_NOBODY}</p> })}
            {options}
        </fieldset>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::model::Audience;

    fn entry(title: &str, rubrique: &str) -> CatalogueEntry {
        CatalogueEntry {
            id: title.to_owned(),
            version: 1,
            title: title.to_owned(),
            description: String::new(),
            rubrique: rubrique.to_owned(),
            audience: Audience::IdentifiedOnly,
        }
    }

    #[test]
    fn search_ignores_case_and_accents_and_groups_by_rubrique() {
        let entries = vec![
            entry("Inscription à l'école", "Enfance"),
            entry("Cantine scolaire", "Enfance"),
            entry("Déclaration de travaux", "Urbanisme"),
            entry("Signalement", ""),
        ];
        let all = search(entries.clone(), "");
        let names: Vec<&str> = all.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(names, vec!["Enfance", "Urbanisme", s::OTHER_RUBRIQUE]);
        let found = search(entries.clone(), "ECOLE inscription");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1[0].title, "Inscription à l'école");
        assert!(search(entries, "piscine").is_empty());
    }
}
