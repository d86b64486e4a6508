//! The procurement module's problem codes (documented in `docs/errors.md`).

egov_core::error_codes! {
    NOT_CONFIGURED = ("procurement.not_configured", 503, "The active country pack has no procurement rules", "the active country pack has no `procurement/procurement.toml`");
    TENDER_NOT_FOUND = ("procurement.tender_not_found", 404, "No such tender (or not yours to see)", "an unknown tender, a draft seen by anyone but its agency, or another agency's tender seen by an officer");
    BID_NOT_FOUND = ("procurement.bid_not_found", 404, "No such bid (or not yours)", "an unknown bid, another supplier's, or one not valid for scoring");
    QUESTION_NOT_FOUND = ("procurement.question_not_found", 404, "No such unanswered question on this tender", "an unknown or already answered question");
    COMPLAINT_NOT_FOUND = ("procurement.complaint_not_found", 404, "No such complaint", "an unknown complaint id");
    CONTRACT_NOT_FOUND = ("procurement.contract_not_found", 404, "No such contract (or not yours to see)", "an unknown contract, or one the caller is not a party to");
    DEBARMENT_NOT_FOUND = ("procurement.debarment_not_found", 404, "No such debarment in force", "an unknown debarment, or one already lifted");
    PROCEDURE_NOT_FOUND = ("procurement.procedure_not_found", 422, "The country pack has no such procedure, or it does not cover the category", "a tender naming a procedure the pack no longer has");
    NOT_A_SUPPLIER = ("procurement.not_a_supplier", 403, "Only a business account with a valid business number can act as a supplier", "a business token without a business number valid under the pack");
    NOT_REGISTERED = ("procurement.not_registered", 409, "The supplier is not registered: register at /procurement/v1/suppliers/me first", "a supplier action before `PUT /procurement/v1/suppliers/me`");
    DEBARRED = ("procurement.debarred", 403, "The supplier is debarred from public procurement", "a bid from a business on the debarment list on the day");
    INELIGIBLE = ("procurement.ineligible", 403, "The supplier is not eligible: the tax clearance answer reports overdue tax", "a bid while the tax clearance answer on file reports overdue tax");
    ELIGIBILITY_MISSING = ("procurement.eligibility_missing", 409, "No valid tax clearance answer through the exchange: check eligibility with the supplier's consent first", "a bid with no valid tax clearance answer on file and no consent given");
    ELIGIBILITY_REFUSED = ("procurement.eligibility_refused", 409, "The exchange refused the tax clearance request (no consent, no grant, or the provider refused)", "the exchange or the tax module refused the clearance request (no consent, no grant)");
    ELIGIBILITY_UNAVAILABLE = ("procurement.eligibility_unavailable", 503, "The tax clearance provider could not be reached: try again later", "the tax clearance provider did not answer, or the exchange is not served");
    ILLEGAL_TRANSITION = ("procurement.illegal_transition", 409, "This action is not allowed in the tender's current status", "an action the tender's status does not allow (e.g. ranking before the opening)");
    CONCURRENT_CHANGE = ("procurement.concurrent_change", 409, "The tender changed while this request was processed: reload and retry", "the tender changed in between, or another instance opened it first");
    NOT_ACCEPTING_BIDS = ("procurement.not_accepting_bids", 409, "The tender does not accept bids now (before the tendering period, after the deadline, postponed or suspended)", "a bid or withdrawal outside the tendering period (after the deadline: the receipt time is taken under the tender's lock)");
    DEADLINE_SLOT_FULL = ("procurement.deadline_slot_full", 409, "The country pack's limit of deadlines in that hour is reached: choose another hour", "a deadline in an hour that already has the pack's maximum");
    COMMITTEE_KEY_MISSING = ("procurement.committee_key_missing", 422, "A committee member has not registered an opening key", "publishing while a committee member has no registered opening key");
    NOT_COMMITTEE = ("procurement.not_committee", 403, "Only a member of this tender's opening committee may do this", "a committee action by someone not on the tender's committee");
    NOT_EVALUATOR = ("procurement.not_evaluator", 403, "Only an evaluator named on this tender may score it", "a score from someone not named as evaluator");
    SHARE_REJECTED = ("procurement.share_rejected", 422, "This is not the member's share of the tender's opening key", "a share whose digest is not the member's, or shares that do not rebuild the tender's key");
    SHARE_ALREADY_GIVEN = ("procurement.share_already_given", 409, "The member's share is already handed in", "a member handing in a share twice");
    NOT_ENOUGH_SHARES = ("procurement.not_enough_shares", 409, "Fewer committee shares than the procedure's threshold have been handed in: the bids stay sealed", "opening with fewer than k shares handed in");
    ALREADY_SCORED = ("procurement.already_scored", 409, "This evaluator has already scored this bid (scores are signed and final unless the review body orders a re-evaluation)", "a second score from the same evaluator for the same bid");
    SCORES_MISSING = ("procurement.scores_missing", 409, "Not every evaluator has scored every valid bid", "ranking before every evaluator scored every valid bid");
    COMPLAINT_WINDOW = ("procurement.complaint_window", 409, "Complaints against the terms are possible before the deadline, against the award during the standstill", "a complaint against the terms after the deadline, or against the award outside the standstill");
    ALREADY_SIGNED = ("procurement.already_signed", 409, "This party has already signed this contract version", "a party signing the same contract version twice");
    BIDDER_KEY_NOT_FOUND = ("procurement.bidder_key_not_found", 404, "No such bid signing key in use (or not yours)", "an unknown key, another supplier's, or one already revoked");
    SIGNATURE_INVALID = ("procurement.signature_invalid", 422, "The bid's signature does not verify with the supplier's registered key", "a sealed bid whose Ed25519 signature over its context and digest does not verify with the named key");
    NOT_ISSUED = ("procurement.not_published", 409, "Not available before the tender reaches this stage", "opened bids asked for before the opening");
}
