//! Checking a citizen's submitted answers against a definition, and prefilling from a profile.
//!
//! Fields are visited in form order, so conditions see the cleaned answers of earlier fields.
//! A hidden step hides its fields; a hidden field is never required and its answer is dropped.
//! Empty answers (blank text, nothing ticked, no file, no item) are left out of the result.

use std::collections::{BTreeMap, BTreeSet};

use super::condition::evaluate;
use super::model::{
    Address, AnswerError, AnswerValue, Answers, CleanAnswers, Decimal, Definition, Field,
    FieldKind, FileRef, IsoDate, LONG_TEXT_MAX, Locks, Profile, ProfileAttribute, RawAnswer,
    SHORT_TEXT_MAX, TextPattern, gender_option,
};
use super::strings as s;

const ADDRESS_PART_MAX: u32 = 255;

/// Validates and normalises `answers`; all the problems found, or the cleaned answers.
pub fn validate_answers(
    definition: &Definition,
    answers: &Answers,
) -> Result<CleanAnswers, Vec<AnswerError>> {
    assess(definition, answers).result
}

/// What the form looks like for some answers: the validation result and what is hidden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub result: Result<CleanAnswers, Vec<AnswerError>>,
    /// Codes of hidden steps and paths of hidden fields (`enfants[1].prenom` inside groups),
    /// including fields that expect no answer (explanations, section headers).
    pub hidden: BTreeSet<String>,
}

impl Assessment {
    pub fn is_hidden(&self, path: &str) -> bool {
        self.hidden.contains(path)
    }

    /// The problems whose path is `path` or lies inside it (`adresse.postcode`, `pj[0]`).
    pub fn errors_at<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a AnswerError> + 'a {
        let errors: &[AnswerError] = match &self.result {
            Ok(_) => &[],
            Err(errors) => errors,
        };
        errors
            .iter()
            .filter(move |error| path_within(&error.path, path))
    }
}

