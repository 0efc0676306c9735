//! Mail transports: SMTP when configured, otherwise `.eml` files under the data folder
//! (`<data>/mail/<tenant slug>/`), one folder per tenant.

use std::path::PathBuf;

use anyhow::Context;
use app::infra::Tenant;
use lettre::message::Mailbox;
use lettre::message::MultiPart;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

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

    pub async fn send(
        &self,
        tenant: &Tenant,
        from: &str,
        to: &str,
        subject: &str,
        body: &str,
        html: &str,
    ) -> Result<(), String> {
        // The sender's name is the commune's, as its branding shows it.
        let sender = tenant
            .branding
            .name_or(&tenant.name)
            .replace(['<', '>', '"'], "");
        let from: Mailbox = format!("{sender} <{from}>")
            .parse()
            .map_err(|e| format!("invalid sender address: {e}"))?;
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("invalid recipient address: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(
                body.to_owned(),
                html.to_owned(),
            ))
            .map_err(|e| format!("could not build message: {e}"))?;
        match self {
            Self::Files { root } => {
                let dir = root.join(tenant.slug.as_str());
                tokio::fs::create_dir_all(&dir)
                    .await
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            Self::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }
}
