portal-name = { $country } Government Services
home-lead = Find a service, see what it needs, and check a document an agency issued.
search-label = Search for a service
search-button = Search
search-kind = Kind of service
search-kind-any = Any kind
search-count = { $n ->
    [0] No services match.
    [one] One service matches.
   *[other] { $n } services match.
}
search-q-invalid = Search words: at most 100 characters
search-kind-invalid = Choose a kind of service from the list
kinds-title = Kinds of service
all-services = All services
services-title = Services
kind-statutory = Certificates, permits and registrations
kind-complaint = Complaints
kind-proposal = Proposals
kind-inquiry = Questions about law and procedure
label-kind = Kind
label-agency = Agency
label-fee = Fee
label-period = Processing period
label-document = Document issued
label-legal-basis = Legal basis
fee-free = Free
period-working-days = { $n ->
    [one] 1 working day
   *[other] { $n } working days
}
period-working-hours = { $n ->
    [one] 1 working hour
   *[other] { $n } working hours
}
agency-routed = The agency responsible for the matter (chosen by its subject and place)
document-valid = Yes, valid for { $days } days
who-title = Who can apply
who-statutory = The person the service is about, or someone they have delegated to act for them.
who-complaint = Anyone, about a matter that affects them or the public.
who-proposal = Anyone.
who-inquiry = Anyone.
needed-title = What you need
needed-none = Nothing beyond the form.
evidence-exchange = the agency can fetch it for you from the agency that holds it, with your consent; or you can upload it
evidence-upload = upload a copy (PDF, JPEG or PNG)
asked-title = What you will be asked
field-optional = { $label } (optional)
how-title = How to apply
how-text = Apply online with your account, or at the agency's counter. You get a receipt number and can follow the case until the decision.
verify-title = Check a document
verify-lead = Someone gave you a certificate or decision issued here? Check that it is real and still valid:
verify-page-lead = Enter the confirmation number printed on the document (also in its QR code). You will see whether it is authentic and still valid, and what it states.
verify-number = Confirmation number
verify-number-hint = 12 digits, for example 1234-5678-9012
verify-button = Check
verify-number-invalid = Enter the 12 digits of the confirmation number
verify-not-found = No document with this number can be checked. Check the number, or ask the person who gave you the document.
verify-status-valid = This document is authentic and valid
verify-status-expired = This document is authentic but has expired
verify-status-revoked = This document was revoked by the agency
verify-not-authentic = This document's signature does not match: do not rely on it
verify-signature-good = Signed by the issuing agency; the signature checks
verify-signature-bad = The signature does not check
label-document-title = Document
label-issuer = Issued by
label-holder = Holder (as printed)
label-issued = Issued on
label-valid-until = Valid until
label-revoked = Revoked on
label-signature = Signature
label-digest = Digest (SHA-256)
checks-title = Check a document or certificate
my-applications = My applications
mine-title = My applications
mine-lead = Everything you have applied for, newest first. The due date is when the agency must answer by law; it moves when the agency asks you for more information.
mine-caption = Your applications and their status
mine-empty = You have not applied for anything yet.
mine-find-service = Find a service
mine-receipt = Receipt number
mine-service = Service
mine-status = Status
mine-submitted = Submitted
mine-due = Answer due
mine-no-receipt = Not sent yet
mine-paused = The clock is stopped until you send what the agency asked for.
mine-overdue = The answer is late.
status-draft = Not sent yet (draft)
status-submitted = Sent
status-received = Received by the agency
status-in-review = Being reviewed
status-supplement-requested = The agency needs more from you
status-supplemented = You sent more information
status-decided = Decided
status-issued = Document issued
status-closed = Closed
status-withdrawn = Withdrawn by you
status-merged = Joined with another application
