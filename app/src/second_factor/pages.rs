//! The second factor's pages: the sign-in's code page, the account's security page (agents at
//! `/mon-compte/securite`, operators at `/plateforme/securite`) and the mandatory switch
//! (`/administration/securite`, and the operators' page). Plain forms (`ActionForm`): each
//! works before hydration and without JavaScript; what the server decided (fresh recovery
//! codes, attempts left) is read back by the page's resource, so it shows after a plain post's
//! redirect too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{
    ConfirmEnrolment, DisableSecondFactor, RegenerateCodes, ResetSecondFactor, SetRequired,
    StartEnrolment, VerifyCode, challenge_state, second_factor_status, security_settings,
};
use super::model::{
    ChallengeView, EnrolledAccount, Enrolment, FactorState, SecondFactorView, SecuritySettingsView,
};
use super::strings as s;
use crate::context::reload_site_on_success;
use crate::ui::{ErrorSummary, Field, Notice, Restricted, action_error, action_succeeded};

/// `/connexion/code`: an agent's sign-in, after the password.
#[component]
pub fn AgentCodePage() -> impl IntoView {
    view! { <CodePage restart="/connexion"/> }
}

/// `/plateforme/connexion/code`: an operator's sign-in, after the password.
#[component]
pub fn OperatorCodePage() -> impl IntoView {
    view! { <CodePage restart="/plateforme"/> }
}

