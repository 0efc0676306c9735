//! Mail merges (publipostage): a template × a selection of dossiers, asked for here and run by
//! the background job (`server/src/jobs/mail_merge.rs`), which streams the letters into one
//! file of the tenant's file store and reports its progress in `mail_merges`.
//!
//! The selection is resolved when the merge is asked for, with the agent's rights: a saved
//! search or the list's filter go through the list's own visibility clause, pasted references
//! must all be dossiers the agent may read. What the agent saw is what is merged.

use sea_orm::FromQueryResult;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    FREE_TEXT_MAX, MERGE_MAX, MergeRequest, MergeStatus, MergeView, PDF_MERGE_MAX, SOURCE_LIST,
    SOURCE_REFERENCES, SOURCE_SEARCH,
};
use super::strings as s;
use crate::backoffice::model::DossierFilter;
use crate::backoffice::service::Agent;
use crate::error::{AppError, AppResult};
use crate::infra::dates::french_date_time;
use crate::infra::{Queries, TenantTx};

/// NOTIFY channel: payload `<tenant slug>:<merge id>`, a merge to run.
pub const MERGE_CHANNEL: &str = "guichet_merges";

fn unknown() -> AppError {
    AppError::NotFound(s::MERGE_UNKNOWN.to_owned())
}

fn parse_id(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| unknown())
}

/// A filter from the list's query string (`statut=recu&service=…`).
pub fn filter_of_query(query: &str) -> AppResult<DossierFilter> {
    let uri: axum::http::Uri = format!("/?{}", query.trim().trim_start_matches('?'))
        .parse()
        .map_err(|_| AppError::invalid("filter", s::MERGE_SOURCE_UNKNOWN))?;
    axum::extract::Query::<DossierFilter>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|_| AppError::invalid("filter", s::MERGE_SOURCE_UNKNOWN))
}

/// The dossier ids of the selection (at most one over the limit) and how it is described.
async fn resolve(
    tx: &TenantTx,
    agent: &Agent,
    request: &MergeRequest,
) -> AppResult<(Vec<Uuid>, String)> {
    let over = MERGE_MAX + 1;
    match request.source.as_str() {
        SOURCE_SEARCH => {
            let search = crate::backoffice::service::saved_searches(tx, agent)
                .await?
                .into_iter()
                .find(|q| q.id == request.saved_search.trim())
                .ok_or_else(|| AppError::invalid("saved_search", s::MERGE_SEARCH_UNKNOWN))?;
            let filter = filter_of_query(&search.query)?;
            let ids = crate::backoffice::service::selected_ids(tx, agent, &filter, over).await?;
            Ok((ids, s::merge_selection_search(&search.name)))
        }
        SOURCE_LIST => {
            let filter = filter_of_query(&request.filter)?;
            let ids = crate::backoffice::service::selected_ids(tx, agent, &filter, over).await?;
            Ok((ids, s::LIST_FILTER_SELECTION.to_owned()))
        }
        SOURCE_REFERENCES => {
            let mut references: Vec<String> = Vec::new();
            for line in request.references.lines() {
                let reference = line.trim();
                if !reference.is_empty() && !references.iter().any(|r| r == reference) {
                    references.push(reference.to_owned());
                }
            }
            if references.is_empty() {
                return Err(AppError::invalid(
                    "references",
                    s::MERGE_REFERENCES_REQUIRED,
                ));
            }
            if references.len() > MERGE_MAX {
                return Err(AppError::invalid("references", s::merge_too_many()));
            }
            let found =
                crate::backoffice::service::readable_references(tx, agent, &references).await?;
            let missing: Vec<String> = references
                .iter()
                .filter(|r| !found.contains_key(*r))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(AppError::invalid(
                    "references",
                    s::merge_unknown_references(&missing),
                ));
            }
            let ids = references.iter().filter_map(|r| found.get(r)).copied();
            Ok((
                ids.collect(),
                s::merge_selection_references(references.len()),
            ))
        }
        _ => Err(AppError::invalid("source", s::MERGE_SOURCE_UNKNOWN)),
    }
}

/// Asks for a mail merge: checks it, resolves its selection and queues it for the job (the
/// notification is delivered only if the caller's transaction commits).
pub async fn create(tx: &TenantTx, agent: &Agent, request: &MergeRequest) -> AppResult<MergeView> {
    if request.template_id.trim().is_empty() {
        return Err(AppError::invalid("template_id", s::MERGE_TEMPLATE_REQUIRED));
    }
    let template_id = Uuid::parse_str(request.template_id.trim())
        .map_err(|_| AppError::invalid("template_id", s::TEMPLATE_UNKNOWN))?;
    // Exists in this tenant.
    super::service::template_source(tx, template_id)
        .await
        .map_err(|_| AppError::invalid("template_id", s::TEMPLATE_UNKNOWN))?;
    let output = match request.output.as_str() {
        "zip" | "pdf" => request.output.as_str(),
        _ => return Err(AppError::invalid("output", s::MERGE_OUTPUT_UNKNOWN)),
    };
    if request.free_text.chars().count() > FREE_TEXT_MAX {
        return Err(AppError::invalid("free_text", s::MERGE_FREE_TEXT_TOO_LONG));
    }
    let (ids, selection) = resolve(tx, agent, request).await?;
    if ids.is_empty() {
        return Err(AppError::invalid("source", s::MERGE_EMPTY));
    }
    if ids.len() > MERGE_MAX {
        return Err(AppError::invalid("source", s::merge_too_many()));
    }
    if output == "pdf" && ids.len() > PDF_MERGE_MAX {
        return Err(AppError::invalid(
            "output",
            s::merge_pdf_too_many(ids.len()),
        ));
    }
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO mail_merges (id, template_id, created_by, dossier_ids, output, send_emails,
                                  free_text, total, selection)
         VALUES ($1, $2, $3, $4::uuid[], $5, $6, $7, $8, $9)",
        vec![
            id.into(),
            template_id.into(),
            agent.id.into(),
            crate::dossiers::service::uuid_array(&ids).into(),
            output.into(),
            request.send_emails.into(),
            request.free_text.clone().into(),
            (ids.len() as i32).into(),
            selection.into(),
        ],
    )
    .await?;
    tx.execute(
        "SELECT pg_notify($1, $2)",
        vec![
            MERGE_CHANNEL.into(),
            format!("{}:{id}", tx.tenant().slug.as_str()).into(),
        ],
    )
    .await?;
    get(tx, &id.to_string()).await
}

