//! The designer's editing state and every operation on it, as plain Rust on plain data.
//!
//! Undo and redo keep *inverse operations*, not copies of the démarche: a 500-field form costs
//! the same to edit as a 5-field one, and typing in a label (many changes to one property)
//! collapses into one undo step. Steps and fields carry stable ids, kept beside the model so
//! that the JSON document stays exactly the shared [`DemarcheDocument`] format: the UI keys its
//! lists by id, so moving a field moves its DOM node instead of rebuilding the list.

use std::collections::{BTreeSet, HashMap};

use crate::demarches::condition::Condition;
use crate::demarches::document::DemarcheDocument;
use crate::demarches::model::{Definition, Demarche, Field, FieldKind, Step};

use super::palette::PaletteKind;
use super::strings as s;

/// Stable identity of a step or a field while the designer is open.
pub type Id = u32;

/// Undo steps kept; older ones are forgotten.
const HISTORY_LIMIT: usize = 500;

/// A reversible change. Positions are indices; `MoveField::to` is the position the field ends
/// at (after its removal from `from`).
#[derive(Clone, Debug, PartialEq)]
enum Op {
    InsertField {
        step: usize,
        index: usize,
        id: Id,
        field: Box<Field>,
    },
    RemoveField {
        step: usize,
        index: usize,
    },
    MoveField {
        from: (usize, usize),
        to: (usize, usize),
    },
    InsertStep {
        index: usize,
        id: Id,
        step: Box<Step>,
        field_ids: Vec<Id>,
    },
    RemoveStep {
        index: usize,
    },
    MoveStep {
        from: usize,
        to: usize,
    },
    SetField {
        step: usize,
        index: usize,
        field: Box<Field>,
    },
    /// A step's own properties; its fields are not touched.
    SetStepHeader {
        index: usize,
        code: String,
        title: String,
        condition: Option<Condition>,
    },
    SetDemarche(Box<Demarche>),
}

/// What several consecutive edits may be merged under (same element, same property).
#[derive(Clone, Debug, PartialEq, Eq)]
struct MergeKey {
    target: Option<Id>,
    /// The sub-field of a group, when the edit is about one.
    sub: Option<usize>,
    property: &'static str,
}

/// What an operation touched, for the UI to wake only the views that show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Changed {
    /// Steps or fields added, removed or reordered.
    Structure,
    /// One field's properties.
    Field(Id),
    /// One step's own properties.
    Step(Id),
    Demarche,
}

/// Which element of the form something is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Demarche,
    Step(Id),
    Field(Id),
    /// Sub-field `index` of the group field `Id`.
    SubField(Id, usize),
}

/// A field the properties panel edits: a field of a step, or a sub-field of a group field
/// (sub-fields have no id of their own; they are kept by position in their group).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldAt {
    /// The field of the step (the group, for a sub-field).
    pub id: Id,
    pub sub: Option<usize>,
}

impl FieldAt {
    pub fn field(id: Id) -> Self {
        Self { id, sub: None }
    }

    pub fn sub_field(group: Id, index: usize) -> Self {
        Self {
            id: group,
            sub: Some(index),
        }
    }

