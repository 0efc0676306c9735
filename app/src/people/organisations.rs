//! Organisations a citizen represents (`/mes-structures`): a company by its SIRET, an
//! association by its RNA number, one row per number in the commune however many citizens
//! represent it. `represented_by` is what démarches ("casquettes") and the 360° view read.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::model::{OrganisationKind, OrganisationView, check_rna, check_siret};
use super::record::person_of_citizen;
use super::service::record_event;
use super::strings as s;
use super::validate::{self, Problems};
use crate::account::model::UserView;
use crate::error::{AppError, AppResult};
use crate::infra::{Queries, TenantTx};

/// Longest organisation name kept (associations' names run long).
const MAX_NAME: usize = 200;

#[derive(FromQueryResult)]
struct OrganisationRow {
    id: Uuid,
    kind: String,
    name: String,
    siret: Option<String>,
    siren: Option<String>,
    rna: Option<String>,
    role: String,
}

impl OrganisationRow {
    fn view(self) -> OrganisationView {
        OrganisationView {
            id: self.id.to_string(),
            kind: OrganisationKind::parse(&self.kind).unwrap_or(OrganisationKind::Association),
            name: self.name,
            siret: self.siret,
            siren: self.siren,
            rna: self.rna,
            role: self.role,
        }
    }
}

/// The organisations `person` represents, by name, with their role in each.
pub async fn represented_by(tx: &TenantTx, person: Uuid) -> AppResult<Vec<OrganisationView>> {
    let rows: Vec<OrganisationRow> = tx
        .fetch_all(
            "SELECT o.id, o.kind, o.name, o.siret, o.siren, o.rna, r.role
               FROM organisation_representatives r
               JOIN organisations o ON o.id = r.organisation_id
              WHERE r.person_id = $1
              ORDER BY lower(o.name), o.id",
            vec![person.into()],
        )
        .await?;
    Ok(rows.into_iter().map(OrganisationRow::view).collect())
}

/// The organisations the signed-in citizen represents.
pub async fn my_organisations(tx: &TenantTx, user: &UserView) -> AppResult<Vec<OrganisationView>> {
    let person = person_of_citizen(tx, user).await?;
    represented_by(tx, person).await
}

/// What the organisation form posts.
#[derive(Clone, Debug, Default)]
pub struct OrganisationInput {
    pub kind: String,
    pub name: String,
    /// The SIRET of a company, the RNA number of an association.
    pub number: String,
    pub role: String,
}

/// The checked form: kind, name, (SIRET, SIREN) or RNA, role.
struct Checked {
    kind: OrganisationKind,
    name: String,
    siret: Option<String>,
    rna: Option<String>,
    role: String,
}

fn check(input: &OrganisationInput) -> Result<Checked, AppError> {
    let mut problems = Problems::default();
    let kind = OrganisationKind::parse(input.kind.trim());
    if kind.is_none() {
        problems.add("kind", s::ORGANISATION_KIND_INVALID);
    }
    let name = problems
        .take(validate::text_up_to(
            "name",
            s::ORGANISATION_NAME,
            &input.name,
            true,
            MAX_NAME,
        ))
        .flatten();
    let number = match kind {
        Some(OrganisationKind::Entreprise) => check_siret(&input.number)
            .map_err(|reason| problems.add("number", reason))
            .ok(),
        Some(OrganisationKind::Association) => check_rna(&input.number)
            .map_err(|reason| problems.add("number", reason))
            .ok(),
        None => None,
    };
    let role = problems
        .take(validate::text(
            "role",
            s::ORGANISATION_ROLE,
            &input.role,
            false,
        ))
        .flatten()
        .unwrap_or_default();
    problems.into_result()?;
    let (Some(kind), Some(name), Some(number)) = (kind, name, number) else {
        return Err(AppError::Internal);
    };
    Ok(match kind {
        OrganisationKind::Entreprise => Checked {
            kind,
            name,
            siret: Some(number),
            rna: None,
            role,
        },
        OrganisationKind::Association => Checked {
            kind,
            name,
            siret: None,
            rna: Some(number),
            role,
        },
    })
}

