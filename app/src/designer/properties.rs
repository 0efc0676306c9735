//! The properties panel of the selected step or field, its condition editor, and the
//! démarche's identity card.
//!
//! Panels are built once per selection; each input is bound to one property (`prop:value`
//! reads it, `on:input` writes it through the editor), so typing never rebuilds the panel and
//! the focus stays where it is.

use leptos::prelude::*;

use super::conditions::{
    FieldRef, Operator, earlier_fields, earlier_sub_fields, literal_input, new_rule, node_at,
    node_at_mut, operators_for, parse_literal, remove_at, with_operator,
};
use super::editor::{Ctx, ProblemsOf};
use super::palette::PaletteKind;
use super::state::{FieldAt, Id, Target};
use super::strings as s;
use crate::demarches::condition::{Condition, Literal};
use crate::demarches::model::{
    Audience, ChoiceDisplay, ChoiceOption, Decimal, Field, FieldKind, IsoDate, ProfileAttribute,
    TextPattern,
};

/// A labelled single-line input bound to one property. `on_input` answers whether the text
/// was accepted; a refused one stays on screen with a message until corrected.
#[component]
fn Input(
    id: String,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: impl Fn(String) -> bool + 'static,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint = hint.filter(|h| !h.is_empty());
    let refused = RwSignal::new(false);
    let hint_id = format!("{id}-aide");
    let error_id = format!("{id}-erreur");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if refused.get() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || refused.get()>
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            <input id=id.clone() type=kind prop:value=move || value.get()
                aria-invalid=move || if refused.get() { "true" } else { "false" }
                aria-describedby=described
                on:input=move |ev| refused.set(!on_input(event_target_value(&ev)))/>
            {move || refused.get().then(|| view! {
                <p class="error-message" id=error_id.clone()>{s::CONDITION_BAD_VALUE}</p>
            })}
        </div>
    }
}

#[component]
fn TextArea(
    id: String,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea id=id rows="3" prop:value=move || value.get()
                on:input=move |ev| on_input(event_target_value(&ev))></textarea>
        </div>
    }
}

#[component]
fn Checkbox(
    id: String,
    label: &'static str,
    #[prop(into)] checked: Signal<bool>,
    on_change: impl Fn(bool) + 'static,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="field field-checkbox">
            <input id=id.clone() type="checkbox" prop:checked=move || checked.get()
                disabled=move || disabled.get()
                on:change=move |ev| on_change(event_target_checked(&ev))/>
            <label for=id>{label}</label>
        </div>
    }
}

/// Empty means "no value"; otherwise it must parse.
fn optional<T>(raw: &str, parse: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
    let raw = raw.trim();
    if raw.is_empty() {
        Some(None)
    } else {
        parse(raw).map(Some)
    }
}

fn u32_of(raw: &str) -> Option<u32> {
    raw.trim().parse().ok()
}

fn u64_of(raw: &str) -> Option<u64> {
    raw.trim().parse().ok()
}

fn show<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The démarche's identity card, always shown above the form.
#[component]
pub fn IdentityCard(ctx: Ctx) -> impl IntoView {
    let editor = ctx.doc;
    let read = move |f: fn(&crate::demarches::model::Demarche) -> String| {
        Signal::derive(move || editor.with_demarche(|e| f(e.demarche())))
    };
    let write = move |property: &'static str,
                      f: fn(&mut crate::demarches::model::Demarche, String)| {
        move |value: String| {
            editor.update(|e| {
                e.update_demarche(Some(property), |d| f(d, value));
            });
            true
        }
    };
    let date_write = move |property: &'static str, to: bool| {
        move |value: String| {
            let Some(date) = optional(&value, IsoDate::parse) else {
                return false;
            };
            editor.update(|e| {
                e.update_demarche(Some(property), |d| {
                    if to {
                        d.publication.to = date;
                    } else {
                        d.publication.from = date;
                    }
                });
            });
            true
        }
    };
    let title_problems = Signal::derive(move || ctx.doc.problems.with(|p| p.of("title")));
    let window_problems = Signal::derive(move || {
        let mut list = ctx.doc.problems.with(|p| p.of("publication"));
        list.extend(ctx.doc.problems.with(|p| p.of("steps")));
        list
    });
    let audience = move || {
        editor.with_demarche(|e| match e.demarche().audience {
            Audience::AnonymousAllowed => "anonymous_allowed",
            Audience::IdentifiedOnly => "identified_only",
        })
    };
    view! {
        <details class="designer-identity" id="designer-identity" tabindex="-1" open
            class:designer-invalid=move || !title_problems.get().is_empty() || !window_problems.get().is_empty()>
            <summary><h2>{s::IDENTITY_TITLE}</h2></summary>
            <div class="designer-identity-grid">
                <Input id="id-title".into() label=s::ID_TITLE value=read(|d| d.title.clone())
                    on_input=write("title", |d, v| d.title = v)/>
                <ProblemsOf id="id-title-erreurs".into() problems=title_problems/>
                <Input id="id-rubrique".into() label=s::ID_RUBRIQUE value=read(|d| d.rubrique.clone())
                    on_input=write("rubrique", |d, v| d.rubrique = v)/>
                <div class="field">
                    <label for="id-audience">{s::ID_AUDIENCE}</label>
                    <select id="id-audience" prop:value=audience
                        on:change=move |ev| {
                            let audience = if event_target_value(&ev) == "anonymous_allowed" {
                                Audience::AnonymousAllowed
                            } else {
                                Audience::IdentifiedOnly
                            };
                            editor.update(|e| { e.update_demarche(None, |d| d.audience = audience); });
                        }>
                        <option value="identified_only">{s::ID_AUDIENCE_IDENTIFIED}</option>
                        <option value="anonymous_allowed">{s::ID_AUDIENCE_ANONYMOUS}</option>
                    </select>
                </div>
                <ServiceSelect ctx/>
                <Input id="id-from".into() label=s::ID_FROM kind="date"
                    value=read(|d| show(d.publication.from)) on_input=date_write("from", false)/>
                <Input id="id-to".into() label=s::ID_TO kind="date"
                    value=read(|d| show(d.publication.to)) on_input=date_write("to", true)/>
                <ProblemsOf id="id-window-erreurs".into() problems=window_problems/>
            </div>
            <TextArea id="id-description".into() label=s::ID_DESCRIPTION value=read(|d| d.description.clone())
                on_input=move |v| { editor.update(|e| { e.update_demarche(Some("description"), |d| d.description = v); }); }/>
            <BeneficiarySettings ctx/>
        </details>
    }
}

