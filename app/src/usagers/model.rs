//! What the usagers pages show, shared by server and browser.

use serde::{Deserialize, Serialize};

use crate::backoffice::model::DossierLine;
use crate::people::model::{Attribute, Certainty, PersonView};

/// One search result: a person, or an organisation with the people who represent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagerLine {
    pub id: String,
    pub organisation: bool,
    pub name: String,
    /// Birth date (French), SIRET or RNA.
    pub detail: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub has_account: bool,
    /// An organisation's representatives: (person id, name).
    pub representatives: Vec<(String, String)>,
}

/// One attribute of the record, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeLine {
    pub attribute: Attribute,
    pub label: String,
    /// As shown ("14/03/1985", "12 rue des Lilas, 44800 Saint-Herblain"); empty if unknown.
    pub value: String,
    pub certainty: Certainty,
    pub source: Option<String>,
    pub editable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    pub email: String,
    pub display_name: String,
    pub created_on: String,
    pub email_verified: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLine {
    pub person_id: String,
    pub name: String,
    pub relation: String,
    pub birth_date: Option<String>,
    pub is_self: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub identifier: String,
    pub role: String,
}

/// A dossier of the person, as the agent may read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDossier {
    pub line: DossierLine,
    /// Filed by the person (through their account) rather than on their behalf.
    pub owner: bool,
    pub beneficiary: bool,
    pub messages: u64,
    pub letters: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonNote {
    pub author: String,
    pub at: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonEventLine {
    pub at: String,
    pub who: String,
    pub what: String,
}

/// Everything the 360° page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonPage {
    pub person: PersonView,
    pub name: String,
    pub attributes: Vec<AttributeLine>,
    pub account: Option<AccountLine>,
    pub household: Vec<MemberLine>,
    pub organisations: Vec<OrganisationLine>,
    pub dossiers: Vec<PersonDossier>,
    pub notes: Vec<PersonNote>,
    pub history: Vec<PersonEventLine>,
    /// Created by an agent at the counter rather than with an account.
    pub met_at_counter: bool,
}

/// `1985-03-14` → `14/03/1985`; anything else unchanged.
pub fn french_day(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] if y.len() == 4 => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates_read_the_french_way() {
        assert_eq!(super::french_day("1985-03-14"), "14/03/1985");
        assert_eq!(super::french_day(""), "");
    }
}
