//! Who may open which page: one table of protected path prefixes and the least role each needs
//! (and a list of the citizen's own pages, which need a session and no role),
//! enforced for every page request by `server/src/http/access.rs` before Leptos renders, so a
//! page cannot forget its check and its status never depends on what its data loading does.
//!
//! - anonymous visitor → 303 to `/connexion?retour=<the page>`, back there after signing in;
//! - signed in without the role (a citizen, an agent on a managers' page) → 403 and the French
//!   message, the page itself not rendered;
//! - signed in with the role, but the commune requires a second factor the agent has not
//!   enrolled (and the session was opened with a password) → 303 to the enrolment page
//!   (`second_factor::ENROL_PATH?retour=<the page>`); the same for operators on the console;
//! - otherwise the page renders (its own server functions still check rights themselves).
//!
//! Plain routes (server functions under `/api`, downloads, exports) keep their own checks and
//! JSON errors: the middleware is layered on the page routes only.

use crate::account::model::Role;
use crate::account::strings as s;

/// Protected page prefixes and the least role each needs; the longest matching prefix wins.
const PROTECTED: &[(&str, Role)] = &[
    ("/back-office", Role::Agent),
    ("/back-office/demarches", Role::Manager),
    ("/back-office/catalogue", Role::Manager),
    ("/back-office/courriers", Role::Manager),
    ("/back-office/publipostages", Role::Manager),
    ("/back-office/circuits", Role::Manager),
    // Where an agent enrols their second factor (reachable without one: see `decide`).
    (crate::second_factor::ENROL_PATH, Role::Agent),
    ("/admin", Role::Admin),
    ("/administration", Role::Admin),
];

/// Pages that need a signed-in user of any kind (a citizen's own record, household and
/// organisations): anonymous visitors are sent to sign in and brought back.
const SIGNED_IN: &[&str] = &["/mon-compte/informations", "/mon-foyer", "/mes-structures"];

/// The sign-in page and the query parameter carrying where to go afterwards.
pub const LOGIN_PATH: &str = "/connexion";
pub const RETURN_PARAM: &str = "retour";

/// `path` is `prefix` or below it (`/admin` does not cover `/administrateurs`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The least role a page needs, `None` for the pages anyone may open.
pub fn required_role(path: &str) -> Option<Role> {
    PROTECTED
        .iter()
        .filter(|(prefix, _)| under(path, prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, role)| *role)
}

/// The page needs a session, whatever the user's role.
pub fn requires_sign_in(path: &str) -> bool {
    required_role(path).is_some() || SIGNED_IN.iter().any(|prefix| under(path, prefix))
}

/// What a signed-in user without `role` reads instead of the page.
pub fn refusal(role: Role) -> &'static str {
    match role {
        Role::Agent => s::NOT_AN_AGENT,
        Role::Manager => s::NOT_A_MANAGER,
        Role::Admin => s::NOT_AN_ADMIN,
    }
}

/// A return path is followed only when it is a path of this site: one leading `/` (not `//`
/// nor `/\`, which browsers read as another host), printable ASCII without backslashes (what
/// a request line carries; also what a `Location` header may hold).
pub fn safe_return_path(path: &str) -> Option<&str> {
    let local = path.starts_with('/') && !path.starts_with("//");
    let printable = path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    (local && printable && path.len() <= 2048).then_some(path)
}

/// Where an anonymous visitor of `path_and_query` is sent: the sign-in page, with the page as
/// its percent-encoded return path.
pub fn login_location(path_and_query: &str) -> String {
    location_returning_to(LOGIN_PATH, path_and_query)
}

/// `page`, with `path_and_query` as its percent-encoded return path.
pub fn location_returning_to(page: &str, path_and_query: &str) -> String {
    let mut location = format!("{page}?{RETURN_PARAM}=");
    for byte in path_and_query.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            location.push(char::from(byte));
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    location
}

/// Put in a refused page request's extensions by the middleware: the app renders only this
/// message (no page, no hydration) and the response is a 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessDenied(pub &'static str);

/// The refusal of the page being rendered, if it was refused (always `None` in the browser).
pub fn access_denied() -> Option<AccessDenied> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<AccessDenied>().copied())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The middleware's verdict on one page request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Not a protected page, or the user has the role.
    Render,
    /// Anonymous: redirect there (the sign-in page with the return path).
    SignIn(String),
    /// Signed in without the role.
    Deny(AccessDenied),
    /// Signed in, but a second factor is required and missing: redirect there (the enrolment
    /// page, with the return path).
    Enrol(String),
}

