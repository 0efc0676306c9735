//! What every uploaded file goes through, whatever feature receives it (a démarche's
//! attachments, a refused piece's replacement, the citizen's wallet): reading a multipart
//! body, the checks on its bytes (not empty, within a size, of an accepted type as sniffed —
//! never as the browser names it), the cleaning of its name, and undoing the store's writes
//! when the transaction does not commit. Storage itself is `infra::storage::TenantFiles`.

use axum::extract::Multipart;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::demarches::form_data::Posted;
use crate::dossiers::model::UploadRefusal;
use crate::error::AppError;
use crate::infra::storage::TenantFiles;

/// The most bytes one upload request may carry, whatever the field allows.
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// What the citizen reads when a multipart body cannot be read.
const UPLOAD_UNREADABLE: &str = crate::dossiers::strings::UPLOAD_UNREADABLE;

/// A file received with a form or an upload request.
pub struct Upload {
    /// The control's name (for a démarche: the field path).
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Text parts and files of a multipart body; a broken body is the client's error.
pub async fn read_multipart(mut multipart: Multipart) -> Result<(Posted, Vec<Upload>), AppError> {
    let unreadable = |_| AppError::invalid("file", UPLOAD_UNREADABLE);
    let mut pairs = Vec::new();
    let mut uploads = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            // A file input left empty still sends a part, with no name and no bytes.
            Some(file_name) if !file_name.is_empty() => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                uploads.push(Upload {
                    field: name,
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
            Some(_) => {
                let _ = field.bytes().await.map_err(unreadable)?;
            }
            None => pairs.push((name, field.text().await.map_err(unreadable)?)),
        }
    }
    Ok((Posted::new(pairs), uploads))
}

/// Undoes the file writes of a transaction that did not commit.
pub async fn forget(files: &TenantFiles, written: Vec<Uuid>) {
    for id in written {
        files.delete(id).await;
    }
}

/// The checks every uploaded file passes: not empty, within `max_size_bytes`, and of an
/// accepted type as sniffed from its bytes (never as the browser names it). No accepted
/// types: any type.
pub fn vet_file(
    bytes: &[u8],
    accepted_types: &[String],
    max_size_bytes: u64,
) -> Result<(), UploadRefusal> {
    if bytes.is_empty() {
        return Err(UploadRefusal::Empty);
    }
    if bytes.len() as u64 > max_size_bytes {
        return Err(UploadRefusal::TooLarge);
    }
    let content_type = crate::infra::storage::sniff(bytes);
    if !accepts(accepted_types, &content_type) {
        return Err(UploadRefusal::WrongType);
    }
    Ok(())
}

/// Whether a file of (sniffed) `content_type` fits `accepted_types` (none: any).
pub fn accepts(accepted_types: &[String], content_type: &str) -> bool {
    accepted_types.is_empty()
        || accepted_types
            .iter()
            .any(|t| crate::demarches::answers::type_matches(t, content_type))
}

/// Keeps what a browser says a file is called, minus paths and control characters.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "fichier".to_owned()
    } else {
        cleaned
    }
}

/// A stored file sent as a download: streamed, under an ASCII version of its name, never
/// cached by anyone but the browser that asked.
pub fn file_response(
    name: &str,
    content_type: &str,
    file: crate::infra::storage::Download,
) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"");
    let size = file.size;
    let mut response = file.into_body().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
