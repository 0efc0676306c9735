//! How a certified identity is shown: to its citizen on their account page, and to agents on
//! the dossiers of its owner. Read-only everywhere: only the provider changes these values.

use leptos::prelude::*;

use super::model::CertifiedIdentity;
use super::strings as s;
use crate::demarches::model::IsoDate;

/// FranceConnect's INSEE code of France, as `birthcountry`.
const FRANCE_INSEE: &str = "99100";

/// The citizen's own certified identity (`/mon-compte`).
#[component]
pub fn CertifiedIdentitySection(identity: CertifiedIdentity) -> impl IntoView {
    let certified_on = identity
        .certified_at
        .get(0..10)
        .and_then(IsoDate::parse)
        .map(IsoDate::to_french);
    view! {
        <section class="certified-identity" aria-labelledby="identite-certifiee" data-testid="certified-identity">
            <h2 id="identite-certifiee">{s::certified_by(&identity.provider)}</h2>
            <p>{s::level_and_date(&identity.acr, certified_on.as_deref())}</p>
            {attributes(&identity)}
            <p class="hint">{s::read_only_note(&identity.provider)}</p>
        </section>
    }
}

/// The owner's certified identity on an agent's dossier page, with its badge.
#[component]
pub fn OwnerIdentity(identity: CertifiedIdentity) -> impl IntoView {
    view! {
        <section class="certified-identity" aria-labelledby="identite-usager" data-testid="owner-identity">
            <h2 id="identite-usager">{s::OWNER_HEADING} " "
                <span class="badge" data-testid="certified-badge">{s::badge(&identity.provider, &identity.acr)}</span>
            </h2>
            {attributes(&identity)}
        </section>
    }
}

/// The certified attributes in French; the ones the provider left out are not listed.
fn attributes(identity: &CertifiedIdentity) -> impl IntoView + use<> {
    let civility = match identity.gender.as_deref() {
        Some("female") => Some(s::MADAME.to_owned()),
        Some("male") => Some(s::MONSIEUR.to_owned()),
        _ => None,
    };
    let birth_date = identity
        .birthdate
        .as_deref()
        .map(|raw| IsoDate::parse(raw).map_or_else(|| raw.to_owned(), IsoDate::to_french));
    let country = identity.birthcountry.as_deref().map(|code| match code {
        FRANCE_INSEE => format!("{} ({code})", s::FRANCE),
        _ => code.to_owned(),
    });
    let present = |value: Option<&String>| value.filter(|v| !v.trim().is_empty()).cloned();
    let lines = [
        ("civilite", s::CIVILITY, civility),
        (
            "prenoms",
            s::GIVEN_NAME,
            present(Some(&identity.given_name)),
        ),
        (
            "nom-naissance",
            s::BIRTH_NAME,
            present(Some(&identity.family_name)),
        ),
        (
            "nom-usage",
            s::USAGE_NAME,
            present(identity.preferred_username.as_ref()),
        ),
        ("naissance", s::BIRTH_DATE, birth_date),
        (
            "lieu-naissance",
            s::BIRTH_PLACE,
            present(identity.birthplace.as_ref()),
        ),
        ("pays-naissance", s::BIRTH_COUNTRY, country),
        ("courriel", s::EMAIL, present(identity.email.as_ref())),
    ];
    let items = lines
        .into_iter()
        .filter_map(|(id, label, value)| {
            value.map(|value| {
                view! { <dt>{label}</dt><dd data-testid=format!("identite-{id}")>{value}</dd> }
            })
        })
        .collect_view();
    view! { <dl class="summary">{items}</dl> }
}
