//! What changed between two versions of a démarche, in French, for the publication dialog.
//!
//! Elements are matched by code (a renamed code reads as a removal and an addition, which is
//! what it is for dossiers). A field or step counts as moved when it is not part of the
//! longest common subsequence of the elements both versions share, so moving one field
//! reports that field, not every field it jumped over.

use std::collections::{BTreeMap, BTreeSet};

use crate::demarches::document::DemarcheDocument;
use crate::demarches::model::{Audience, Field, FieldKind, PublicationWindow};

use super::palette::PaletteKind;
use super::strings as s;

/// Every change from `old` to `new`, one sentence each, in form order.
pub fn diff(old: &DemarcheDocument, new: &DemarcheDocument) -> Vec<String> {
    let mut out = Vec::new();
    identity(old, new, &mut out);
    steps(old, new, &mut out);
    fields(old, new, &mut out);
    out
}

fn identity(old: &DemarcheDocument, new: &DemarcheDocument, out: &mut Vec<String>) {
    let (a, b) = (&old.demarche, &new.demarche);
    if a.title != b.title {
        out.push(s::diff_title(&a.title, &b.title));
    }
    if a.description != b.description {
        out.push(s::DIFF_DESCRIPTION.to_owned());
    }
    if a.rubrique != b.rubrique {
        out.push(s::diff_rubrique(&a.rubrique, &b.rubrique));
    }
    if a.audience != b.audience {
        out.push(s::diff_audience(audience(b.audience)));
    }
    if a.publication != b.publication {
        out.push(s::diff_window(&window(&b.publication)));
    }
    if a.default_service != b.default_service {
        out.push(s::diff_service(b.default_service.as_deref().unwrap_or("")));
    }
    if a.beneficiary != b.beneficiary {
        out.push(s::DIFF_BENEFICIARY.to_owned());
    }
}

pub fn audience(audience: Audience) -> &'static str {
    match audience {
        Audience::AnonymousAllowed => s::AUDIENCE_ANONYMOUS,
        Audience::IdentifiedOnly => s::AUDIENCE_IDENTIFIED,
    }
}

fn window(window: &PublicationWindow) -> String {
    match (window.from, window.to) {
        (None, None) => s::WINDOW_ALWAYS.to_owned(),
        (Some(from), None) => s::window_from(&from.to_french()),
        (None, Some(to)) => s::window_to(&to.to_french()),
        (Some(from), Some(to)) => s::window_between(&from.to_french(), &to.to_french()),
    }
}

fn steps(old: &DemarcheDocument, new: &DemarcheDocument, out: &mut Vec<String>) {
    let old_steps: BTreeMap<&str, _> = old
        .definition
        .steps
        .iter()
        .map(|step| (step.code.as_str(), step))
        .collect();
    let new_codes: BTreeSet<&str> = new
        .definition
        .steps
        .iter()
        .map(|step| step.code.as_str())
        .collect();
    let common_old: Vec<&str> = old
        .definition
        .steps
        .iter()
        .map(|step| step.code.as_str())
        .filter(|code| new_codes.contains(code))
        .collect();
    let common_new: Vec<&str> = new
        .definition
        .steps
        .iter()
        .map(|step| step.code.as_str())
        .filter(|code| old_steps.contains_key(code))
        .collect();
    let moved = out_of_order(&common_old, &common_new);
    for step in &new.definition.steps {
        match old_steps.get(step.code.as_str()) {
            None => out.push(s::diff_step_added(&step.title)),
            Some(before) => {
                if before.title != step.title {
                    out.push(s::diff_step_renamed(&before.title, &step.title));
                }
                if moved.contains(step.code.as_str()) {
                    out.push(s::diff_step_moved(&step.title));
                }
                if before.condition != step.condition {
                    out.push(s::diff_step_condition(
                        &step.title,
                        change(before.condition.is_some(), step.condition.is_some()),
                    ));
                }
            }
        }
    }
    for step in &old.definition.steps {
        if !new_codes.contains(step.code.as_str()) {
            out.push(s::diff_step_removed(&step.title));
        }
    }
}

/// How a property that may be absent changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Modified,
}

