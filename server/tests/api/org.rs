#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The org chart: tenant admins build the services tree and give rights; agents record their
//! own absences; nothing of one commune's chart is reachable from another; the demo chart is
//! seeded once.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, error_field, error_message, spawn_app};

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn create_service(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    name: &str,
    kind: &str,
    parent: &str,
) -> String {
    let response = app
        .post(
            client,
            slug,
            "org/create_service",
            &[("name", name), ("kind", kind), ("parent", parent)],
        )
        .await;
    json(response).await.as_str().unwrap().to_owned()
}

async fn chart(app: &TestApp, client: &reqwest::Client, slug: &str) -> Value {
    json(app.post(client, slug, "org/chart", &[]).await).await
}

fn service<'a>(chart: &'a Value, path: &str) -> &'a Value {
    chart["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .unwrap_or_else(|| panic!("no service {path} in {chart}"))
}

/// Invites an agent at `slug` as its admin and returns them signed in, with their id.
async fn agent(
    app: &TestApp,
    admin: &reqwest::Client,
    slug: &str,
    email: &str,
) -> (reqwest::Client, String) {
    let invited = app
        .post(
            admin,
            slug,
            "admin/invite_agent",
            &[
                ("email", email),
                ("display_name", "Yann Le Goff"),
                ("role", "agent"),
            ],
        )
        .await;
    let id = json(invited).await["id"].as_str().unwrap().to_owned();
    let client = app
        .accept_invitation(slug, email, "Agent-Secret-2026")
        .await;
    (client, id)
}

