//! The petition module's problem codes (documented in `docs/errors.md`).

egov_core::error_codes! {
    SERVICE_NOT_FOUND = ("petition.service_not_found", 404, "No such service in the catalogue", "a service id that is not in the active pack's catalogue");
    CASE_NOT_FOUND = ("petition.case_not_found", 404, "No such case (or not yours to see)", "an unknown case, or someone else's (applicants: not theirs; officers: not their agency's)");
    NOT_AN_APPLICANT = ("petition.not_an_applicant", 403, "This account is not linked to a person or a business and cannot apply", "a token without a person key (citizens) or business number (businesses)");
    ILLEGAL_TRANSITION = ("petition.illegal_transition", 409, "This action is not allowed in the case's current status", "an action the case's status does not allow (nothing changes)");
    CONCURRENT_CHANGE = ("petition.concurrent_change", 409, "The case changed while this request was processed: reload and retry", "the case changed between reading and saving: reload and retry");
    DELEGATION_NOT_FOUND = ("petition.delegation_not_found", 404, "No such live delegation of yours", "withdrawing an unknown, another person's, or an already withdrawn delegation");
    NOT_DELEGATED = ("petition.not_delegated", 409, "The person the document is about has not delegated it to the applicant", "issuing a document about a person who withdrew (or never gave) the applicant their delegation");
    INCOMPLETE = ("petition.incomplete", 422, "The application is not complete: see errors", "submission with missing or invalid fields or evidence; `errors` names each");
    EVIDENCE_REFUSED = ("petition.evidence_refused", 409, "The evidence could not be fetched through the exchange (no consent, no grant, or the provider refused): upload it instead", "the exchange or the provider refused the evidence request (no consent or grant): upload instead");
    EVIDENCE_UNAVAILABLE = ("petition.evidence_unavailable", 503, "The providing agency could not be reached: try again later or upload the evidence", "the providing agency could not be reached, or the exchange is not served");
    ATTACHMENT_TOO_LARGE = ("petition.attachment_too_large", 413, "The attachment exceeds the configured size limit", "an attachment over `petition.attachment_max_bytes`");
    ATTACHMENT_TYPE = ("petition.attachment_type", 415, "The attachment's content is not of an accepted type (checked by content, not by name)", "an attachment whose content is not of an accepted type");
    ATTACHMENT_NOT_FOUND = ("petition.attachment_not_found", 404, "No such attachment on this case", "an attachment id not on this case");
    DOCUMENT_NOT_FOUND = ("petition.document_not_found", 404, "No document with this number can be verified here", "verification or revocation of an unknown number, or after the verification window");
    DOCUMENT_REVOKED = ("petition.document_revoked", 409, "The document is already revoked", "revoking a revoked document");
    REOPEN_WINDOW = ("petition.reopen_window_passed", 409, "The case was closed longer ago than the country pack allows for reopening", "reopening after the pack's `reopen_days`");
    ALREADY_RATED = ("petition.already_rated", 409, "The case is already rated", "rating a case twice");
    UNKNOWN_AGENCY = ("petition.unknown_agency", 422, "No such agency in the country pack", "a transfer to an agency not in the pack");
    EXTENSION_LIMIT = ("petition.extension_limit", 409, "The case's period has been extended as many times as the country pack allows", "an extension beyond the pack's `max_extensions` per case");
    MERGE_TARGET = ("petition.merge_target", 409, "A case can be merged only into another open case of the same agency and service", "merging into a case that is not open, not the same agency and service, or the case itself");
}
