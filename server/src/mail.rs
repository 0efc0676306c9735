//! Mail transports: SMTP when configured, otherwise `.eml` files under the data folder
//! (`<data>/mail/<tenant slug>/`), one folder per tenant — then each message's links are
//! logged, and each commune's `/courriels-demo` page lists its mail (app `platform::demo_mail`).

use std::path::PathBuf;

use anyhow::Context;
use app::infra::Tenant;
use app::infra::mail::MailAttachment;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{
    Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

/// Why a message was not sent. `permanent`: the message itself is refused (an address that
/// cannot be parsed, an SMTP 5xx answer such as an unknown mailbox), so retrying is pointless;
/// otherwise (connection refused, 4xx) it is retried with backoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    fn permanent(message: String) -> Self {
        Self {
            message,
            permanent: true,
        }
    }

    fn transient(message: String) -> Self {
        Self {
            message,
            permanent: false,
        }
    }
}

/// One message as the outbox hands it to the transport.
pub struct Outgoing<'a> {
    /// `<…@…>`, fixed at enqueue time.
    pub message_id: &'a str,
    /// The platform's address: only it is covered by the platform's SPF and DKIM records, so
    /// mail "from" a commune's own domain would be rejected or sent to spam by receivers. The
    /// commune appears as the sender's name and receives the replies (Reply-To).
    pub from: &'a str,
    pub sender_name: &'a str,
    pub reply_to: Option<&'a str>,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub attachments: &'a [MailAttachment],
}

impl Outgoing<'_> {
    pub fn build(&self) -> Result<Message, String> {
        // The name is given to lettre as is (it quotes and encodes it), never parsed as part of
        // an address, so commas, parentheses or accents in a commune's name are harmless.
        let sender = self.sender_name.replace(|c: char| c.is_control(), " ");
        let address: Address = self
            .from
            .parse()
            .map_err(|e| format!("invalid sender address: {e}"))?;
        let from = Mailbox::new(
            Some(sender.trim().to_owned()).filter(|n| !n.is_empty()),
            address,
        );
        let to: Mailbox = self
            .to
            .parse()
            .map_err(|e| format!("invalid recipient address: {e}"))?;
        let mut builder = Message::builder()
            .message_id(Some(self.message_id.to_owned()))
            .from(from)
            .to(to)
            .subject(self.subject);
        if let Some(reply_to) = self.reply_to {
            let reply_to: Mailbox = reply_to
                .parse()
                .map_err(|e| format!("invalid reply-to address: {e}"))?;
            builder = builder.reply_to(reply_to);
        }
        let alternative =
            MultiPart::alternative_plain_html(self.text.to_owned(), self.html.to_owned());
        let body = if self.attachments.is_empty() {
            alternative
        } else {
            let mut mixed = MultiPart::mixed().multipart(alternative);
            for attachment in self.attachments {
                // A type lettre cannot parse still goes out, as opaque bytes.
                let content_type = ContentType::parse(&attachment.content_type)
                    .or_else(|_| ContentType::parse("application/octet-stream"))
                    .map_err(|e| e.to_string())?;
                mixed = mixed.singlepart(
                    Attachment::new(attachment.filename.clone())
                        .body(attachment.bytes.clone(), content_type),
                );
            }
            mixed
        };
        builder
            .multipart(body)
            .map_err(|e| format!("could not build message: {e}"))
    }
}

pub enum MailTransport {
    Files { root: PathBuf },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl MailTransport {
    pub fn new(smtp_url: Option<&str>, data_dir: &std::path::Path) -> anyhow::Result<Self> {
        Ok(match smtp_url {
            Some(url) => Self::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .with_context(|| format!("GUICHET_SMTP_URL is not a valid SMTP URL: {url}"))?
                    .build(),
            ),
            None => Self::Files {
                root: data_dir.join("mail"),
            },
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Files { root } => format!("files under {}/<tenant>/", root.display()),
            Self::Smtp(_) => "SMTP".to_owned(),
        }
    }

    /// Sends one message. Its Message-ID is the one fixed when it was queued, so every attempt
    /// (and a duplicate after a crash, see ARCHITECTURE.md) carries the same identity.
    pub async fn send(&self, tenant: &Tenant, mail: &Outgoing<'_>) -> Result<(), SendError> {
        let message = mail.build().map_err(SendError::permanent)?;
        match self {
            Self::Files { root } => {
                let dir = root.join(tenant.slug.as_str());
                tokio::fs::create_dir_all(&dir)
                    .await
                    .map_err(|e| SendError::transient(format!("{}: {e}", dir.display())))?;
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map_err(|e| SendError::transient(e.to_string()))?;
                // The file's links are quoted-printable: the log gives them whole, and the
                // commune's `/courriels-demo` page lists the mail with working links.
                let links: Vec<&str> = mail
                    .text
                    .split_whitespace()
                    .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
                    .collect();
                tracing::info!(
                    tenant = %tenant.slug,
                    to = mail.to,
                    subject = mail.subject,
                    links = %links.join(" "),
                    "demo mail written (see /courriels-demo)"
                );
                Ok(())
            }
            Self::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            }),
        }
    }
}