    pub fn target(self) -> Target {
        match self.sub {
            None => Target::Field(self.id),
            Some(index) => Target::SubField(self.id, index),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Editor {
    demarche: Demarche,
    definition: Definition,
    step_ids: Vec<Id>,
    field_ids: Vec<Vec<Id>>,
    /// Where each field id is: (step index, field index). Rebuilt after structural changes.
    positions: HashMap<Id, (usize, usize)>,
    next_id: Id,
    undo: Vec<Op>,
    redo: Vec<Op>,
    last_merge: Option<MergeKey>,
    /// Increases with every change (undo and redo included): what autosave watches.
    revision: u64,
    /// What changed since the last [`Editor::take_changes`].
    changes: Vec<Changed>,
}

impl Editor {
    pub fn new(document: DemarcheDocument) -> Self {
        let mut next_id: Id = 1;
        let mut fresh = || {
            let id = next_id;
            next_id += 1;
            id
        };
        let step_ids: Vec<Id> = document.definition.steps.iter().map(|_| fresh()).collect();
        let field_ids: Vec<Vec<Id>> = document
            .definition
            .steps
            .iter()
            .map(|step| step.fields.iter().map(|_| fresh()).collect())
            .collect();
        let mut editor = Self {
            demarche: document.demarche,
            definition: document.definition,
            step_ids,
            field_ids,
            positions: HashMap::new(),
            next_id,
            undo: Vec::new(),
            redo: Vec::new(),
            last_merge: None,
            revision: 0,
            changes: Vec::new(),
        };
        editor.reindex();
        editor
    }

    // --- Reading ---------------------------------------------------------------------------

    pub fn demarche(&self) -> &Demarche {
        &self.demarche
    }

    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    pub fn document(&self) -> DemarcheDocument {
        DemarcheDocument::new(self.demarche.clone(), self.definition.clone())
    }

    /// The document as JSON, serialised from borrowed data (no copy of the form).
    pub fn document_json(&self) -> String {
        #[derive(serde::Serialize)]
        struct Borrowed<'a> {
            format: &'static str,
            format_version: u32,
            demarche: &'a Demarche,
            definition: &'a Definition,
        }
        serde_json::to_string(&Borrowed {
            format: crate::demarches::document::FORMAT,
            format_version: crate::demarches::document::FORMAT_VERSION,
            demarche: &self.demarche,
            definition: &self.definition,
        })
        .unwrap_or_default()
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn step_ids(&self) -> &[Id] {
        &self.step_ids
    }

    pub fn field_ids(&self, step: Id) -> &[Id] {
        self.step_index(step)
            .and_then(|index| self.field_ids.get(index))
            .map_or(&[], Vec::as_slice)
    }

    pub fn step_index(&self, step: Id) -> Option<usize> {
        self.step_ids.iter().position(|id| *id == step)
    }

    pub fn step(&self, step: Id) -> Option<&Step> {
        self.definition.steps.get(self.step_index(step)?)
    }

    /// (step index, field index) of a field.
    pub fn position(&self, field: Id) -> Option<(usize, usize)> {
        self.positions.get(&field).copied()
    }

    pub fn field(&self, field: Id) -> Option<&Field> {
        let (step, index) = self.position(field)?;
        self.definition.steps.get(step)?.fields.get(index)
    }

    /// The field at `at`: a step's field, or a sub-field of a group.
    pub fn field_at(&self, at: FieldAt) -> Option<&Field> {
        let field = self.field(at.id)?;
        match (at.sub, &field.kind) {
            (None, _) => Some(field),
            (Some(index), FieldKind::Group { fields, .. }) => fields.get(index),
            (Some(_), _) => None,
        }
    }

    pub fn field_count(&self) -> usize {
        self.positions.len()
    }

    /// The id of the field whose code is `code`, if it is a top-level field.
    pub fn field_by_code(&self, code: &str) -> Option<Id> {
        self.definition
            .steps
            .iter()
            .zip(&self.field_ids)
            .find_map(|(step, ids)| {
                step.fields
                    .iter()
                    .zip(ids)
                    .find(|(field, _)| field.code == code)
                    .map(|(_, id)| *id)
            })
    }

    /// What changed since the previous call.
    pub fn take_changes(&mut self) -> Vec<Changed> {
        std::mem::take(&mut self.changes)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Every code in use (steps, fields, group sub-fields).
    pub fn codes(&self) -> BTreeSet<String> {
        fn walk(fields: &[Field], out: &mut BTreeSet<String>) {
            for field in fields {
                out.insert(field.code.clone());
                if let FieldKind::Group { fields, .. } = &field.kind {
                    walk(fields, out);
                }
            }
        }
        let mut codes = BTreeSet::new();
        for step in &self.definition.steps {
            codes.insert(step.code.clone());
            walk(&step.fields, &mut codes);
        }
        codes
    }

    /// `base_1`, `base_2`…: the first that no element uses.
    pub fn unique_code(&self, base: &str) -> String {
        unique_code(&self.codes(), base)
    }

    // --- Editing ---------------------------------------------------------------------------

    /// Drops a new field of `kind` at `index` of step `step` (clamped to the step's end).
    pub fn insert_new(&mut self, kind: PaletteKind, step: Id, index: usize) -> Option<Id> {
        let step_index = self.step_index(step)?;
        let mut codes = self.codes();
        let code = unique_code(&codes, kind.code_base());
        codes.insert(code.clone());
        let mut field = kind.new_field(code);
        if let FieldKind::Group { fields, .. } = &mut field.kind {
            // An empty group cannot be published: start it with one sub-field to rename.
            fields.push(PaletteKind::ShortText.new_field(unique_code(&codes, "texte")));
        }
        let index = index.min(self.definition.steps.get(step_index)?.fields.len());
        let id = self.fresh_id();
        self.apply(
            Op::InsertField {
                step: step_index,
                index,
                id,
                field: Box::new(field),
            },
            None,
        )
        .then_some(id)
    }

    /// Moves a field so it ends at `index` of step `to_step` (`index` counted without the
    /// field itself; clamped to the end).
    pub fn move_field(&mut self, field: Id, to_step: Id, index: usize) -> bool {
        let (Some(from), Some(step)) = (self.position(field), self.step_index(to_step)) else {
            return false;
        };
        let len = self
            .definition
            .steps
            .get(step)
            .map_or(0, |s| s.fields.len());
        let len_without = if step == from.0 { len - 1 } else { len };
        let to = (step, index.min(len_without));
        if to == from {
            return false;
        }
        self.apply(Op::MoveField { from, to }, None)
    }

    /// Moves a field to where another one is, before it (used by drag-and-drop on a field).
    pub fn move_field_before(&mut self, field: Id, before: Id) -> bool {
        let (Some(from), Some(target)) = (self.position(field), self.position(before)) else {
            return false;
        };
        let mut index = target.1;
        if from.0 == target.0 && from.1 < target.1 {
            index -= 1;
        }
        let step = self.step_ids[target.0];
        self.move_field(field, step, index)
    }

    /// One place up (`-1`) or down (`+1`), crossing into the neighbouring step at either end
    /// of a step: keyboard users can reach every position with the arrows alone.
    pub fn move_field_by(&mut self, field: Id, delta: i32) -> bool {
        let Some((step, index)) = self.position(field) else {
            return false;
        };
        let to = if delta < 0 {
            if index > 0 {
                Some((step, index - 1))
            } else if step > 0 {
                let previous = step - 1;
                Some((previous, self.definition.steps[previous].fields.len()))
            } else {
                None
            }
        } else {
            let len = self.definition.steps[step].fields.len();
            if index + 1 < len {
                Some((step, index + 1))
            } else if step + 1 < self.definition.steps.len() {
                Some((step + 1, 0))
            } else {
                None
            }
        };
        match to {
            Some(to) => self.apply(
                Op::MoveField {
                    from: (step, index),
                    to,
                },
                None,
            ),
            None => false,
        }
    }

    pub fn remove_field(&mut self, field: Id) -> bool {
        match self.position(field) {
            Some((step, index)) => self.apply(Op::RemoveField { step, index }, None),
            None => false,
        }
    }

    /// A copy right after the original, with fresh codes (sub-fields included).
    pub fn duplicate_field(&mut self, field: Id) -> Option<Id> {
        let (step, index) = self.position(field)?;
        let mut copy = self.field(field)?.clone();
        let mut codes = self.codes();
        recode(&mut copy, &mut codes);
        copy.label = s::copy_of(&copy.label);
        let id = self.fresh_id();
        self.apply(
            Op::InsertField {
                step,
                index: index + 1,
                id,
                field: Box::new(copy),
            },
            None,
        )
        .then_some(id)
    }

    /// Changes a field's properties. Successive edits with the same `merge` property on the
    /// same field (typing in one input) make a single undo step.
    pub fn update_field(
        &mut self,
        field: Id,
        merge: Option<&'static str>,
        change: impl FnOnce(&mut Field),
    ) -> bool {
        let Some((step, index)) = self.position(field) else {
            return false;
        };
        let Some(mut edited) = self.field(field).cloned() else {
            return false;
        };
        change(&mut edited);
        if self.field(field) == Some(&edited) {
            return false;
        }
        let merge = merge.map(|property| MergeKey {
            target: Some(field),
            sub: None,
            property,
        });
        self.apply(
            Op::SetField {
                step,
                index,
                field: Box::new(edited),
            },
            merge,
        )
    }

    /// Changes the properties of the field at `at` (a sub-field is changed inside its group,
    /// as one change of the group). Typing in one property of one sub-field is one undo step.
    pub fn update_field_at(
        &mut self,
        at: FieldAt,
        merge: Option<&'static str>,
        change: impl FnOnce(&mut Field),
    ) -> bool {
        let Some(index) = at.sub else {
            return self.update_field(at.id, merge, change);
        };
        let Some((step, position)) = self.position(at.id) else {
            return false;
        };
        let Some(mut edited) = self.field(at.id).cloned() else {
            return false;
        };
        match &mut edited.kind {
            FieldKind::Group { fields, .. } => match fields.get_mut(index) {
                Some(sub) => change(sub),
                None => return false,
            },
            _ => return false,
        }
        if self.field(at.id) == Some(&edited) {
            return false;
        }
        let merge = merge.map(|property| MergeKey {
            target: Some(at.id),
            sub: Some(index),
            property,
        });
        self.apply(
            Op::SetField {
                step,
                index: position,
                field: Box::new(edited),
            },
            merge,
        )
    }

    /// Adds an empty step at `index` (clamped to the end).
    pub fn add_step(&mut self, index: usize) -> Option<Id> {
        let number = self.definition.steps.len() + 1;
        let code = self.unique_code("etape");
        let index = index.min(self.definition.steps.len());
        let id = self.fresh_id();
        self.apply(
            Op::InsertStep {
                index,
                id,
                step: Box::new(Step {
                    code,
                    title: s::step_title(number),
                    condition: None,
                    fields: Vec::new(),
                }),
                field_ids: Vec::new(),
            },
            None,
        )
        .then_some(id)
    }

    pub fn remove_step(&mut self, step: Id) -> bool {
        match self.step_index(step) {
            Some(index) => self.apply(Op::RemoveStep { index }, None),
            None => false,
        }
    }

    pub fn move_step(&mut self, step: Id, to: usize) -> bool {
        let Some(from) = self.step_index(step) else {
            return false;
        };
        let to = to.min(self.step_ids.len() - 1);
        from != to && self.apply(Op::MoveStep { from, to }, None)
    }

    pub fn move_step_by(&mut self, step: Id, delta: i32) -> bool {
        let Some(from) = self.step_index(step) else {
            return false;
        };
        let to = from as i64 + i64::from(delta);
        if to < 0 || to >= self.step_ids.len() as i64 {
            return false;
        }
        self.move_step(step, to as usize)
    }

    /// Changes a step's code, title or condition (its fields are moved by other operations).
    pub fn update_step(
        &mut self,
        step: Id,
        merge: Option<&'static str>,
        change: impl FnOnce(&mut StepHeader),
    ) -> bool {
        let Some(index) = self.step_index(step) else {
            return false;
        };
        let current = &self.definition.steps[index];
        let mut header = StepHeader {
            code: current.code.clone(),
            title: current.title.clone(),
            condition: current.condition.clone(),
        };
        change(&mut header);
        if header.code == current.code
            && header.title == current.title
            && header.condition == current.condition
        {
            return false;
        }
        let merge = merge.map(|property| MergeKey {
            target: Some(step),
            sub: None,
            property,
        });
        self.apply(
            Op::SetStepHeader {
                index,
                code: header.code,
                title: header.title,
                condition: header.condition,
            },
            merge,
        )
    }

    /// Changes the identity card.
    pub fn update_demarche(
        &mut self,
        merge: Option<&'static str>,
        change: impl FnOnce(&mut Demarche),
    ) -> bool {
        let mut edited = self.demarche.clone();
        change(&mut edited);
        if edited == self.demarche {
            return false;
        }
        let merge = merge.map(|property| MergeKey {
            target: None,
            sub: None,
            property,
        });
        self.apply(Op::SetDemarche(Box::new(edited)), merge)
    }

    pub fn undo(&mut self) -> bool {
        self.last_merge = None;
        let Some(op) = self.undo.pop() else {
            return false;
        };
        match self.run(op) {
            Some(inverse) => {
                self.redo.push(inverse);
                self.revision += 1;
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        self.last_merge = None;
        let Some(op) = self.redo.pop() else {
            return false;
        };
        match self.run(op) {
            Some(inverse) => {
                self.undo.push(inverse);
                self.revision += 1;
                true
            }
            None => false,
        }
    }

    // --- Internals -------------------------------------------------------------------------

    fn fresh_id(&mut self) -> Id {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Runs `op`, records its inverse for undo, forgets the redo branch.
    fn apply(&mut self, op: Op, merge: Option<MergeKey>) -> bool {
        let Some(inverse) = self.run(op) else {
            return false;
        };
        self.revision += 1;
        self.redo.clear();
        let merged = merge.is_some() && merge == self.last_merge && !self.undo.is_empty();
        if !merged {
            self.undo.push(inverse);
            if self.undo.len() > HISTORY_LIMIT {
                self.undo.remove(0);
            }
        }
        self.last_merge = merge;
        true
    }

    /// Carries out `op` and returns its inverse, or `None` (nothing changed) when a position
    /// is out of range.
    fn run(&mut self, op: Op) -> Option<Op> {
        let steps = &mut self.definition.steps;
        let inverse = match op {
            Op::InsertField {
                step,
                index,
                id,
                field,
            } => {
                let fields = &mut steps.get_mut(step)?.fields;
                if index > fields.len() {
                    return None;
                }
                fields.insert(index, *field);
                self.field_ids[step].insert(index, id);
                Op::RemoveField { step, index }
            }
            Op::RemoveField { step, index } => {
                let fields = &mut steps.get_mut(step)?.fields;
                if index >= fields.len() {
                    return None;
                }
                let field = fields.remove(index);
                let id = self.field_ids[step].remove(index);
                Op::InsertField {
                    step,
                    index,
                    id,
                    field: Box::new(field),
                }
            }
            Op::MoveField { from, to } => {
                if from.1 >= steps.get(from.0)?.fields.len() {
                    return None;
                }
                let room = steps.get(to.0)?.fields.len() - usize::from(from.0 == to.0);
                if to.1 > room {
                    return None;
                }
                let field = steps[from.0].fields.remove(from.1);
                let id = self.field_ids[from.0].remove(from.1);
                steps[to.0].fields.insert(to.1, field);
                self.field_ids[to.0].insert(to.1, id);
                Op::MoveField { from: to, to: from }
            }
            Op::InsertStep {
                index,
                id,
                step,
                field_ids,
            } => {
                if index > steps.len() || field_ids.len() != step.fields.len() {
                    return None;
                }
                steps.insert(index, *step);
                self.step_ids.insert(index, id);
                self.field_ids.insert(index, field_ids);
                Op::RemoveStep { index }
            }
            Op::RemoveStep { index } => {
                if index >= steps.len() {
                    return None;
                }
                let step = steps.remove(index);
                let id = self.step_ids.remove(index);
                let field_ids = self.field_ids.remove(index);
                Op::InsertStep {
                    index,
                    id,
                    step: Box::new(step),
                    field_ids,
                }
            }
            Op::MoveStep { from, to } => {
                if from >= steps.len() || to >= steps.len() {
                    return None;
                }
                let step = steps.remove(from);
                steps.insert(to, step);
                let id = self.step_ids.remove(from);
                self.step_ids.insert(to, id);
                let ids = self.field_ids.remove(from);
                self.field_ids.insert(to, ids);
                Op::MoveStep { from: to, to: from }
            }
            Op::SetField { step, index, field } => {
                let slot = steps.get_mut(step)?.fields.get_mut(index)?;
                let previous = std::mem::replace(slot, *field);
                self.changes
                    .push(Changed::Field(self.field_ids[step][index]));
                // Only properties changed: positions stay valid.
                return Some(Op::SetField {
                    step,
                    index,
                    field: Box::new(previous),
                });
            }
            Op::SetStepHeader {
                index,
                code,
                title,
                condition,
            } => {
                let step = steps.get_mut(index)?;
                self.changes.push(Changed::Step(self.step_ids[index]));
                return Some(Op::SetStepHeader {
                    index,
                    code: std::mem::replace(&mut step.code, code),
                    title: std::mem::replace(&mut step.title, title),
                    condition: std::mem::replace(&mut step.condition, condition),
                });
            }
            Op::SetDemarche(demarche) => {
                let previous = std::mem::replace(&mut self.demarche, *demarche);
                self.changes.push(Changed::Demarche);
                return Some(Op::SetDemarche(Box::new(previous)));
            }
        };
        self.reindex();
        self.changes.push(Changed::Structure);
        Some(inverse)
    }

    fn reindex(&mut self) {
        self.positions.clear();
        for (step, ids) in self.field_ids.iter().enumerate() {
            for (index, id) in ids.iter().enumerate() {
                self.positions.insert(*id, (step, index));
            }
        }
    }
}

/// A step's own properties, as [`Editor::update_step`] edits them.
#[derive(Clone, Debug, PartialEq)]
pub struct StepHeader {
    pub code: String,
    pub title: String,
    pub condition: Option<Condition>,
}

fn unique_code(codes: &BTreeSet<String>, base: &str) -> String {
    (1..)
        .map(|n| format!("{base}_{n}"))
        .find(|code| !codes.contains(code))
        .unwrap_or_else(|| base.to_owned())
}

/// Gives `field` (and its sub-fields) codes not in `codes`, and records them there.
fn recode(field: &mut Field, codes: &mut BTreeSet<String>) {
    let base = field
        .code
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_')
        .to_owned();
    let base = if base.is_empty() {
        PaletteKind::of(&field.kind).code_base().to_owned()
    } else {
        base
    };
    field.code = unique_code(codes, &base);
    codes.insert(field.code.clone());
    if let FieldKind::Group { fields, .. } = &mut field.kind {
        for sub in fields {
            recode(sub, codes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::definition::validate_definition;
    use crate::demarches::testing::{demarche, full_definition};

    fn editor() -> Editor {
        Editor::new(DemarcheDocument::new(demarche(), full_definition()))
    }

    fn codes_of(editor: &Editor, step: usize) -> Vec<String> {
        editor.definition().steps[step]
            .fields
            .iter()
            .map(|f| f.code.clone())
            .collect()
    }

    /// The ids always mirror the definition exactly.
    fn assert_consistent(editor: &Editor) {
        assert_eq!(editor.step_ids.len(), editor.definition.steps.len());
        for (step, ids) in editor.definition.steps.iter().zip(&editor.field_ids) {
            assert_eq!(step.fields.len(), ids.len());
        }
        for (step, ids) in editor.field_ids.iter().enumerate() {
            for (index, id) in ids.iter().enumerate() {
                assert_eq!(editor.position(*id), Some((step, index)));
            }
        }
    }

    #[test]
    fn a_field_dropped_from_the_palette_gets_a_unique_code_and_a_valid_default() {
        let mut e = editor();
        let step = e.step_ids()[0];
        let a = e.insert_new(PaletteKind::ShortText, step, 1).unwrap();
        let b = e.insert_new(PaletteKind::ShortText, step, 99).unwrap();
        assert_eq!(e.field(a).unwrap().code, "texte_1");
        assert_eq!(e.field(b).unwrap().code, "texte_2");
        assert_eq!(e.position(a), Some((0, 1)));
        assert_eq!(e.position(b), Some((0, 8)), "clamped to the end");
        for kind in PaletteKind::ALL {
            e.insert_new(kind, step, 0).unwrap();
        }
        assert_eq!(validate_definition(e.demarche(), e.definition()), vec![]);
        assert_consistent(&e);
    }

    #[test]
    fn fields_move_within_and_between_steps_and_undo_puts_them_back() {
        let mut e = editor();
        let original = e.definition().clone();
        let (first, second) = (e.step_ids()[0], e.step_ids()[1]);
        let nom = e.field_by_code("nom").unwrap();
        let siret = e.field_by_code("siret").unwrap();

        assert!(e.move_field(nom, first, 3));
        assert_eq!(
            codes_of(&e, 0),
            [
                "intro",
                "courriel",
                "telephone",
                "nom",
                "adresse",
                "entreprise",
                "siret"
            ]
        );
        assert!(e.move_field_before(siret, e.field_by_code("intro").unwrap()));
        assert_eq!(codes_of(&e, 0)[0], "siret");
        assert!(e.move_field(nom, second, 0));
        assert_eq!(codes_of(&e, 1)[0], "nom");
        assert_eq!(e.position(nom), Some((1, 0)));
        assert_consistent(&e);

        assert!(e.undo() && e.undo() && e.undo());
        assert_eq!(e.definition(), &original);
        assert!(!e.undo());
        assert!(e.redo() && e.redo() && e.redo());
        assert_eq!(codes_of(&e, 1)[0], "nom");
        assert!(!e.redo());
        assert_consistent(&e);
    }

    #[test]
    fn moving_by_one_crosses_step_boundaries_and_stops_at_the_ends() {
        let mut e = editor();
        let intro = e.field_by_code("intro").unwrap();
        assert!(!e.move_field_by(intro, -1), "already first of the form");
        let siret = e.field_by_code("siret").unwrap();
        assert!(e.move_field_by(siret, 1));
        assert_eq!(e.position(siret), Some((1, 0)));
        assert!(e.move_field_by(siret, -1));
        assert_eq!(e.position(siret), Some((0, 6)));
        let last = *e.field_ids(e.step_ids()[1]).last().unwrap();
        assert!(!e.move_field_by(last, 1), "already last of the form");
        assert!(e.move_field_by(intro, 1));
        assert_eq!(codes_of(&e, 0)[..2], ["nom", "intro"]);
    }

    #[test]
    fn steps_are_added_moved_and_removed_with_their_fields_and_undone() {
        let mut e = editor();
        let original = e.document();
        let added = e.add_step(99).unwrap();
        assert_eq!(e.step(added).unwrap().code, "etape_1");
        assert_eq!(e.step_index(added), Some(2));
        let first = e.step_ids()[0];
        assert!(e.move_step(first, 2));
        assert_eq!(e.definition().steps[2].code, "demandeur");
        assert!(e.move_step_by(first, -1));
        assert_eq!(e.step_index(first), Some(1));
        assert!(!e.move_step_by(e.step_ids()[0], -1));
        let nom = e.field_by_code("nom").unwrap();
        assert!(e.remove_step(first));
        assert_eq!(e.field(nom), None);
        assert_eq!(e.field_count(), 7);
        assert_consistent(&e);
        while e.undo() {}
        assert_eq!(e.document(), original);
        assert_eq!(e.position(nom), Some((0, 1)), "ids survive undo");
        assert_consistent(&e);
    }

    #[test]
    fn duplicating_gives_fresh_codes_to_the_field_and_its_sub_fields() {
        let mut e = editor();
        let enfants = e.field_by_code("enfants").unwrap();
        let copy = e.duplicate_field(enfants).unwrap();
        assert_eq!(e.position(copy), Some((1, 2)));
        let field = e.field(copy).unwrap();
        assert_eq!(field.code, "enfants_1");
        assert_eq!(field.label, s::copy_of("Libellé enfants"));
        let FieldKind::Group { fields, .. } = &field.kind else {
            panic!("{field:?}")
        };
        assert_eq!(fields[0].code, "prenom_1");
        assert_eq!(validate_definition(e.demarche(), e.definition()), vec![]);
        assert!(e.remove_field(copy));
        assert_eq!(e.definition(), &full_definition());
    }

    #[test]
    fn typing_in_one_property_is_one_undo_step_but_another_property_is_another() {
        let mut e = editor();
        let nom = e.field_by_code("nom").unwrap();
        for label in ["N", "No", "Nom de famille"] {
            assert!(e.update_field(nom, Some("label"), |f| f.label = label.to_owned()));
        }
        assert!(e.update_field(nom, Some("required"), |f| f.required = false));
        assert!(
            !e.update_field(nom, Some("required"), |f| f.required = false),
            "no change, no step"
        );
        assert!(e.undo());
        assert!(e.field(nom).unwrap().required);
        assert_eq!(e.field(nom).unwrap().label, "Nom de famille");
        assert!(e.undo());
        assert_eq!(e.field(nom).unwrap().label, "Libellé nom");
        assert!(!e.can_undo());
        // After an undo, typing again starts a new step.
        assert!(e.redo());
        assert!(e.update_field(nom, Some("label"), |f| f.label = "Nom".to_owned()));
        assert!(!e.can_redo(), "a new change forgets the redo branch");
        assert!(e.undo());
        assert_eq!(e.field(nom).unwrap().label, "Nom de famille");
    }

    #[test]
    fn step_headers_and_the_identity_card_are_edited_and_undone() {
        let mut e = editor();
        let step = e.step_ids()[0];
        assert!(e.update_step(step, Some("title"), |h| h.title = "Vous".to_owned()));
        assert!(e.update_demarche(Some("title"), |d| d.title = "Cantine".to_owned()));
        assert!(e.update_demarche(Some("title"), |d| d.title = "Cantine 2026".to_owned()));
        assert_eq!(e.demarche().title, "Cantine 2026");
        let revision = e.revision();
        assert!(e.undo());
        assert_eq!(e.demarche().title, "Inscription à la cantine");
        assert!(e.revision() > revision, "undo is a change to save");
        assert!(e.undo());
        assert_eq!(e.step(step).unwrap().title, "Étape demandeur");
    }

    #[test]
    fn each_operation_says_what_it_touched_so_the_ui_wakes_only_that() {
        let mut e = editor();
        assert_eq!(e.take_changes(), vec![]);
        let nom = e.field_by_code("nom").unwrap();
        let step = e.step_ids()[0];
        e.update_field(nom, None, |f| f.label = "Nom".into());
        e.update_step(step, None, |h| h.title = "Vous".into());
        e.update_demarche(None, |d| d.rubrique = "École".into());
        e.move_field_by(nom, 1);
        assert_eq!(
            e.take_changes(),
            vec![
                Changed::Field(nom),
                Changed::Step(step),
                Changed::Demarche,
                Changed::Structure
            ]
        );
        e.undo();
        assert_eq!(e.take_changes(), vec![Changed::Structure]);
        e.undo();
        assert_eq!(e.take_changes(), vec![Changed::Demarche]);
    }

    #[test]
    fn a_sub_field_gets_every_property_of_a_field_and_undo_takes_them_back() {
        let mut e = editor();
        let enfants = e.field_by_code("enfants").unwrap();
        let prenom = FieldAt::sub_field(enfants, 0);
        assert_eq!(e.field_at(prenom).unwrap().code, "prenom");
        let original = e.definition().clone();

        assert!(e.update_field_at(prenom, None, |f| {
            f.kind = PaletteKind::SingleChoice.default_kind();
        }));
        assert!(e.update_field_at(prenom, Some("option_label"), |f| {
            if let FieldKind::SingleChoice { options, .. } = &mut f.kind {
                options[0].label = "Maternelle".into();
            }
        }));
        for help in ["É", "École fréquentée"] {
            assert!(e.update_field_at(prenom, Some("help"), |f| f.help = help.into()));
        }
        assert_eq!(
            e.take_changes().last(),
            Some(&Changed::Field(enfants)),
            "the group's row and panel wake"
        );
        let sub = e.field_at(prenom).unwrap();
        assert_eq!(sub.help, "École fréquentée");
        let FieldKind::SingleChoice { options, .. } = &sub.kind else {
            panic!("{sub:?}")
        };
        assert_eq!(options[0].label, "Maternelle");
        assert_eq!(validate_definition(e.demarche(), e.definition()), vec![]);

        // Typing in the help was one step; the option, another; the kind, a third.
        assert!(e.undo());
        assert_eq!(e.field_at(prenom).unwrap().help, "");
        assert!(e.undo() && e.undo());
        assert_eq!(e.definition(), &original);
        assert!(e.redo() && e.redo() && e.redo());
        assert_eq!(e.field_at(prenom).unwrap().help, "École fréquentée");
    }

    #[test]
    fn typing_in_the_same_property_of_two_sub_fields_makes_two_undo_steps() {
        let mut e = editor();
        let enfants = e.field_by_code("enfants").unwrap();
        assert!(
            e.update_field_at(FieldAt::sub_field(enfants, 0), None, |f| {
                f.kind = PaletteKind::Date.default_kind();
            })
        );
        let (first, second) = (
            FieldAt::sub_field(enfants, 0),
            FieldAt::sub_field(enfants, 1),
        );
        assert!(e.update_field_at(first, Some("min"), |f| {
            if let FieldKind::Date { min, .. } = &mut f.kind {
                *min = crate::demarches::model::IsoDate::parse("2010-01-01");
            }
        }));
        assert!(e.update_field_at(second, Some("help"), |f| f.help = "a".into()));
        assert!(e.update_field_at(first, Some("help"), |f| f.help = "b".into()));
        assert!(e.update_field_at(second, Some("help"), |f| f.help = "c".into()));
        assert!(e.undo());
        assert_eq!(e.field_at(second).unwrap().help, "a");
        assert_eq!(e.field_at(first).unwrap().help, "b");
        assert!(e.undo());
        assert_eq!(e.field_at(first).unwrap().help, "");
        assert!(e.undo());
        assert_eq!(e.field_at(second).unwrap().help, "");
        assert!(matches!(
            e.field_at(first).unwrap().kind,
            FieldKind::Date { min: Some(_), .. }
        ));
        assert!(e.undo());
        assert!(matches!(
            e.field_at(first).unwrap().kind,
            FieldKind::Date { min: None, .. }
        ));
        assert_eq!(e.field_at(FieldAt::sub_field(enfants, 9)), None);
        assert!(
            !e.update_field_at(FieldAt::sub_field(enfants, 9), None, |f| f.help =
                "x".into())
        );
        let nom = e.field_by_code("nom").unwrap();
        assert_eq!(e.field_at(FieldAt::sub_field(nom, 0)), None, "not a group");
    }

    #[test]
    fn the_json_document_is_the_shared_format() {
        let e = editor();
        let parsed = crate::demarches::document::parse(&e.document_json()).unwrap();
        assert_eq!(parsed, e.document());
    }

    #[test]
    fn history_is_bounded() {
        let mut e = editor();
        let nom = e.field_by_code("nom").unwrap();
        for n in 0..(HISTORY_LIMIT + 20) {
            e.update_field(nom, None, |f| f.help = n.to_string());
        }
        assert_eq!(e.undo.len(), HISTORY_LIMIT);
    }

    #[test]
    fn a_500_field_form_is_edited_in_far_less_than_a_frame() {
        let mut e = Editor::new(DemarcheDocument::new(demarche(), Definition::default()));
        let steps: Vec<Id> = (0..10).map(|_| e.add_step(99).unwrap()).collect();
        for n in 0..500 {
            e.insert_new(PaletteKind::ALL[n % 15], steps[n % 10], 99);
        }
        let field = e.field_ids(steps[3])[10];
        let started = std::time::Instant::now();
        for n in 0..100 {
            e.update_field(field, Some("label"), |f| f.label = format!("Libellé {n}"));
            e.move_field_by(field, if n % 2 == 0 { 1 } else { -1 });
            let _ = validate_definition(e.demarche(), e.definition());
        }
        let per_change = started.elapsed() / 200;
        // Debug build, shared CI machine: generous, but catches quadratic blow-ups.
        assert!(
            per_change < std::time::Duration::from_millis(8),
            "{per_change:?}"
        );
    }
}