/// Decides a page request of `tenant` from its path and its session cookie, looked up in that
/// tenant's own sessions (another commune's session is no session here).
#[cfg(feature = "ssr")]
pub async fn decide(
    state: &crate::infra::AppState,
    tenant: std::sync::Arc<crate::infra::Tenant>,
    headers: &http::HeaderMap,
    uri: &http::Uri,
) -> Result<Decision, crate::error::AppError> {
    use crate::infra::cookies::{SESSION_COOKIE, cookie_in};
    use crate::second_factor::{ENROL_PATH, service};
    if !requires_sign_in(uri.path()) {
        return Ok(Decision::Render);
    }
    // `None`: any signed-in user may open the page.
    let role = required_role(uri.path());
    let (user, must_enrol) = match cookie_in(headers, SESSION_COOKIE) {
        None => (None, false),
        Some(token) => {
            let tx = crate::infra::TenantTx::begin(state, tenant).await?;
            let user = crate::account::service::current_user(&tx, &token).await?;
            let must_enrol = match &user {
                Some(user)
                    if role.is_some_and(|role| user.has_role(role))
                        && !under(uri.path(), ENROL_PATH) =>
                {
                    service::enrolment_missing(&tx, &service::Realm::tenant(&tx), &token).await?
                }
                _ => false,
            };
            tx.commit().await?;
            (user, must_enrol)
        }
    };
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    Ok(match user {
        None => Decision::SignIn(login_location(path_and_query)),
        Some(_) if must_enrol => Decision::Enrol(location_returning_to(ENROL_PATH, path_and_query)),
        Some(user) => match role {
            Some(role) if !user.has_role(role) => Decision::Deny(AccessDenied(refusal(role))),
            _ => Decision::Render,
        },
    })
}

/// Decides a console page request (the platform's host): a signed-in operator without the
/// second factor operators are required to have is sent to enrol; everything else renders
/// (the console shows its sign-in form to anonymous visitors).
#[cfg(feature = "ssr")]
pub async fn decide_platform(
    state: &crate::infra::AppState,
    headers: &http::HeaderMap,
    uri: &http::Uri,
) -> Result<Decision, crate::error::AppError> {
    use crate::infra::cookies::{OPERATOR_COOKIE, cookie_in};
    use crate::second_factor::{OPERATOR_CODE_PATH, OPERATOR_ENROL_PATH, service};
    let path = uri.path();
    let console = under(path, "/plateforme");
    if !console || under(path, OPERATOR_ENROL_PATH) || under(path, OPERATOR_CODE_PATH) {
        return Ok(Decision::Render);
    }
    let Some(token) = cookie_in(headers, OPERATOR_COOKIE) else {
        return Ok(Decision::Render);
    };
    Ok(
        if service::operator_enrolment_missing(state, &token).await? {
            Decision::Enrol(OPERATOR_ENROL_PATH.to_owned())
        } else {
            Decision::Render
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_protected_prefix_decides_the_role() {
        assert_eq!(required_role("/back-office"), Some(Role::Agent));
        assert_eq!(
            required_role("/back-office/dossiers/2026-000001"),
            Some(Role::Agent)
        );
        assert_eq!(
            required_role("/back-office/courriers/nouveau"),
            Some(Role::Manager)
        );
        assert_eq!(
            required_role("/back-office/demarches/1/instruction"),
            Some(Role::Manager)
        );
        assert_eq!(required_role("/admin/agents"), Some(Role::Admin));
        assert_eq!(
            required_role("/administration/apparence"),
            Some(Role::Admin)
        );
        assert_eq!(required_role("/mon-compte/securite"), Some(Role::Agent));
    }

    #[test]
    fn public_pages_and_look_alike_paths_are_not_protected() {
        for path in [
            "/",
            "/connexion",
            "/demarches/3",
            "/back-officer",
            "/administrateurs",
            "/mon-compte",
        ] {
            assert_eq!(required_role(path), None, "{path}");
        }
    }

    #[test]
    fn a_citizens_own_pages_need_only_a_session() {
        for path in [
            "/mon-compte/informations",
            "/mon-foyer",
            "/mes-structures/x",
        ] {
            assert!(requires_sign_in(path), "{path}");
            assert_eq!(required_role(path), None, "{path}");
        }
        assert!(requires_sign_in("/back-office"));
        for path in ["/mon-compte", "/mon-foyers", "/demarches"] {
            assert!(!requires_sign_in(path), "{path}");
        }
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in ["/back-office", "/back-office/courriers/1?x=%C3%A9", "/"] {
            assert_eq!(safe_return_path(good), Some(good));
        }
        for bad in [
            "https://evil.test/",
            "//evil.test/",
            "/\\evil.test",
            "evil",
            "",
            "/a b",
            "/a\r\nSet-Cookie: x=1",
            "/é",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_sign_in_location_carries_the_page_percent_encoded() {
        assert_eq!(
            login_location("/back-office/dossiers?statut=a&page=2"),
            "/connexion?retour=/back-office/dossiers%3Fstatut%3Da%26page%3D2"
        );
        assert_eq!(
            login_location("/back-office/courriers/%C3%A9"),
            "/connexion?retour=/back-office/courriers/%25C3%25A9"
        );
    }
}
