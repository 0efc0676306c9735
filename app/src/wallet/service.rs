//! The wallet in the tenant's schema: types, the citizen's pieces (upload, list, download,
//! delete), the copies into démarche drafts and from validated dossier pieces.
//!
//! Every function taking a citizen works on that citizen's person record only; a piece id
//! that is not theirs is "unknown", exactly like one that does not exist.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::model::{
    ACCEPTED_TYPES, MAX_PIECE_BYTES, Origin, PieceType, Refusal, WalletChoice, WalletPiece,
    WalletView, expiry, is_expired, quota_check,
};
use super::strings as s;
use crate::account::model::{UserKind, UserView};
use crate::demarches::model::IsoDate;
use crate::dossiers::model::UploadRefusal;
use crate::error::{AppError, AppResult};
use crate::infra::storage::{Download, TenantFiles};
use crate::infra::{Queries, Settings, TenantTx};
use crate::uploads::{Upload, clean_file_name, vet_file};

/// Today in Paris: the day pieces expire on.
pub fn today() -> AppResult<IsoDate> {
    let now = crate::infra::dates::paris_time(time::OffsetDateTime::now_utc());
    u16::try_from(now.year())
        .ok()
        .and_then(|year| IsoDate::new(year, u8::from(now.month()), now.day()))
        .ok_or(AppError::Internal)
}

fn unknown() -> AppError {
    AppError::NotFound(s::PIECE_UNKNOWN.to_owned())
}

/// The person record of a signed-in citizen (created for an account that has none yet).
/// Agents have no wallet.
pub async fn person_of(tx: &TenantTx, user: &UserView) -> AppResult<Uuid> {
    if user.kind != UserKind::Citizen {
        return Err(AppError::Forbidden(s::NOT_A_CITIZEN.to_owned()));
    }
    let account = user.uuid().ok_or(AppError::Unauthenticated)?;
    if let Some(person) = crate::people::service::person_of_account(tx, account).await? {
        return Ok(person);
    }
    crate::people::service::sync_account(tx, account)
        .await?
        .ok_or_else(|| AppError::Forbidden(s::NOT_A_CITIZEN.to_owned()))
}

#[derive(FromQueryResult)]
struct TypeRow {
    id: Uuid,
    label: String,
    validity_months: Option<i32>,
    active: bool,
}

impl TypeRow {
    fn view(self) -> PieceType {
        PieceType {
            id: self.id.to_string(),
            label: self.label,
            validity_months: self.validity_months.and_then(|m| u32::try_from(m).ok()),
            active: self.active,
        }
    }
}

/// Every type, active or not, in the admins' order.
pub async fn types(tx: &TenantTx) -> AppResult<Vec<PieceType>> {
    let rows: Vec<TypeRow> = tx
        .fetch_all(
            "SELECT id, label, validity_months, active FROM wallet_piece_types ORDER BY position, lower(label)",
            vec![],
        )
        .await?;
    Ok(rows.into_iter().map(TypeRow::view).collect())
}

/// The active types (id, label) a dossier's valid piece may be kept as: none when the dossier
/// was not filed from a citizen account (no wallet to keep it in).
pub async fn types_for_dossier(tx: &TenantTx, dossier: Uuid) -> AppResult<Vec<(String, String)>> {
    #[derive(FromQueryResult)]
    struct Owner {
        user_id: Option<Uuid>,
    }
    let owner: Option<Owner> = tx
        .fetch_optional(
            "SELECT d.user_id FROM dossiers d JOIN users u ON u.id = d.user_id AND u.kind = 'citizen' WHERE d.id = $1",
            vec![dossier.into()],
        )
        .await?;
    if owner.and_then(|o| o.user_id).is_none() {
        return Ok(Vec::new());
    }
    Ok(types(tx)
        .await?
        .into_iter()
        .filter(|t| t.active)
        .map(|t| (t.id, t.label))
        .collect())
}

async fn active_type(tx: &TenantTx, id: &str) -> AppResult<Option<PieceType>> {
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return Ok(None);
    };
    let row: Option<TypeRow> = tx
        .fetch_optional(
            "SELECT id, label, validity_months, active FROM wallet_piece_types WHERE id = $1 AND active",
            vec![id.into()],
        )
        .await?;
    Ok(row.map(TypeRow::view))
}