/// The démarche's "Bénéficiaire" setting: whom a citizen may file it for, and the age rule
/// for persons (whole years on a fixed date or on the day of submission).
#[component]
fn BeneficiarySettings(ctx: Ctx) -> impl IntoView {
    use crate::demarches::beneficiary::{AgeReference, AgeRule, BeneficiarySetting};
    let editor = ctx.doc;
    let flag = move |read: fn(&BeneficiarySetting) -> bool| {
        Signal::derive(move || editor.with_demarche(|e| read(&e.demarche().beneficiary)))
    };
    let set_flag = move |write: fn(&mut BeneficiarySetting, bool)| {
        move |checked: bool| {
            editor.update(|e| {
                e.update_demarche(None, |d| write(&mut d.beneficiary, checked));
            });
        }
    };
    let age = move |read: fn(&AgeRule) -> String| {
        Signal::derive(move || {
            editor.with_demarche(|e| {
                e.demarche()
                    .beneficiary
                    .age
                    .as_ref()
                    .map(read)
                    .unwrap_or_default()
            })
        })
    };
    // Typing in an empty rule creates it (counted on the day of submission until a date is
    // given); emptying every box removes it.
    let edit_age = move |property: &'static str, change: Box<dyn FnOnce(&mut AgeRule) -> bool>| {
        let mut accepted = true;
        editor.update(|e| {
            e.update_demarche(Some(property), |d| {
                let mut rule = d.beneficiary.age.clone().unwrap_or(AgeRule {
                    min: None,
                    max: None,
                    on: AgeReference::Submission,
                });
                accepted = change(&mut rule);
                let empty =
                    rule.min.is_none() && rule.max.is_none() && rule.on == AgeReference::Submission;
                d.beneficiary.age = (!empty).then_some(rule);
            });
        });
        accepted
    };
    let bound = move |property: &'static str, max: bool| {
        move |value: String| {
            let Some(parsed) = optional(&value, u32_of) else {
                return false;
            };
            edit_age(
                property,
                Box::new(move |rule| {
                    if max {
                        rule.max = parsed;
                    } else {
                        rule.min = parsed;
                    }
                    true
                }),
            )
        }
    };
    let on_date = move |value: String| {
        let Some(date) = optional(&value, IsoDate::parse) else {
            return false;
        };
        edit_age(
            "beneficiary.age.on",
            Box::new(move |rule| {
                rule.on = date.map_or(AgeReference::Submission, AgeReference::Date);
                true
            }),
        )
    };
    let problems = Signal::derive(move || ctx.doc.problems.with(|p| p.of("beneficiary")));
    view! {
        <fieldset class="designer-beneficiary" id="id-beneficiaire">
            <legend>{s::BENEFICIARY_TITLE}</legend>
            <p class="hint">{s::BENEFICIARY_HINT}</p>
            <Checkbox id="id-beneficiaire-usager".into() label=s::BENEFICIARY_CITIZEN
                checked=flag(|b| b.citizen) on_change=set_flag(|b, v| b.citizen = v)/>
            <Checkbox id="id-beneficiaire-membre".into() label=s::BENEFICIARY_MEMBER
                checked=flag(|b| b.household_member) on_change=set_flag(|b, v| b.household_member = v)/>
            <Checkbox id="id-beneficiaire-enfant".into() label=s::BENEFICIARY_CHILD
                checked=flag(|b| b.child) on_change=set_flag(|b, v| b.child = v)/>
            <Checkbox id="id-beneficiaire-organisation".into() label=s::BENEFICIARY_ORGANISATION
                checked=flag(|b| b.organisation) on_change=set_flag(|b, v| b.organisation = v)/>
            <Input id="id-age-min".into() label=s::AGE_MIN kind="number"
                value=age(|r| show(r.min)) on_input=bound("beneficiary.age.min", false)/>
            <Input id="id-age-max".into() label=s::AGE_MAX kind="number"
                value=age(|r| show(r.max)) on_input=bound("beneficiary.age.max", true)/>
            <Input id="id-age-date".into() label=s::AGE_ON kind="date" hint=s::AGE_ON_HINT
                value=age(|r| match r.on { AgeReference::Date(date) => date.to_string(), AgeReference::Submission => String::new() })
                on_input=on_date/>
            <ProblemsOf id="id-beneficiaire-erreurs".into() problems/>
        </fieldset>
    }
}

/// The default service: one of the commune's org-chart services, loaded through the org API
/// (tenant-scoped like every call). The saved value stays a service id; one the chart no
/// longer has is kept, shown as unknown, until another is chosen.
#[component]
fn ServiceSelect(ctx: Ctx) -> AnyView {
    let editor = ctx.doc;
    let services = LocalResource::new(crate::org::api::list_services);
    let current = Signal::derive(move || {
        editor.with_demarche(|e| e.demarche().default_service.clone().unwrap_or_default())
    });
    let loaded = move || services.get().and_then(Result::ok);
    let unknown = Signal::derive(move || {
        let id = current.get();
        !id.is_empty() && loaded().is_some_and(|list| !list.iter().any(|service| service.id == id))
    });
    let described = move || {
        if unknown.get() {
            "id-service-aide id-service-erreur"
        } else {
            "id-service-aide"
        }
    };
    view! {
        <div class="field" class:field-invalid=move || unknown.get()>
            <label for="id-service">{s::ID_SERVICE}</label>
            <p class="hint" id="id-service-aide">{s::ID_SERVICE_HINT}</p>
            <select id="id-service" aria-describedby=described
                aria-invalid=move || if unknown.get() { "true" } else { "false" }
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    editor.update(|e| {
                        e.update_demarche(None, |d| d.default_service = (!value.is_empty()).then_some(value));
                    });
                }>
                <option value="" selected=move || current.get().is_empty()>{s::ID_SERVICE_NONE}</option>
                {move || match services.get() {
                    Some(Ok(list)) => list.into_iter().map(|service| {
                        let id = service.id.clone();
                        view! {
                            <option value=service.id selected=move || current.get() == id>{service.path}</option>
                        }
                    }).collect_view().into_any(),
                    // Until the chart is there, the saved value stays selected.
                    None => {
                        let id = current.get_untracked();
                        (!id.is_empty()).then(|| view! {
                            <option value=id selected=true>{s::ID_SERVICES_LOADING}</option>
                        }).into_any()
                    }
                    Some(Err(_)) => ().into_any(),
                }}
                {move || unknown.get().then(|| {
                    let id = current.get();
                    view! { <option value=id.clone() selected=true>{s::unknown_service(&id)}</option> }
                })}
            </select>
            {move || unknown.get().then(|| view! {
                <p class="error-message" id="id-service-erreur">{s::ID_SERVICE_UNKNOWN}</p>
            })}
            {move || services.get().and_then(Result::err).map(|error| view! {
                <p class="error-message" role="alert">{error.to_string()}</p>
            })}
        </div>
    }
    // Erased: the designer's view type is deep enough already (the server's query depth).
    .into_any()
}

