//! The shell, the App and the one route tree (French paths: they are what citizens see).

use leptos::prelude::*;
use leptos_meta::{MetaTags, Style, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::context::{SiteView, provide_site, use_site};
use crate::{
    account, admin, backoffice, branding, contexts, designer, identity, letters, mail, org, people,
    platform, portal, responses, second_factor, store, workflow,
};

/// Pages citizens open first, often on a phone, that ship without the Leptos runtime: they are
/// plain server-rendered HTML enhanced by the small `guichet-enhance` bundle, so a citizen's
/// first load stays light and no agent-side code (the designer) weighs on it. Links to them
/// from hydrated pages are `rel="external"`, so they are always loaded this way.
pub fn is_lean_page(path: &str) -> bool {
    let under = |prefix: &str| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    [
        "/demarches",
        "/brouillons",
        "/mes-demarches",
        "/mes-demandes",
        "/suivi",
    ]
    .into_iter()
    .any(under)
}

/// Loads the enhancement bundle (built by the scripts into `pkg/enhance/`).
const ENHANCE_SCRIPT: &str = "import init from '/pkg/enhance/enhance.js'; init();";

fn lean_request() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|parts| is_lean_page(parts.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Server functions called while the page renders leave its status alone (see reply.rs).
    #[cfg(feature = "ssr")]
    provide_context(crate::infra::reply::RenderingPage);
    // The footer is the tenant's (its look rides on the request's cached tenant) and is part of
    // the shell, outside the hydrated app: waiting for the site inside the app would add a
    // suspense after the page's own, whose hydration order then depends on timing.
    #[cfg(feature = "ssr")]
    let look = match crate::infra::current_site() {
        Ok(crate::infra::Site::Tenant(tenant)) => Some(tenant.branding.clone()),
        _ => None,
    };
    #[cfg(not(feature = "ssr"))]
    let look: Option<crate::context::Branding> = None;
    // The icon's address changes with the logo, so browsers do not keep a former one.
    let icon = match look.as_ref().and_then(|look| look.logo.as_deref()) {
        Some(logo) => format!("/favicon.ico?v={logo}"),
        None => "/favicon.ico".to_owned(),
    };
    // Inline scripts carry the request's nonce: the Content-Security-Policy (server/src/http/
    // headers.rs) runs no other inline script. A refused page gets no script at all: it shows
    // only its message, and the browser's App would render the page the server did not.
    let scripts = if crate::access::access_denied().is_some() {
        ().into_any()
    } else if lean_request() {
        view! { <script type="module" nonce=use_nonce() inner_html=ENHANCE_SCRIPT></script> }
            .into_any()
    } else {
        view! { <HydrationScripts options=options.clone()/> }.into_any()
    };
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href=icon/>
                <AutoReload options/>
                {scripts}
                <MetaTags/>
            </head>
            <body>
                {match crate::access::access_denied() {
                    // Not hydrated (no scripts above): the browser never renders it.
                    Some(denied) => view! { <RefusedApp denied/> }.into_any(),
                    None => view! { <App/> }.into_any(),
                }}
                <branding::pages::SiteFooter look/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_site();
    view! {
        <Stylesheet id="leptos" href="/pkg/guichet.css"/>
        <Router>
            <a class="skip-link" href="#contenu">"Aller au contenu"</a>
            <SiteHeader/>
            <main id="contenu" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=contexts::pages::PortalHome ssr=SsrMode::Async/>
                    <Route path=path!("/demarches") view=portal::catalogue::Catalogue ssr=SsrMode::Async/>
                    <Route path=path!("/demarches/:id") view=portal::catalogue::DemarcheStart ssr=SsrMode::Async/>
                    <Route path=path!("/brouillons/:key") view=portal::filling::StepPage ssr=SsrMode::Async/>
                    <Route path=path!("/brouillons/:key/recapitulatif") view=portal::filling::SummaryPage ssr=SsrMode::Async/>
                    <Route path=path!("/mes-demarches") view=portal::follow::MyDrafts ssr=SsrMode::Async/>
                    <Route path=path!("/mes-demandes") view=portal::follow::MyDossiers ssr=SsrMode::Async/>
                    <Route path=path!("/mes-demandes/:reference") view=portal::follow::MyDossier ssr=SsrMode::Async/>
                    <Route path=path!("/suivi/:key") view=portal::follow::TrackedDossier ssr=SsrMode::Async/>
                    <Route path=path!("/inscription") view=account::pages::Signup ssr=SsrMode::Async/>
                    <Route path=path!("/connexion") view=account::pages::Login ssr=SsrMode::Async/>
                    <Route path=path!("/connexion/code") view=second_factor::pages::AgentCodePage ssr=SsrMode::Async/>
                    <Route path=path!("/verifier") view=account::pages::VerifyEmail ssr=SsrMode::Async/>
                    <Route path=path!("/mot-de-passe-oublie") view=account::pages::ForgotPassword ssr=SsrMode::Async/>
                    <Route path=path!("/reinitialiser") view=account::pages::ResetPassword ssr=SsrMode::Async/>
                    <Route path=path!("/invitation") view=account::pages::AcceptInvitation ssr=SsrMode::Async/>
                    <Route path=path!("/mon-compte") view=account::pages::MyAccount ssr=SsrMode::Async/>
                    <Route path=path!("/connexion/echec") view=identity::pages::SignInFailure ssr=SsrMode::Async/>
                    <Route path=path!("/connexion/associer") view=identity::pages::LinkAccount ssr=SsrMode::Async/>
                    <Route path=path!("/deconnexion/fournisseur") view=identity::pages::ProviderLogout ssr=SsrMode::Async/>
                    <Route path=path!("/administration/identite") view=identity::pages::IdentityAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/mon-compte/securite") view=second_factor::pages::AgentSecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("/mon-compte/informations") view=people::pages::MyRecordPage ssr=SsrMode::Async/>
                    <Route path=path!("/mon-foyer") view=people::pages::MyHouseholdPage ssr=SsrMode::Async/>
                    <Route path=path!("/mes-structures") view=people::pages::MyOrganisationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office") view=backoffice::pages::Home ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/dossiers") view=backoffice::dossiers::DossiersPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/dossiers/:reference") view=backoffice::dossiers::DossierPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/demarches") view=designer::pages::DemarchesList ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/demarches/:id") view=designer::pages::DesignerPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/demarches/:id/instruction") view=workflow::pages::InstructionPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/catalogue") view=store::pages::StorePage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/catalogue/:id") view=store::pages::StoreEntryPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/absences") view=org::pages::AbsencesPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/courriers") view=letters::pages::LettersPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/courriers/:id") view=letters::pages::TemplateEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/parapheur") view=responses::pages::ParapheurPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/circuits") view=responses::pages::CircuitsPage ssr=SsrMode::Async/>
                    <Route path=path!("/back-office/publipostages") view=letters::merge_pages::MailMergesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/agents") view=admin::pages::Agents ssr=SsrMode::Async/>
                    <Route path=path!("/administration/organigramme") view=org::pages::OrgChartPage ssr=SsrMode::Async/>
                    <Route path=path!("/administration/apparence") view=branding::pages::BrandingPage ssr=SsrMode::Async/>
                    <Route path=path!("/administration/courriels") view=mail::pages::MailPage ssr=SsrMode::Async/>
                    <Route path=path!("/administration/securite") view=second_factor::pages::AdminSecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("/mentions-legales") view=branding::pages::MentionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/cgu") view=branding::pages::CguPage ssr=SsrMode::Async/>
                    <Route path=path!("/accessibilite") view=branding::pages::AccessibilityPage ssr=SsrMode::Async/>
                    <Route path=path!("/plateforme") view=platform::pages::Console ssr=SsrMode::Async/>
                    <Route path=path!("/plateforme/connexion/code") view=second_factor::pages::OperatorCodePage ssr=SsrMode::Async/>
                    <Route path=path!("/plateforme/securite") view=second_factor::pages::OperatorSecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("/administration/contextes") view=contexts::pages::ContextsPage ssr=SsrMode::Async/>
                    // Contexts (`/familles`): last, so that every static path above wins.
                    <Route path=path!("/:context") view=contexts::pages::ContextPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// What a signed-in user without the page's role gets instead of the page (a 403, see
