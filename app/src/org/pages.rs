//! `/administration/organigramme` (tenant admins): the services tree, members and their
//! rights, delegations. `/back-office/absences` (any agent): their own delegations.
//!
//! Every change is a plain form (`ActionForm`), so the pages work without JavaScript; each
//! form shows its own error next to it, and a successful change reloads the chart.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{
    AddDelegation, CreateService, DeleteService, MyAbsences, RemoveDelegation, RemoveMember,
    SetMember, UpdateService, load_my_absences, load_org_chart,
};
use super::model::{Access, AgentOption, DelegationView, OrgChart, ServiceKind, ServiceView};
use super::strings as s;
use crate::account::model::Role;
use crate::account::strings as account_strings;
use crate::context::{SiteView, use_site};
use crate::error::AppError;
use crate::ui::{ErrorSummary, Notice, Restricted, action_error};

/// Shown only to users with at least `role`.
fn gate(role: Role, message: &'static str, page: fn() -> AnyView) -> impl IntoView {
    let site = use_site();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) if tenant.user.as_ref().is_some_and(|u| u.has_role(role)) => page(),
                    _ => view! { <Restricted message=message.to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Reloads the page's data after a successful change and says it was saved.
#[derive(Clone, Copy)]
struct Changes {
    version: RwSignal<u32>,
    saved: RwSignal<bool>,
}

impl Changes {
    fn new() -> Self {
        Self {
            version: RwSignal::new(0),
            saved: RwSignal::new(false),
        }
    }

    /// Watches an action: its success reloads the data.
    fn watch<T, S>(self, value: S)
    where
        T: Clone + Send + Sync + 'static,
        S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    {
        Effect::new(move |_| {
            if matches!(value.get(), Some(Ok(_))) {
                self.saved.set(true);
                self.version.update(|v| *v += 1);
            }
        });
    }
}

/// The error of one form, announced, right next to it.
#[component]
fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! { <p class="error-message" role="alert">{e.to_string()}</p> }
        })
    }
}

fn kind_options(selected: Option<ServiceKind>) -> impl IntoView + use<> {
    ServiceKind::ALL
        .into_iter()
        .map(|kind| {
            view! { <option value=kind.code() selected=selected == Some(kind)>{kind.label()}</option> }
        })
        .collect_view()
}

fn access_options(selected: Option<Access>) -> impl IntoView + use<> {
    Access::ALL
        .into_iter()
        .map(|access| {
            view! { <option value=access.code() selected=selected == Some(access)>{access.label()}</option> }
        })
        .collect_view()
}

fn agent_options(agents: &[AgentOption]) -> impl IntoView + use<> {
    view! {
        <option value="">{s::CHOOSE_AGENT}</option>
        {agents
            .iter()
            .map(|a| view! { <option value=a.id.clone()>{a.display_name.clone()}</option> })
            .collect_view()}
    }
}

/// `(id, path)` of every service but `except`, after a "first level" choice.
fn parent_options(
    services: &[(String, String)],
    except: Option<&str>,
    selected: Option<&str>,
) -> impl IntoView + use<> {
    view! {
        <option value="" selected=selected.is_none()>{s::NO_PARENT}</option>
        {services
            .iter()
            .filter(|(id, _)| Some(id.as_str()) != except)
            .map(|(id, path)| {
                view! { <option value=id.clone() selected=Some(id.as_str()) == selected>{path.clone()}</option> }
            })
            .collect_view()}
    }
}

// --- /administration/organigramme ------------------------------------------------------------

#[component]
pub fn OrgChartPage() -> impl IntoView {
    view! {
        <Title text=s::PAGE_TITLE/>
        <p><A href="/admin/agents">{s::BACK_TO_ADMIN}</A></p>
        <h1>{s::PAGE_TITLE}</h1>
        <p class="lead">{s::INTRO}</p>
        {gate(Role::Admin, account_strings::NOT_AN_ADMIN, || view! { <OrgPanel/> }.into_any())}
    }
}

