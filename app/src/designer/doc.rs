//! The editor made reactive, part by part.
//!
//! One signal for the whole démarche would make every row of a 500-field form re-run on every
//! keystroke, and Leptos keeps each signal's subscribers in an ordered set whose removals are
//! linear: measured, that was most of the time of an edit. So the [`Editor`] is stored
//! untracked, and readers subscribe to the part they show: the structure (which steps and
//! fields, in which order), one field, one step, the identity card, or anything (for the few
//! views that summarise the whole form). After each change the editor says what it touched
//! and only those triggers fire. Validation runs in the same place, and wakes only the
//! elements whose problems changed.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;

use super::state::{Changed, Editor, FieldAt, Id};
use crate::demarches::answers::path_within;
use crate::demarches::definition::validate_definition;
use crate::demarches::model::DefinitionError;

/// Validation problems by the element they concern: the first segment of their path (a
/// step code, a field code, `title`, `publication`…).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problems {
    pub all: Vec<DefinitionError>,
    by_element: HashMap<String, Vec<String>>,
}

impl Problems {
    pub fn new(all: Vec<DefinitionError>) -> Self {
        let mut by_element: HashMap<String, Vec<String>> = HashMap::new();
        for error in &all {
            let head = error.path.split('.').next().unwrap_or_default().to_owned();
            by_element
                .entry(head)
                .or_default()
                .push(error.message.clone());
        }
        Self { all, by_element }
    }

    pub fn of(&self, key: &str) -> Vec<String> {
        self.by_element.get(key).cloned().unwrap_or_default()
    }

    /// Keys whose messages differ between `self` and `other`.
    fn changed_keys(&self, other: &Problems) -> HashSet<String> {
        let mut keys = HashSet::new();
        for (key, messages) in &self.by_element {
            if other.by_element.get(key) != Some(messages) {
                keys.insert(key.clone());
            }
        }
        for key in other.by_element.keys() {
            if !self.by_element.contains_key(key) {
                keys.insert(key.clone());
            }
        }
        keys
    }
}

/// The key under which the problems of an element are filed: its code, or its position when
/// it has none (as the validator names it).
pub fn key_of(code: &str, fallback: impl FnOnce() -> String) -> String {
    if code.is_empty() {
        fallback()
    } else {
        code.to_owned()
    }
}

#[derive(Clone, Copy)]
pub struct Doc {
    editor: StoredValue<Editor>,
    structure: Trigger,
    demarche: Trigger,
    any: Trigger,
    fields: StoredValue<HashMap<Id, ArcTrigger>>,
    steps: StoredValue<HashMap<Id, ArcTrigger>>,
    /// Current problems; the signal fires only when they change.
    pub problems: RwSignal<Problems>,
}

impl Doc {
    pub fn new(editor: Editor) -> Self {
        let problems = Problems::new(validate_definition(editor.demarche(), editor.definition()));
        Self {
            editor: StoredValue::new(editor),
            structure: Trigger::new(),
            demarche: Trigger::new(),
            any: Trigger::new(),
            fields: StoredValue::new(HashMap::new()),
            steps: StoredValue::new(HashMap::new()),
            problems: RwSignal::new(problems),
        }
    }

    fn trigger(map: StoredValue<HashMap<Id, ArcTrigger>>, id: Id) -> Option<ArcTrigger> {
        map.try_update_value(|map| map.entry(id).or_default().clone())
    }

    /// Reads without subscribing.
    pub fn with_untracked<R>(&self, f: impl FnOnce(&Editor) -> R) -> R {
        self.editor.with_value(f)
    }

    /// Reads, re-running the reader after any change.
    pub fn with<R>(&self, f: impl FnOnce(&Editor) -> R) -> R {
        self.any.track();
        self.with_untracked(f)
    }

    /// Reads, re-running the reader when steps or fields are added, removed or moved.
    pub fn with_structure<R>(&self, f: impl FnOnce(&Editor) -> R) -> R {
        self.structure.track();
        self.with_untracked(f)
    }

    /// Reads, re-running the reader when this field's properties or problems change.
    pub fn with_field<R>(&self, id: Id, f: impl FnOnce(&Editor) -> R) -> R {
        if let Some(trigger) = Self::trigger(self.fields, id) {
            trigger.track();
        }
        self.with_untracked(f)
    }

