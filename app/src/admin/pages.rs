use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{InviteAgent, SetAgentActive, list_users};
use super::strings as s;
use crate::account::model::{Role, UserKind, UserView};
use crate::account::strings as account_strings;
use crate::context::{SiteView, use_site};
use crate::ui::{ErrorSummary, Field, Notice, Restricted, action_error, action_succeeded};

#[component]
pub fn Agents() -> impl IntoView {
    let site = use_site();
    // The action and the list are created here, before the gate's suspense: created inside it,
    // the list's place among the page's resources depended on which suspense the server resumed
    // first, and the browser could hydrate it against another resource's data.
    let invite = ServerAction::<InviteAgent>::new();
    let toggle = ServerAction::<SetAgentActive>::new();
    let users = Resource::new(
        move || (invite.version().get(), toggle.version().get()),
        |_| list_users(),
    );
    view! {
        <Title text=s::AGENTS_TITLE/>
        <h1>{s::AGENTS_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) if tenant.user.as_ref().is_some_and(|u| u.has_role(Role::Admin)) => {
                        view! {
                            <ul class="admin-links">
                                <li><A href="/administration/organigramme">{crate::org::strings::ORG_LINK}</A></li>
                                <li><A href="/administration/apparence">{crate::branding::strings::PAGE_TITLE}</A></li>
                                <li><A href="/administration/contextes">{crate::contexts::strings::ADMIN_LINK}</A></li>
                                <li><A href="/administration/courriels">{crate::mail::strings::ADMIN_LINK}</A></li>
                                <li><A href="/administration/identite">{crate::identity::strings::ADMIN_TITLE}</A></li>
                                <li><A href=crate::second_factor::SETTINGS_PATH>{crate::second_factor::strings::ADMIN_LINK}</A></li>
                            </ul>
                            <AgentsPanel invite toggle users/>
                        }
                        .into_any()
                    }
                    _ => view! { <Restricted message=account_strings::NOT_AN_ADMIN.to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AgentsPanel(
    invite: ServerAction<InviteAgent>,
    toggle: ServerAction<SetAgentActive>,
    users: Resource<Result<Vec<UserView>, crate::error::AppError>>,
) -> impl IntoView {
    let error = action_error(invite.value());
    let done = action_succeeded(invite.value());
    view! {
        <section aria-labelledby="inviter">
            <h2 id="inviter">{s::INVITE_TITLE}</h2>
            <ErrorSummary error/>
            <Show when=move || done.get()><Notice><p>{s::INVITE_DONE}</p></Notice></Show>
            <ActionForm action=invite attr:class="form" attr:novalidate=true>
                <Field name="display_name" label=account_strings::FIELD_NAME error/>
                <Field name="email" label=account_strings::FIELD_EMAIL kind="email" error/>
                <div class="field">
                    <label for="champ-role">{s::FIELD_ROLE}</label>
                    <select id="champ-role" name="role">
                        {Role::ALL.into_iter().map(|role| view! { <option value=role.as_str()>{role.label()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Envoyer l'invitation"</button>
            </ActionForm>
        </section>
        <section aria-labelledby="comptes">
            <h2 id="comptes">"Comptes"</h2>
            <ErrorSummary error=action_error(toggle.value())/>
            <Transition>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(users) => view! { <UsersTable users toggle/> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UsersTable(users: Vec<UserView>, toggle: ServerAction<SetAgentActive>) -> impl IntoView {
    view! {
        <div class="table-wrapper" role="region" aria-label="Comptes de la collectivité" tabindex="0">
            <table>
                <caption class="sr-only">"Comptes de la collectivité"</caption>
                <thead>
                    <tr><th scope="col">"Nom"</th><th scope="col">"E-mail"</th><th scope="col">"Profil"</th><th scope="col">"État"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr>
                </thead>
                <tbody>
                    {users
                        .into_iter()
                        .map(|user| {
                            let profile = match (user.kind, user.role) {
                                (UserKind::Agent, Some(role)) => role.label(),
                                _ => s::CITIZEN,
                            };
                            let action = (user.kind == UserKind::Agent).then(|| {
                                let (label, value) = if user.deactivated {
                                    (account_strings::REACTIVATE, "1")
                                } else {
                                    (account_strings::DEACTIVATE, "0")
                                };
                                let name = format!("{label} {}", user.display_name);
                                view! {
                                    <ActionForm action=toggle attr:class="inline-form">
                                        <input type="hidden" name="user_id" value=user.id.clone()/>
                                        <input type="hidden" name="actif" value=value/>
                                        <button type="submit" class="link-button" aria-label=name>{label}</button>
                                    </ActionForm>
                                }
                            });
                            let state = if user.deactivated {
                                account_strings::DEACTIVATED
                            } else if user.pending_invitation {
                                s::PENDING
                            } else if user.verified {
                                "Actif"
                            } else {
                                "Adresse non vérifiée"
                            };
                            view! {
                                <tr>
                                    <td>{user.display_name}</td>
                                    <td>{user.email}</td>
                                    <td>{profile}</td>
                                    <td>{state}</td>
                                    <td>{action}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