/// Creates (`id` empty) or changes a type, as an admin typed it.
pub async fn save_type(
    tx: &TenantTx,
    id: &str,
    label: &str,
    validity: &str,
    active: bool,
) -> AppResult<()> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 120 {
        return Err(AppError::invalid("label", s::LABEL_REQUIRED));
    }
    let validity = validity.trim();
    let months: Option<i32> = if validity.is_empty() {
        None
    } else {
        match validity.parse::<i32>() {
            Ok(m) if (1..=1200).contains(&m) => Some(m),
            _ => return Err(AppError::invalid("validity", s::VALIDITY_INVALID)),
        }
    };
    #[derive(FromQueryResult)]
    struct Taken {
        id: Uuid,
    }
    let taken: Option<Taken> = tx
        .fetch_optional(
            "SELECT id FROM wallet_piece_types WHERE lower(label) = lower($1)",
            vec![label.into()],
        )
        .await?;
    let id = id.trim();
    if id.is_empty() {
        if taken.is_some() {
            return Err(AppError::invalid("label", s::LABEL_TAKEN));
        }
        tx.execute(
            "INSERT INTO wallet_piece_types (id, label, validity_months, active, position)
             VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), 0) + 1 FROM wallet_piece_types))",
            vec![Uuid::new_v4().into(), label.into(), months.into(), active.into()],
        )
        .await?;
        return Ok(());
    }
    let id = Uuid::parse_str(id).map_err(|_| AppError::invalid("id", s::TYPE_UNKNOWN))?;
    if taken.is_some_and(|t| t.id != id) {
        return Err(AppError::invalid("label", s::LABEL_TAKEN));
    }
    // Pieces already kept keep the expiry they were given: the new validity is for new ones.
    let changed = tx
        .execute(
            "UPDATE wallet_piece_types SET label = $2, validity_months = $3, active = $4 WHERE id = $1",
            vec![id.into(), label.into(), months.into(), active.into()],
        )
        .await?;
    if changed == 0 {
        return Err(AppError::invalid("id", s::TYPE_UNKNOWN));
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct PieceRow {
    id: Uuid,
    type_label: String,
    name: String,
    size: i64,
    content_type: String,
    document_date: String,
    expires_on: Option<String>,
    origin: String,
}

const PIECE_SELECT: &str = "SELECT p.id, t.label AS type_label, p.name, p.size, p.content_type,
        to_char(p.document_date, 'YYYY-MM-DD') AS document_date,
        to_char(p.expires_on, 'YYYY-MM-DD') AS expires_on, p.origin
     FROM wallet_pieces p JOIN wallet_piece_types t ON t.id = p.type_id";

impl PieceRow {
    fn expires(&self) -> Option<IsoDate> {
        self.expires_on.as_deref().and_then(IsoDate::parse)
    }

    fn view(self, today: IsoDate) -> WalletPiece {
        let expires = self.expires();
        WalletPiece {
            id: self.id.to_string(),
            type_label: self.type_label,
            name: self.name,
            size: self.size.max(0) as u64,
            content_type: self.content_type,
            document_date: IsoDate::parse(&self.document_date)
                .map_or(self.document_date, IsoDate::to_french),
            expires_on: expires.map(IsoDate::to_french),
            expired: is_expired(expires, today),
            origin: Origin::parse(&self.origin),
        }
    }
}

async fn pieces_of(tx: &TenantTx, person: Uuid) -> AppResult<Vec<PieceRow>> {
    tx.fetch_all(
        &format!("{PIECE_SELECT} WHERE p.person_id = $1 ORDER BY t.position, p.document_date DESC, p.created_at DESC"),
        vec![person.into()],
    )
    .await
}

/// The citizen's wallet page.
pub async fn wallet(tx: &TenantTx, user: &UserView) -> AppResult<WalletView> {
    let person = person_of(tx, user).await?;
    let today = today()?;
    let rows = pieces_of(tx, person).await?;
    let used_bytes = rows.iter().map(|r| r.size.max(0) as u64).sum();
    Ok(WalletView {
        pieces: rows.into_iter().map(|r| r.view(today)).collect(),
        types: types(tx).await?.into_iter().filter(|t| t.active).collect(),
        used_bytes,
    })
}

/// The pieces a signed-in citizen may attach to a démarche: those not expired. Anyone else
/// (an anonymous draft, an agent) has none.
pub async fn choices(tx: &TenantTx, viewer: Option<&UserView>) -> AppResult<Vec<WalletChoice>> {
    let Some(user) = viewer.filter(|u| u.kind == UserKind::Citizen) else {
        return Ok(Vec::new());
    };
    let Some(account) = user.uuid() else {
        return Ok(Vec::new());
    };
    let Some(person) = crate::people::service::person_of_account(tx, account).await? else {
        return Ok(Vec::new());
    };
    let today = today()?;
    Ok(pieces_of(tx, person)
        .await?
        .into_iter()
        .map(|r| r.view(today))
        .filter(|p| !p.expired)
        .map(|p| WalletChoice {
            label: s::choice_label(&p.type_label, &p.name, p.expires_on.as_deref()),
            id: p.id,
            content_type: p.content_type,
        })
        .collect())
}

/// Adds a piece the citizen uploaded. The file passes the checks of every upload (sniffed
/// type, size) and the citizen's quota, then goes to the tenant's file store; a refusal writes
/// nothing. Returns the key written (to delete if the transaction does not commit).
pub async fn add(
    tx: &TenantTx,
    settings: &Settings,
    user: &UserView,
    type_id: &str,
    date: &str,
    upload: Option<Upload>,
) -> AppResult<Result<Uuid, Refusal>> {
    let person = person_of(tx, user).await?;
    let Some(upload) = upload else {
        return Ok(Err(Refusal::NoFile));
    };
    let accepted: Vec<String> = ACCEPTED_TYPES.iter().map(|t| (*t).to_owned()).collect();
    if let Err(refusal) = vet_file(&upload.bytes, &accepted, MAX_PIECE_BYTES) {
        return Ok(Err(match refusal {
            UploadRefusal::Missing => Refusal::NoFile,
            UploadRefusal::Empty => Refusal::Empty,
            UploadRefusal::TooLarge => Refusal::TooLarge,
            UploadRefusal::WrongType => Refusal::WrongType,
        }));
    }
    let Some(kind) = active_type(tx, type_id).await? else {
        return Ok(Err(Refusal::UnknownType));
    };
    let Some(date) = IsoDate::parse_input(date) else {
        return Ok(Err(Refusal::BadDate));
    };
    let today = today()?;
    if date > today {
        return Ok(Err(Refusal::FutureDate));
    }
    let expires = expiry(date, kind.validity_months);
    if is_expired(expires, today) {
        return Ok(Err(Refusal::AlreadyExpired));
    }
    // One citizen's uploads are counted one at a time: two at once cannot both fit the last
    // place.
    tx.execute(
        "SELECT id FROM people WHERE id = $1 FOR UPDATE",
        vec![person.into()],
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Used {
        pieces: i64,
        bytes: i64,
    }
    let used: Option<Used> = tx
        .fetch_optional(
            "SELECT count(*) AS pieces, coalesce(sum(size), 0)::bigint AS bytes FROM wallet_pieces WHERE person_id = $1",
            vec![person.into()],
        )
        .await?;
    let (pieces, bytes) = used.map_or((0, 0), |u| (u.pieces, u.bytes));
    if let Err(refusal) = quota_check(
        pieces.max(0) as usize,
        bytes.max(0) as u64,
        upload.bytes.len() as u64,
    ) {
        return Ok(Err(refusal));
    }
    let name = clean_file_name(&upload.name);
    let id = Uuid::new_v4();
    let files = TenantFiles::of(tx, settings);
    let stored = files.put(id, &upload.bytes).await?;
    let inserted = tx
        .execute(
            "INSERT INTO wallet_pieces (id, person_id, type_id, name, content_type, size, sha256, document_date, expires_on, origin)
             VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8::date, $9::date, 'citizen')",
            vec![
                id.into(),
                person.into(),
                kind.id.into(),
                name.into(),
                stored.content_type.into(),
                (upload.bytes.len() as i64).into(),
                stored.sha256.into(),
                date.to_string().into(),
                expires.map(|d| d.to_string()).into(),
            ],
        )
        .await;
    if let Err(error) = inserted {
        files.delete(id).await;
        return Err(error);
    }
    Ok(Ok(id))
}

#[derive(FromQueryResult)]
struct Owned {
    id: Uuid,
    name: String,
    content_type: String,
    expires_on: Option<String>,
}

/// One of the citizen's own pieces.
async fn own_piece(tx: &TenantTx, user: &UserView, id: &str) -> AppResult<Owned> {
    let person = person_of(tx, user).await?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| unknown())?;
    tx.fetch_optional(
        "SELECT id, name, content_type, to_char(expires_on, 'YYYY-MM-DD') AS expires_on
         FROM wallet_pieces WHERE id = $1 AND person_id = $2",
        vec![id.into(), person.into()],
    )
    .await?
    .ok_or_else(unknown)
}