/// The panel of the selected element, rebuilt only when the selection changes (or the
/// selected element disappears, e.g. by undo).
#[component]
pub fn Properties(ctx: Ctx) -> impl IntoView {
    let selection = Memo::new(move |_| {
        ctx.selected.get().filter(|target| {
            ctx.doc.with_structure(|e| match target {
                Target::Field(id) => e.field(*id).is_some(),
                Target::SubField(id, index) => {
                    e.field_at(FieldAt::sub_field(*id, *index)).is_some()
                }
                Target::Step(id) => e.step(*id).is_some(),
                Target::Demarche => false,
            })
        })
    });
    move || match selection.get() {
        Some(Target::Field(id)) => {
            view! { <FieldProperties ctx at=FieldAt::field(id)/> }.into_any()
        }
        Some(Target::SubField(id, index)) => {
            view! { <FieldProperties ctx at=FieldAt::sub_field(id, index)/> }.into_any()
        }
        Some(Target::Step(id)) => view! { <StepProperties ctx id/> }.into_any(),
        _ => view! { <p class="hint">{s::NOTHING_SELECTED}</p> }.into_any(),
    }
}

#[component]
fn StepProperties(ctx: Ctx, id: Id) -> impl IntoView {
    let editor = ctx.doc;
    let read = move |f: fn(&crate::demarches::model::Step) -> String| {
        Signal::derive(move || editor.with_step(id, |e| e.step(id).map(f).unwrap_or_default()))
    };
    let problems = Signal::derive(move || ctx.doc.with_step(id, |_| ctx.doc.step_problems(id)));
    view! {
        <div class="designer-panel" data-testid="step-properties">
            <Input id="prop-step-title".into() label=s::PROP_TITLE value=read(|st| st.title.clone())
                on_input=move |v| { editor.update(|e| { e.update_step(id, Some("title"), |h| h.title = v); }); true }/>
            <Input id="prop-step-code".into() label=s::PROP_CODE hint=s::PROP_CODE_HINT value=read(|st| st.code.clone())
                on_input=move |v| { editor.update(|e| { e.update_step(id, Some("code"), |h| h.code = v); }); true }/>
            <ProblemsOf id="prop-step-erreurs".into() problems/>
            <ConditionEditor ctx target=Target::Step(id)/>
        </div>
    }
}

#[component]
fn FieldProperties(ctx: Ctx, at: FieldAt) -> impl IntoView {
    let editor = ctx.doc;
    let read = move |f: fn(&Field) -> String| {
        Signal::derive(move || {
            editor.with_field(at.id, |e| e.field_at(at).map(f).unwrap_or_default())
        })
    };
    let set = move |property: &'static str, value: String, f: fn(&mut Field, String)| {
        editor.update(|e| {
            e.update_field_at(at, Some(property), |field| f(field, value));
        });
        true
    };
    let kind = editor.with_untracked(|e| e.field_at(at).map(|f| PaletteKind::of(&f.kind)));
    let has_answer = Signal::derive(move || {
        editor.with_field(at.id, |e| {
            e.field_at(at).is_some_and(|f| f.kind.has_answer())
        })
    });
    let problems =
        Signal::derive(move || ctx.doc.with_field(at.id, |_| ctx.doc.field_problems_at(at)));
    // A sub-field's panel says which group it belongs to, and leads back to it.
    let group = at.sub.map(|_| {
        let group_label = Signal::derive(move || {
            editor.with_field(at.id, |e| e.field(at.id).map(|f| f.label.clone()).unwrap_or_default())
        });
        view! {
            <p class="designer-sub-of">
                {move || s::sub_field_of(&group_label.get())} " "
                <button type="button" class="link-button"
                    on:click=move |_| ctx.selected.set(Some(Target::Field(at.id)))>{s::BACK_TO_GROUP}</button>
            </p>
        }
    });
    view! {
        <div class="designer-panel" data-testid="field-properties">
            {group}
            <p class="designer-kind">{kind.map(PaletteKind::label)}</p>
            <Input id="prop-label".into() label=s::PROP_LABEL value=read(|f| f.label.clone())
                on_input=move |v| set("label", v, |f, v| f.label = v)/>
            <Input id="prop-code".into() label=s::PROP_CODE hint=s::PROP_CODE_HINT value=read(|f| f.code.clone())
                on_input=move |v| set("code", v, |f, v| f.code = v)/>
            <ProblemsOf id="prop-erreurs".into() problems/>
            <TextArea id="prop-help".into() label=s::PROP_HELP value=read(|f| f.help.clone())
                on_input=move |v| { set("help", v, |f, v| f.help = v); }/>
            <Show when=move || has_answer.get()>
                <Checkbox id="prop-required".into() label=s::PROP_REQUIRED
                    checked=Signal::derive(move || editor.with_field(at.id, |e| e.field_at(at).is_some_and(|f| f.required)))
                    on_change=move |checked| { editor.update(|e| { e.update_field_at(at, None, |f| f.required = checked); }); }/>
            </Show>
            {kind.map(|kind| kind_settings(ctx, at, kind))}
            <ConditionEditor ctx target=at.target()/>
        </div>
    }
}

