use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::error::AppError;

pub const NEWS_ON_HOME: u64 = 20;
pub const MAX_TITLE: usize = 150;
pub const MAX_BODY: usize = 5_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsItem {
    pub id: String,
    pub title: String,
    pub body: String,
    /// `dd/mm/yyyy`
    pub published_on: String,
}

pub fn parse_news(title: &str, body: &str) -> Result<(String, String), AppError> {
    let title = title.trim();
    let body = body.trim();
    if title.is_empty() {
        return Err(AppError::invalid("title", s::TITLE_EMPTY));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(AppError::invalid("title", s::TITLE_TOO_LONG));
    }
    if body.is_empty() {
        return Err(AppError::invalid("body", s::BODY_EMPTY));
    }
    if body.chars().count() > MAX_BODY {
        return Err(AppError::invalid("body", s::BODY_TOO_LONG));
    }
    Ok((title.to_owned(), body.to_owned()))
}