fn change(before: bool, after: bool) -> Change {
    match (before, after) {
        (false, _) => Change::Added,
        (true, false) => Change::Removed,
        (true, true) => Change::Modified,
    }
}

/// A top-level field with the title of its step and its place among fields that exist in
/// both versions.
struct Placed<'a> {
    field: &'a Field,
    step_code: &'a str,
    step_title: &'a str,
}

fn placed(document: &DemarcheDocument) -> BTreeMap<&str, Placed<'_>> {
    let mut out = BTreeMap::new();
    for step in &document.definition.steps {
        for field in &step.fields {
            out.entry(field.code.as_str()).or_insert(Placed {
                field,
                step_code: &step.code,
                step_title: &step.title,
            });
        }
    }
    out
}

fn fields(old: &DemarcheDocument, new: &DemarcheDocument, out: &mut Vec<String>) {
    let before = placed(old);
    let after = placed(new);
    // Order changes inside a step, among fields that stayed in that step.
    let mut moved = BTreeSet::new();
    for step in &new.definition.steps {
        let stays = |code: &str| {
            before.get(code).is_some_and(|p| p.step_code == step.code)
                && after.get(code).is_some_and(|p| p.step_code == step.code)
        };
        let new_order: Vec<&str> = step
            .fields
            .iter()
            .map(|f| f.code.as_str())
            .filter(|code| stays(code))
            .collect();
        let old_order: Vec<&str> = old
            .definition
            .steps
            .iter()
            .filter(|s| s.code == step.code)
            .flat_map(|s| &s.fields)
            .map(|f| f.code.as_str())
            .filter(|code| stays(code))
            .collect();
        moved.extend(out_of_order(&old_order, &new_order));
    }
    for step in &new.definition.steps {
        for field in &step.fields {
            let code = field.code.as_str();
            let label = &field.label;
            let Some(previous) = before.get(code) else {
                out.push(s::diff_field_added(label, &step.title));
                continue;
            };
            if previous.step_code != step.code {
                out.push(s::diff_field_moved_to(
                    label,
                    previous.step_title,
                    &step.title,
                ));
            } else if moved.contains(code) {
                out.push(s::diff_field_moved(label, &step.title));
            }
            field_changes(previous.field, field, out);
        }
    }
    for (code, previous) in &before {
        if !after.contains_key(code) {
            out.push(s::diff_field_removed(
                &previous.field.label,
                previous.step_title,
            ));
        }
    }
}

fn field_changes(before: &Field, after: &Field, out: &mut Vec<String>) {
    let label = &after.label;
    if before.label != after.label {
        out.push(s::diff_field_renamed(&before.label, &after.label));
    }
    if before.required != after.required {
        out.push(s::diff_field_required(label, after.required));
    }
    if before.condition != after.condition {
        out.push(s::diff_field_condition(
            label,
            change(before.condition.is_some(), after.condition.is_some()),
        ));
    }
    if before.help != after.help {
        out.push(s::diff_field_help(label));
    }
    if before.prefill != after.prefill {
        out.push(s::diff_field_prefill(label));
    }
    let (kind_before, kind_after) = (PaletteKind::of(&before.kind), PaletteKind::of(&after.kind));
    if kind_before != kind_after {
        out.push(s::diff_field_kind(
            label,
            kind_before.label(),
            kind_after.label(),
        ));
    } else if before.kind != after.kind {
        match (&before.kind, &after.kind) {
            (FieldKind::Group { fields: a, .. }, FieldKind::Group { fields: b, .. }) if a != b => {
                out.push(s::diff_group_fields(label))
            }
            _ => out.push(s::diff_field_settings(label)),
        }
    }
}