/// Settings that depend on the kind of field (fixed once the field is dropped).
fn kind_settings(ctx: Ctx, at: FieldAt, kind: PaletteKind) -> AnyView {
    let editor = ctx.doc;
    let read = move |f: fn(&FieldKind) -> String| {
        Signal::derive(move || {
            editor.with_field(at.id, |e| {
                e.field_at(at).map(|x| f(&x.kind)).unwrap_or_default()
            })
        })
    };
    // Applies `f` to the field's kind; `property` merges consecutive typing into one undo step.
    let edit = move |property: &'static str, f: Box<dyn FnOnce(&mut FieldKind)>| {
        editor.update(|e| {
            e.update_field_at(at, Some(property), |field| f(&mut field.kind));
        });
    };
    // A sub-field is answered once per item: it cannot be prefilled from the profile, except
    // in a group prefilled with the household's children (each item one child).
    let children_group = at.sub.is_some()
        && editor.with_field(at.id, |e| {
            e.field(at.id).and_then(|f| f.prefill) == Some(ProfileAttribute::HouseholdChildren)
        });
    let prefill = if at.sub.is_none() {
        prefill_choices(kind).map(|choices| prefill_select(ctx, at, choices))
    } else if children_group {
        prefill_choices(kind)
            .map(|choices| {
                choices
                    .into_iter()
                    .filter(|(attribute, _)| attribute.fits_a_child())
                    .collect::<Vec<_>>()
            })
            .filter(|choices| !choices.is_empty())
            .map(|choices| prefill_select(ctx, at, choices))
    } else {
        None
    };
    let specific = match kind {
        PaletteKind::ShortText | PaletteKind::LongText => view! {
            <Input id="prop-max-length".into() label=s::PROP_MAX_LENGTH kind="number"
                value=read(|k| match k { FieldKind::ShortText { max_length, .. } | FieldKind::LongText { max_length, .. } => show(*max_length), _ => String::new() })
                on_input=move |v| match optional(&v, |r| r.parse::<u32>().ok()) {
                    Some(value) => { edit("max_length", Box::new(move |k| if let FieldKind::ShortText { max_length, .. } | FieldKind::LongText { max_length, .. } = k { *max_length = value })); true }
                    None => false,
                }/>
            <Input id="prop-pattern".into() label=s::PROP_PATTERN
                value=read(|k| pattern_of(k).map(|p| p.regex.clone()).unwrap_or_default())
                on_input=move |v| { edit("pattern", Box::new(move |k| set_pattern(k, Some(v), None))); true }/>
            <Input id="prop-pattern-message".into() label=s::PROP_PATTERN_MESSAGE
                value=read(|k| pattern_of(k).map(|p| p.message.clone()).unwrap_or_default())
                on_input=move |v| { edit("pattern_message", Box::new(move |k| set_pattern(k, None, Some(v)))); true }/>
        }
        .into_any(),
        PaletteKind::Integer => view! {
            <Input id="prop-min".into() label=s::PROP_MIN value=read(|k| match k { FieldKind::Integer { min, .. } => show(*min), _ => String::new() })
                on_input=move |v| match optional(&v, |r| r.parse::<i64>().ok()) {
                    Some(value) => { edit("min", Box::new(move |k| if let FieldKind::Integer { min, .. } = k { *min = value })); true }
                    None => false,
                }/>
            <Input id="prop-max".into() label=s::PROP_MAX value=read(|k| match k { FieldKind::Integer { max, .. } => show(*max), _ => String::new() })
                on_input=move |v| match optional(&v, |r| r.parse::<i64>().ok()) {
                    Some(value) => { edit("max", Box::new(move |k| if let FieldKind::Integer { max, .. } = k { *max = value })); true }
                    None => false,
                }/>
        }
        .into_any(),
        PaletteKind::Decimal => view! {
            <Input id="prop-min".into() label=s::PROP_MIN value=read(|k| match k { FieldKind::Decimal { min, .. } => show(min.map(Decimal::to_french)), _ => String::new() })
                on_input=move |v| match optional(&v, Decimal::parse) {
                    Some(value) => { edit("min", Box::new(move |k| if let FieldKind::Decimal { min, .. } = k { *min = value })); true }
                    None => false,
                }/>
            <Input id="prop-max".into() label=s::PROP_MAX value=read(|k| match k { FieldKind::Decimal { max, .. } => show(max.map(Decimal::to_french)), _ => String::new() })
                on_input=move |v| match optional(&v, Decimal::parse) {
                    Some(value) => { edit("max", Box::new(move |k| if let FieldKind::Decimal { max, .. } = k { *max = value })); true }
                    None => false,
                }/>
        }
        .into_any(),
        PaletteKind::Date => view! {
            <Input id="prop-min".into() label=s::PROP_MIN kind="date" value=read(|k| match k { FieldKind::Date { min, .. } => show(*min), _ => String::new() })
                on_input=move |v| match optional(&v, IsoDate::parse) {
                    Some(value) => { edit("min", Box::new(move |k| if let FieldKind::Date { min, .. } = k { *min = value })); true }
                    None => false,
                }/>
            <Input id="prop-max".into() label=s::PROP_MAX kind="date" value=read(|k| match k { FieldKind::Date { max, .. } => show(*max), _ => String::new() })
                on_input=move |v| match optional(&v, IsoDate::parse) {
                    Some(value) => { edit("max", Box::new(move |k| if let FieldKind::Date { max, .. } = k { *max = value })); true }
                    None => false,
                }/>
        }
        .into_any(),
        PaletteKind::SingleChoice => view! {
            <OptionsEditor ctx at/>
            <div class="field">
                <label for="prop-display">{s::PROP_DISPLAY}</label>
                <select id="prop-display"
                    prop:value=move || editor.with_field(at.id, |e| match e.field_at(at).map(|f| &f.kind) { Some(FieldKind::SingleChoice { display: ChoiceDisplay::List, .. }) => "list", _ => "radio" })
                    on:change=move |ev| {
                        let list = event_target_value(&ev) == "list";
                        edit("display", Box::new(move |k| if let FieldKind::SingleChoice { display, .. } = k {
                            *display = if list { ChoiceDisplay::List } else { ChoiceDisplay::Radio };
                        }));
                    }>
                    <option value="radio">{s::DISPLAY_RADIO}</option>
                    <option value="list">{s::DISPLAY_LIST}</option>
                </select>
            </div>
        }
        .into_any(),
        PaletteKind::MultipleChoice => view! {
            <OptionsEditor ctx at/>
            <Input id="prop-min-selected".into() label=s::PROP_MIN_SELECTED kind="number"
                value=read(|k| match k { FieldKind::MultipleChoice { min_selected, .. } => show(*min_selected), _ => String::new() })
                on_input=move |v| match optional(&v, |r| r.parse::<u32>().ok()) {
                    Some(value) => { edit("min_selected", Box::new(move |k| if let FieldKind::MultipleChoice { min_selected, .. } = k { *min_selected = value })); true }
                    None => false,
                }/>
            <Input id="prop-max-selected".into() label=s::PROP_MAX_SELECTED kind="number"
                value=read(|k| match k { FieldKind::MultipleChoice { max_selected, .. } => show(*max_selected), _ => String::new() })
                on_input=move |v| match optional(&v, |r| r.parse::<u32>().ok()) {
                    Some(value) => { edit("max_selected", Box::new(move |k| if let FieldKind::MultipleChoice { max_selected, .. } = k { *max_selected = value })); true }
                    None => false,
                }/>
        }
        .into_any(),
        PaletteKind::Files => view! {
            <Input id="prop-accepted".into() label=s::PROP_ACCEPTED hint=s::PROP_ACCEPTED_HINT
                value=read(|k| match k { FieldKind::Files { accepted_types, .. } => accepted_types.join(", "), _ => String::new() })
                on_input=move |v| {
                    let list: Vec<String> = v.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
                    edit("accepted", Box::new(move |k| if let FieldKind::Files { accepted_types, .. } = k { *accepted_types = list }));
                    true
                }/>
            <Input id="prop-max-size".into() label=s::PROP_MAX_SIZE kind="number"
                value=read(|k| match k { FieldKind::Files { max_size_bytes, .. } => (max_size_bytes / (1024 * 1024)).to_string(), _ => String::new() })
                on_input=move |v| match u64_of(&v) {
                    Some(mb) => { edit("max_size", Box::new(move |k| if let FieldKind::Files { max_size_bytes, .. } = k { *max_size_bytes = mb.saturating_mul(1024 * 1024) })); true }
                    None => false,
                }/>
            <Input id="prop-max-files".into() label=s::PROP_MAX_FILES kind="number"
                value=read(|k| match k { FieldKind::Files { max_files, .. } => max_files.to_string(), _ => String::new() })
                on_input=move |v| match u32_of(&v) {
                    Some(n) => { edit("max_files", Box::new(move |k| if let FieldKind::Files { max_files, .. } = k { *max_files = n })); true }
                    None => false,
                }/>
        }
        .into_any(),
        PaletteKind::Explanation => view! {
            <TextArea id="prop-body".into() label=s::PROP_BODY
                value=read(|k| match k { FieldKind::Explanation { body } => body.clone(), _ => String::new() })
                on_input=move |v| edit("body", Box::new(move |k| if let FieldKind::Explanation { body } = k { *body = v }))/>
        }
        .into_any(),
        PaletteKind::Group => view! {
            <Input id="prop-min-items".into() label=s::PROP_MIN_ITEMS kind="number"
                value=read(|k| match k { FieldKind::Group { min_items, .. } => min_items.to_string(), _ => String::new() })
                on_input=move |v| match u32_of(&v) {
                    Some(n) => { edit("min_items", Box::new(move |k| if let FieldKind::Group { min_items, .. } = k { *min_items = n })); true }
                    None => false,
                }/>
            <Input id="prop-max-items".into() label=s::PROP_MAX_ITEMS kind="number"
                value=read(|k| match k { FieldKind::Group { max_items, .. } => max_items.to_string(), _ => String::new() })
                on_input=move |v| match u32_of(&v) {
                    Some(n) => { edit("max_items", Box::new(move |k| if let FieldKind::Group { max_items, .. } = k { *max_items = n })); true }
                    None => false,
                }/>
            <SubFieldsEditor ctx at/>
        }
        .into_any(),
        PaletteKind::Email
        | PaletteKind::Phone
        | PaletteKind::YesNo
        | PaletteKind::Address
        | PaletteKind::Siret
        | PaletteKind::SectionHeader => ().into_any(),
    };
    view! { {prefill} {specific} }.into_any()
}