/// Whether the error path `inner` designates `outer` or a part of it.
pub fn path_within(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// Validates `answers` and records which steps and fields are hidden: the one traversal both
/// the server's check and the live form (conditional fields appearing) rely on.
pub fn assess(definition: &Definition, answers: &Answers) -> Assessment {
    let mut clean = BTreeMap::new();
    let mut errors = Vec::new();
    let mut hidden = BTreeSet::new();
    let outer = BTreeMap::new();
    for step in &definition.steps {
        let visible = step
            .condition
            .as_ref()
            .is_none_or(|condition| evaluate(condition, &clean));
        if !visible {
            hidden.insert(step.code.clone());
        }
        let mut level = Level {
            raw: &answers.0,
            outer: &outer,
            prefix: "",
            clean: &mut clean,
            errors: &mut errors,
            hidden: &mut hidden,
        };
        level.fields(&step.fields, visible);
    }
    let all_fields = definition.steps.iter().flat_map(|step| &step.fields);
    report_unknown(all_fields, &answers.0, "", &mut errors);
    let result = if errors.is_empty() {
        Ok(CleanAnswers(clean))
    } else {
        Err(errors)
    };
    Assessment { result, hidden }
}

/// Initial answers for the fields prefilled from the profile, and the groups prefilled with
/// the household's children (one item each, up to the group's maximum). The citizen can still
/// change those not certified; the certified ones are also in [`locks`].
pub fn prefill(definition: &Definition, profile: &Profile) -> Answers {
    let values = top_fields(definition).filter_map(|field| {
        let value = match (&field.kind, field.prefill) {
            (
                FieldKind::Group {
                    fields, max_items, ..
                },
                Some(ProfileAttribute::HouseholdChildren),
            ) => children_items(fields, *max_items, &profile.children)?,
            _ => profile_value(field, profile)?.0,
        };
        Some((field.code.clone(), value))
    });
    Answers(values.collect())
}

/// One item per child, its sub-fields filled from their prefill attribute.
fn children_items(
    fields: &[Field],
    max_items: u32,
    children: &[crate::demarches::model::PersonProfile],
) -> Option<RawAnswer> {
    let items: Vec<Answers> = children
        .iter()
        .take(usize::try_from(max_items).unwrap_or(usize::MAX))
        .map(|child| {
            let values = fields.iter().filter_map(|field| {
                let value = person_value(field, child)?;
                Some((field.code.clone(), value))
            });
            Answers(values.collect())
        })
        .collect();
    (!items.is_empty()).then_some(RawAnswer::Group(items))
}

/// The answers the profile's certified identity fixes (see [`Locks`]): none without one.
pub fn locks(definition: &Definition, profile: &Profile) -> Locks {
    let Some(identity) = &profile.certified else {
        return Locks::default();
    };
    let values = top_fields(definition).filter_map(|field| match profile_value(field, profile)? {
        (value, true) => Some((field.code.clone(), value)),
        (_, false) => None,
    });
    Locks {
        provider: identity.provider.clone(),
        values: values.collect(),
    }
}

fn top_fields(definition: &Definition) -> impl Iterator<Item = &Field> {
    definition.steps.iter().flat_map(|step| &step.fields)
}

/// The profile's value for `field`'s prefill attribute, and whether it is certified: an
/// identity attribute comes from the certified identity when it has it, otherwise from the
/// beneficiary's person record (editable).
fn profile_value(field: &Field, profile: &Profile) -> Option<(RawAnswer, bool)> {
    let own = |value: &Option<String>| value.clone().map(|v| (RawAnswer::Text(v), false));
    let identity = profile.certified.as_ref();
    let certified = |value: Option<&String>| {
        value
            .filter(|v| !v.trim().is_empty())
            .map(|v| (RawAnswer::Text(v.clone()), true))
    };
    let attribute = field.prefill?;
    let from_certificate = match attribute {
        ProfileAttribute::DisplayName => return own(&profile.display_name),
        ProfileAttribute::Email => return own(&profile.email),
        ProfileAttribute::Phone => return own(&profile.phone),
        ProfileAttribute::Address => {
            return profile
                .address
                .clone()
                .map(|a| (RawAnswer::Address(a), false));
        }
        ProfileAttribute::OrganisationName => {
            return organisation_text(profile, |o| Some(o.name.clone()));
        }
        ProfileAttribute::OrganisationSiret => {
            return organisation_text(profile, |o| o.siret.clone());
        }
        ProfileAttribute::OrganisationRna => return organisation_text(profile, |o| o.rna.clone()),
        ProfileAttribute::HouseholdChildren => return None,
        ProfileAttribute::GivenName => certified(identity.map(|i| &i.given_name)),
        ProfileAttribute::BirthName => certified(identity.map(|i| &i.family_name)),
        ProfileAttribute::UsageName => {
            certified(identity.and_then(|i| i.preferred_username.as_ref()))
        }
        ProfileAttribute::BirthPlace => certified(identity.and_then(|i| i.birthplace.as_ref())),
        ProfileAttribute::BirthCountry => certified(identity.and_then(|i| i.birthcountry.as_ref())),
        ProfileAttribute::BirthDate => identity
            .and_then(|i| IsoDate::parse(i.birthdate.as_deref()?))
            .map(|date| (RawAnswer::Text(date.to_string()), true)),
        ProfileAttribute::Gender => match &field.kind {
            FieldKind::SingleChoice { options, .. } => identity
                .and_then(|i| gender_option(options, i.gender.as_deref()?))
                .map(|option| (RawAnswer::Text(option.value.clone()), true)),
            _ => None,
        },
    };
    from_certificate.or_else(|| {
        profile
            .person
            .as_ref()
            .and_then(|person| person_value(field, person))
            .map(|value| (value, false))
    })
}

fn organisation_text(
    profile: &Profile,
    read: impl Fn(&crate::demarches::model::OrganisationProfile) -> Option<String>,
) -> Option<(RawAnswer, bool)> {
    profile
        .organisation
        .as_ref()
        .and_then(read)
        .filter(|v| !v.trim().is_empty())
        .map(|v| (RawAnswer::Text(v), false))
}

/// A person record's value for `field`'s identity attribute.
fn person_value(
    field: &Field,
    person: &crate::demarches::model::PersonProfile,
) -> Option<RawAnswer> {
    let text = |value: &Option<String>| {
        value
            .clone()
            .filter(|v| !v.trim().is_empty())
            .map(RawAnswer::Text)
    };
    match field.prefill? {
        ProfileAttribute::GivenName => text(&person.given_names),
        ProfileAttribute::BirthName => text(&person.birth_name),
        ProfileAttribute::UsageName => text(&person.usage_name),
        ProfileAttribute::BirthPlace => text(&person.birth_place),
        ProfileAttribute::BirthCountry => text(&person.birth_country),
        ProfileAttribute::BirthDate => person.birth_date.map(|d| RawAnswer::Text(d.to_string())),
        ProfileAttribute::Gender => match &field.kind {
            FieldKind::SingleChoice { options, .. } => {
                gender_option(options, person.gender.as_deref()?)
                    .map(|option| RawAnswer::Text(option.value.clone()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// One level of fields (the whole form, or one item of a group) being validated.
struct Level<'a> {
    raw: &'a BTreeMap<String, RawAnswer>,
    /// Answers visible from enclosing levels (for conditions inside groups).
    outer: &'a BTreeMap<String, AnswerValue>,
    prefix: &'a str,
    clean: &'a mut BTreeMap<String, AnswerValue>,
    errors: &'a mut Vec<AnswerError>,
    hidden: &'a mut BTreeSet<String>,
}

impl Level<'_> {
    fn fields(&mut self, fields: &[Field], step_visible: bool) {
        for field in fields {
            let path = format!("{}{}", self.prefix, field.code);
            if !step_visible || !self.visible(field) {
                self.hidden.insert(path);
                continue;
            }
            if !field.kind.has_answer() {
                continue;
            }
            let scope = self.scope();
            let raw = self.raw.get(&field.code).filter(|raw| !is_blank(raw));
            let value = match raw {
                None => {
                    if field.required {
                        self.error(&path, s::REQUIRED);
                    }
                    None
                }
                Some(raw) => {
                    let mut check = Check {
                        path: &path,
                        scope: &scope,
                        errors: self.errors,
                        hidden: self.hidden,
                    };
                    check.value(field, raw)
                }
            };
            if let Some(value) = value {
                self.clean.insert(field.code.clone(), value);
            }
        }
    }

    fn visible(&self, field: &Field) -> bool {
        match &field.condition {
            None => true,
            Some(condition) if self.outer.is_empty() => evaluate(condition, self.clean),
            Some(condition) => evaluate(condition, &self.scope()),
        }
    }

    /// Every answer visible from this level: enclosing levels and earlier fields of this one.
    fn scope(&self) -> BTreeMap<String, AnswerValue> {
        let mut scope = self.outer.clone();
        scope.extend(self.clean.iter().map(|(k, v)| (k.clone(), v.clone())));
        scope
    }

    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(AnswerError {
            path: path.to_owned(),
            message: message.into(),
        });
    }
}

fn report_unknown<'a>(
    fields: impl Iterator<Item = &'a Field>,
    raw: &BTreeMap<String, RawAnswer>,
    prefix: &str,
    errors: &mut Vec<AnswerError>,
) {
    let known: BTreeSet<&str> = fields
        .filter(|field| field.kind.has_answer())
        .map(|field| field.code.as_str())
        .collect();
    for code in raw.keys() {
        if !known.contains(code.as_str()) {
            errors.push(AnswerError {
                path: format!("{prefix}{code}"),
                message: s::UNKNOWN_FIELD.to_owned(),
            });
        }
    }
}

fn is_blank(raw: &RawAnswer) -> bool {
    match raw {
        RawAnswer::Text(text) => text.trim().is_empty(),
        RawAnswer::YesNo(_) => false,
        RawAnswer::Choices(values) => values.iter().all(|v| v.trim().is_empty()),
        RawAnswer::Address(a) => [&a.number, &a.street, &a.postcode, &a.commune]
            .iter()
            .all(|part| part.trim().is_empty()),
        RawAnswer::Files(files) => files.is_empty(),
        RawAnswer::Group(items) => items.is_empty(),
    }
}

/// Checks one non-blank answer.
struct Check<'a> {
    path: &'a str,
    scope: &'a BTreeMap<String, AnswerValue>,
    errors: &'a mut Vec<AnswerError>,
    hidden: &'a mut BTreeSet<String>,
}

impl Check<'_> {
    fn fail(&mut self, message: impl Into<String>) -> Option<AnswerValue> {
        self.fail_at(self.path.to_owned(), message)
    }

    fn fail_at(&mut self, path: String, message: impl Into<String>) -> Option<AnswerValue> {
        self.errors.push(AnswerError {
            path,
            message: message.into(),
        });
        None
    }

    fn value(&mut self, field: &Field, raw: &RawAnswer) -> Option<AnswerValue> {
        let text = match raw {
            RawAnswer::Text(text) => Some(text.trim()),
            _ => None,
        };
        match (&field.kind, text) {
            (
                FieldKind::ShortText {
                    max_length,
                    pattern,
                },
                Some(text),
            ) => self.text(text, max_length.unwrap_or(SHORT_TEXT_MAX), pattern.as_ref()),
            (
                FieldKind::LongText {
                    max_length,
                    pattern,
                },
                Some(text),
            ) => self.text(text, max_length.unwrap_or(LONG_TEXT_MAX), pattern.as_ref()),
            (FieldKind::Email {}, Some(text)) => {
                match crate::account::validate::email(self.path, text) {
                    Ok(email) => Some(AnswerValue::Text(email)),
                    Err(error) => self.fail(error.to_string()),
                }
            }
            (FieldKind::Phone {}, Some(text)) => match normalise_phone(text) {
                Some(phone) => Some(AnswerValue::Text(phone)),
                None => self.fail(s::INVALID_PHONE),
            },
            (FieldKind::Integer { min, max }, Some(text)) => {
                let cleaned: String = text.chars().filter(|c| !is_digit_space(*c)).collect();
                match cleaned.parse::<i64>() {
                    Ok(value) => match bounds_message(value, *min, *max, |v| v.to_string()) {
                        None => Some(AnswerValue::Integer(value)),
                        Some(message) => self.fail(message),
                    },
                    Err(_) => self.fail(s::NOT_AN_INTEGER),
                }
            }
            (FieldKind::Decimal { min, max }, Some(text)) => match Decimal::parse(text) {
                Some(value) => match bounds_message(value, *min, *max, Decimal::to_french) {
                    None => Some(AnswerValue::Decimal(value)),
                    Some(message) => self.fail(message),
                },
                None => self.fail(s::NOT_A_NUMBER),
            },
            (FieldKind::Date { min, max }, Some(text)) => match IsoDate::parse_input(text) {
                Some(date) if min.is_some_and(|min| date < min) => self.fail(s::date_not_before(
                    &min.map(IsoDate::to_french).unwrap_or_default(),
                )),
                Some(date) if max.is_some_and(|max| date > max) => self.fail(s::date_not_after(
                    &max.map(IsoDate::to_french).unwrap_or_default(),
                )),
                Some(date) => Some(AnswerValue::Date(date)),
                None => self.fail(s::INVALID_DATE),
            },
            (FieldKind::YesNo {}, _) => match (raw, text) {
                (RawAnswer::YesNo(value), _) => Some(AnswerValue::YesNo(*value)),
                (_, Some(text)) => match text.to_lowercase().as_str() {
                    "oui" | "true" => Some(AnswerValue::YesNo(true)),
                    "non" | "false" => Some(AnswerValue::YesNo(false)),
                    _ => self.fail(s::INVALID_YES_NO),
                },
                _ => self.fail(s::WRONG_ANSWER_TYPE),
            },
            (FieldKind::SingleChoice { options, .. }, Some(text)) => {
                if options.iter().any(|option| option.value == text) {
                    Some(AnswerValue::Text(text.to_owned()))
                } else {
                    self.fail(s::unknown_choice(text))
                }
            }
            (
                FieldKind::MultipleChoice {
                    options,
                    min_selected,
                    max_selected,
                },
                _,
            ) => {
                let ticked: Vec<&str> = match raw {
                    RawAnswer::Choices(values) => values
                        .iter()
                        .map(|v| v.trim())
                        .filter(|v| !v.is_empty())
                        .collect(),
                    RawAnswer::Text(text) => vec![text.trim()],
                    _ => return self.fail(s::WRONG_ANSWER_TYPE),
                };
                let unknown: Vec<&str> = ticked
                    .iter()
                    .copied()
                    .filter(|v| !options.iter().any(|option| option.value == *v))
                    .collect();
                for value in &unknown {
                    self.fail(s::unknown_choice(value));
                }
                if !unknown.is_empty() {
                    return None;
                }
                // Canonical order: the options' order, without repeats.
                let chosen: Vec<String> = options
                    .iter()
                    .filter(|option| ticked.contains(&option.value.as_str()))
                    .map(|option| option.value.clone())
                    .collect();
                let count = u32::try_from(chosen.len()).unwrap_or(u32::MAX);
                match (min_selected, max_selected) {
                    (Some(min), _) if count < *min => self.fail(s::too_few_choices(*min)),
                    (_, Some(max)) if count > *max => self.fail(s::too_many_choices(*max)),
                    _ => Some(AnswerValue::Choices(chosen)),
                }
            }
            (FieldKind::Address {}, _) => match raw {
                RawAnswer::Address(address) => self.address(address),
                _ => self.fail(s::WRONG_ANSWER_TYPE),
            },
            (FieldKind::Siret {}, Some(text)) => {
                let digits: String = text.chars().filter(|c| !is_digit_space(*c)).collect();
                if is_valid_siret(&digits) {
                    Some(AnswerValue::Text(digits))
                } else {
                    self.fail(s::INVALID_SIRET)
                }
            }
            (
                FieldKind::Files {
                    accepted_types,
                    max_size_bytes,
                    max_files,
                },
                _,
            ) => match raw {
                RawAnswer::Files(files) => {
                    self.files(files, accepted_types, *max_size_bytes, *max_files)
                }
                _ => self.fail(s::WRONG_ANSWER_TYPE),
            },
            (
                FieldKind::Group {
                    fields,
                    min_items,
                    max_items,
                },
                _,
            ) => match raw {
                RawAnswer::Group(items) => self.group(fields, items, *min_items, *max_items),
                _ => self.fail(s::WRONG_ANSWER_TYPE),
            },
            _ => self.fail(s::WRONG_ANSWER_TYPE),
        }
    }

    fn text(&mut self, text: &str, max: u32, pattern: Option<&TextPattern>) -> Option<AnswerValue> {
        if text.chars().count() > max as usize {
            return self.fail(s::too_long(max));
        }
        if let Some(pattern) = pattern {
            // An invalid pattern is refused by the definition validator; here it checks nothing.
            let anchored = format!("^(?:{})$", pattern.regex);
            if let Ok(regex) = regex_lite::Regex::new(&anchored)
                && !regex.is_match(text)
            {
                let message = if pattern.message.trim().is_empty() {
                    s::PATTERN_MISMATCH
                } else {
                    pattern.message.as_str()
                };
                return self.fail(message);
            }
        }
        Some(AnswerValue::Text(text.to_owned()))
    }

    fn address(&mut self, raw: &Address) -> Option<AnswerValue> {
        let address = Address {
            number: raw.number.trim().to_owned(),
            street: raw.street.trim().to_owned(),
            postcode: raw.postcode.trim().to_owned(),
            commune: raw.commune.trim().to_owned(),
        };
        let before = self.errors.len();
        let base = self.path;
        let part = |name: &str| format!("{base}.{name}");
        for (name, value) in [
            ("number", &address.number),
            ("street", &address.street),
            ("commune", &address.commune),
        ] {
            if value.chars().count() > ADDRESS_PART_MAX as usize {
                self.fail_at(part(name), s::too_long(ADDRESS_PART_MAX));
            }
        }
        if address.street.is_empty() {
            self.fail_at(part("street"), s::STREET_REQUIRED);
        }
        if address.postcode.len() != 5 || !address.postcode.bytes().all(|b| b.is_ascii_digit()) {
            self.fail_at(part("postcode"), s::INVALID_POSTCODE);
        }
        if address.commune.is_empty() {
            self.fail_at(part("commune"), s::COMMUNE_REQUIRED);
        }
        (self.errors.len() == before).then_some(AnswerValue::Address(address))
    }

    fn files(
        &mut self,
        files: &[FileRef],
        accepted: &[String],
        max_size: u64,
        max_files: u32,
    ) -> Option<AnswerValue> {
        if files.len() > max_files as usize {
            return self.fail(s::too_many_files(max_files));
        }
        let before = self.errors.len();
        for (index, file) in files.iter().enumerate() {
            let path = format!("{}[{index}]", self.path);
            if !accepted.is_empty() && !accepted.iter().any(|t| type_matches(t, &file.content_type))
            {
                self.fail_at(
                    path.clone(),
                    s::wrong_file_type(&file.name, &accepted.join(", ")),
                );
            }
            if file.size > max_size {
                self.fail_at(path, s::file_too_large(&file.name, max_size));
            }
        }
        (self.errors.len() == before).then(|| AnswerValue::Files(files.to_vec()))
    }

    fn group(
        &mut self,
        fields: &[Field],
        items: &[Answers],
        min: u32,
        max: u32,
    ) -> Option<AnswerValue> {
        let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
        if count < min {
            return self.fail(s::too_few_items(min));
        }
        if count > max {
            return self.fail(s::too_many_items(max));
        }
        let before = self.errors.len();
        let mut cleaned = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let prefix = format!("{}[{index}].", self.path);
            let mut clean = BTreeMap::new();
            let mut level = Level {
                raw: &item.0,
                outer: self.scope,
                prefix: &prefix,
                clean: &mut clean,
                errors: self.errors,
                hidden: self.hidden,
            };
            level.fields(fields, true);
            report_unknown(fields.iter(), &item.0, &prefix, self.errors);
            cleaned.push(CleanAnswers(clean));
        }
        (self.errors.len() == before).then_some(AnswerValue::Group(cleaned))
    }
}