/// Elements of `new` that are not in a longest common subsequence of `old` and `new` (both
/// hold the same elements, in different orders).
fn out_of_order<'a>(old: &[&'a str], new: &[&'a str]) -> BTreeSet<&'a str> {
    let (n, m) = (old.len(), new.len());
    // lengths[i][j]: LCS length of old[i..] and new[j..].
    let mut lengths = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i][j] = if old[i] == new[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let mut kept = BTreeSet::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if old[i] == new[j] {
            kept.insert(old[i]);
            i += 1;
            j += 1;
        } else if lengths[i + 1][j] >= lengths[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    new.iter().copied().filter(|c| !kept.contains(c)).collect()
}

/// The dialog's text for a first publication.
pub fn first_publication(new: &DemarcheDocument) -> Vec<String> {
    let fields = new.definition.steps.iter().map(|s| s.fields.len()).sum();
    vec![s::first_publication(new.definition.steps.len(), fields)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::condition::{CompareOp, Literal};
    use crate::demarches::model::IsoDate;
    use crate::demarches::testing::*;

    fn document() -> DemarcheDocument {
        DemarcheDocument::new(demarche(), full_definition())
    }

    #[test]
    fn identical_documents_have_no_changes() {
        assert_eq!(diff(&document(), &document()), Vec::<String>::new());
    }

    #[test]
    fn identity_card_changes_are_listed() {
        let mut new = document();
        new.demarche.title = "Cantine scolaire".into();
        new.demarche.audience = Audience::AnonymousAllowed;
        new.demarche.publication.from = IsoDate::parse("2026-09-01");
        assert_eq!(
            diff(&document(), &new),
            [
                "Titre : « Inscription à la cantine » devient « Cantine scolaire ».",
                "Public : ouverte sans compte.",
                "Période de publication : à partir du 01/09/2026.",
            ]
        );
    }

    #[test]
    fn added_removed_renamed_required_and_conditional_fields_are_listed() {
        let mut new = document();
        let first = &mut new.definition.steps[0].fields;
        first.retain(|f| f.code != "telephone");
        first[1].label = "Nom de famille".into();
        first[1].required = false;
        first[2].condition = Some(cmp("nom", CompareOp::Ne, Literal::Text("x".into())));
        first.push(field(
            "age",
            FieldKind::Integer {
                min: None,
                max: None,
            },
        ));
        assert_eq!(
            diff(&document(), &new),
            [
                "Champ « Libellé nom » renommé en « Nom de famille ».",
                "Champ « Nom de famille » rendu facultatif.",
                "Condition du champ « Libellé courriel » ajoutée.",
                "Champ « Libellé age » ajouté à l’étape « Étape demandeur ».",
                "Champ « Libellé telephone » supprimé (étape « Étape demandeur »).",
            ]
        );
    }

    #[test]
    fn a_moved_field_is_reported_once_and_not_the_fields_it_jumped_over() {
        let mut new = document();
        let moved = new.definition.steps[0].fields.remove(1);
        new.definition.steps[0].fields.push(moved);
        assert_eq!(
            diff(&document(), &new),
            ["Champ « Libellé nom » déplacé dans l’étape « Étape demandeur »."]
        );
        let mut new = document();
        let moved = new.definition.steps[0].fields.remove(6);
        new.definition.steps[1].fields.insert(0, moved);
        assert_eq!(
            diff(&document(), &new),
            [
                "Champ « Libellé siret » déplacé de l’étape « Étape demandeur » à l’étape « Étape enfants_etape »."
            ]
        );
    }

    #[test]
    fn step_changes_and_settings_changes_are_listed() {
        let mut new = document();
        new.definition.steps.swap(0, 1);
        new.definition.steps[0].title = "Les enfants".into();
        new.definition
            .steps
            .push(step("fin", vec![field("ok", FieldKind::YesNo {})]));
        if let FieldKind::Files { max_files, .. } = &mut new.definition.steps[0].fields[6].kind {
            *max_files = 3;
        }
        let changes = diff(&document(), &new);
        assert_eq!(
            changes,
            [
                "Étape « Étape enfants_etape » renommée en « Les enfants ».",
                "Étape « Étape demandeur » déplacée.",
                "Étape « Étape fin » ajoutée.",
                "Réglages du champ « Libellé justificatifs » modifiés.",
                "Champ « Libellé ok » ajouté à l’étape « Étape fin ».",
            ]
        );
        assert_eq!(
            first_publication(&document()),
            ["Première publication : 2 étape(s), 14 champ(s)."]
        );
    }
}