/// The sign-in's second step. Shows nothing of the account: only whether a sign-in is
/// waiting at this host and how many wrong codes it may still take.
#[component]
fn CodePage(restart: &'static str) -> impl IntoView {
    let verify = ServerAction::<VerifyCode>::new();
    reload_site_on_success(verify.value());
    let error = action_error(verify.value());
    let challenge = Resource::new(move || verify.version().get(), |_| challenge_state());
    view! {
        <Title text=s::CODE_TITLE/>
        <h1>{s::CODE_TITLE}</h1>
        <ErrorSummary error/>
        <Suspense>
            {move || Suspend::new(async move {
                match challenge.await {
                    Ok(Some(challenge)) => view! { <CodeForms verify challenge/> }.into_any(),
                    Ok(None) => view! {
                        <Restricted message=s::CHALLENGE_GONE.to_owned()/>
                        <p><A href=restart attr:class="button">{s::CODE_RESTART}</A></p>
                    }
                    .into_any(),
                    Err(error) => view! { <Restricted message=error.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CodeForms(verify: ServerAction<VerifyCode>, challenge: ChallengeView) -> impl IntoView {
    let error = action_error(verify.value());
    view! {
        <p>{s::CODE_INTRO}</p>
        {challenge.refused.then(|| view! {
            <p class="hint" data-testid="attempts-left">{s::attempts_left(challenge.attempts_left)}</p>
        })}
        <ActionForm action=verify attr:class="form" attr:novalidate=true>
            <Field name="code" label=s::FIELD_CODE error hint=s::CODE_HINT
                autocomplete="one-time-code" inputmode="numeric"/>
            <button type="submit" class="button">{s::CODE_SUBMIT}</button>
        </ActionForm>
        <details class="recovery">
            <summary>{s::RECOVERY_SUMMARY}</summary>
            <ActionForm action=verify attr:class="form" attr:novalidate=true>
                <Field name="secours" label=s::FIELD_RECOVERY error hint=s::RECOVERY_HINT autocomplete="off"/>
                <button type="submit" class="button button-secondary">{s::CODE_SUBMIT}</button>
            </ActionForm>
        </details>
    }
}

/// `/mon-compte/securite`: an agent's own second factor.
#[component]
pub fn AgentSecurityPage() -> impl IntoView {
    view! { <SecurityPage home="/back-office"/> }
}

/// `/plateforme/securite`: an operator's own second factor, and the operators' switch.
#[component]
pub fn OperatorSecurityPage() -> impl IntoView {
    view! {
        <SecurityPage home="/plateforme"/>
        <SwitchPanel audience=Audience::Operators/>
    }
}

/// `/administration/securite` (tenant admins): the agents' switch.
#[component]
pub fn AdminSecurityPage() -> impl IntoView {
    view! {
        <Title text=s::SETTINGS_TITLE/>
        <h1>{s::SETTINGS_TITLE}</h1>
        <p><A href=super::ENROL_PATH>{s::OWN_FACTOR_LINK}</A></p>
        <SwitchPanel audience=Audience::Agents/>
    }
}

#[component]
fn SecurityPage(home: &'static str) -> impl IntoView {
    let start = ServerAction::<StartEnrolment>::new();
    let confirm = ServerAction::<ConfirmEnrolment>::new();
    let regenerate = ServerAction::<RegenerateCodes>::new();
    let disable = ServerAction::<DisableSecondFactor>::new();
    let disabled = action_succeeded(disable.value());
    let status = Resource::new(
        move || {
            (
                start.version().get(),
                confirm.version().get(),
                regenerate.version().get(),
                disable.version().get(),
            )
        },
        |_| second_factor_status(),
    );
    // Where the agent was going when they were sent here to enrol (a local path only).
    let onward = use_query_map()
        .get_untracked()
        .get(crate::access::RETURN_PARAM)
        .filter(|path| crate::access::safe_return_path(path).is_some())
        .unwrap_or_else(|| home.to_owned());
    view! {
        <Title text=s::SECURITY_TITLE/>
        <h1>{s::SECURITY_TITLE}</h1>
        <Show when=move || disabled.get()><Notice><p>{s::DISABLED}</p></Notice></Show>
        <Suspense>
            {move || {
                let onward = onward.clone();
                Suspend::new(async move {
                    match status.await {
                        Ok(view) => view! {
                            <FactorPanel view onward start confirm regenerate disable/>
                        }
                        .into_any(),
                        Err(error) => view! { <Restricted message=error.to_string()/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn FactorPanel(
    view: SecondFactorView,
    onward: String,
    start: ServerAction<StartEnrolment>,
    confirm: ServerAction<ConfirmEnrolment>,
    regenerate: ServerAction<RegenerateCodes>,
    disable: ServerAction<DisableSecondFactor>,
) -> impl IntoView {
    let SecondFactorView {
        state,
        required,
        fresh_codes,
    } = view;
    let on = matches!(state, FactorState::On { .. });
    let codes = (!fresh_codes.is_empty()).then(|| {
        view! {
            <section aria-labelledby="codes-secours" class="recovery-codes">
                <h2 id="codes-secours">{s::CODES_TITLE}</h2>
                <p>{s::CODES_INTRO}</p>
                <ul data-testid="recovery-codes">
                    {fresh_codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                </ul>
                <p><a href=onward class="button">{s::CONTINUE}</a></p>
            </section>
        }
    });
    let body = match state {
        FactorState::Off => view! { <OffPanel start/> }.into_any(),
        FactorState::Pending(enrolment) => view! { <PendingPanel enrolment confirm/> }.into_any(),
        FactorState::On { since, codes_left } => {
            view! { <OnPanel since codes_left regenerate disable/> }.into_any()
        }
    };
    view! {
        {(required && !on).then(|| view! {
            <div class="alert alert-info" role="status"><p>{s::REQUIRED_NOTICE}</p></div>
        })}
        {codes}
        {body}
    }
}

#[component]
fn OffPanel(start: ServerAction<StartEnrolment>) -> impl IntoView {
    let error = action_error(start.value());
    view! {
        <p data-testid="second-factor-state">{s::STATE_OFF}</p>
        <p>{s::SECURITY_INTRO}</p>
        <ErrorSummary error/>
        <ActionForm action=start attr:class="form">
            <button type="submit" class="button">{s::START}</button>
        </ActionForm>
    }
}

#[component]
fn PendingPanel(enrolment: Enrolment, confirm: ServerAction<ConfirmEnrolment>) -> impl IntoView {
    let error = action_error(confirm.value());
    view! {
        <p>{s::SECURITY_INTRO}</p>
        <p>{s::SCAN}</p>
        <div class="qr-code" inner_html=enrolment.qr_svg></div>
        <p>{s::MANUAL}</p>
        <p><code class="totp-secret" data-testid="totp-secret">{enrolment.secret}</code></p>
        <p>{s::CONFIRM_STEP}</p>
        <ErrorSummary error/>
        <ActionForm action=confirm attr:class="form" attr:novalidate=true>
            <Field name="code" label=s::FIELD_CODE error hint=s::CODE_HINT
                autocomplete="one-time-code" inputmode="numeric"/>
            <button type="submit" class="button">{s::CONFIRM}</button>
        </ActionForm>
    }
}

#[component]
fn OnPanel(
    since: String,
    codes_left: u32,
    regenerate: ServerAction<RegenerateCodes>,
    disable: ServerAction<DisableSecondFactor>,
) -> impl IntoView {
    let regenerate_error = action_error(regenerate.value());
    let disable_error = action_error(disable.value());
    view! {
        <p data-testid="second-factor-state">{s::state_on(&since)}</p>
        <p>{s::codes_left(codes_left)}</p>
        <section aria-labelledby="nouveaux-codes">
            <h2 id="nouveaux-codes">{s::REGENERATE_TITLE}</h2>
            <p>{s::REGENERATE_INTRO}</p>
            <ErrorSummary error=regenerate_error/>
            <ActionForm action=regenerate attr:class="form" attr:novalidate=true>
                <Field name="code" label=s::FIELD_CODE error=regenerate_error hint=s::CODE_HINT
                    autocomplete="one-time-code" inputmode="numeric"/>
                <button type="submit" class="button button-secondary">{s::REGENERATE}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="desactiver">
            <h2 id="desactiver">{s::DISABLE_TITLE}</h2>
            <ErrorSummary error=disable_error/>
            <ActionForm action=disable attr:class="form" attr:novalidate=true>
                <Field name="preuve" label=s::FIELD_PROOF kind="password" error=disable_error
                    hint=s::PROOF_HINT autocomplete="current-password"/>
                <button type="submit" class="button button-secondary">{s::DISABLE}</button>
            </ActionForm>
        </section>
    }
}

/// Whose switch: a commune's agents, or the platform's operators.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Agents,
    Operators,
}

#[component]
fn SwitchPanel(audience: Audience) -> impl IntoView {
    let save = ServerAction::<SetRequired>::new();
    let reset = ServerAction::<ResetSecondFactor>::new();
    let settings = Resource::new(
        move || (save.version().get(), reset.version().get()),
        |_| security_settings(),
    );
    let error = action_error(save.value());
    let saved = action_succeeded(save.value());
    view! {
        <section aria-labelledby="obligation">
            <h2 id="obligation">{s::SETTINGS_TITLE}</h2>
            <ErrorSummary error/>
            <Show when=move || saved.get()><Notice><p>{s::SAVED}</p></Notice></Show>
            <Suspense>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(view) => view! { <SwitchForm view save reset audience/> }.into_any(),
                        Err(error) => view! { <Restricted message=error.to_string()/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SwitchForm(
    view: SecuritySettingsView,
    save: ServerAction<SetRequired>,
    reset: ServerAction<ResetSecondFactor>,
    audience: Audience,
) -> impl IntoView {
    let (label, hint, count, missing_title) = match audience {
        Audience::Agents => (
            s::REQUIRED_AGENTS_LABEL,
            s::REQUIRED_AGENTS_HINT,
            s::enrolled_agents(view.enrolled, view.total),
            s::AGENTS_MISSING,
        ),
        Audience::Operators => (
            s::REQUIRED_OPERATORS_LABEL,
            s::REQUIRED_OPERATORS_HINT,
            s::enrolled_operators(view.enrolled, view.total),
            s::OPERATORS_MISSING,
        ),
    };
    let missing = view.missing;
    let enrolled = view.enrolled_accounts;
    view! {
        <ActionForm action=save attr:class="form">
            <div class="checkbox">
                <input type="checkbox" id="champ-required" name="required" value="true"
                    checked=view.required aria-describedby="champ-required-aide"/>
                <label for="champ-required">{label}</label>
            </div>
            <p class="hint" id="champ-required-aide">{hint}</p>
            <button type="submit" class="button">{s::SAVE}</button>
        </ActionForm>
        <p data-testid="enrolled-count">{count}</p>
        {(!missing.is_empty()).then(|| view! {
            <h3>{missing_title}</h3>
            <ul data-testid="not-enrolled">
                {missing.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
            </ul>
        })}
        <ResetList enrolled reset/>
    }
}

/// The accounts with a second factor, each with its reset (not one's own).
#[component]
fn ResetList(
    enrolled: Vec<EnrolledAccount>,
    reset: ServerAction<ResetSecondFactor>,
) -> impl IntoView {
    let error = action_error(reset.value());
    let done = action_succeeded(reset.value());
    (!enrolled.is_empty()).then(|| {
        view! {
            <h3>{s::ENROLLED_TITLE}</h3>
            <p class="hint">{s::RESET_HINT}</p>
            <ErrorSummary error/>
            <Show when=move || done.get()><Notice><p>{s::RESET_DONE}</p></Notice></Show>
            <ul data-testid="enrolled">
                {enrolled
                    .into_iter()
                    .map(|account| {
                        let name = format!("{} ({})", account.display_name, account.email);
                        view! {
                            <li>
                                {name.clone()}
                                {(!account.is_self).then(|| view! {
                                    " "
                                    <ActionForm action=reset attr:class="inline-form">
                                        <input type="hidden" name="compte" value=account.id.clone()/>
                                        <button type="submit" class="button button-secondary"
                                            aria-label=s::reset_label(&name)>{s::RESET}</button>
                                    </ActionForm>
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}
