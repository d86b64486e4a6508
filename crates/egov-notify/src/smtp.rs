//! E-mail through an SMTP server (lettre).

use std::time::Duration;

use egov_core::outbox::Delivered;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::settings::{Security, SmtpSettings, read_secret};

/// A connection pool to one mail server.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl Smtp {
    pub fn new(s: &SmtpSettings) -> anyhow::Result<Self> {
        anyhow::ensure!(!s.host.is_empty(), "notify.smtp.host is empty");
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("notify.smtp.from ({}): {e}", s.from))?;
        let mut b = match s.security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)?,
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)?,
        }
        .port(s.port)
        .timeout(Some(Duration::from_millis(s.timeout_ms.max(100))));
        if !s.username.is_empty() {
            let path = s.password_file.as_ref().ok_or_else(|| {
                anyhow::anyhow!("notify.smtp.username is set but notify.smtp.password_file is not")
            })?;
            let password = read_secret("notify.smtp.password_file", path)?;
            b = b.credentials(Credentials::new(s.username.clone(), password));
        }
        Ok(Self {
            transport: b.build(),
            from,
            host: s.host.clone(),
        })
    }

    /// Sends a plain-text message in `lang`.
    pub async fn send(&self, to: &str, lang: &str, subject: &str, body: &str) -> Delivered {
        let Ok(to) = to.parse::<Mailbox>() else {
            return Delivered::Refused("the account's e-mail address is not valid".into());
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .header(ContentLanguage(lang.to_owned()))
            .body(body.to_owned());
        let message = match message {
            Ok(m) => m,
            Err(e) => return Delivered::Refused(format!("the message could not be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Delivered::Sent,
            Err(e) if e.is_permanent() => {
                Delivered::Refused(format!("the mail server refused it: {e}"))
            }
            Err(e) => Delivered::Retry(format!("mail server {}: {e}", self.host)),
        }
    }
}

/// `Content-Language`, so mail clients and screen readers read the text in its language.
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl lettre::message::header::Header for ContentLanguage {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}
