//! Notices reach people. The modules queue notices in their outboxes (`egov_core::outbox`) in
//! the same transaction as the change they tell about; the outbox's worker hands each notice,
//! channel by channel, to the [`Delivery`] built here:
//!
//! - **who**: the notice names a data subject (a person key or `business:<number>`), never an
//!   address. [`AccountContacts`] finds the subject's active account in common auth and reads
//!   its e-mail address, mobile number and language (`PUT /auth/me/contact`).
//! - **what**: the text comes from Fluent messages in the recipient's language: each module's
//!   defaults (`notice-<module>-<template>-subject`, `-text`, `-sms`), overridden by the country
//!   pack's `messages/<lang>.ftl` ([`templates`]).
//! - **how**: e-mail through an SMTP server (lettre, with STARTTLS or TLS and credentials), text
//!   messages through an HTTP gateway ([`sms`]); or, per channel, the log (the default: a pilot
//!   without a mail server loses nothing and leaks no address).
//!
//! What a channel makes of a notice decides its fate in the outbox: sent, retried with backoff
//! (a connection failure, a timeout, a 4xx reply of the mail server, a gateway's 5xx), refused
//! for good and dead-lettered at once (a 5xx reply of the mail server, a gateway's 4xx), or no
//! address for that channel. Counted in `egov_notifications_total{channel,outcome}`.

pub mod admin;
pub mod settings;
pub mod sms;
pub mod smtp;
pub mod templates;

use std::sync::Arc;

use egov_core::outbox::{BoxFuture, Delivered, LogNotifier, Notification, Notifier};
use egov_core::{Db, Settings};
use prometheus::{IntCounterVec, Opts};

pub use settings::NotifySettings;
pub use templates::Templates;

/// Where notices reach one recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// One of the pack's languages; `None`: the pack's default.
    pub language: Option<String>,
}

/// Finds a recipient's contact details: `Ok(None)` when no active account speaks for them.
pub trait Contacts: Send + Sync + 'static {
    fn find<'a>(&'a self, recipient: &'a str) -> BoxFuture<'a, Result<Option<Contact>, String>>;
}

/// Contact details from the recipient's account in common auth (the process's database).
#[derive(Debug, Clone)]
pub struct AccountContacts(pub Db);

impl Contacts for AccountContacts {
    fn find<'a>(&'a self, recipient: &'a str) -> BoxFuture<'a, Result<Option<Contact>, String>> {
        let key = recipient.to_owned();
        Box::pin(async move {
            let row = self
                .0
                .run(move |c| egov_auth::accounts::for_subject(c, &key))
                .await
                .map_err(|e| format!("the account could not be read: {e}"))?;
            Ok(row.map(|a| Contact {
                email: a.email,
                phone: a.phone,
                language: a.language,
            }))
        })
    }
}

/// A channel: written to the log, or sent.
#[derive(Debug)]
enum Channel<T> {
    Log,
    Send(T),
}

/// The process's notifier: e-mail and text messages to the recipient's account.
pub struct Delivery {
    contacts: Arc<dyn Contacts>,
    templates: Templates,
    email: Channel<smtp::Smtp>,
    sms: Channel<sms::Gateway>,
    counter: IntCounterVec,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("email", &self.email)
            .field("sms", &self.sms)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// The delivery the `[notify]` settings describe (secrets read from their files now, so a
    /// missing one stops the start with its name).
    pub fn from_settings(
        settings: &Settings,
        contacts: Arc<dyn Contacts>,
        templates: Templates,
    ) -> anyhow::Result<Self> {
        let config: NotifySettings = settings.section("notify")?;
        let email = match config.email {
            settings::EmailMode::Log => Channel::Log,
            settings::EmailMode::Smtp => Channel::Send(smtp::Smtp::new(&config.smtp)?),
        };
        let sms = match config.sms {
            settings::SmsMode::Log => Channel::Log,
            settings::SmsMode::Http => Channel::Send(sms::Gateway::new(&config.sms_gateway)?),
        };
        let counter = IntCounterVec::new(
            Opts::new(
                "notifications_total",
                "Notices handed to a channel, by channel and outcome \
                 (sent, logged, no_address, retry, refused)",
            ),
            &["channel", "outcome"],
        )?;
        Ok(Self {
            contacts,
            templates,
            email,
            sms,
            counter,
        })
    }

    /// The counter to register with the process's metrics.
    pub fn counter(&self) -> IntCounterVec {
        self.counter.clone()
    }

    async fn send(&self, n: &Notification, channel: &str) -> Delivered {
        let (smtp, gateway) = match (channel, &self.email, &self.sms) {
            ("email", Channel::Send(smtp), _) => (Some(smtp), None),
            ("sms", _, Channel::Send(gateway)) => (None, Some(gateway)),
            ("email" | "sms", _, _) => return LogNotifier.deliver(n, channel).await,
            _ => return Delivered::Refused(format!("no such channel: {channel}")),
        };
        let contact = match self.contacts.find(&n.recipient).await {
            Ok(Some(c)) => c,
            Ok(None) => return Delivered::NoAddress("no active account for the recipient".into()),
            Err(e) => return Delivered::Retry(e),
        };
        let lang = self.templates.language(contact.language.as_deref());
        let text = match self.templates.render(&lang, n) {
            Ok(t) => t,
            Err(e) => return Delivered::Refused(e),
        };
        match (smtp, gateway, contact.email, contact.phone) {
            (Some(smtp), _, Some(to), _) => smtp.send(&to, &lang, &text.subject, &text.body).await,
            (Some(_), ..) => Delivered::NoAddress("no e-mail address on the account".into()),
            (_, Some(gateway), _, Some(to)) => gateway.send(&to, &text.sms, &n.id).await,
            _ => Delivered::NoAddress("no mobile number on the account".into()),
        }
    }
}

impl Notifier for Delivery {
    fn name(&self) -> &'static str {
        "delivery"
    }

    fn deliver<'a>(&'a self, n: &'a Notification, channel: &'a str) -> BoxFuture<'a, Delivered> {
        Box::pin(async move {
            let logged = match channel {
                "email" => matches!(self.email, Channel::Log),
                "sms" => matches!(self.sms, Channel::Log),
                _ => false,
            };
            let outcome = self.send(n, channel).await;
            let label = match &outcome {
                Delivered::Sent if logged => "logged",
                Delivered::Sent => "sent",
                Delivered::NoAddress(_) => "no_address",
                Delivered::Retry(_) => "retry",
                Delivered::Refused(_) => "refused",
            };
            let channel_label = if matches!(channel, "email" | "sms") {
                channel
            } else {
                "other"
            };
            self.counter
                .with_label_values(&[channel_label, label])
                .inc();
            if let Delivered::Retry(e) | Delivered::Refused(e) = &outcome {
                tracing::warn!(notification = %n.id, channel, template = %n.template,
                    error = %e, outcome = label, "notification not delivered");
            } else {
                tracing::info!(notification = %n.id, channel, template = %n.template,
                    outcome = label, "notification handled");
            }
            outcome
        })
    }
}