#[component]
fn OrgPanel() -> impl IntoView {
    let changes = Changes::new();
    let chart = Resource::new(move || changes.version.get(), |_| load_org_chart());
    view! {
        <Show when=move || changes.saved.get()><Notice><p>{s::SAVED}</p></Notice></Show>
        <Transition>
            {move || Suspend::new(async move {
                match chart.await {
                    Ok(chart) => view! { <OrgChartView chart changes/> }.into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrgChartView(chart: OrgChart, changes: Changes) -> impl IntoView {
    let OrgChart {
        services,
        agents,
        delegations,
    } = chart;
    let paths: Vec<(String, String)> = services
        .iter()
        .map(|s| (s.id.clone(), s.path.clone()))
        .collect();
    let rows = if services.is_empty() {
        view! { <p>{s::NO_SERVICES}</p> }.into_any()
    } else {
        view! {
            <ul class="org-tree">
                {services
                    .into_iter()
                    .map(|service| {
                        view! { <ServiceItem service paths=paths.clone() agents=agents.clone() changes/> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="services">
            <h2 id="services">{s::SERVICES_TITLE}</h2>
            {rows}
        </section>
        <NewService paths changes/>
        <Delegations agents delegations changes/>
    }
}

#[component]
fn NewService(paths: Vec<(String, String)>, changes: Changes) -> impl IntoView {
    let create = ServerAction::<CreateService>::new();
    changes.watch(create.value());
    let error = action_error(create.value());
    let parents = parent_options(&paths, None, None);
    view! {
        <section aria-labelledby="nouveau-service">
            <h2 id="nouveau-service">{s::NEW_SERVICE_TITLE}</h2>
            <ErrorSummary error/>
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="nouveau-nom">{s::FIELD_NAME}</label>
                    <input id="nouveau-nom" name="name" type="text" required/>
                </div>
                <div class="field">
                    <label for="nouveau-niveau">{s::FIELD_KIND}</label>
                    <select id="nouveau-niveau" name="kind">{kind_options(Some(ServiceKind::Service))}</select>
                </div>
                <div class="field">
                    <label for="nouveau-parent">{s::FIELD_PARENT}</label>
                    <select id="nouveau-parent" name="parent">{parents}</select>
                </div>
                <button type="submit" class="button">{s::ADD_SERVICE}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ServiceItem(
    service: ServiceView,
    paths: Vec<(String, String)>,
    agents: Vec<AgentOption>,
    changes: Changes,
) -> impl IntoView {
    let update = ServerAction::<UpdateService>::new();
    let delete = ServerAction::<DeleteService>::new();
    let add = ServerAction::<SetMember>::new();
    changes.watch(update.value());
    changes.watch(delete.value());
    changes.watch(add.value());
    let update_error = action_error(update.value());
    let delete_error = action_error(delete.value());
    let add_error = action_error(add.value());
    let ServiceView {
        id,
        parent_id,
        name,
        kind,
        depth,
        path,
        members,
    } = service;
    let dom = format!("service-{id}");
    let (name_id, kind_id, parent_id_dom, agent_id, access_id) = (
        format!("{dom}-nom"),
        format!("{dom}-niveau"),
        format!("{dom}-parent"),
        format!("{dom}-agent"),
        format!("{dom}-droit"),
    );
    let parents = parent_options(&paths, Some(&id), parent_id.as_deref());
    let heading = s::service_heading(&name, kind.label());
    let (edit_label, delete_label) = (s::edit_service_label(&name), s::delete_service_label(&name));
    let members_view = if members.is_empty() {
        view! { <p>{s::NO_MEMBERS}</p> }.into_any()
    } else {
        let caption = s::members_caption(&name);
        let region = caption.clone();
        let rows = members
            .into_iter()
            .map(|member| view! { <MemberRow service_id=id.clone() service_name=name.clone() member changes/> })
            .collect_view();
        view! {
            <div class="table-wrapper" role="region" aria-label=region tabindex="0">
                <table>
                    <caption class="sr-only">{caption}</caption>
                    <thead>
                        <tr><th scope="col">{s::FIELD_AGENT}</th><th scope="col">{s::FIELD_ACCESS}</th><th scope="col"><span class="sr-only">{s::REMOVE_MEMBER}</span></th></tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let (update_id, delete_id, member_service) = (id.clone(), id.clone(), id);
    view! {
        <li class=format!("org-service org-depth-{}", depth.min(4))>
            <h3>{heading}</h3>
            <p class="hint">{path}</p>
            <details>
                <summary aria-label=edit_label>{s::EDIT_SERVICE}</summary>
                <ActionForm action=update attr:class="form">
                    <input type="hidden" name="id" value=update_id/>
                    <div class="field">
                        <label for=name_id.clone()>{s::FIELD_NAME}</label>
                        <input id=name_id name="name" type="text" value=name required/>
                    </div>
                    <div class="field">
                        <label for=kind_id.clone()>{s::FIELD_KIND}</label>
                        <select id=kind_id name="kind">{kind_options(Some(kind))}</select>
                    </div>
                    <div class="field">
                        <label for=parent_id_dom.clone()>{s::FIELD_PARENT}</label>
                        <select id=parent_id_dom name="parent">{parents}</select>
                    </div>
                    <FormError error=update_error/>
                    <button type="submit" class="button">{s::SAVE_SERVICE}</button>
                </ActionForm>
            </details>
            <ActionForm action=delete attr:class="inline-form">
                <input type="hidden" name="id" value=delete_id/>
                <button type="submit" class="link-button" aria-label=delete_label>{s::DELETE_SERVICE}</button>
                <FormError error=delete_error/>
            </ActionForm>
            <h4>{s::MEMBERS}</h4>
            {members_view}
            <ActionForm action=add attr:class="form org-add-member">
                <input type="hidden" name="service" value=member_service/>
                <fieldset>
                    <legend>{s::ADD_MEMBER_TITLE}</legend>
                    <div class="field">
                        <label for=agent_id.clone()>{s::FIELD_AGENT}</label>
                        <select id=agent_id name="user">{agent_options(&agents)}</select>
                    </div>
                    <div class="field">
                        <label for=access_id.clone()>{s::FIELD_ACCESS}</label>
                        <select id=access_id name="access">{access_options(Some(Access::Consultation))}</select>
                    </div>
                    <FormError error=add_error/>
                    <button type="submit" class="button button-secondary">{s::ADD_MEMBER}</button>
                </fieldset>
            </ActionForm>
        </li>
    }
}

#[component]
fn MemberRow(
    service_id: String,
    service_name: String,
    member: super::model::MemberView,
    changes: Changes,
) -> impl IntoView {
    let set = ServerAction::<SetMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    changes.watch(set.value());
    changes.watch(remove.value());
    let set_error = action_error(set.value());
    let remove_error = action_error(remove.value());
    let select_id = format!("droit-{service_id}-{}", member.user_id);
    let access_label = s::access_label(&member.display_name);
    let remove_label = s::remove_member_label(&member.display_name, &service_name);
    let access = access_options(Some(member.access));
    let (set_service, set_user) = (service_id.clone(), member.user_id.clone());
    let (remove_service, remove_user) = (service_id, member.user_id);
    view! {
        <tr>
            <td>{member.display_name}<br/><span class="hint">{member.email}</span></td>
            <td>
                <ActionForm action=set attr:class="inline-form">
                    <input type="hidden" name="service" value=set_service/>
                    <input type="hidden" name="user" value=set_user/>
                    <label class="sr-only" for=select_id.clone()>{access_label}</label>
                    <select id=select_id name="access">{access}</select>
                    " "
                    <button type="submit" class="link-button">{s::CHANGE_ACCESS}</button>
                    <FormError error=set_error/>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=remove attr:class="inline-form">
                    <input type="hidden" name="service" value=remove_service/>
                    <input type="hidden" name="user" value=remove_user/>
                    <button type="submit" class="link-button" aria-label=remove_label>{s::REMOVE_MEMBER}</button>
                    <FormError error=remove_error/>
                </ActionForm>
            </td>
        </tr>
    }
}

/// The list of delegations, each with its delete button.
#[component]
fn DelegationList(delegations: Vec<DelegationView>, changes: Changes) -> impl IntoView {
    if delegations.is_empty() {
        return view! { <p>{s::NO_DELEGATIONS}</p> }.into_any();
    }
    view! {
        <ul class="org-delegations">
            {delegations
                .into_iter()
                .map(|d| view! { <DelegationItem delegation=d changes/> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn DelegationItem(delegation: DelegationView, changes: Changes) -> impl IntoView {
    let remove = ServerAction::<RemoveDelegation>::new();
    changes.watch(remove.value());
    let error = action_error(remove.value());
    let line = s::delegation_line(
        &delegation.from_name,
        &delegation.to_name,
        &delegation.starts_on,
        &delegation.ends_on,
    );
    view! {
        <li>
            {line.clone()}
            " "
            <ActionForm action=remove attr:class="inline-form">
                <input type="hidden" name="id" value=delegation.id/>
                <button type="submit" class="link-button" aria-label=s::remove_delegation_label(&line)>{s::REMOVE_DELEGATION}</button>
                <FormError error/>
            </ActionForm>
        </li>
    }
}

/// The form recording a delegation; `me`: the absent agent is the signed-in one.
#[component]
fn DelegationForm(agents: Vec<AgentOption>, me: Option<String>, changes: Changes) -> impl IntoView {
    let add = ServerAction::<AddDelegation>::new();
    changes.watch(add.value());
    let error = action_error(add.value());
    let message = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|e| view! { <p class="error-message" id=format!("delegation-{field}-erreur")>{e.to_string()}</p> })
        }
    };
    let from = match me {
        Some(me) => view! { <input type="hidden" name="from" value=me/> }.into_any(),
        None => view! {
            <div class="field">
                <label for="delegation-from">{s::FIELD_FROM}</label>
                <select id="delegation-from" name="from">{agent_options(&agents)}</select>
                {message("from")}
            </div>
        }
        .into_any(),
    };
    let to_options = agent_options(&agents);
    view! {
        <ErrorSummary error/>
        <ActionForm action=add attr:class="form" attr:novalidate=true>
            {from}
            <div class="field">
                <label for="delegation-to">{s::FIELD_TO}</label>
                <select id="delegation-to" name="to">{to_options}</select>
                {message("to")}
            </div>
            <p class="hint" id="delegation-dates-aide">{s::DATES_HINT}</p>
            <div class="field">
                <label for="delegation-starts">{s::FIELD_STARTS}</label>
                <input id="delegation-starts" name="starts_on" type="date" required aria-describedby="delegation-dates-aide"/>
                {message("starts_on")}
            </div>
            <div class="field">
                <label for="delegation-ends">{s::FIELD_ENDS}</label>
                <input id="delegation-ends" name="ends_on" type="date" required aria-describedby="delegation-dates-aide"/>
                {message("ends_on")}
            </div>
            <button type="submit" class="button">{s::ADD_DELEGATION}</button>
        </ActionForm>
    }
}

#[component]
fn Delegations(
    agents: Vec<AgentOption>,
    delegations: Vec<DelegationView>,
    changes: Changes,
) -> impl IntoView {
    view! {
        <section aria-labelledby="delegations">
            <h2 id="delegations">{s::DELEGATIONS_TITLE}</h2>
            <DelegationList delegations changes/>
            <DelegationForm agents me=None changes/>
        </section>
    }
}

// --- /back-office/absences -------------------------------------------------------------------

#[component]
pub fn AbsencesPage() -> impl IntoView {
    view! {
        <Title text=s::ABSENCES_TITLE/>
        <p><A href="/back-office">"Retour au back-office"</A></p>
        <h1>{s::ABSENCES_TITLE}</h1>
        <p class="lead">{s::ABSENCES_INTRO}</p>
        {gate(Role::Agent, account_strings::NOT_AN_AGENT, || view! { <AbsencesPanel/> }.into_any())}
    }
}

#[component]
fn AbsencesPanel() -> impl IntoView {
    let changes = Changes::new();
    let data = Resource::new(move || changes.version.get(), |_| load_my_absences());
    view! {
        <Show when=move || changes.saved.get()><Notice><p>{s::DELEGATION_SAVED}</p></Notice></Show>
        <Transition>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <AbsencesView data changes/> }.into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AbsencesView(data: MyAbsences, changes: Changes) -> impl IntoView {
    let MyAbsences {
        me,
        agents,
        delegations,
        rights,
    } = data;
    let rights_view = if rights.is_empty() {
        view! { <p>{s::NO_RIGHTS}</p> }.into_any()
    } else {
        view! {
            <ul>
                {rights
                    .into_iter()
                    .map(|(path, access)| view! { <li>{s::right_line(&path, access.label())}</li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="mes-delegations">
            <h2 id="mes-delegations">{s::MY_DELEGATIONS}</h2>
            <DelegationList delegations changes/>
            <DelegationForm agents me=Some(me) changes/>
        </section>
        <section aria-labelledby="mes-droits">
            <h2 id="mes-droits">{s::MY_RIGHTS}</h2>
            {rights_view}
        </section>
    }
}