/// `access`): the site's header and the refusal, the page itself never rendered.
#[component]
fn RefusedApp(denied: crate::access::AccessDenied) -> impl IntoView {
    provide_meta_context();
    provide_site();
    view! {
        <Stylesheet id="leptos" href="/pkg/guichet.css"/>
        <Router>
            <a class="skip-link" href="#contenu">"Aller au contenu"</a>
            <SiteHeader/>
            <main id="contenu" tabindex="-1">
                <Title text=account::strings::ACCESS_DENIED_TITLE/>
                <h1>{account::strings::ACCESS_DENIED_TITLE}</h1>
                <crate::ui::Restricted message=denied.0.to_owned()/>
            </main>
        </Router>
    }
}

/// Header with the tenant's name, theme and account links.
#[component]
fn SiteHeader() -> impl IntoView {
    let site = use_site();
    view! {
        <Suspense fallback=|| view! { <header class="site-header"></header> }>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) => {
                        let user = tenant.user.clone();
                        let theme = format!(":root {{ {} }}", tenant.branding.css_vars());
                        let tenant_name = tenant.branding.name_or(&tenant.name).to_owned();
                        view! {
                            <Style id="tenant-theme">{theme}</Style>
                            <Title formatter=move |page: String| {
                                if page.is_empty() { tenant_name.clone() } else { format!("{page} – {tenant_name}") }
                            }/>
                            <header class="site-header">
                                <A href="/" attr:class="site-name">
                                    <branding::pages::HeaderIdentity branding=tenant.branding.clone() tenant_name=tenant.name.clone()/>
                                </A>
                                <nav aria-label="Portail">
                                    <ul class="nav-links">
                                        <li><a href="/demarches" rel="external">"Démarches"</a></li>
                                        {user.as_ref().map(|_| view! {
                                            <li><a href="/mes-demarches" rel="external">"Mes démarches"</a></li>
                                            <li><a href="/mes-demandes" rel="external">"Mes demandes"</a></li>
                                        })}
                                    </ul>
                                </nav>
                                <nav aria-label="Compte">
                                    <account::pages::AccountLinks user/>
                                </nav>
                            </header>
                        }
                        .into_any()
                    }
                    Ok(SiteView::Platform { operator }) => view! {
                        <Title formatter=|page: String| {
                            if page.is_empty() { "Guichet – plateforme".to_owned() } else { format!("{page} – Guichet") }
                        }/>
                        <header class="site-header platform-header">
                            <A href="/plateforme" attr:class="site-name">"Guichet – plateforme"</A>
                            <nav aria-label="Compte">
                                <platform::pages::OperatorLinks operator/>
                            </nav>
                        </header>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <header class="site-header"><p>{error.to_string()}</p></header>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn citizen_procedure_pages_are_lean_and_others_hydrate() {
        for lean in [
            "/demarches",
            "/demarches/42",
            "/brouillons/abc",
            "/brouillons/abc/recapitulatif",
            "/mes-demandes/2026-000001",
            "/suivi/xyz",
            "/mes-demarches",
        ] {
            assert!(super::is_lean_page(lean), "{lean}");
        }
        for full in [
            "/",
            "/connexion",
            "/demarchesx",
            "/back-office/demarches",
            "/mon-compte",
        ] {
            assert!(!super::is_lean_page(full), "{full}");
        }
    }
}

#[component]
pub(crate) fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page introuvable"/>
        <h1>"Page introuvable"</h1>
        <p>"La page demandée n'existe pas ou a été déplacée."</p>
        <p><A href="/">"Retour à l'accueil"</A></p>
    }
}