fn is_digit_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

fn bounds_message<T: Ord + Copy>(
    value: T,
    min: Option<T>,
    max: Option<T>,
    show: impl Fn(T) -> String,
) -> Option<String> {
    let below = min.is_some_and(|min| value < min);
    let above = max.is_some_and(|max| value > max);
    match (min, max) {
        _ if !below && !above => None,
        (Some(min), Some(max)) => Some(s::between(show(min), show(max))),
        (Some(min), None) => Some(s::at_least(show(min))),
        (None, Some(max)) => Some(s::at_most(show(max))),
        (None, None) => None,
    }
}

/// `image/*` accepts every image; comparison ignores case and parameters (`; charset=…`).
pub fn type_matches(accepted: &str, content_type: &str) -> bool {
    let accepted = accepted.trim().to_ascii_lowercase();
    let actual = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match accepted.strip_suffix("/*") {
        Some(family) => actual.split('/').next() == Some(family) && actual.contains('/'),
        None => accepted == actual,
    }
}

/// A French number (`0X XX XX XX XX`, `+33 X XX XX XX XX`, `0033…`, with spaces, dots or
/// dashes) as `+33XXXXXXXXX`.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}' | '\u{202f}'))
        .collect();
    let national = if let Some(rest) = compact
        .strip_prefix("+33")
        .or_else(|| compact.strip_prefix("0033"))
    {
        rest.strip_prefix("(0)").unwrap_or(rest)
    } else if compact.len() == 10 {
        compact.strip_prefix('0')?
    } else {
        return None;
    };
    let valid = national.len() == 9
        && national.bytes().all(|b| b.is_ascii_digit())
        && !national.starts_with('0');
    valid.then(|| format!("+33{national}"))
}