#[derive(FromQueryResult)]
struct MergeRow {
    id: Uuid,
    template: Option<String>,
    selection: String,
    output: String,
    send_emails: bool,
    status: String,
    total: i32,
    done: i32,
    emails: i32,
    no_email: i32,
    error: Option<String>,
    result_size: Option<i64>,
    created_at: OffsetDateTime,
    created_by: Option<String>,
}

const MERGE_SELECT: &str =
    "SELECT m.id, t.name AS template, m.selection, m.output, m.send_emails, m.status,
        m.total, m.done, m.emails, m.no_email, m.error, m.result_size, m.created_at,
        u.display_name AS created_by
     FROM mail_merges m LEFT JOIN letter_templates t ON t.id = m.template_id
     LEFT JOIN users u ON u.id = m.created_by";

fn view(row: MergeRow) -> MergeView {
    MergeView {
        id: row.id.to_string(),
        template: row.template.unwrap_or_default(),
        selection: row.selection,
        output: row.output,
        send_emails: row.send_emails,
        status: MergeStatus::parse(&row.status),
        total: row.total,
        done: row.done,
        emails: row.emails,
        no_email: row.no_email,
        error: row.error,
        result_size: row.result_size,
        created_at: french_date_time(row.created_at),
        created_by: row.created_by,
    }
}

/// The commune's latest mail merges.
pub async fn list(tx: &TenantTx) -> AppResult<Vec<MergeView>> {
    let rows: Vec<MergeRow> = tx
        .fetch_all(
            &format!("{MERGE_SELECT} ORDER BY m.created_at DESC, m.id LIMIT 50"),
            vec![],
        )
        .await?;
    Ok(rows.into_iter().map(view).collect())
}

pub async fn get(tx: &TenantTx, id: &str) -> AppResult<MergeView> {
    let row: MergeRow = tx
        .fetch_optional(
            &format!("{MERGE_SELECT} WHERE m.id = $1"),
            vec![parse_id(id)?.into()],
        )
        .await?
        .ok_or_else(unknown)?;
    Ok(view(row))
}

/// Cancels a queued or running merge: the job stops at its next batch and removes its file.
pub async fn cancel(tx: &TenantTx, id: &str) -> AppResult<MergeView> {
    let id = parse_id(id)?;
    let changed = tx
        .execute(
            "UPDATE mail_merges SET status = 'cancelled', finished_at = now()
             WHERE id = $1 AND status IN ('queued', 'running')",
            vec![id.into()],
        )
        .await?;
    let merge = get(tx, &id.to_string()).await?;
    if changed == 0 {
        return Err(AppError::conflict("id", s::MERGE_FINISHED));
    }
    Ok(merge)
}

/// Where the result of a finished merge is, and the name to download it under.
pub async fn result(tx: &TenantTx, id: &str) -> AppResult<(Uuid, String, &'static str)> {
    #[derive(FromQueryResult)]
    struct Row {
        result_key: Option<Uuid>,
        output: String,
        status: String,
        created_at: OffsetDateTime,
    }
    let row: Row = tx
        .fetch_optional(
            "SELECT result_key, output, status, created_at FROM mail_merges WHERE id = $1",
            vec![parse_id(id)?.into()],
        )
        .await?
        .ok_or_else(unknown)?;
    let key = match (MergeStatus::parse(&row.status), row.result_key) {
        (MergeStatus::Done, Some(key)) => key,
        _ => return Err(AppError::NotFound(s::MERGE_NO_RESULT.to_owned())),
    };
    let date = row.created_at.date();
    let stem = format!(
        "publipostage-{}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    Ok(if row.output == "pdf" {
        (key, format!("{stem}.pdf"), "application/pdf")
    } else {
        (key, format!("{stem}.zip"), "application/zip")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_filter_reads_back_from_its_query_string() {
        let filter = DossierFilter {
            statut: "recu".to_owned(),
            service: "10000000-0000-4000-8000-000000000002".to_owned(),
            du: "2026-01-01".to_owned(),
            ..DossierFilter::default()
        };
        assert_eq!(filter_of_query(&filter.to_query()).unwrap(), filter);
        assert_eq!(filter_of_query("").unwrap(), DossierFilter::default());
    }
}
