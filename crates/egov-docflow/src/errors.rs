//! The docflow module's problem codes (documented in `docs/errors.md`).

egov_core::error_codes! {
    NOT_CONFIGURED = ("docflow.not_configured", 503, "The active country pack has no document rules", "the active country pack has no `docflow/docflow.toml`");
    DOCUMENT_NOT_FOUND = ("docflow.document_not_found", 404, "No such document (or not yours to see)", "an unknown document, or one you neither drafted, handle, stand on the line of, were circulated, nor may see by role (document office, records, auditor)");
    UNIT_NOT_FOUND = ("docflow.unit_not_found", 404, "No such unit of your agency", "a unit of another agency, or not in force");
    POSITION_NOT_FOUND = ("docflow.position_not_found", 422, "No such position of your agency in force", "drafting from, or inserting, a position not of your agency or not in force");
    STEP_NOT_FOUND = ("docflow.step_not_found", 404, "No such step in the document's approval line", "removing a step that is not in the document's line");
    FILE_NOT_FOUND = ("docflow.file_not_found", 404, "No such record file of your agency", "filing into a record file of another agency, or an unknown one");
    HOLD_NOT_FOUND = ("docflow.hold_not_found", 404, "No such legal hold in force", "releasing a hold that was released, or of another agency");
    STAND_IN_NOT_FOUND = ("docflow.stand_in_not_found", 404, "No such stand-in of your agency that has not ended", "ending a stand-in of another agency, one that has already ended or run out");
    DISPATCH_NOT_FOUND = ("docflow.dispatch_not_found", 404, "No such dispatch of this document", "retrying a dispatch of another document");
    NO_POSITION = ("docflow.no_position", 403, "You hold no position in your agency's organisation today", "drafting or submitting from a position you do not hold today");
    NOT_YOUR_TURN = ("docflow.not_your_turn", 403, "The current step is not yours, nor are you its stand-in (대결) today", "acting (or returning, editing in approval) when no current step is yours nor stood in for by you");
    NOT_THE_DRAFTER = ("docflow.not_the_drafter", 403, "Only the document's drafter may do this", "submitting, recalling or replacing the line of someone else's document");
    ILLEGAL_STATE = ("docflow.illegal_state", 409, "This action is not allowed in the document's current state", "an action the document's status does not allow (editing a registered document, dispatching a draft, …)");
    VERSION_CHANGED = ("docflow.version_changed", 409, "The document changed since the version you name: read it again before acting", "acting on, editing or submitting a version that is no longer the current one");
    RECALL_TOO_LATE = ("docflow.recall_too_late", 409, "The next approver has already acted: the document can no longer be recalled", "recalling after someone after the drafter has acted in this round");
    INVALID_LINE = ("docflow.invalid_line", 422, "The approval line is not valid", "a line without a draft first or exactly one final approval, steps out of order, 후결 when the pack disables it, a final approval the rules do not allow, an insertion before what has acted");
    NOT_DELEGATED = ("docflow.not_delegated", 422, "The delegation table in force does not let this position approve this document finally (전결)", "전결 by a rank the delegation table in force on the day does not allow, or 결재 by someone other than the head");
    LEGAL_HOLD = ("docflow.legal_hold", 409, "A legal hold is in force on this record: it cannot be disposed of by anyone", "disposal while a legal hold is in force — by anyone, administrators included");
    RETENTION_RUNNING = ("docflow.retention_running", 409, "The retention period has not ended (or the record is permanent)", "disposal before the retention period ends (1 January after completion plus the class's years), or of a permanent record");
    PURPOSE_REQUIRED = ("docflow.purpose_required", 422, "The document carries personal data: say why you read it (?purpose=)", "reading a document that carries personal data without `?purpose=`");
    ATTACHMENT_NOT_FOUND = ("docflow.attachment_not_found", 404, "No such attachment of this document (or it was disposed of)", "an attachment digest the document's live versions do not list (or disposed of)");
    /// Exchange services `docflow/document-delivery` and `docflow/receipt-confirmation`: the
    /// sender keeps these on the dispatch.
    UNKNOWN_RECIPIENT = ("docflow.unknown_recipient", 404, "No such agency with a document office here", "a delivery to a wrong address (exchange service)");
    BAD_ATTACHMENT = ("docflow.bad_attachment", 422, "An attachment of the delivery is unreadable", "a delivered attachment that is not base64 or does not match its description (exchange service)");
    DIGEST_MISMATCH = ("docflow.digest_mismatch", 422, "The delivered version does not match its digest", "a delivery whose content differs from the digest the signatures cover (exchange service)");
    PDF_FONT = ("docflow.pdf_font", 503, "The PDF font cannot draw this document", "a registered document with characters the PDF font has no glyphs for (the detail names them): set `[docflow] pdf_fonts` to a font that has them; nothing is printed with empty boxes");
    SERVICE_FAILED = ("docflow.internal", 500, "The document could not be stored", "an unexpected failure behind an exchange service (logged)");
}
