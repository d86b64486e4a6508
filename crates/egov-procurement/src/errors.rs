//! The procurement module's problem codes (documented in `docs/errors.md`).

use egov_core::ErrorCode;

pub const NOT_CONFIGURED: ErrorCode = ErrorCode::new(
    "procurement.not_configured",
    503,
    "The active country pack has no procurement rules",
);
pub const TENDER_NOT_FOUND: ErrorCode = ErrorCode::new(
    "procurement.tender_not_found",
    404,
    "No such tender (or not yours to see)",
);
pub const BID_NOT_FOUND: ErrorCode = ErrorCode::new(
    "procurement.bid_not_found",
    404,
    "No such bid (or not yours)",
);
pub const QUESTION_NOT_FOUND: ErrorCode = ErrorCode::new(
    "procurement.question_not_found",
    404,
    "No such unanswered question on this tender",
);
pub const COMPLAINT_NOT_FOUND: ErrorCode =
    ErrorCode::new("procurement.complaint_not_found", 404, "No such complaint");
pub const CONTRACT_NOT_FOUND: ErrorCode = ErrorCode::new(
    "procurement.contract_not_found",
    404,
    "No such contract (or not yours to see)",
);
pub const DEBARMENT_NOT_FOUND: ErrorCode = ErrorCode::new(
    "procurement.debarment_not_found",
    404,
    "No such debarment in force",
);
pub const PROCEDURE_NOT_FOUND: ErrorCode = ErrorCode::new(
    "procurement.procedure_not_found",
    422,
    "The country pack has no such procedure, or it does not cover the category",
);
pub const NOT_A_SUPPLIER: ErrorCode = ErrorCode::new(
    "procurement.not_a_supplier",
    403,
    "Only a business account with a valid business number can act as a supplier",
);
pub const NOT_REGISTERED: ErrorCode = ErrorCode::new(
    "procurement.not_registered",
    409,
    "The supplier is not registered: register at /procurement/v1/suppliers/me first",
);
pub const DEBARRED: ErrorCode = ErrorCode::new(
    "procurement.debarred",
    403,
    "The supplier is debarred from public procurement",
);
pub const INELIGIBLE: ErrorCode = ErrorCode::new(
    "procurement.ineligible",
    403,
    "The supplier is not eligible: the tax clearance answer reports overdue tax",
);
pub const ELIGIBILITY_MISSING: ErrorCode = ErrorCode::new(
    "procurement.eligibility_missing",
    409,
    "No valid tax clearance answer through the exchange: check eligibility with the supplier's consent first",
);
pub const ELIGIBILITY_REFUSED: ErrorCode = ErrorCode::new(
    "procurement.eligibility_refused",
    409,
    "The exchange refused the tax clearance request (no consent, no grant, or the provider refused)",
);
pub const ELIGIBILITY_UNAVAILABLE: ErrorCode = ErrorCode::new(
    "procurement.eligibility_unavailable",
    503,
    "The tax clearance provider could not be reached: try again later",
);
pub const ILLEGAL_TRANSITION: ErrorCode = ErrorCode::new(
    "procurement.illegal_transition",
    409,
    "This action is not allowed in the tender's current status",
);
pub const CONCURRENT_CHANGE: ErrorCode = ErrorCode::new(
    "procurement.concurrent_change",
    409,
    "The tender changed while this request was processed: reload and retry",
);
pub const NOT_ACCEPTING_BIDS: ErrorCode = ErrorCode::new(
    "procurement.not_accepting_bids",
    409,
    "The tender does not accept bids now (before the tendering period, after the deadline, postponed or suspended)",
);
pub const DEADLINE_SLOT_FULL: ErrorCode = ErrorCode::new(
    "procurement.deadline_slot_full",
    409,
    "The country pack's limit of deadlines in that hour is reached: choose another hour",
);
pub const COMMITTEE_KEY_MISSING: ErrorCode = ErrorCode::new(
    "procurement.committee_key_missing",
    422,
    "A committee member has not registered an opening key",
);
pub const NOT_COMMITTEE: ErrorCode = ErrorCode::new(
    "procurement.not_committee",
    403,
    "Only a member of this tender's opening committee may do this",
);
pub const NOT_EVALUATOR: ErrorCode = ErrorCode::new(
    "procurement.not_evaluator",
    403,
    "Only an evaluator named on this tender may score it",
);
pub const SHARE_REJECTED: ErrorCode = ErrorCode::new(
    "procurement.share_rejected",
    422,
    "This is not the member's share of the tender's opening key",
);
pub const SHARE_ALREADY_GIVEN: ErrorCode = ErrorCode::new(
    "procurement.share_already_given",
    409,
    "The member's share is already handed in",
);
pub const NOT_ENOUGH_SHARES: ErrorCode = ErrorCode::new(
    "procurement.not_enough_shares",
    409,
    "Fewer committee shares than the procedure's threshold have been handed in: the bids stay sealed",
);
pub const ALREADY_SCORED: ErrorCode = ErrorCode::new(
    "procurement.already_scored",
    409,
    "This evaluator has already scored this bid (scores are signed and final)",
);
pub const SCORES_MISSING: ErrorCode = ErrorCode::new(
    "procurement.scores_missing",
    409,
    "Not every evaluator has scored every valid bid",
);
pub const COMPLAINT_WINDOW: ErrorCode = ErrorCode::new(
    "procurement.complaint_window",
    409,
    "Complaints against the terms are possible before the deadline, against the award during the standstill",
);
pub const ALREADY_SIGNED: ErrorCode = ErrorCode::new(
    "procurement.already_signed",
    409,
    "This party has already signed this contract version",
);
pub const NOT_ISSUED: ErrorCode = ErrorCode::new(
    "procurement.not_published",
    409,
    "Not available before the tender reaches this stage",
);

/// Every code, for the documentation.
pub const ALL: &[ErrorCode] = &[
    NOT_CONFIGURED,
    TENDER_NOT_FOUND,
    BID_NOT_FOUND,
    QUESTION_NOT_FOUND,
    COMPLAINT_NOT_FOUND,
    CONTRACT_NOT_FOUND,
    DEBARMENT_NOT_FOUND,
    PROCEDURE_NOT_FOUND,
    NOT_A_SUPPLIER,
    NOT_REGISTERED,
    DEBARRED,
    INELIGIBLE,
    ELIGIBILITY_MISSING,
    ELIGIBILITY_REFUSED,
    ELIGIBILITY_UNAVAILABLE,
    ILLEGAL_TRANSITION,
    CONCURRENT_CHANGE,
    NOT_ACCEPTING_BIDS,
    DEADLINE_SLOT_FULL,
    COMMITTEE_KEY_MISSING,
    NOT_COMMITTEE,
    NOT_EVALUATOR,
    SHARE_REJECTED,
    SHARE_ALREADY_GIVEN,
    NOT_ENOUGH_SHARES,
    ALREADY_SCORED,
    SCORES_MISSING,
    COMPLAINT_WINDOW,
    ALREADY_SIGNED,
    NOT_ISSUED,
];