fn pattern_of(kind: &FieldKind) -> Option<&TextPattern> {
    match kind {
        FieldKind::ShortText { pattern, .. } | FieldKind::LongText { pattern, .. } => {
            pattern.as_ref()
        }
        _ => None,
    }
}

/// Sets the regex or the message; both empty means no pattern.
fn set_pattern(kind: &mut FieldKind, regex: Option<String>, message: Option<String>) {
    if let FieldKind::ShortText { pattern, .. } | FieldKind::LongText { pattern, .. } = kind {
        let mut current = pattern.take().unwrap_or(TextPattern {
            regex: String::new(),
            message: String::new(),
        });
        if let Some(regex) = regex {
            current.regex = regex;
        }
        if let Some(message) = message {
            current.message = message;
        }
        if !(current.regex.is_empty() && current.message.is_empty()) {
            *pattern = Some(current);
        }
    }
}

fn prefill_choices(kind: PaletteKind) -> Option<Vec<(ProfileAttribute, &'static str)>> {
    match kind {
        PaletteKind::ShortText => Some(vec![
            (ProfileAttribute::DisplayName, s::PREFILL_NAME),
            (ProfileAttribute::Email, s::PREFILL_EMAIL),
            (ProfileAttribute::Phone, s::PREFILL_PHONE),
            (ProfileAttribute::GivenName, s::PREFILL_GIVEN_NAME),
            (ProfileAttribute::BirthName, s::PREFILL_BIRTH_NAME),
            (ProfileAttribute::UsageName, s::PREFILL_USAGE_NAME),
            (ProfileAttribute::BirthPlace, s::PREFILL_BIRTH_PLACE),
            (ProfileAttribute::BirthCountry, s::PREFILL_BIRTH_COUNTRY),
            (
                ProfileAttribute::OrganisationName,
                s::PREFILL_ORGANISATION_NAME,
            ),
            (
                ProfileAttribute::OrganisationSiret,
                s::PREFILL_ORGANISATION_SIRET,
            ),
            (
                ProfileAttribute::OrganisationRna,
                s::PREFILL_ORGANISATION_RNA,
            ),
        ]),
        PaletteKind::Siret => Some(vec![(
            ProfileAttribute::OrganisationSiret,
            s::PREFILL_ORGANISATION_SIRET,
        )]),
        PaletteKind::Group => Some(vec![(
            ProfileAttribute::HouseholdChildren,
            s::PREFILL_HOUSEHOLD_CHILDREN,
        )]),
        PaletteKind::Email => Some(vec![(ProfileAttribute::Email, s::PREFILL_EMAIL)]),
        PaletteKind::Phone => Some(vec![(ProfileAttribute::Phone, s::PREFILL_PHONE)]),
        PaletteKind::Address => Some(vec![(ProfileAttribute::Address, s::PREFILL_ADDRESS)]),
        PaletteKind::Date => Some(vec![(ProfileAttribute::BirthDate, s::PREFILL_BIRTH_DATE)]),
        PaletteKind::SingleChoice => Some(vec![(ProfileAttribute::Gender, s::PREFILL_GENDER)]),
        _ => None,
    }
}

fn prefill_token(attribute: ProfileAttribute) -> &'static str {
    match attribute {
        ProfileAttribute::DisplayName => "display_name",
        ProfileAttribute::Email => "email",
        ProfileAttribute::Phone => "phone",
        ProfileAttribute::Address => "address",
        ProfileAttribute::GivenName => "given_name",
        ProfileAttribute::BirthName => "birth_name",
        ProfileAttribute::UsageName => "usage_name",
        ProfileAttribute::BirthDate => "birth_date",
        ProfileAttribute::BirthPlace => "birth_place",
        ProfileAttribute::BirthCountry => "birth_country",
        ProfileAttribute::Gender => "gender",
        ProfileAttribute::OrganisationName => "organisation_name",
        ProfileAttribute::OrganisationSiret => "organisation_siret",
        ProfileAttribute::OrganisationRna => "organisation_rna",
        ProfileAttribute::HouseholdChildren => "household_children",
    }
}

