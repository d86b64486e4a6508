//! The petition module's problem codes (documented in `docs/errors.md`).

use egov_core::ErrorCode;

pub const SERVICE_NOT_FOUND: ErrorCode = ErrorCode::new(
    "petition.service_not_found",
    404,
    "No such service in the catalogue",
);
pub const CASE_NOT_FOUND: ErrorCode = ErrorCode::new(
    "petition.case_not_found",
    404,
    "No such case (or not yours to see)",
);
pub const NOT_AN_APPLICANT: ErrorCode = ErrorCode::new(
    "petition.not_an_applicant",
    403,
    "This account is not linked to a person or a business and cannot apply",
);
pub const ILLEGAL_TRANSITION: ErrorCode = ErrorCode::new(
    "petition.illegal_transition",
    409,
    "This action is not allowed in the case's current status",
);
pub const CONCURRENT_CHANGE: ErrorCode = ErrorCode::new(
    "petition.concurrent_change",
    409,
    "The case changed while this request was processed: reload and retry",
);
pub const INCOMPLETE: ErrorCode = ErrorCode::new(
    "petition.incomplete",
    422,
    "The application is not complete: see errors",
);
pub const EVIDENCE_REFUSED: ErrorCode = ErrorCode::new(
    "petition.evidence_refused",
    409,
    "The evidence could not be fetched through the exchange (no consent, no grant, or the provider refused): upload it instead",
);
pub const EVIDENCE_UNAVAILABLE: ErrorCode = ErrorCode::new(
    "petition.evidence_unavailable",
    503,
    "The providing agency could not be reached: try again later or upload the evidence",
);
pub const ATTACHMENT_TOO_LARGE: ErrorCode = ErrorCode::new(
    "petition.attachment_too_large",
    413,
    "The attachment exceeds the configured size limit",
);
pub const ATTACHMENT_TYPE: ErrorCode = ErrorCode::new(
    "petition.attachment_type",
    415,
    "The attachment's content is not of an accepted type (checked by content, not by name)",
);
pub const ATTACHMENT_NOT_FOUND: ErrorCode = ErrorCode::new(
    "petition.attachment_not_found",
    404,
    "No such attachment on this case",
);
pub const DOCUMENT_NOT_FOUND: ErrorCode = ErrorCode::new(
    "petition.document_not_found",
    404,
    "No document with this number can be verified here",
);
pub const DOCUMENT_REVOKED: ErrorCode = ErrorCode::new(
    "petition.document_revoked",
    409,
    "The document is already revoked",
);
pub const REOPEN_WINDOW: ErrorCode = ErrorCode::new(
    "petition.reopen_window_passed",
    409,
    "The case was closed longer ago than the country pack allows for reopening",
);
pub const ALREADY_RATED: ErrorCode =
    ErrorCode::new("petition.already_rated", 409, "The case is already rated");
pub const CALENDAR: ErrorCode = ErrorCode::new(
    "petition.calendar_not_covered",
    503,
    "The country pack's working-day calendar does not cover the dates this deadline needs",
);
pub const UNKNOWN_AGENCY: ErrorCode = ErrorCode::new(
    "petition.unknown_agency",
    422,
    "No such agency in the country pack",
);
pub const MERGE_TARGET: ErrorCode = ErrorCode::new(
    "petition.merge_target",
    409,
    "A case can be merged only into another open case of the same agency and service",
);

pub const ALL: &[ErrorCode] = &[
    SERVICE_NOT_FOUND,
    CASE_NOT_FOUND,
    NOT_AN_APPLICANT,
    ILLEGAL_TRANSITION,
    CONCURRENT_CHANGE,
    INCOMPLETE,
    EVIDENCE_REFUSED,
    EVIDENCE_UNAVAILABLE,
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE,
    ATTACHMENT_NOT_FOUND,
    DOCUMENT_NOT_FOUND,
    DOCUMENT_REVOKED,
    REOPEN_WINDOW,
    ALREADY_RATED,
    CALENDAR,
    UNKNOWN_AGENCY,
    MERGE_TARGET,
];
