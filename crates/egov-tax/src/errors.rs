//! The tax module's problem codes (documented in `docs/errors.md`).

use egov_core::ErrorCode;

pub const NO_RULES: ErrorCode = ErrorCode::new(
    "tax.no_rules",
    404,
    "No tax rules for this year in the country pack",
);
pub const NOT_A_TAXPAYER: ErrorCode = ErrorCode::new(
    "tax.not_a_taxpayer",
    403,
    "This account is not linked to a taxpayer (national ID or business registration number)",
);
pub const INVALID_INPUTS: ErrorCode = ErrorCode::new(
    "tax.invalid_inputs",
    422,
    "Inputs refused by the rules' declarations",
);
pub const RETURN_REJECTED: ErrorCode = ErrorCode::new(
    "tax.return_rejected",
    422,
    "The return was rejected: business rules fired (see errors, each with its rule number)",
);
pub const RETURN_NOT_FOUND: ErrorCode =
    ErrorCode::new("tax.return_not_found", 404, "No such return");
pub const CONCURRENT_SUBMISSION: ErrorCode = ErrorCode::new(
    "tax.concurrent_submission",
    409,
    "Another submission of this return was accepted at the same moment: retry",
);
pub const IDEMPOTENCY_MISMATCH: ErrorCode = ErrorCode::new(
    "tax.idempotency_key_reused",
    409,
    "This idempotency key was used for a submission with different content",
);
pub const NOT_FILED: ErrorCode = ErrorCode::new(
    "tax.not_filed",
    409,
    "No return has been filed for this year",
);
pub const ARREARS: ErrorCode = ErrorCode::new(
    "tax.arrears",
    409,
    "A tax-payment certificate cannot be issued while tax is overdue",
);
pub const CERTIFICATE_NOT_FOUND: ErrorCode = ErrorCode::new(
    "tax.certificate_not_found",
    404,
    "No certificate with this number can be verified here",
);
pub const CERTIFICATE_REVOKED: ErrorCode = ErrorCode::new(
    "tax.certificate_revoked",
    409,
    "The certificate is already revoked",
);
pub const TAXPAYER_NOT_FOUND: ErrorCode = ErrorCode::new(
    "tax.taxpayer_not_found",
    404,
    "No taxpayer with this identifier",
);
pub const NO_REFUND_DUE: ErrorCode = ErrorCode::new(
    "tax.no_refund_due",
    409,
    "No refund is due for this taxpayer and year",
);
pub const BAD_UPLOAD: ErrorCode = ErrorCode::new(
    "tax.bad_upload",
    400,
    "The statement file cannot be read (header or encoding)",
);

pub const ALL: &[ErrorCode] = &[
    NO_RULES,
    NOT_A_TAXPAYER,
    INVALID_INPUTS,
    RETURN_REJECTED,
    RETURN_NOT_FOUND,
    CONCURRENT_SUBMISSION,
    IDEMPOTENCY_MISMATCH,
    NOT_FILED,
    ARREARS,
    CERTIFICATE_NOT_FOUND,
    CERTIFICATE_REVOKED,
    TAXPAYER_NOT_FOUND,
    NO_REFUND_DUE,
    BAD_UPLOAD,
];