/// The citizen declares they represent a company (SIRET checked, its SIREN derived) or an
/// association (RNA): the commune's row for that number if it has one, else a new one.
/// Returns the organisation's id. A refused form writes nothing.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn add_organisation(
    tx: &TenantTx,
    user: &UserView,
    input: &OrganisationInput,
) -> AppResult<Uuid> {
    let checked = check(input)?;
    let person = person_of_citizen(tx, user).await?;
    let siren = checked.siret.as_ref().map(|siret| siret[..9].to_owned());
    // Two citizens declaring the same number at once: the second insert waits for the first
    // and then does nothing; the select below sees the committed row either way.
    tx.execute(
        "INSERT INTO organisations (id, kind, name, siret, siren, rna, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        vec![
            Uuid::new_v4().into(),
            checked.kind.as_str().into(),
            checked.name.clone().into(),
            checked.siret.clone().into(),
            siren.into(),
            checked.rna.clone().into(),
            user.uuid().into(),
        ],
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Id {
        id: Uuid,
    }
    let organisation: Id = tx
        .fetch_optional(
            "SELECT id FROM organisations WHERE siret = $1 OR rna = $2",
            vec![checked.siret.clone().into(), checked.rna.clone().into()],
        )
        .await?
        .ok_or(AppError::Internal)?;
    let added = tx
        .execute(
            "INSERT INTO organisation_representatives (organisation_id, person_id, role)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            vec![
                organisation.id.into(),
                person.into(),
                checked.role.clone().into(),
            ],
        )
        .await?;
    if added == 0 {
        return Err(AppError::conflict("number", s::ORGANISATION_ALREADY));
    }
    record_event(
        tx,
        person,
        user.uuid(),
        "organisation_added",
        serde_json::json!({
            "organisation": organisation.id.to_string(),
            "siret": checked.siret,
            "rna": checked.rna,
            "role": checked.role,
        }),
    )
    .await?;
    Ok(organisation.id)
}

/// The citizen no longer represents `organisation` (which stays: others may represent it, and
/// dossiers may have been filed on its behalf).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn leave_organisation(
    tx: &TenantTx,
    user: &UserView,
    organisation: &str,
) -> AppResult<()> {
    let unknown = || AppError::NotFound(s::ORGANISATION_UNKNOWN.to_owned());
    let organisation = Uuid::parse_str(organisation.trim()).map_err(|_| unknown())?;
    let person = person_of_citizen(tx, user).await?;
    let removed = tx
        .execute(
            "DELETE FROM organisation_representatives WHERE organisation_id = $1 AND person_id = $2",
            vec![organisation.into(), person.into()],
        )
        .await?;
    if removed == 0 {
        return Err(unknown());
    }
    record_event(
        tx,
        person,
        user.uuid(),
        "organisation_left",
        serde_json::json!({ "organisation": organisation.to_string() }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, number: &str) -> OrganisationInput {
        OrganisationInput {
            kind: kind.into(),
            name: "  Boulangerie   Dupont ".into(),
            number: number.into(),
            role: "gérant".into(),
        }
    }

    #[test]
    fn a_company_keeps_its_compact_siret() {
        let checked = check(&input("entreprise", "214 401 622 00011")).unwrap();
        assert_eq!(checked.siret.as_deref(), Some("21440162200011"));
        assert_eq!(checked.rna, None);
        assert_eq!(checked.name, "Boulangerie Dupont");
    }

    #[test]
    fn a_bad_siret_is_refused_with_the_models_reason() {
        assert_eq!(
            check(&input("entreprise", "21440162200018")).err(),
            Some(AppError::invalid("number", s::SIRET_KEY))
        );
        assert_eq!(
            check(&input("association", "751234567")).err(),
            Some(AppError::invalid("number", s::RNA_FORMAT))
        );
        assert_eq!(
            check(&input("cooperative", "W751234567")).err(),
            Some(AppError::invalid("kind", s::ORGANISATION_KIND_INVALID))
        );
    }

    #[test]
    fn an_association_is_known_by_its_rna() {
        let checked = check(&input("association", "w751234567")).unwrap();
        assert_eq!(checked.rna.as_deref(), Some("W751234567"));
        assert_eq!(checked.siret, None);
    }
}
