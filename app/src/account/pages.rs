use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{
    AcceptInvitation, ForgotPassword, Login, Logout, ResetPassword, Signup, invitation_name,
    verify_email,
};
use super::model::{Role, UserView};
use super::strings as s;
use crate::context::{SiteView, reload_site_on_success, use_site};
use crate::identity::pages::CertifiedIdentitySection;
use crate::ui::{ErrorSummary, Field, Notice, Restricted, action_error, action_succeeded};

/// Links in the header: sign in / sign up, or the user's spaces and sign out.
#[component]
pub fn AccountLinks(user: Option<UserView>) -> impl IntoView {
    match user {
        None => view! {
            <ul class="nav-links">
                <li><A href="/connexion">{s::LOGIN_TITLE}</A></li>
                <li><A href="/inscription">{s::SIGNUP_TITLE}</A></li>
            </ul>
        }
        .into_any(),
        Some(user) => {
            let logout = ServerAction::<Logout>::new();
            reload_site_on_success(logout.value());
            let is_agent = user.has_role(Role::Agent);
            let is_admin = user.has_role(Role::Admin);
            view! {
                <ul class="nav-links">
                    <li><span class="user-name">{user.display_name.clone()}</span></li>
                    {is_agent.then(|| view! { <li><A href="/back-office">"Espace agents"</A></li> })}
                    {is_admin.then(|| view! { <li><A href="/admin/agents">"Administration"</A></li> })}
                    <li><A href="/mon-compte">{s::ACCOUNT_TITLE}</A></li>
                    <li>
                        <ActionForm action=logout attr:class="inline-form">
                            <button type="submit" class="link-button">{s::LOGOUT}</button>
                        </ActionForm>
                    </li>
                </ul>
            }
            .into_any()
        }
    }
}

#[component]
pub fn Signup() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let error = action_error(action.value());
    let done = action_succeeded(action.value());
    view! {
        <Title text=s::SIGNUP_TITLE/>
        <h1>{s::SIGNUP_TITLE}</h1>
        <Show
            when=move || done.get()
            fallback=move || view! {
                <ErrorSummary error/>
                <ActionForm action attr:class="form" attr:novalidate=true>
                    <Field name="display_name" label=s::FIELD_NAME error autocomplete="name"/>
                    <Field name="email" label=s::FIELD_EMAIL kind="email" error autocomplete="email"/>
                    <Field name="password" label=s::FIELD_PASSWORD kind="password" error hint=s::PASSWORD_HINT autocomplete="new-password"/>
                    <button type="submit" class="button">{s::SIGNUP_TITLE}</button>
                </ActionForm>
                <p>"Déjà inscrit ? " <A href="/connexion">{s::LOGIN_TITLE}</A></p>
            }
        >
            <Notice><p>{s::SIGNUP_DONE}</p></Notice>
        </Show>
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    reload_site_on_success(action.value());
    let error = action_error(action.value());
    // The page that sent the visitor here (`access`): the server follows it only if local.
    let query = use_query_map();
    let return_to = move || query.read().get(crate::access::RETURN_PARAM);
    let options = Resource::new(|| (), |_| crate::identity::api::sign_in_choices());
    view! {
        <Title text=s::LOGIN_TITLE/>
        <h1>{s::LOGIN_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                options.await.ok().map(|options| view! {
                    <crate::identity::pages::FederatedSignIn options return_to=query.read_untracked().get(crate::access::RETURN_PARAM)/>
                })
            })}
        </Suspense>
        <ErrorSummary error/>
        <ActionForm action attr:class="form" attr:novalidate=true>
            <input type="hidden" name="retour" value=move || return_to().unwrap_or_default()/>
            <Field name="email" label=s::FIELD_EMAIL kind="email" error autocomplete="username"/>
            <Field name="password" label=s::FIELD_PASSWORD kind="password" error autocomplete="current-password"/>
            <button type="submit" class="button">{s::LOGIN_TITLE}</button>
        </ActionForm>
        <p><A href="/mot-de-passe-oublie">{s::FORGOT_TITLE}</A></p>
        <p>"Pas encore de compte ? " <A href="/inscription">{s::SIGNUP_TITLE}</A></p>
    }
}

fn token_from_query() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("jeton").unwrap_or_default())
}

