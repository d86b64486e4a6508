//! The docflow module's problem codes (documented in `docs/errors.md`).

use egov_core::ErrorCode;

pub const NOT_CONFIGURED: ErrorCode = ErrorCode::new(
    "docflow.not_configured",
    503,
    "The active country pack has no document rules",
);
pub const DOCUMENT_NOT_FOUND: ErrorCode = ErrorCode::new(
    "docflow.document_not_found",
    404,
    "No such document (or not yours to see)",
);
pub const UNIT_NOT_FOUND: ErrorCode =
    ErrorCode::new("docflow.unit_not_found", 404, "No such unit of your agency");
pub const POSITION_NOT_FOUND: ErrorCode = ErrorCode::new(
    "docflow.position_not_found",
    422,
    "No such position of your agency in force",
);
pub const STEP_NOT_FOUND: ErrorCode = ErrorCode::new(
    "docflow.step_not_found",
    404,
    "No such step in the document's approval line",
);
pub const FILE_NOT_FOUND: ErrorCode = ErrorCode::new(
    "docflow.file_not_found",
    404,
    "No such record file of your agency",
);
pub const HOLD_NOT_FOUND: ErrorCode =
    ErrorCode::new("docflow.hold_not_found", 404, "No such legal hold in force");
pub const DISPATCH_NOT_FOUND: ErrorCode = ErrorCode::new(
    "docflow.dispatch_not_found",
    404,
    "No such dispatch of this document",
);
pub const NO_POSITION: ErrorCode = ErrorCode::new(
    "docflow.no_position",
    403,
    "You hold no position in your agency's organisation today",
);
pub const NOT_YOUR_TURN: ErrorCode = ErrorCode::new(
    "docflow.not_your_turn",
    403,
    "The current step is not yours, nor are you its stand-in (대결) today",
);
pub const NOT_THE_DRAFTER: ErrorCode = ErrorCode::new(
    "docflow.not_the_drafter",
    403,
    "Only the document's drafter may do this",
);
pub const ILLEGAL_STATE: ErrorCode = ErrorCode::new(
    "docflow.illegal_state",
    409,
    "This action is not allowed in the document's current state",
);
pub const VERSION_CHANGED: ErrorCode = ErrorCode::new(
    "docflow.version_changed",
    409,
    "The document changed since the version you name: read it again before acting",
);
pub const RECALL_TOO_LATE: ErrorCode = ErrorCode::new(
    "docflow.recall_too_late",
    409,
    "The next approver has already acted: the document can no longer be recalled",
);
pub const INVALID_LINE: ErrorCode = ErrorCode::new(
    "docflow.invalid_line",
    422,
    "The approval line is not valid",
);
pub const NOT_DELEGATED: ErrorCode = ErrorCode::new(
    "docflow.not_delegated",
    422,
    "The delegation table in force does not let this position approve this document finally (전결)",
);
pub const LEGAL_HOLD: ErrorCode = ErrorCode::new(
    "docflow.legal_hold",
    409,
    "A legal hold is in force on this record: it cannot be disposed of by anyone",
);
pub const RETENTION_RUNNING: ErrorCode = ErrorCode::new(
    "docflow.retention_running",
    409,
    "The retention period has not ended (or the record is permanent)",
);
pub const PURPOSE_REQUIRED: ErrorCode = ErrorCode::new(
    "docflow.purpose_required",
    422,
    "The document carries personal data: say why you read it (?purpose=)",
);
pub const ATTACHMENT_NOT_FOUND: ErrorCode = ErrorCode::new(
    "docflow.attachment_not_found",
    404,
    "No such attachment of this document (or it was disposed of)",
);

pub const ALL: &[ErrorCode] = &[
    NOT_CONFIGURED,
    DOCUMENT_NOT_FOUND,
    UNIT_NOT_FOUND,
    POSITION_NOT_FOUND,
    STEP_NOT_FOUND,
    FILE_NOT_FOUND,
    HOLD_NOT_FOUND,
    DISPATCH_NOT_FOUND,
    NO_POSITION,
    NOT_YOUR_TURN,
    NOT_THE_DRAFTER,
    ILLEGAL_STATE,
    VERSION_CHANGED,
    RECALL_TOO_LATE,
    INVALID_LINE,
    NOT_DELEGATED,
    LEGAL_HOLD,
    RETENTION_RUNNING,
    PURPOSE_REQUIRED,
    ATTACHMENT_NOT_FOUND,
];