fn prefill_select(
    ctx: Ctx,
    at: FieldAt,
    choices: Vec<(ProfileAttribute, &'static str)>,
) -> AnyView {
    let editor = ctx.doc;
    let current = move || {
        editor.with_field(at.id, |e| {
            e.field_at(at)
                .and_then(|f| f.prefill)
                .map_or("", prefill_token)
        })
    };
    let tokens: Vec<ProfileAttribute> = choices.iter().map(|(a, _)| *a).collect();
    let certified = tokens.iter().any(|a| a.is_identity());
    view! {
        <div class="field">
            <label for="prop-prefill">{s::PROP_PREFILL}</label>
            <select id="prop-prefill" prop:value=current aria-describedby=certified.then_some("prop-prefill-aide")
                on:change=move |ev| {
                    let token = event_target_value(&ev);
                    let value = tokens.iter().copied().find(|a| prefill_token(*a) == token);
                    editor.update(|e| { e.update_field_at(at, None, |f| f.prefill = value); });
                }>
                <option value="">{s::PREFILL_NONE}</option>
                {choices.into_iter().map(|(attribute, label)| view! {
                    <option value=prefill_token(attribute)>{label}</option>
                }).collect_view()}
            </select>
            {certified.then(|| view! { <p class="hint" id="prop-prefill-aide">{s::PREFILL_CERTIFIED_HINT}</p> })}
        </div>
    }
    .into_any()
}

/// A change to a list inside a field (its options, its sub-fields).
type ListEdit<T> = Box<dyn FnOnce(&mut Vec<T>)>;

fn options_mut(kind: &mut FieldKind) -> Option<&mut Vec<ChoiceOption>> {
    match kind {
        FieldKind::SingleChoice { options, .. } | FieldKind::MultipleChoice { options, .. } => {
            Some(options)
        }
        _ => None,
    }
}

fn options_of(kind: &FieldKind) -> &[ChoiceOption] {
    match kind {
        FieldKind::SingleChoice { options, .. } | FieldKind::MultipleChoice { options, .. } => {
            options
        }
        _ => &[],
    }
}

/// The options of a choice field; rows are keyed by position, inputs bound to the option
/// at that position.
#[component]
fn OptionsEditor(ctx: Ctx, at: FieldAt) -> impl IntoView {
    let editor = ctx.doc;
    let count = move || {
        editor.with_field(at.id, |e| {
            e.field_at(at).map_or(0, |f| options_of(&f.kind).len())
        })
    };
    let edit = move |merge: Option<&'static str>, f: ListEdit<ChoiceOption>| {
        editor.update(|e| {
            e.update_field_at(at, merge, |field| {
                if let Some(options) = options_mut(&mut field.kind) {
                    f(options);
                }
            });
        });
    };
    let read = move |index: usize, label: bool| {
        Signal::derive(move || {
            editor.with_field(at.id, |e| {
                e.field_at(at)
                    .and_then(|f| options_of(&f.kind).get(index))
                    .map(|o| {
                        if label {
                            o.label.clone()
                        } else {
                            o.value.clone()
                        }
                    })
                    .unwrap_or_default()
            })
        })
    };
    view! {
        <fieldset class="designer-options">
            <legend>{s::PROP_OPTIONS}</legend>
            <For each=move || 0..count() key=|i| *i let:index>
                <div class="designer-option">
                    <Input id=format!("prop-option-{index}-label") label=s::PROP_OPTION_LABEL value=read(index, true)
                        on_input=move |v| { edit(Some("option_label"), Box::new(move |o| if let Some(o) = o.get_mut(index) { o.label = v })); true }/>
                    <Input id=format!("prop-option-{index}-value") label=s::PROP_OPTION_VALUE value=read(index, false)
                        on_input=move |v| { edit(Some("option_value"), Box::new(move |o| if let Some(o) = o.get_mut(index) { o.value = v })); true }/>
                    <button type="button" class="link-button"
                        aria-label=move || format!("{} « {} »", s::DELETE, read(index, true).get())
                        on:click=move |_| edit(None, Box::new(move |o| if index < o.len() { o.remove(index); }))>{s::DELETE}</button>
                </div>
            </For>
            <button type="button" class="button button-secondary" on:click=move |_| edit(None, Box::new(|o| {
                let n = o.len() + 1;
                o.push(ChoiceOption { value: format!("option_{n}"), label: format!("Choix {n}") });
            }))>{s::PROP_ADD_OPTION}</button>
        </fieldset>
    }
}

fn group_fields(kind: &FieldKind) -> &[Field] {
    match kind {
        FieldKind::Group { fields, .. } => fields,
        _ => &[],
    }
}

