use sea_orm::FromQueryResult;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{NewsItem, parse_news};
use crate::account::model::UserView;
use crate::error::AppResult;
use crate::infra::dates::french_date;
use crate::infra::{Queries, TenantTx};

#[derive(FromQueryResult)]
struct NewsRow {
    id: Uuid,
    title: String,
    body: String,
    published_at: OffsetDateTime,
}

impl From<NewsRow> for NewsItem {
    fn from(row: NewsRow) -> Self {
        NewsItem {
            id: row.id.to_string(),
            title: row.title,
            body: row.body,
            published_on: french_date(row.published_at),
        }
    }
}

pub async fn latest_news(tx: &TenantTx, limit: u64) -> AppResult<Vec<NewsItem>> {
    let rows: Vec<NewsRow> = tx
        .fetch_all(
            "SELECT id, title, body, published_at FROM news ORDER BY published_at DESC, id LIMIT $1",
            vec![(limit as i64).into()],
        )
        .await?;
    Ok(rows.into_iter().map(NewsItem::from).collect())
}

#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn publish_news(
    tx: &TenantTx,
    author: Option<&UserView>,
    title: &str,
    body: &str,
) -> AppResult<NewsItem> {
    let (title, body) = parse_news(title, body)?;
    let author = author.and_then(UserView::uuid);
    let row: Option<NewsRow> = tx
        .fetch_optional(
            "INSERT INTO news (id, title, body, author_id) VALUES ($1, $2, $3, $4)
             RETURNING id, title, body, published_at",
            vec![
                Uuid::new_v4().into(),
                title.into(),
                body.into(),
                author.into(),
            ],
        )
        .await?;
    row.map(NewsItem::from)
        .ok_or(crate::error::AppError::Internal)
}
