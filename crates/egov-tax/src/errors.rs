//! The tax module's problem codes (documented in `docs/errors.md`).

egov_core::error_codes! {
    NO_RULES = ("tax.no_rules", 404, "No tax rules for this year in the country pack", "a year the country pack has no `tax/<year>.toml` for");
    NOT_A_TAXPAYER = ("tax.not_a_taxpayer", 403, "This account is not linked to a taxpayer (national ID or business registration number)", "a token without a person key (citizens) or business number (businesses)");
    INVALID_INPUTS = ("tax.invalid_inputs", 422, "Inputs refused by the rules' declarations", "calculator or return entries that do not meet the declarations (TAX-R0001)");
    RETURN_REJECTED = ("tax.return_rejected", 422, "The return was rejected: business rules fired (see errors, each with its rule number)", "submission when a reject-severity business rule fires; `errors` lists each rule number and value");
    RETURN_NOT_FOUND = ("tax.return_not_found", 404, "No such return", "officer routes with an unknown return id");
    CONCURRENT_SUBMISSION = ("tax.concurrent_submission", 409, "Another submission of this return was accepted at the same moment: retry", "two submissions of the same return at the same moment: retry");
    NOT_FILED = ("tax.not_filed", 409, "No return has been filed for this year", "an income certificate for a year without a filed return");
    ARREARS = ("tax.arrears", 409, "A tax-payment certificate cannot be issued while tax is overdue", "a tax-payment certificate while tax is overdue");
    CERTIFICATE_NOT_FOUND = ("tax.certificate_not_found", 404, "No certificate with this number can be verified here", "verification of an unknown number or after the verification window");
    CERTIFICATE_REVOKED = ("tax.certificate_revoked", 409, "The certificate is already revoked", "revoking a revoked certificate");
    TAXPAYER_NOT_FOUND = ("tax.taxpayer_not_found", 404, "No taxpayer with this identifier", "officer search with no returns or account");
    NO_REFUND_DUE = ("tax.no_refund_due", 409, "No refund is due for this taxpayer and year", "refund when the period has no negative balance");
    APPROVAL_NOT_FOUND = ("tax.approval_not_found", 404, "No such posting waiting for a second officer", "approving or rejecting an unknown or already decided posting");
    SAME_OFFICER = ("tax.same_officer", 403, "A second officer must approve: not the one who asked", "the officer who raised an assessment or refund approving it themselves");
    NOT_A_WITHHOLDING_AGENT = ("tax.not_a_withholding_agent", 403, "This business is not a registered withholding agent: an officer registers employers before they file statements", "statements from a business no officer registered (or whose registration was revoked)");
    STATEMENT_NOT_FOUND = ("tax.statement_not_found", 404, "No such statement (or not one you can act on now)", "disputing another person's statement or one already voided, or resolving one that waits for no review");
    BAD_UPLOAD = ("tax.bad_upload", 400, "The statement file cannot be read (header or encoding)", "statement upload with an unreadable file or wrong CSV header");
    /// Exchange services (`tax-clearance`, `income-certificate`): the call names no taxpayer.
    NO_SUBJECT = ("tax.no_subject", 400, "The exchange request names no taxpayer", "an exchange service call (`tax-clearance`, `income-certificate`) without its data subject");
    NO_YEAR = ("tax.no_year", 400, "The exchange request names no year", "an `income-certificate` call without `year`");
    SERVICE_FAILED = ("tax.internal", 500, "The tax service could not answer an exchange request", "an unexpected failure behind an exchange service (logged under the request id)");
}