/// The sub-fields of a group: code, label, type, required, and a link to each one's full
/// panel (the field panel, at the sub-field's place); positions as keys.
#[component]
fn SubFieldsEditor(ctx: Ctx, at: FieldAt) -> impl IntoView {
    let editor = ctx.doc;
    let count = move || {
        editor.with_field(at.id, |e| {
            e.field_at(at).map_or(0, |f| group_fields(&f.kind).len())
        })
    };
    let edit = move |merge: Option<&'static str>, f: ListEdit<Field>| {
        editor.update(|e| {
            e.update_field_at(at, merge, |field| {
                if let FieldKind::Group { fields, .. } = &mut field.kind {
                    f(fields);
                }
            });
        });
    };
    let read = move |index: usize, f: fn(&Field) -> String| {
        Signal::derive(move || {
            editor.with_field(at.id, |e| {
                e.field_at(at)
                    .and_then(|x| group_fields(&x.kind).get(index))
                    .map(f)
                    .unwrap_or_default()
            })
        })
    };
    view! {
        <fieldset class="designer-options">
            <legend>{s::PROP_SUB_FIELDS}</legend>
            <For each=move || 0..count() key=|i| *i let:index>
                <div class="designer-option">
                    <Input id=format!("prop-sub-{index}-label") label=s::PROP_LABEL value=read(index, |f| f.label.clone())
                        on_input=move |v| { edit(Some("sub_label"), Box::new(move |l| if let Some(f) = l.get_mut(index) { f.label = v })); true }/>
                    <Input id=format!("prop-sub-{index}-code") label=s::PROP_CODE value=read(index, |f| f.code.clone())
                        on_input=move |v| { edit(Some("sub_code"), Box::new(move |l| if let Some(f) = l.get_mut(index) { f.code = v })); true }/>
                    <div class="field">
                        <label for=format!("prop-sub-{index}-kind")>{s::PROP_SUB_KIND}</label>
                        <select id=format!("prop-sub-{index}-kind")
                            prop:value=move || read(index, |f| PaletteKind::of(&f.kind).token().to_owned()).get()
                            on:change=move |ev| {
                                if let Some(kind) = PaletteKind::from_token(&event_target_value(&ev)) {
                                    edit(None, Box::new(move |l| if let Some(f) = l.get_mut(index) {
                                        f.kind = kind.default_kind();
                                        if !f.kind.has_answer() { f.required = false; }
                                    }));
                                }
                            }>
                            {PaletteKind::ALL.into_iter().filter(|k| k.allowed_in_group()).map(|k| view! {
                                <option value=k.token()>{k.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <Checkbox id=format!("prop-sub-{index}-required") label=s::PROP_REQUIRED
                        checked=Signal::derive(move || read(index, |f| f.required.to_string()).get() == "true")
                        on_change=move |checked| edit(None, Box::new(move |l| if let Some(f) = l.get_mut(index) { f.required = checked }))/>
                    <button type="button" class="link-button"
                        aria-label=move || s::sub_field_properties_label(&read(index, |f| f.label.clone()).get())
                        on:click=move |_| ctx.selected.set(Some(Target::SubField(at.id, index)))>{s::SUB_FIELD_PROPERTIES}</button>
                    <button type="button" class="link-button"
                        aria-label=move || format!("{} « {} »", s::DELETE, read(index, |f| f.label.clone()).get())
                        on:click=move |_| edit(None, Box::new(move |l| if index < l.len() { l.remove(index); }))>{s::DELETE}</button>
                </div>
            </For>
            <button type="button" class="button button-secondary" on:click=move |_| {
                let code = editor.with_untracked(|e| e.unique_code("texte"));
                edit(None, Box::new(move |l| l.push(PaletteKind::ShortText.new_field(code))));
            }>{s::PROP_ADD_SUB_FIELD}</button>
        </fieldset>
    }
}

// --- Condition editor --------------------------------------------------------------------------

/// The structure of a condition without its values: the editor is rebuilt when this changes
/// (a rule added, another field or operator chosen), not while a value is typed.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Rule { field: String, operator: Operator },
    All(Vec<Shape>),
    Any(Vec<Shape>),
    Not(Box<Shape>),
}

fn shape_of(condition: &Condition) -> Shape {
    match condition {
        Condition::And(parts) => Shape::All(parts.iter().map(shape_of).collect()),
        Condition::Or(parts) => Shape::Any(parts.iter().map(shape_of).collect()),
        Condition::Not(inner) => Shape::Not(Box::new(shape_of(inner))),
        Condition::Compare { field, .. }
        | Condition::In { field, .. }
        | Condition::IsEmpty { field } => Shape::Rule {
            field: field.clone(),
            operator: Operator::of(condition).unwrap_or(Operator::IsEmpty),
        },
    }
}

#[derive(Clone, Copy)]
struct CondCtx {
    ctx: Ctx,
    target: Target,
    available: Memo<Vec<FieldRef>>,
}

impl CondCtx {
    fn read(&self) -> Option<Condition> {
        match self.target {
            Target::Field(id) => self
                .ctx
                .doc
                .with_field(id, |e| e.field(id).and_then(|f| f.condition.clone())),
            Target::SubField(id, index) => self.ctx.doc.with_field(id, |e| {
                e.field_at(FieldAt::sub_field(id, index))
                    .and_then(|f| f.condition.clone())
            }),
            Target::Step(id) => self
                .ctx
                .doc
                .with_step(id, |e| e.step(id).and_then(|s| s.condition.clone())),
            Target::Demarche => None,
        }
    }

    fn write(
        &self,
        merge: Option<&'static str>,
        change: impl FnOnce(Option<Condition>) -> Option<Condition>,
    ) {
        let target = self.target;
        self.ctx.doc.update(|e| match target {
            Target::Field(id) => {
                e.update_field(id, merge, |f| f.condition = change(f.condition.take()));
            }
            Target::SubField(id, index) => {
                e.update_field_at(FieldAt::sub_field(id, index), merge, |f| {
                    f.condition = change(f.condition.take())
                });
            }
            Target::Step(id) => {
                e.update_step(id, merge, |h| h.condition = change(h.condition.take()));
            }
            Target::Demarche => {}
        });
    }

    fn edit_node(
        &self,
        merge: Option<&'static str>,
        path: Vec<usize>,
        f: impl FnOnce(&mut Condition),
    ) {
        self.write(merge, move |condition| {
            let mut condition = condition?;
            if let Some(node) = node_at_mut(&mut condition, &path) {
                f(node);
            }
            Some(condition)
        });
    }

    fn kind_of(&self, code: &str) -> Option<FieldKind> {
        self.available
            .with(|list| list.iter().find(|f| f.code == code).map(|f| f.kind.clone()))
    }

    fn first_rule(&self) -> Option<Condition> {
        self.available.with(|list| list.first().map(new_rule))
    }
}

#[component]
fn ConditionEditor(ctx: Ctx, target: Target) -> impl IntoView {
    let available = Memo::new(move |_| {
        ctx.doc.with(|e| {
            let (place, sub) = match target {
                Target::Field(id) => (e.position(id), None),
                Target::SubField(id, index) => (e.position(id), Some((id, index))),
                Target::Step(id) => (e.step_index(id).map(|s| (s, 0)), None),
                Target::Demarche => (None, None),
            };
            let mut available = place
                .map(|(step, index)| earlier_fields(e.definition(), step, index))
                .unwrap_or_default();
            // Inside a group, earlier sub-fields of the same item may be read too.
            if let Some((group, index)) = sub {
                available.extend(earlier_sub_fields(e.field(group), index));
            }
            available
        })
    });
    let cond = CondCtx {
        ctx,
        target,
        available,
    };
    let shape = Memo::new(move |_| cond.read().as_ref().map(shape_of));
    view! {
        <fieldset class="designer-condition" data-testid="condition-editor">
            <legend>{s::CONDITION_TITLE}</legend>
            {move || match shape.get() {
                None => {
                    if available.with(Vec::is_empty) {
                        view! { <p class="hint">{s::CONDITION_NONE} " " {s::CONDITION_NO_EARLIER_FIELD}</p> }.into_any()
                    } else {
                        view! {
                            <p class="hint">{s::CONDITION_NONE}</p>
                            <button type="button" class="button button-secondary"
                                on:click=move |_| { let rule = cond.first_rule(); cond.write(None, |_| rule) }>
                                {s::CONDITION_ADD}
                            </button>
                        }.into_any()
                    }
                }
                Some(shape) => {
                    let wrap = !matches!(shape, Shape::All(_) | Shape::Any(_));
                    view! {
                        {render_node(cond, Vec::new(), &shape)}
                        {wrap.then(|| view! {
                            <button type="button" class="link-button" on:click=move |_| {
                                let rule = cond.first_rule();
                                cond.write(None, move |c| match (c, rule) {
                                    (Some(c), Some(rule)) => Some(Condition::And(vec![c, rule])),
                                    (c, _) => c,
                                });
                            }>{s::CONDITION_ADD_RULE}</button>
                        })}
                        <button type="button" class="link-button" on:click=move |_| cond.write(None, |_| None)>
                            {s::CONDITION_REMOVE}
                        </button>
                    }.into_any()
                }
            }}
        </fieldset>
    }
}

fn path_id(path: &[usize]) -> String {
    if path.is_empty() {
        "racine".to_owned()
    } else {
        path.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-")
    }
}

fn render_node(cond: CondCtx, path: Vec<usize>, shape: &Shape) -> AnyView {
    let negate = {
        let path = path.clone();
        move |_| {
            let path = path.clone();
            cond.edit_node(None, path, |node| {
                let current = std::mem::replace(node, Condition::And(Vec::new()));
                *node = match current {
                    Condition::Not(inner) => *inner,
                    other => Condition::Not(Box::new(other)),
                };
            })
        }
    };
    let remove = {
        let path = path.clone();
        move |_| {
            let path = path.clone();
            cond.write(None, move |c| c.and_then(|c| remove_at(c, &path)))
        }
    };
    let actions = view! {
        <button type="button" class="link-button" on:click=negate>{s::CONDITION_NEGATE}</button>
        <button type="button" class="link-button" on:click=remove>{s::CONDITION_REMOVE_RULE}</button>
    };
    match shape {
        Shape::Not(inner) => {
            let mut child = path.clone();
            child.push(0);
            view! {
                <div class="designer-condition-not">
                    <p>{s::CONDITION_NOT}</p>
                    {render_node(cond, child, inner)}
                    {actions}
                </div>
            }
            .into_any()
        }
        Shape::All(parts) | Shape::Any(parts) => {
            let all = matches!(shape, Shape::All(_));
            let select_id = format!("cond-{}-combine", path_id(&path));
            let children: Vec<AnyView> = parts
                .iter()
                .enumerate()
                .map(|(index, part)| {
                    let mut child = path.clone();
                    child.push(index);
                    view! { <li>{render_node(cond, child, part)}</li> }.into_any()
                })
                .collect();
            let (p1, p2, p3) = (path.clone(), path.clone(), path.clone());
            view! {
                <div class="designer-condition-group">
                    <div class="field">
                        <label for=select_id.clone()>{s::CONDITION_FIELD}</label>
                        <select id=select_id on:change=move |ev| {
                            let all = event_target_value(&ev) == "all";
                            cond.edit_node(None, p1.clone(), move |node| {
                                let parts = match std::mem::replace(node, Condition::And(Vec::new())) {
                                    Condition::And(parts) | Condition::Or(parts) => parts,
                                    other => vec![other],
                                };
                                *node = if all { Condition::And(parts) } else { Condition::Or(parts) };
                            });
                        }>
                            <option value="all" selected=all>{s::CONDITION_ALL}</option>
                            <option value="any" selected=!all>{s::CONDITION_ANY}</option>
                        </select>
                    </div>
                    <ul>{children}</ul>
                    <button type="button" class="link-button" on:click=move |_| {
                        if let Some(rule) = cond.first_rule() {
                            cond.edit_node(None, p2.clone(), move |node| if let Condition::And(parts) | Condition::Or(parts) = node { parts.push(rule) });
                        }
                    }>{s::CONDITION_ADD_RULE}</button>
                    <button type="button" class="link-button" on:click=move |_| {
                        if let Some(rule) = cond.first_rule() {
                            cond.edit_node(None, p3.clone(), move |node| if let Condition::And(parts) | Condition::Or(parts) = node { parts.push(Condition::Or(vec![rule])) });
                        }
                    }>{s::CONDITION_ADD_GROUP}</button>
                    {actions}
                </div>
            }
            .into_any()
        }
        Shape::Rule { field, operator } => {
            render_rule(cond, path, field.clone(), *operator, actions.into_any())
        }
    }
}

fn render_rule(
    cond: CondCtx,
    path: Vec<usize>,
    field: String,
    operator: Operator,
    actions: AnyView,
) -> AnyView {
    let base = format!("cond-{}", path_id(&path));
    let kind = cond.kind_of(&field);
    let available = cond.available.get_untracked();
    let known = available.iter().any(|f| f.code == field);
    let operators = kind
        .as_ref()
        .map(operators_for)
        .unwrap_or_else(|| vec![Operator::IsEmpty]);
    let field_select = {
        let path = path.clone();
        let current = field.clone();
        view! {
            <div class="field">
                <label for=format!("{base}-field")>{s::CONDITION_FIELD}</label>
                <select id=format!("{base}-field") on:change=move |ev| {
                    let code = event_target_value(&ev);
                    let rule = cond.available.with_untracked(|l| l.iter().find(|f| f.code == code).map(new_rule));
                    if let Some(rule) = rule {
                        cond.edit_node(None, path.clone(), move |node| *node = rule);
                    }
                }>
                    {(!known).then(|| view! { <option value=current.clone() selected=true>{format!("« {current} » (indisponible)")}</option> })}
                    {available.iter().map(|f| view! {
                        <option value=f.code.clone() selected=f.code == field>{format!("{} ({})", f.label, f.code)}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let operator_select = {
        let path = path.clone();
        let kind = kind.clone();
        view! {
            <div class="field">
                <label for=format!("{base}-op")>{s::CONDITION_OPERATOR}</label>
                <select id=format!("{base}-op") on:change=move |ev| {
                    let (Some(op), Some(kind)) = (Operator::from_token(&event_target_value(&ev)), kind.clone()) else { return };
                    cond.edit_node(None, path.clone(), move |node| *node = with_operator(node, op, &kind));
                }>
                    {operators.iter().map(|op| view! {
                        <option value=op.token() selected=*op == operator>{op.label()}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let value = match (operator, kind) {
        (Operator::IsEmpty, _) | (_, None) => ().into_any(),
        (operator, Some(kind)) => value_input(cond, path, &base, operator, kind),
    };
    view! {
        <div class="designer-condition-rule">
            {field_select}
            {operator_select}
            {value}
            {actions}
        </div>
    }
    .into_any()
}

fn value_input(
    cond: CondCtx,
    path: Vec<usize>,
    base: &str,
    operator: Operator,
    kind: FieldKind,
) -> AnyView {
    let id = format!("{base}-value");
    let read_path = path.clone();
    let current = Signal::derive(move || {
        cond.read()
            .and_then(|c| node_at(&c, &read_path).cloned())
            .map(|node| match node {
                Condition::Compare { value, .. } => literal_input(&value),
                Condition::In { values, .. } => values
                    .iter()
                    .map(literal_input)
                    .collect::<Vec<_>>()
                    .join(" ; "),
                _ => String::new(),
            })
            .unwrap_or_default()
    });
    let choices: Vec<(String, String)> = match &kind {
        FieldKind::SingleChoice { options, .. } | FieldKind::MultipleChoice { options, .. } => {
            options
                .iter()
                .map(|o| (o.value.clone(), o.label.clone()))
                .collect()
        }
        FieldKind::YesNo {} => vec![("oui".into(), s::YES.into()), ("non".into(), s::NO.into())],
        _ => Vec::new(),
    };
    if operator != Operator::In && !choices.is_empty() {
        let kind = kind.clone();
        return view! {
            <div class="field">
                <label for=id.clone()>{s::CONDITION_VALUE}</label>
                <select id=id prop:value=move || current.get() on:change=move |ev| {
                    if let Some(literal) = parse_literal(&kind, &event_target_value(&ev)) {
                        cond.edit_node(None, path.clone(), move |node| if let Condition::Compare { value, .. } = node { *value = literal });
                    }
                }>
                    {choices.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </div>
        }
        .into_any();
    }
    let input_kind = match (&kind, operator) {
        (FieldKind::Date { .. }, Operator::Compare(_)) => "date",
        _ => "text",
    };
    let hint = (operator == Operator::In).then_some(s::CONDITION_VALUES_HINT);
    view! {
        <Input id label=s::CONDITION_VALUE kind=input_kind value=current hint=hint.unwrap_or("")
            on_input=move |raw| {
                let literals: Option<Vec<Literal>> = if operator == Operator::In {
                    raw.split(';').filter(|v| !v.trim().is_empty()).map(|v| parse_literal(&kind, v)).collect()
                } else {
                    parse_literal(&kind, &raw).map(|l| vec![l])
                };
                let Some(literals) = literals else { return false };
                cond.edit_node(Some("condition_value"), path.clone(), move |node| match node {
                    Condition::Compare { value, .. } => if let Some(first) = literals.into_iter().next() { *value = first },
                    Condition::In { values, .. } => *values = literals,
                    _ => {}
                });
                true
            }/>
    }
    .into_any()
}