#[tokio::test]
async fn an_admin_builds_the_tree_and_a_cycle_is_refused_with_its_message() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;

    let direction =
        create_service(&app, &admin, "ca", "Services techniques", "direction", "").await;
    let voirie = create_service(&app, &admin, "ca", "Voirie", "service", &direction).await;
    let nord = create_service(&app, &admin, "ca", "Pôle Nord", "pole", &voirie).await;
    let chart_now = chart(&app, &admin, "ca").await;
    let pole = service(&chart_now, "Services techniques › Voirie › Pôle Nord");
    assert_eq!(pole["depth"], 2);
    assert_eq!(pole["kind"], "pole");
    assert_eq!(
        service(&chart_now, "Accueil")["depth"],
        0,
        "the commune's first service stays"
    );

    // Under its own grandchild, or under itself: refused, on the parent field.
    for parent in [&nord, &direction] {
        let response = app
            .post(
                &admin,
                "ca",
                "org/update_service",
                &[
                    ("id", &direction),
                    ("name", "Services techniques"),
                    ("kind", "direction"),
                    ("parent", parent),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            error_field(response).await,
            (
                "parent".to_owned(),
                "Un service ne peut pas être rattaché à lui-même ni à l'un de ses sous-services."
                    .to_owned()
            )
        );
    }
    // Same name at the same place, a service with sub-services deleted, an unknown level.
    let taken = app
        .post(
            &admin,
            "ca",
            "org/create_service",
            &[
                ("name", "voirie"),
                ("kind", "service"),
                ("parent", &direction),
            ],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let busy = app
        .post(&admin, "ca", "org/delete_service", &[("id", &voirie)])
        .await;
    assert_eq!(busy.status(), StatusCode::CONFLICT);
    assert!(error_message(busy).await.contains("sous-services"));
    let kind = app
        .post(
            &admin,
            "ca",
            "org/create_service",
            &[("name", "Cantine"), ("kind", "bureau")],
        )
        .await;
    assert_eq!(error_field(kind).await.0, "kind");

    // Renamed and moved to the first level; then members and their rights.
    let moved = app
        .post(
            &admin,
            "ca",
            "org/update_service",
            &[
                ("id", &nord),
                ("name", "Pôle Nord-Ouest"),
                ("kind", "pole"),
                ("parent", ""),
            ],
        )
        .await;
    json(moved).await;
    let (_, agent_id) = agent(&app, &admin, "ca", "yann@ca.test").await;
    for access in ["consultation", "gestion"] {
        let set = app
            .post(
                &admin,
                "ca",
                "org/set_member",
                &[
                    ("service", &voirie),
                    ("user", &agent_id),
                    ("access", access),
                ],
            )
            .await;
        json(set).await;
    }
    let refused = app
        .post(
            &admin,
            "ca",
            "org/set_member",
            &[
                ("service", &voirie),
                ("user", &agent_id),
                ("access", "root"),
            ],
        )
        .await;
    assert_eq!(error_field(refused).await.0, "access");
    let chart_now = chart(&app, &admin, "ca").await;
    assert_eq!(
        service(&chart_now, "Pôle Nord-Ouest")["depth"],
        0,
        "moved to the first level"
    );
    let members = &service(&chart_now, "Services techniques › Voirie")["members"];
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["access"], "gestion");

    json(
        app.post(
            &admin,
            "ca",
            "org/remove_member",
            &[("service", &voirie), ("user", &agent_id)],
        )
        .await,
    )
    .await;
    json(
        app.post(&admin, "ca", "org/delete_service", &[("id", &nord)])
            .await,
    )
    .await;
    let chart_now = chart(&app, &admin, "ca").await;
    assert!(
        service(&chart_now, "Services techniques › Voirie")["members"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(chart_now["services"].as_array().unwrap().len(), 3);

    // The page renders the tree on the server (it works without JavaScript).
    let page = app.get(&admin, "ca", "/administration/organigramme").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Services techniques › Voirie"), "{html}");
    assert!(html.contains("Ajouter le service"));
}

#[tokio::test]
async fn an_agent_may_not_change_the_org_chart_but_records_their_own_absence() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let (agent_client, agent_id) = agent(&app, &admin, "ca", "yann@ca.test").await;

    for (endpoint, form) in [
        ("org/chart", vec![]),
        (
            "org/create_service",
            vec![("name", "Police"), ("kind", "service")],
        ),
        (
            "org/set_member",
            vec![
                ("service", "00000000-0000-4000-8000-000000000001"),
                ("user", agent_id.as_str()),
                ("access", "gestion"),
            ],
        ),
    ] {
        let response = app.post(&agent_client, "ca", endpoint, &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    assert_eq!(
        app.post(&app.client(), "ca", "org/chart", &[])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let admin_id = chart(&app, &admin, "ca").await["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] != agent_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reversed = app
        .post(
            &agent_client,
            "ca",
            "org/add_delegation",
            &[
                ("from", &agent_id),
                ("to", &admin_id),
                ("starts_on", "2031-03-10"),
                ("ends_on", "2031-03-01"),
            ],
        )
        .await;
    assert_eq!(reversed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_field(reversed).await,
        (
            "ends_on".to_owned(),
            "La date de fin doit être postérieure ou égale à la date de début.".to_owned()
        )
    );
    let for_someone_else = app
        .post(
            &agent_client,
            "ca",
            "org/add_delegation",
            &[
                ("from", &admin_id),
                ("to", &agent_id),
                ("starts_on", "2031-03-01"),
                ("ends_on", "2031-03-10"),
            ],
        )
        .await;
    assert_eq!(for_someone_else.status(), StatusCode::FORBIDDEN);

    let id = json(
        app.post(
            &agent_client,
            "ca",
            "org/add_delegation",
            &[
                ("from", &agent_id),
                ("to", &admin_id),
                ("starts_on", "2031-03-01"),
                ("ends_on", "2031-03-10"),
            ],
        )
        .await,
    )
    .await
    .as_str()
    .unwrap()
    .to_owned();
    let mine = json(app.post(&agent_client, "ca", "org/my_absences", &[]).await).await;
    assert_eq!(mine["me"], agent_id.as_str());
    assert_eq!(mine["delegations"][0]["starts_on"], "01/03/2031");
    assert_eq!(mine["delegations"][0]["ends_on"], "10/03/2031");
    assert!(
        mine["agents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != agent_id.as_str()),
        "nobody delegates to themselves"
    );
    assert_eq!(
        chart(&app, &admin, "ca").await["delegations"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the admin sees it"
    );
    json(
        app.post(&agent_client, "ca", "org/remove_delegation", &[("id", &id)])
            .await,
    )
    .await;
    assert_eq!(app.count("tenant_ca.delegations").await, 0);
}

#[tokio::test]
async fn services_and_delegations_of_a_commune_are_unreachable_from_another() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin_a = app.admin("ca").await;
    let admin_b = app.admin("cb").await;
    let voirie = create_service(&app, &admin_a, "ca", "Voirie", "service", "").await;
    let (_, agent_a) = agent(&app, &admin_a, "ca", "yann@ca.test").await;
    let admin_a_id = chart(&app, &admin_a, "ca").await["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] != agent_a.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let delegation = json(
        app.post(
            &admin_a,
            "ca",
            "org/add_delegation",
            &[
                ("from", &agent_a),
                ("to", &admin_a_id),
                ("starts_on", "2031-03-01"),
                ("ends_on", "2031-03-10"),
            ],
        )
        .await,
    )
    .await
    .as_str()
    .unwrap()
    .to_owned();

    let attempts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "org/update_service",
            vec![
                ("id", voirie.as_str()),
                ("name", "Volée"),
                ("kind", "service"),
                ("parent", ""),
            ],
        ),
        (
            "org/create_service",
            vec![
                ("name", "Sous-voirie"),
                ("kind", "pole"),
                ("parent", voirie.as_str()),
            ],
        ),
        ("org/delete_service", vec![("id", voirie.as_str())]),
        (
            "org/set_member",
            vec![
                ("service", voirie.as_str()),
                ("user", agent_a.as_str()),
                ("access", "gestion"),
            ],
        ),
        (
            "org/add_delegation",
            vec![
                ("from", agent_a.as_str()),
                ("to", admin_a_id.as_str()),
                ("starts_on", "2031-04-01"),
                ("ends_on", "2031-04-10"),
            ],
        ),
        ("org/remove_delegation", vec![("id", delegation.as_str())]),
    ];
    for (endpoint, form) in attempts {
        let response = app.post(&admin_b, "cb", endpoint, &form).await;
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND].contains(&response.status()),
            "{endpoint}: {}",
            response.status()
        );
    }
    // Nothing changed at A, nothing appeared at B.
    let a = chart(&app, &admin_a, "ca").await;
    assert_eq!(service(&a, "Voirie")["members"], serde_json::json!([]));
    assert_eq!(a["services"].as_array().unwrap().len(), 2);
    assert_eq!(a["delegations"].as_array().unwrap().len(), 1);
    assert_eq!(app.count("tenant_cb.services").await, 1);
    assert_eq!(app.count("tenant_cb.delegations").await, 0);
}

#[tokio::test]
async fn the_demo_org_chart_and_instruction_settings_are_seeded_once() {
    let app = spawn_app().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    guichet_server::seed::seed_dir(&app.state, &dir)
        .await
        .unwrap();
    guichet_server::seed::seed_dir(&app.state, &dir)
        .await
        .unwrap();

    let admin = app.client();
    let login = app
        .login(
            &admin,
            "saint-herblain",
            "admin@saint-herblain.test",
            "Herblain-Gestion-2026",
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let chart = chart(&app, &admin, "saint-herblain").await;
    let paths: Vec<&str> = chart["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec![
            "Accueil",
            "Direction des services techniques",
            "Direction des services techniques › Voirie",
            "Direction des services techniques › Voirie › Pôle Nord",
            "Direction des services techniques › Voirie › Pôle Sud",
            "État civil",
        ]
    );
    let accueil: Vec<(&str, &str)> = service(&chart, "Accueil")["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["access"].as_str().unwrap()))
        .collect();
    assert_eq!(accueil.len(), 3, "{accueil:?}");
    assert!(accueil.contains(&("etat-civil@saint-herblain.test", "modification")));
    assert!(accueil.contains(&("responsable@saint-herblain.test", "gestion")));
    assert_eq!(
        app.count("tenant_saint_herblain.demarche_instruction")
            .await,
        3
    );

    let list = json(
        app.post(&admin, "saint-herblain", "demarches/list", &[])
            .await,
    )
    .await;
    let voirie = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == "Signaler un problème sur la voie publique")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = json(
        app.post(
            &admin,
            "saint-herblain",
            "instruction/load",
            &[("demarche", &voirie)],
        )
        .await,
    )
    .await;
    let nord = service(
        &chart,
        "Direction des services techniques › Voirie › Pôle Nord",
    )["id"]
        .clone();
    assert_eq!(
        page["instruction"]["routing"]["rules"][0]["field"],
        "lieu.postcode"
    );
    assert_eq!(
        page["instruction"]["routing"]["rules"][0]["service_id"],
        nord
    );
    assert_eq!(page["instruction"]["deadlines"]["max_days"], 15);
    assert_eq!(page["instruction"]["deadlines"]["alert_days"], 5);
}
