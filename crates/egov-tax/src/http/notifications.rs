//! The module's notices that did not reach people (the outbox's dead-letter list), for
//! platform admins: list them, and send one again once its cause is fixed (an address
//! corrected, the mail server back). See `egov_notify::admin`.

egov_notify::admin_routes!(crate::Tax, crate::store::OUTBOX, "tax");
