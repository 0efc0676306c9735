use leptos::prelude::*;

use super::model::NewsItem;
use crate::error::AppError;

#[server(endpoint = "news")]
pub async fn latest_news() -> Result<Vec<NewsItem>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let news = super::service::latest_news(&tx, super::model::NEWS_ON_HOME).await?;
            tx.commit().await?;
            Ok(news)
        }
        .await,
    )
}

/// Agents publish news on their commune's portal.
#[server(endpoint = "news/publish")]
pub async fn publish_news(title: String, body: String) -> Result<NewsItem, AppError> {
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let agent = crate::account::service::require_role(&tx, Role::Agent).await?;
            let item = super::service::publish_news(&tx, Some(&agent), &title, &body).await?;
            tx.commit().await?;
            Ok(item)
        }
        .await,
    )
}