/// A piece, streamed, for its owner only.
pub async fn download(
    tx: &TenantTx,
    settings: &Settings,
    user: &UserView,
    id: &str,
) -> AppResult<(String, String, Download)> {
    let piece = own_piece(tx, user, id).await?;
    let file = TenantFiles::of(tx, settings).open(piece.id).await?;
    Ok((piece.name, piece.content_type, file))
}

/// Deletes one of the citizen's pieces. Copies attached to drafts or dossiers are their own
/// files and stay. Returns the key to remove from the store once the transaction commits.
pub async fn delete(tx: &TenantTx, user: &UserView, id: &str) -> AppResult<Uuid> {
    let piece = own_piece(tx, user, id).await?;
    tx.execute(
        "DELETE FROM wallet_pieces WHERE id = $1",
        vec![piece.id.into()],
    )
    .await?;
    Ok(piece.id)
}

/// A piece chosen on a démarche's file field, as an upload of that field: the démarche's
/// own checks (its accepted types and size) then store it as a new attachment, a copy. An
/// expired piece or one that is not the citizen's is refused with the message to show.
pub async fn take_for_draft(
    tx: &TenantTx,
    settings: &Settings,
    viewer: Option<&UserView>,
    field: &str,
    id: &str,
) -> AppResult<Result<Upload, String>> {
    let Some(user) = viewer.filter(|u| u.kind == UserKind::Citizen) else {
        return Ok(Err(s::PICK_UNKNOWN.to_owned()));
    };
    let piece = match own_piece(tx, user, id).await {
        Ok(piece) => piece,
        Err(AppError::NotFound(_)) => return Ok(Err(s::PICK_UNKNOWN.to_owned())),
        Err(other) => return Err(other),
    };
    let expires = piece.expires_on.as_deref().and_then(IsoDate::parse);
    if is_expired(expires, today()?) {
        return Ok(Err(s::PICK_EXPIRED.to_owned()));
    }
    let bytes = TenantFiles::of(tx, settings).read(piece.id).await?;
    Ok(Ok(Upload {
        field: field.to_owned(),
        name: piece.name,
        bytes,
    }))
}