#[component]
pub fn VerifyEmail() -> impl IntoView {
    let token = token_from_query();
    // Opening the mailed link is the confirmation itself.
    let outcome = Resource::new_blocking(move || token.get(), verify_email);
    view! {
        <Title text=s::VERIFY_TITLE/>
        <h1>{s::VERIFY_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match outcome.await {
                    Ok(()) => view! {
                        <Notice><p>{s::VERIFY_DONE}</p></Notice>
                        <p><A href="/connexion" attr:class="button">{s::LOGIN_TITLE}</A></p>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <div class="alert alert-error" role="alert"><p>{error.to_string()}</p></div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let error = action_error(action.value());
    let done = action_succeeded(action.value());
    view! {
        <Title text=s::FORGOT_TITLE/>
        <h1>{s::FORGOT_TITLE}</h1>
        <Show
            when=move || done.get()
            fallback=move || view! {
                <ErrorSummary error/>
                <ActionForm action attr:class="form" attr:novalidate=true>
                    <Field name="email" label=s::FIELD_EMAIL kind="email" error autocomplete="email"/>
                    <button type="submit" class="button">"Recevoir un lien"</button>
                </ActionForm>
            }
        >
            <Notice><p>{s::FORGOT_DONE}</p></Notice>
        </Show>
    }
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = action_error(action.value());
    let done = action_succeeded(action.value());
    let token = token_from_query();
    view! {
        <Title text=s::RESET_TITLE/>
        <h1>{s::RESET_TITLE}</h1>
        <Show
            when=move || done.get()
            fallback=move || view! {
                <ErrorSummary error/>
                <ActionForm action attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="jeton" value=move || token.get()/>
                    <Field name="password" label=s::FIELD_NEW_PASSWORD kind="password" error hint=s::PASSWORD_HINT autocomplete="new-password"/>
                    <button type="submit" class="button">"Enregistrer"</button>
                </ActionForm>
            }
        >
            <Notice><p>{s::RESET_DONE}</p></Notice>
            <p><A href="/connexion" attr:class="button">{s::LOGIN_TITLE}</A></p>
        </Show>
    }
}

#[component]
pub fn AcceptInvitation() -> impl IntoView {
    let action = ServerAction::<AcceptInvitation>::new();
    reload_site_on_success(action.value());
    let error = action_error(action.value());
    let token = token_from_query();
    let invited_name = Resource::new(move || token.get(), invitation_name);
    view! {
        <Title text=s::INVITATION_TITLE/>
        <h1>{s::INVITATION_TITLE}</h1>
        <p>"Indiquez votre nom et choisissez le mot de passe de votre compte agent."</p>
        <ErrorSummary error/>
        <ActionForm action attr:class="form" attr:novalidate=true>
            <input type="hidden" name="jeton" value=move || token.get()/>
            <Suspense>
                {move || Suspend::new(async move {
                    // An unknown link still gets the form: its refusal comes with the answer.
                    let name = invited_name.await.unwrap_or_default();
                    view! {
                        <Field name="display_name" label=s::FIELD_NAME error hint=s::NAME_HINT autocomplete="name" value=name/>
                    }
                })}
            </Suspense>
            <Field name="password" label=s::FIELD_PASSWORD kind="password" error hint=s::PASSWORD_HINT autocomplete="new-password"/>
            <button type="submit" class="button">"Activer mon compte"</button>
        </ActionForm>
    }
}

#[component]
pub fn MyAccount() -> impl IntoView {
    let site = use_site();
    view! {
        <Title text=s::ACCOUNT_TITLE/>
        <h1>{s::ACCOUNT_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) => match tenant.user {
                        Some(user) => view! {
                            <dl class="summary">
                                <dt>{s::FIELD_NAME}</dt><dd data-testid="account-name">{user.display_name.clone()}</dd>
                                <dt>{s::FIELD_EMAIL}</dt><dd data-testid="account-email">{user.email.clone()}</dd>
                                <dt>"Profil"</dt>
                                <dd>{user.role.map(|r| r.label()).unwrap_or("Usager")}</dd>
                            </dl>
                            <p>"Vous êtes connecté au portail de " <strong>{tenant.name.clone()}</strong> "."</p>
                            {user.certified.clone().map(|identity| view! { <CertifiedIdentitySection identity/> })}
                            {(user.kind == super::model::UserKind::Citizen).then(|| view! {
                                <crate::people::pages::AccountPeopleLinks/>
                                <p><A href=crate::wallet::model::PAGE>{crate::wallet::strings::ACCOUNT_LINK}</A></p>
                            })}
                            {user.has_role(Role::Agent).then(|| view! {
                                <p><A href=crate::second_factor::ENROL_PATH>{crate::second_factor::strings::SECURITY_LINK}</A></p>
                            })}
                        }
                        .into_any(),
                        None => view! {
                            <Restricted message=crate::error::AppError::Unauthenticated.to_string()/>
                            <p><A href="/connexion" attr:class="button">{s::LOGIN_TITLE}</A></p>
                        }
                        .into_any(),
                    },
                    _ => view! { <Restricted message="Page introuvable.".to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
        // Outside the gate: its resource is created with the page (see ARCHITECTURE, hydration).
        <crate::identity::pages::FederationLinks/>
    }
}