/// 14 digits passing the Luhn check (or La Poste's rule for its establishments).
pub fn is_valid_siret(digits: &str) -> bool {
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let values = digits.bytes().map(|b| u32::from(b - b'0'));
    let luhn: u32 = values
        .clone()
        .rev()
        .enumerate()
        .map(|(i, d)| match (i % 2 == 1, d * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => d,
        })
        .sum();
    let la_poste = digits.starts_with("356000000") && values.sum::<u32>().is_multiple_of(5);
    luhn.is_multiple_of(10) || la_poste
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::condition::{CompareOp, Condition, Literal};
    use crate::demarches::model::ChoiceDisplay;
    use crate::demarches::testing::*;

    fn errors(definition: &Definition, answers: &Answers) -> Vec<(String, String)> {
        validate_answers(definition, answers)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.path, e.message))
            .collect()
    }

    fn one_error(kind: FieldKind, raw: RawAnswer) -> String {
        let found = errors(
            &definition(vec![field("f", kind)]),
            &answers(vec![("f", raw)]),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        found.into_iter().next().unwrap().1
    }

    fn clean(kind: FieldKind, raw: RawAnswer) -> AnswerValue {
        let result = validate_answers(
            &definition(vec![field("f", kind)]),
            &answers(vec![("f", raw)]),
        );
        result.unwrap().0.remove("f").unwrap()
    }

    #[test]
    fn required_fields_must_be_answered_and_blank_text_counts_as_missing() {
        let form = definition(vec![required(field("nom", short_text()))]);
        assert_eq!(
            errors(&form, &answers(vec![("nom", text("   "))])),
            vec![("nom".into(), s::REQUIRED.into())]
        );
        assert_eq!(
            errors(&form, &Answers::default()),
            vec![("nom".into(), s::REQUIRED.into())]
        );
        let optional = definition(vec![field("nom", short_text())]);
        assert_eq!(
            validate_answers(&optional, &Answers::default()),
            Ok(CleanAnswers::default())
        );
    }

    #[test]
    fn text_is_trimmed_and_limited_in_length() {
        assert_eq!(
            clean(short_text(), text("  Dupont ")),
            AnswerValue::Text("Dupont".into())
        );
        assert_eq!(
            one_error(short_text(), text(&"é".repeat(256))),
            s::too_long(255)
        );
        assert_eq!(
            clean(short_text(), text(&"é".repeat(255))),
            AnswerValue::Text("é".repeat(255))
        );
        let long = FieldKind::LongText {
            max_length: None,
            pattern: None,
        };
        assert_eq!(
            one_error(long, text(&"a".repeat(10_001))),
            s::too_long(10_000)
        );
        let configured = FieldKind::ShortText {
            max_length: Some(5),
            pattern: None,
        };
        assert_eq!(one_error(configured, text("abcdef")), s::too_long(5));
    }

    #[test]
    fn patterns_must_match_the_whole_answer_and_show_the_designers_message() {
        let kind = FieldKind::ShortText {
            max_length: None,
            pattern: Some(TextPattern {
                regex: "[A-Z]{2}-[0-9]{3}".into(),
                message: "Saisissez une immatriculation du type AB-123.".into(),
            }),
        };
        assert_eq!(
            clean(kind.clone(), text(" AB-123 ")),
            AnswerValue::Text("AB-123".into())
        );
        assert_eq!(
            one_error(kind.clone(), text("xAB-123")),
            "Saisissez une immatriculation du type AB-123."
        );
        assert_eq!(
            one_error(kind, text("AB-1234")),
            "Saisissez une immatriculation du type AB-123."
        );
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            clean(FieldKind::Email {}, text(" Marie@Mairie.FR ")),
            AnswerValue::Text("marie@mairie.fr".into())
        );
        assert_eq!(
            one_error(FieldKind::Email {}, text("marie@")),
            crate::account::strings::EMAIL_MALFORMED
        );
    }

    #[test]
    fn french_phone_numbers_are_normalised_to_international_form() {
        for raw in [
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033612345678",
        ] {
            assert_eq!(
                normalise_phone(raw).as_deref(),
                Some("+33612345678"),
                "{raw}"
            );
        }
        for raw in [
            "0612345678 9",
            "00 12 34 56 78",
            "612345678",
            "+44 6 12 34 56 78",
            "06 12 34 56 7a",
            "+33 06 12 34 56 78",
        ] {
            assert_eq!(normalise_phone(raw), None, "{raw}");
        }
        assert_eq!(
            one_error(FieldKind::Phone {}, text("12 34")),
            s::INVALID_PHONE
        );
        assert_eq!(
            clean(FieldKind::Phone {}, text("01 40 00 00 00")),
            AnswerValue::Text("+33140000000".into())
        );
    }

    #[test]
    fn integers_are_parsed_and_bounded() {
        let kind = FieldKind::Integer {
            min: Some(1),
            max: Some(10),
        };
        assert_eq!(clean(kind.clone(), text(" 7 ")), AnswerValue::Integer(7));
        assert_eq!(one_error(kind.clone(), text("sept")), s::NOT_AN_INTEGER);
        assert_eq!(one_error(kind.clone(), text("7,5")), s::NOT_AN_INTEGER);
        assert_eq!(one_error(kind.clone(), text("11")), s::between(1, 10));
        assert_eq!(one_error(kind, text("0")), s::between(1, 10));
        assert_eq!(
            one_error(
                FieldKind::Integer {
                    min: Some(18),
                    max: None
                },
                text("17")
            ),
            s::at_least(18)
        );
        assert_eq!(
            one_error(
                FieldKind::Integer {
                    min: None,
                    max: Some(3)
                },
                text("4")
            ),
            s::at_most(3)
        );
        assert_eq!(
            clean(
                FieldKind::Integer {
                    min: None,
                    max: None
                },
                text("1 000")
            ),
            AnswerValue::Integer(1000)
        );
    }

    #[test]
    fn decimals_are_exact_and_bounded_with_a_french_comma() {
        let kind = FieldKind::Decimal {
            min: Decimal::parse("0"),
            max: Decimal::parse("99.5"),
        };
        assert_eq!(
            clean(kind.clone(), text("12,25")),
            AnswerValue::Decimal(Decimal::parse("12.25").unwrap())
        );
        assert_eq!(one_error(kind.clone(), text("douze")), s::NOT_A_NUMBER);
        assert_eq!(
            one_error(kind, text("99,51")),
            "La valeur doit être comprise entre 0 et 99,5."
        );
    }

    #[test]
    fn dates_are_real_and_bounded() {
        let kind = FieldKind::Date {
            min: IsoDate::parse("2024-01-01"),
            max: IsoDate::parse("2024-12-31"),
        };
        assert_eq!(
            clean(kind.clone(), text("14/07/2024")),
            AnswerValue::Date(IsoDate::parse("2024-07-14").unwrap())
        );
        assert_eq!(one_error(kind.clone(), text("30/02/2024")), s::INVALID_DATE);
        assert_eq!(
            one_error(kind.clone(), text("2023-12-31")),
            s::date_not_before("01/01/2024")
        );
        assert_eq!(
            one_error(kind, text("2025-01-01")),
            s::date_not_after("31/12/2024")
        );
    }

    #[test]
    fn yes_no_accepts_booleans_and_oui_non() {
        assert_eq!(
            clean(FieldKind::YesNo {}, RawAnswer::YesNo(false)),
            AnswerValue::YesNo(false)
        );
        assert_eq!(
            clean(FieldKind::YesNo {}, text("Oui")),
            AnswerValue::YesNo(true)
        );
        assert_eq!(
            one_error(FieldKind::YesNo {}, text("peut-être")),
            s::INVALID_YES_NO
        );
    }

    #[test]
    fn choices_must_be_among_the_options_and_respect_selection_limits() {
        let single = FieldKind::SingleChoice {
            options: options(&["a", "b"]),
            display: ChoiceDisplay::List,
        };
        assert_eq!(
            clean(single.clone(), text("b")),
            AnswerValue::Text("b".into())
        );
        assert_eq!(one_error(single, text("c")), s::unknown_choice("c"));
        let multiple = FieldKind::MultipleChoice {
            options: options(&["a", "b", "c"]),
            min_selected: Some(2),
            max_selected: Some(2),
        };
        let ticked =
            |values: &[&str]| RawAnswer::Choices(values.iter().map(|v| (*v).to_owned()).collect());
        assert_eq!(
            clean(multiple.clone(), ticked(&["c", "a", "c"])),
            AnswerValue::Choices(vec!["a".into(), "c".into()])
        );
        assert_eq!(
            one_error(multiple.clone(), ticked(&["a"])),
            s::too_few_choices(2)
        );
        assert_eq!(
            one_error(multiple.clone(), ticked(&["a", "b", "c"])),
            s::too_many_choices(2)
        );
        assert_eq!(
            one_error(multiple, ticked(&["a", "z"])),
            s::unknown_choice("z")
        );
    }

    #[test]
    fn addresses_need_a_street_a_five_digit_postcode_and_a_commune() {
        let address = |postcode: &str, commune: &str| {
            RawAnswer::Address(Address {
                number: " 12 bis ".into(),
                street: "rue de la Mairie".into(),
                postcode: postcode.into(),
                commune: commune.into(),
            })
        };
        assert_eq!(
            clean(FieldKind::Address {}, address("44800", " Saint-Herblain ")),
            AnswerValue::Address(Address {
                number: "12 bis".into(),
                street: "rue de la Mairie".into(),
                postcode: "44800".into(),
                commune: "Saint-Herblain".into(),
            })
        );
        let form = definition(vec![field("adresse", FieldKind::Address {})]);
        assert_eq!(
            errors(&form, &answers(vec![("adresse", address("4480", ""))])),
            vec![
                ("adresse.postcode".into(), s::INVALID_POSTCODE.into()),
                ("adresse.commune".into(), s::COMMUNE_REQUIRED.into()),
            ]
        );
        assert_eq!(
            one_error(FieldKind::Address {}, text("12 rue")),
            s::WRONG_ANSWER_TYPE
        );
    }

    #[test]
    fn siret_needs_fourteen_digits_and_a_valid_luhn_key() {
        assert!(is_valid_siret("73282932000074"));
        assert!(is_valid_siret("35600000000048"));
        assert!(is_valid_siret("35600000049837"), "La Poste establishments");
        assert!(!is_valid_siret("73282932000075"));
        assert!(!is_valid_siret("7328293200007"));
        assert_eq!(
            clean(FieldKind::Siret {}, text("732 829 320 00074")),
            AnswerValue::Text("73282932000074".into())
        );
        assert_eq!(
            one_error(FieldKind::Siret {}, text("73282932000075")),
            s::INVALID_SIRET
        );
    }

    #[test]
    fn files_are_limited_in_number_type_and_size() {
        let kind = FieldKind::Files {
            accepted_types: vec!["application/pdf".into(), "image/*".into()],
            max_size_bytes: 1024 * 1024,
            max_files: 2,
        };
        let file = |name: &str, size: u64, content_type: &str| FileRef {
            id: format!("id-{name}"),
            name: name.into(),
            size,
            content_type: content_type.into(),
        };
        let ok = vec![
            file("a.pdf", 10, "application/pdf"),
            file("b.jpg", 1024 * 1024, "IMAGE/JPEG"),
        ];
        assert_eq!(
            clean(kind.clone(), RawAnswer::Files(ok.clone())),
            AnswerValue::Files(ok)
        );
        let three = vec![file("a.pdf", 1, "application/pdf"); 3];
        assert_eq!(
            one_error(kind.clone(), RawAnswer::Files(three)),
            s::too_many_files(2)
        );
        let form = definition(vec![field("pj", kind)]);
        assert_eq!(
            errors(
                &form,
                &answers(vec![(
                    "pj",
                    RawAnswer::Files(vec![
                        file("virus.exe", 1, "application/x-msdownload"),
                        file("scan.pdf", 1024 * 1024 + 1, "application/pdf"),
                    ])
                )])
            ),
            vec![
                (
                    "pj[0]".into(),
                    s::wrong_file_type("virus.exe", "application/pdf, image/*")
                ),
                (
                    "pj[1]".into(),
                    "Le fichier « scan.pdf » est trop volumineux : la taille maximale est de 1 Mo."
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn group_errors_name_the_item_and_the_sub_field() {
        let form = definition(vec![field(
            "enfants",
            FieldKind::Group {
                fields: vec![
                    required(field("prenom", short_text())),
                    field(
                        "age",
                        FieldKind::Integer {
                            min: Some(0),
                            max: Some(17),
                        },
                    ),
                ],
                min_items: 1,
                max_items: 2,
            },
        )]);
        let item = |pairs: Vec<(&str, RawAnswer)>| answers(pairs);
        let submitted = answers(vec![(
            "enfants",
            RawAnswer::Group(vec![
                item(vec![("prenom", text("Léa")), ("age", text("7"))]),
                item(vec![("age", text("18")), ("intrus", text("x"))]),
            ]),
        )]);
        assert_eq!(
            errors(&form, &submitted),
            vec![
                ("enfants[1].prenom".into(), s::REQUIRED.into()),
                ("enfants[1].age".into(), s::between(0, 17)),
                ("enfants[1].intrus".into(), s::UNKNOWN_FIELD.into()),
            ]
        );
        let too_many = answers(vec![(
            "enfants",
            RawAnswer::Group(vec![item(vec![("prenom", text("A"))]); 3]),
        )]);
        assert_eq!(
            errors(&form, &too_many),
            vec![("enfants".into(), s::too_many_items(2))]
        );
        let ok = answers(vec![(
            "enfants",
            RawAnswer::Group(vec![item(vec![("prenom", text(" Léa "))])]),
        )]);
        let cleaned = validate_answers(&form, &ok).unwrap();
        assert_eq!(
            cleaned.0.get("enfants"),
            Some(&AnswerValue::Group(vec![CleanAnswers(
                [("prenom".to_owned(), AnswerValue::Text("Léa".into()))].into()
            )]))
        );
    }

    #[test]
    fn unknown_codes_and_answers_to_explanations_are_refused() {
        let form = definition(vec![
            field("titre", FieldKind::SectionHeader {}),
            field("nom", short_text()),
        ]);
        assert_eq!(
            errors(
                &form,
                &answers(vec![("titre", text("x")), ("zzz", text("y"))])
            ),
            vec![
                ("titre".into(), s::UNKNOWN_FIELD.into()),
                ("zzz".into(), s::UNKNOWN_FIELD.into()),
            ]
        );
    }

    #[test]
    fn hidden_fields_are_not_required_and_their_answers_are_dropped() {
        let form = definition(vec![
            field("entreprise", FieldKind::YesNo {}),
            when(
                required(field("siret", FieldKind::Siret {})),
                cmp("entreprise", CompareOp::Eq, Literal::YesNo(true)),
            ),
        ]);
        let no = answers(vec![
            ("entreprise", text("non")),
            ("siret", text("pas un siret")),
        ]);
        assert_eq!(
            validate_answers(&form, &no).unwrap().0,
            [("entreprise".to_owned(), AnswerValue::YesNo(false))].into()
        );
        let yes = answers(vec![("entreprise", text("oui"))]);
        assert_eq!(
            errors(&form, &yes),
            vec![("siret".into(), s::REQUIRED.into())]
        );
    }

    #[test]
    fn a_hidden_step_hides_all_its_fields() {
        let mut second = step("pro", vec![required(field("raison", short_text()))]);
        second.condition = Some(cmp("entreprise", CompareOp::Eq, Literal::YesNo(true)));
        let form = Definition {
            steps: vec![
                step("qui", vec![field("entreprise", FieldKind::YesNo {})]),
                second,
            ],
        };
        let hidden = answers(vec![
            ("entreprise", RawAnswer::YesNo(false)),
            ("raison", text("ACME")),
        ]);
        assert_eq!(validate_answers(&form, &hidden).unwrap().0.len(), 1);
        let shown = answers(vec![("entreprise", RawAnswer::YesNo(true))]);
        assert_eq!(
            errors(&form, &shown),
            vec![("raison".into(), s::REQUIRED.into())]
        );
    }

    #[test]
    fn assessment_names_hidden_steps_and_fields_and_locates_errors() {
        let mut second = step(
            "pro",
            vec![
                field("intro", FieldKind::SectionHeader {}),
                required(field("raison", short_text())),
            ],
        );
        second.condition = Some(cmp("entreprise", CompareOp::Eq, Literal::YesNo(true)));
        let form = Definition {
            steps: vec![
                step(
                    "qui",
                    vec![
                        field("entreprise", FieldKind::YesNo {}),
                        when(
                            field("siret", FieldKind::Siret {}),
                            cmp("entreprise", CompareOp::Eq, Literal::YesNo(true)),
                        ),
                        field("adresse", FieldKind::Address {}),
                    ],
                ),
                second,
            ],
        };
        let no = assess(
            &form,
            &answers(vec![("entreprise", RawAnswer::YesNo(false))]),
        );
        assert_eq!(
            no.hidden,
            ["intro", "pro", "raison", "siret"]
                .into_iter()
                .map(String::from)
                .collect()
        );
        let yes = assess(
            &form,
            &answers(vec![
                ("entreprise", RawAnswer::YesNo(true)),
                (
                    "adresse",
                    RawAnswer::Address(crate::demarches::model::Address {
                        number: String::new(),
                        street: "rue".into(),
                        postcode: "4480".into(),
                        commune: "Rezé".into(),
                    }),
                ),
            ]),
        );
        assert!(yes.hidden.is_empty());
        assert!(!yes.is_hidden("siret"));
        let at_address: Vec<_> = yes.errors_at("adresse").map(|e| e.path.as_str()).collect();
        assert_eq!(at_address, vec!["adresse.postcode"]);
        assert_eq!(
            yes.errors_at("adr").count(),
            0,
            "prefixes of a code are not inside it"
        );
        assert!(path_within("enfants[0].prenom", "enfants"));
    }

    #[test]
    fn conditions_inside_groups_see_the_item_and_earlier_answers() {
        let form = definition(vec![
            field("cantine", FieldKind::YesNo {}),
            field(
                "enfants",
                FieldKind::Group {
                    fields: vec![
                        field("allergique", FieldKind::YesNo {}),
                        when(
                            required(field("allergies", short_text())),
                            Condition::And(vec![
                                cmp("cantine", CompareOp::Eq, Literal::YesNo(true)),
                                cmp("allergique", CompareOp::Eq, Literal::YesNo(true)),
                            ]),
                        ),
                    ],
                    min_items: 0,
                    max_items: 3,
                },
            ),
        ]);
        let submitted = answers(vec![
            ("cantine", text("oui")),
            (
                "enfants",
                RawAnswer::Group(vec![
                    answers(vec![("allergique", text("non"))]),
                    answers(vec![("allergique", text("oui"))]),
                ]),
            ),
        ]);
        assert_eq!(
            errors(&form, &submitted),
            vec![("enfants[1].allergies".into(), s::REQUIRED.into())]
        );
    }

    #[test]
    fn the_full_example_form_accepts_a_complete_submission() {
        let form = full_definition();
        let submitted = answers(vec![
            ("nom", text("Marie Curie")),
            ("entreprise", text("non")),
            (
                "enfants",
                RawAnswer::Group(vec![answers(vec![("prenom", text("Ève"))])]),
            ),
            ("jours", RawAnswer::Choices(vec!["lundi".into()])),
            ("quotient", text("800")),
        ]);
        let cleaned = validate_answers(&form, &submitted).unwrap();
        assert_eq!(cleaned.0.get("quotient"), Some(&AnswerValue::Integer(800)));
        assert_eq!(cleaned.0.len(), 5);
    }

    #[test]
    fn prefill_fills_marked_fields_from_the_profile() {
        let profile = Profile {
            display_name: Some("Marie Curie".into()),
            email: Some("marie@exemple.fr".into()),
            phone: None,
            certified: None,
            address: Some(Address {
                number: "1".into(),
                street: "place de la Mairie".into(),
                postcode: "44000".into(),
                commune: "Nantes".into(),
            }),
            ..Profile::default()
        };
        let initial = prefill(&full_definition(), &profile);
        assert_eq!(initial.0.get("nom"), Some(&text("Marie Curie")));
        assert_eq!(initial.0.get("courriel"), Some(&text("marie@exemple.fr")));
        assert_eq!(initial.0.get("telephone"), None);
        assert!(matches!(
            initial.0.get("adresse"),
            Some(RawAnswer::Address(_))
        ));
        assert_eq!(initial.0.len(), 3);
        // Still editable: the citizen's own answer replaces the prefilled one.
        let mut edited = initial.clone();
        edited.0.insert("nom".into(), text("M. Curie"));
        edited.0.insert("entreprise".into(), text("non"));
        edited.0.insert(
            "enfants".into(),
            RawAnswer::Group(vec![answers(vec![("prenom", text("Ève"))])]),
        );
        let cleaned = validate_answers(&full_definition(), &edited).unwrap();
        assert_eq!(
            cleaned.0.get("nom"),
            Some(&AnswerValue::Text("M. Curie".into()))
        );
    }

    #[test]
    fn a_certified_identity_prefills_and_locks_its_attributes_but_not_the_citizens_own_values() {
        let form = identity_definition();
        let profile = Profile {
            display_name: Some("Marie Curie".into()),
            email: Some("marie@exemple.fr".into()),
            certified: Some(certified_marie()),
            ..Profile::default()
        };
        let initial = prefill(&form, &profile);
        assert_eq!(initial.0.get("prenoms"), Some(&text("Marie Salomea")));
        assert_eq!(initial.0.get("nom_naissance"), Some(&text("Skłodowska")));
        assert_eq!(initial.0.get("naissance"), Some(&text("1867-11-07")));
        assert_eq!(initial.0.get("pays"), Some(&text("99122")));
        assert_eq!(initial.0.get("civilite"), Some(&text("madame")));
        // Not certified (no usage name; born abroad: no commune): left for the citizen.
        assert_eq!(initial.0.get("nom_usage"), None);
        assert_eq!(initial.0.get("lieu"), None);
        assert_eq!(initial.0.get("nom"), Some(&text("Marie Curie")));

        let locks = locks(&form, &profile);
        assert_eq!(locks.provider, "FranceConnect");
        let locked: Vec<&str> = locks.values.keys().map(String::as_str).collect();
        assert_eq!(
            locked,
            vec!["civilite", "naissance", "nom_naissance", "pays", "prenoms"]
        );
        assert_eq!(locks.certifier("prenoms"), Some("FranceConnect"));
        assert_eq!(
            locks.certifier("nom"),
            None,
            "the display name stays editable"
        );
        assert_eq!(
            locks.certifier("courriel"),
            None,
            "the email stays editable"
        );
        assert!(validate_answers(&form, &initial).is_ok());
    }

    #[test]
    fn without_a_certified_identity_nothing_is_locked_and_identity_fields_stay_empty() {
        let form = identity_definition();
        let profile = Profile {
            display_name: Some("Marie Curie".into()),
            ..Profile::default()
        };
        assert_eq!(locks(&form, &profile), Locks::default());
        let initial = prefill(&form, &profile);
        assert_eq!(initial.0.keys().collect::<Vec<_>>(), vec!["nom"]);
        let mut odd = certified_marie();
        odd.gender = Some("autre".into());
        odd.birthdate = Some("07/11/1867".into());
        let profile = Profile {
            certified: Some(odd),
            ..Profile::default()
        };
        let locked = locks(&form, &profile);
        assert!(!locked.values.contains_key("civilite"));
        assert!(
            !locked.values.contains_key("naissance"),
            "not a certified date"
        );
    }

    fn child(given: &str, born: &str) -> crate::demarches::model::PersonProfile {
        crate::demarches::model::PersonProfile {
            given_names: Some(given.into()),
            birth_name: Some("Martin".into()),
            birth_date: IsoDate::parse(born),
            ..Default::default()
        }
    }

    #[test]
    fn another_persons_record_prefills_identity_fields_without_locking_them() {
        let form = identity_definition();
        // The citizen is certified, but files for their child: the child's record is read,
        // the certified identity (the parent's) neither fills nor locks anything.
        let profile = Profile {
            display_name: Some("Jeanne Martin".into()),
            person: Some(child("Léa", "2018-04-03")),
            ..Profile::default()
        };
        let initial = prefill(&form, &profile);
        assert_eq!(initial.0.get("prenoms"), Some(&text("Léa")));
        assert_eq!(initial.0.get("nom_naissance"), Some(&text("Martin")));
        assert_eq!(initial.0.get("naissance"), Some(&text("2018-04-03")));
        assert_eq!(initial.0.get("civilite"), None);
        assert_eq!(locks(&form, &profile), Locks::default());
        // Certified values win over the record where both exist, and only they lock.
        let both = Profile {
            certified: Some(certified_marie()),
            person: Some(child("Léa", "2018-04-03")),
            ..Profile::default()
        };
        assert_eq!(
            prefill(&form, &both).0.get("prenoms"),
            Some(&text("Marie Salomea"))
        );
        assert!(!locks(&form, &both).values.contains_key("lieu"));
    }

    #[test]
    fn a_group_prefilled_with_the_households_children_gets_one_item_per_child() {
        let date = FieldKind::Date {
            min: None,
            max: None,
        };
        let sub = |code: &str, kind: FieldKind, attribute| {
            let mut f = field(code, kind);
            f.prefill = Some(attribute);
            f
        };
        let mut group = field(
            "enfants",
            FieldKind::Group {
                fields: vec![
                    sub("prenom", short_text(), ProfileAttribute::GivenName),
                    sub("ne_le", date, ProfileAttribute::BirthDate),
                    field("classe", short_text()),
                ],
                min_items: 0,
                max_items: 2,
            },
        );
        group.prefill = Some(ProfileAttribute::HouseholdChildren);
        let form = definition(vec![group]);
        let profile = Profile {
            children: vec![
                child("Léa", "2015-06-15"),
                child("Tom", "2019-01-20"),
                child("Noé", "2023-03-03"),
            ],
            ..Profile::default()
        };
        let initial = prefill(&form, &profile);
        assert_eq!(
            initial.0.get("enfants"),
            Some(&RawAnswer::Group(vec![
                answers(vec![("prenom", text("Léa")), ("ne_le", text("2015-06-15"))]),
                answers(vec![("prenom", text("Tom")), ("ne_le", text("2019-01-20"))]),
            ])),
            "one item per child, up to the group's maximum"
        );
        assert!(validate_answers(&form, &initial).is_ok());
        assert_eq!(prefill(&form, &Profile::default()), Answers::default());
    }

    #[test]
    fn an_organisation_prefills_its_name_and_identifiers() {
        let form = definition(vec![
            prefilled("raison", short_text(), ProfileAttribute::OrganisationName),
            prefilled(
                "siret",
                FieldKind::Siret {},
                ProfileAttribute::OrganisationSiret,
            ),
            prefilled("rna", short_text(), ProfileAttribute::OrganisationRna),
        ]);
        let profile = Profile {
            organisation: Some(crate::demarches::model::OrganisationProfile {
                name: "Boulangerie Martin".into(),
                siret: Some("21440162200011".into()),
                rna: None,
            }),
            ..Profile::default()
        };
        let initial = prefill(&form, &profile);
        assert_eq!(initial.0.get("raison"), Some(&text("Boulangerie Martin")));
        assert_eq!(initial.0.get("siret"), Some(&text("21440162200011")));
        assert_eq!(initial.0.get("rna"), None);
    }

    #[test]
    fn a_posted_value_for_a_locked_field_is_replaced_by_the_certified_one() {
        let form = identity_definition();
        let profile = Profile {
            certified: Some(certified_marie()),
            ..Profile::default()
        };
        let locks = locks(&form, &profile);
        let posted = crate::demarches::form_data::Posted::new([
            ("prenoms".to_owned(), "Pierre".to_owned()),
            ("naissance".to_owned(), "2000-01-01".to_owned()),
            ("civilite".to_owned(), "monsieur".to_owned()),
            ("nom_usage".to_owned(), "Curie".to_owned()),
        ]);
        let mut answers = crate::demarches::form_data::apply_step(
            &form,
            0,
            &prefill(&form, &profile),
            &posted,
            &BTreeMap::new(),
        );
        locks.enforce(&mut answers);
        let clean = validate_answers(&form, &answers).unwrap();
        assert_eq!(
            clean.0.get("prenoms"),
            Some(&AnswerValue::Text("Marie Salomea".into()))
        );
        assert_eq!(
            clean.0.get("naissance"),
            Some(&AnswerValue::Date(IsoDate::new(1867, 11, 7).unwrap()))
        );
        assert_eq!(
            clean.0.get("civilite"),
            Some(&AnswerValue::Text("madame".into()))
        );
        // A blank post does not empty it either; an unlocked field takes what was typed.
        let mut blanked = answers.clone();
        blanked.0.remove("prenoms");
        locks.enforce(&mut blanked);
        assert_eq!(blanked.0.get("prenoms"), Some(&text("Marie Salomea")));
        assert_eq!(
            clean.0.get("nom_usage"),
            Some(&AnswerValue::Text("Curie".into()))
        );
    }

    #[test]
    fn a_wrong_kind_of_answer_is_refused() {
        assert_eq!(
            one_error(short_text(), RawAnswer::YesNo(true)),
            s::WRONG_ANSWER_TYPE
        );
        assert_eq!(
            one_error(
                FieldKind::Integer {
                    min: None,
                    max: None
                },
                RawAnswer::Choices(vec!["1".into()])
            ),
            s::WRONG_ANSWER_TYPE
        );
    }
}