/// Keeps a copy of a dossier's piece an agent marked valid in its citizen's wallet ("validé
/// par la mairie"), as a piece of `type_id`, dated the day the citizen gave it. Returns the
/// key written.
pub async fn keep_validated(
    tx: &TenantTx,
    settings: &Settings,
    agent: Uuid,
    attachment: Uuid,
    type_id: &str,
) -> AppResult<Uuid> {
    let Some(kind) = active_type(tx, type_id).await? else {
        return Err(AppError::invalid("wallet_type", s::KEEP_NEEDS_TYPE));
    };
    #[derive(FromQueryResult)]
    struct Source {
        name: String,
        content_type: String,
        size: i64,
        sha256: String,
        review: String,
        owner: Option<Uuid>,
        given_on: String,
    }
    let source: Source = tx
        .fetch_optional(
            "SELECT a.name, a.content_type, a.size, a.sha256, a.review, d.user_id AS owner,
                    to_char((a.created_at AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') AS given_on
             FROM attachments a JOIN dossiers d ON d.id = a.dossier_id WHERE a.id = $1",
            vec![attachment.into()],
        )
        .await?
        .ok_or(AppError::Internal)?;
    if source.review != "valid" {
        return Err(AppError::invalid("wallet_type", s::KEEP_NEEDS_VALID));
    }
    let Some(owner) = source.owner else {
        return Err(AppError::invalid("wallet_type", s::KEEP_NEEDS_ACCOUNT));
    };
    let Some(person) = crate::people::service::sync_account(tx, owner).await? else {
        return Err(AppError::invalid("wallet_type", s::KEEP_NEEDS_ACCOUNT));
    };
    let date = IsoDate::parse(&source.given_on).ok_or(AppError::Internal)?;
    let expires = expiry(date, kind.validity_months);
    if is_expired(expires, today()?) {
        return Err(AppError::invalid("wallet_type", s::KEEP_EXPIRED));
    }
    let files = TenantFiles::of(tx, settings);
    let bytes = files.read(attachment).await?;
    let id = Uuid::new_v4();
    files.put(id, &bytes).await?;
    let inserted = tx
        .execute(
            "INSERT INTO wallet_pieces (id, person_id, type_id, name, content_type, size, sha256, document_date, expires_on, origin, source_attachment, validated_by)
             VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8::date, $9::date, 'agent', $10, $11)",
            vec![
                id.into(),
                person.into(),
                kind.id.into(),
                source.name.into(),
                source.content_type.into(),
                source.size.into(),
                source.sha256.into(),
                date.to_string().into(),
                expires.map(|d| d.to_string()).into(),
                attachment.into(),
                agent.into(),
            ],
        )
        .await;
    if let Err(error) = inserted {
        files.delete(id).await;
        return Err(error);
    }
    Ok(id)
}