    /// Reads, re-running the reader when this step's properties or problems change.
    pub fn with_step<R>(&self, id: Id, f: impl FnOnce(&Editor) -> R) -> R {
        if let Some(trigger) = Self::trigger(self.steps, id) {
            trigger.track();
        }
        self.with_untracked(f)
    }

    /// Reads, re-running the reader when the identity card changes.
    pub fn with_demarche<R>(&self, f: impl FnOnce(&Editor) -> R) -> R {
        self.demarche.track();
        self.with_untracked(f)
    }

    /// Changes the editor, then wakes the views of what changed and re-validates.
    pub fn update<R>(&self, f: impl FnOnce(&mut Editor) -> R) -> Option<R> {
        let (result, changes) = self.editor.try_update_value(|editor| {
            let result = f(editor);
            (result, editor.take_changes())
        })?;
        if changes.is_empty() {
            return Some(result);
        }
        let notify = |map: StoredValue<HashMap<Id, ArcTrigger>>, id: Id| {
            if let Some(Some(trigger)) = map.try_with_value(|map| map.get(&id).cloned()) {
                trigger.notify();
            }
        };
        for change in &changes {
            match change {
                Changed::Structure => self.structure.notify(),
                Changed::Field(id) => notify(self.fields, *id),
                Changed::Step(id) => notify(self.steps, *id),
                Changed::Demarche => self.demarche.notify(),
            }
        }
        self.revalidate();
        self.any.notify();
        Some(result)
    }

    fn revalidate(&self) {
        let new = self
            .with_untracked(|e| Problems::new(validate_definition(e.demarche(), e.definition())));
        let keys = self.problems.with_untracked(|old| old.changed_keys(&new));
        if keys.is_empty() {
            return;
        }
        // Which elements those keys name: one pass over the form, no reactive work.
        let (fields, steps) = self.with_untracked(|e| {
            let mut fields = Vec::new();
            let mut steps = Vec::new();
            for (s_index, (step, ids)) in e.definition().steps.iter().zip(e.step_ids()).enumerate()
            {
                if keys.contains(&key_of(&step.code, || format!("steps[{s_index}]"))) {
                    steps.push(*ids);
                }
                for field_id in e.field_ids(*ids) {
                    if let (Some(field), Some((_, index))) =
                        (e.field(*field_id), e.position(*field_id))
                        && keys.contains(&key_of(&field.code, || format!("fields[{index}]")))
                    {
                        fields.push(*field_id);
                    }
                }
            }
            (fields, steps)
        });
        self.problems.set(new);
        for id in fields {
            if let Some(Some(trigger)) = self.fields.try_with_value(|m| m.get(&id).cloned()) {
                trigger.notify();
            }
        }
        for id in steps {
            if let Some(Some(trigger)) = self.steps.try_with_value(|m| m.get(&id).cloned()) {
                trigger.notify();
            }
        }
    }

    /// The problems of a field, without subscribing (rows subscribe to their field).
    pub fn field_problems(&self, id: Id) -> Vec<String> {
        let key = self.with_untracked(|e| {
            let (_, index) = e.position(id)?;
            Some(key_of(&e.field(id)?.code, || format!("fields[{index}]")))
        });
        match key {
            Some(key) => self.problems.with_untracked(|p| p.of(&key)),
            None => Vec::new(),
        }
    }

    /// The problems of a field or of a sub-field (filed under their group's key), without
    /// subscribing.
    pub fn field_problems_at(&self, at: FieldAt) -> Vec<String> {
        let Some(index) = at.sub else {
            return self.field_problems(at.id);
        };
        let path = self.with_untracked(|e| {
            let (_, position) = e.position(at.id)?;
            let group = key_of(&e.field(at.id)?.code, || format!("fields[{position}]"));
            let sub = key_of(&e.field_at(at)?.code, || format!("fields[{index}]"));
            Some(format!("{group}.{sub}"))
        });
        let Some(path) = path else {
            return Vec::new();
        };
        self.problems.with_untracked(|p| {
            p.all
                .iter()
                .filter(|error| path_within(&error.path, &path))
                .map(|error| error.message.clone())
                .collect()
        })
    }

    pub fn step_problems(&self, id: Id) -> Vec<String> {
        let key = self.with_untracked(|e| {
            let index = e.step_index(id)?;
            Some(key_of(&e.step(id)?.code, || format!("steps[{index}]")))
        });
        match key {
            Some(key) => self.problems.with_untracked(|p| p.of(&key)),
            None => Vec::new(),
        }
    }
}
