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
apply-start = Apply online
apply-title = Apply: { $service }
apply-lead = Answer the questions below. "Continue" checks your answers; "Save and come back later" keeps what you have entered as a draft in My applications.
form-continue = Continue
form-save = Save and come back later
hint-date = For example 2026-03-27
hint-national-id = Format: { $pattern }
hint-number-between = A number from { $min } to { $max }
hint-choose-any = Choose all that apply
address-line1 = Address line 1
address-line2 = Address line 2 (optional)
address-city = Town or city (optional)
address-region = Province or region (optional)
address-postal-code = Postal code (optional)
error-enter = Enter { $label }
error-choose = Choose { $label }
error-text = { $label } must be { $max } characters or fewer, without control characters
error-number = { $label } must be a number
error-number-between = { $label } must be a number from { $min_value } to { $max_value }
error-date = { $label } must be a real date, for example 2026-03-27
error-address = Enter the first line of { $label }
error-national-id = Enter a valid { $label }, as on the card
error-evidence = Add { $document }
evidence-fetched = Fetched from the agency that holds it, with your consent
evidence-uploaded = Uploaded
evidence-missing = Not added yet
check-title = Check your answers before sending
check-answers = Your answers
check-change-answers = Change your answers
check-documents = Documents
check-change-documents = Change the documents
check-send = Now send your application
check-declaration = By sending this application you confirm that the information you have given is correct to the best of your knowledge.
check-submit = Accept and send
sent-title = Application sent
sent-receipt = Your receipt number
sent-next = What happens next
sent-next-text = { $agency } will review your application and answer by { $due }. If they need more from you, you will see it in My applications, and the time you take does not count against them.
sent-follow = Follow your application
case-clock-paused = The clock is stopped since { $since }, until you send what the agency asked for.
case-clock-due = The agency must answer by { $due }.
case-decision = Decision
case-continue = Continue your application
case-documents = Documents issued
case-document-number = Confirmation number
case-history = History
documents-title = Add the documents
documents-lead = The agency needs these documents. Where the agency that holds one can send it, you can let it do that instead of uploading a copy.
agency-this = The agency handling your application
consent-text = I agree that { $agency } gets my { $document } ({ $items }) from { $provider } through the government data exchange, for this application only, for { $days } days. I can withdraw this consent at any time.
consent-missing = Tick the box to agree, or upload the document instead
fetch-button = Fetch it for me
or-upload = Or upload a copy:
upload-label = Upload { $document }
upload-hint = A PDF, JPEG or PNG file of up to { $mb } MB
upload-button = Upload
upload-too-large = The file is too large: choose a file of up to { $mb } MB
upload-wrong-type = The file must be a PDF, JPEG or PNG
upload-choose-file = Choose a file to upload
fetch-failed = The agency could not send it now. Try again later, or upload a copy instead
fetch-fill-form = Fill in your application form first: the request needs your answers
attachment-uploaded = Uploaded: { $file }
case-rating = Your rating
case-rated = { $score } out of 5
case-supplement-title = The agency needs more from you
case-supplement-asked = The agency asked:
case-supplement-documents = Add or change documents
case-supplement-note = What you are sending (5 to 1000 characters)
case-supplement-button = Send to the agency
case-rate-title = How was your case handled?
case-rate-score = Your rating
case-rate-1 = 1 – very dissatisfied
case-rate-2 = 2 – dissatisfied
case-rate-3 = 3 – neither
case-rate-4 = 4 – satisfied
case-rate-5 = 5 – very satisfied
case-rate-comment = Comment (optional)
case-rate-button = Send your rating
case-reopen-title = Not resolved?
case-reopen-reason = Why it is not resolved (5 to 1000 characters)
case-reopen-button = Reopen the case
case-withdraw-title = Withdraw the application
case-withdraw-reason = Why you are withdrawing it (5 to 1000 characters)
case-withdraw-button = Withdraw
error-withdraw-reason = Say why you are withdrawing it, in 5 to 1000 characters
error-supplement-note = Say what you are sending, in 5 to 1000 characters
error-rate-score = Choose a rating from 1 to 5
error-reopen-reason = Say why it is not resolved, in 5 to 1000 characters
history-earlier-rating = rated { $score } out of 5 before: { $comment }
action-submit = Sent
action-receive = Received by the agency
action-review = Review started
action-request-supplement = The agency asked for more
action-supplement = You sent more
action-decide = Decided
action-issue = Document issued
action-close = Closed
action-withdraw = Withdrawn by you
action-transfer = Sent to the agency responsible
action-merge = Joined with another application
action-reopen = Reopened by you
action-extend = Period extended
action-assign = Assigned to an official
action-rate = Rated by you
case-document-pdf = Download (PDF)
upload-bad-name = The file name must be 1 to 200 characters, without line breaks: rename the file and upload it again

## Where a report is
location-title = Where is it?
location-lead = Tell us where the problem is, so the team that fixes it can find it.
location-address = Address or place
location-address-hint = A street address, or a landmark and what is near it, for example "in front of 12 Sejong-daero, bus stop 01-123".
location-use-mine = Use my location
location-busy = Finding your location…
location-done = Your location is added (within # m). Add the address too if you can.
location-failed = Your location could not be found. Type the address instead.
location-have = A location from your device is added.
location-coordinates = latitude { $lat }, longitude { $long }
location-none = not given
location-error-missing = Enter the address or place, or use your location
location-error-coordinates = Your device's location could not be read. Type the address instead
location-error-address = Enter the address on one line, at most 300 characters
check-place = Where
check-change-place = Change where
similar-title = Reports like this one
similar-lead = These reports of the same kind are open near the same place. If one is your problem, you do not need to send another: the agency is already on it.
similar-line = { $receipt } · { $status } · sent { $date }
similar-distance = { $metres } m away

## Notices to the applicant (e-mail and text messages); the pack's messages/en.ftl can override each
notice-petition-subject = [Application { $receipt_no }] { $status_text }
notice-petition-text =
    Your application (receipt number { $receipt_no }) has a new status: { $status_text }.
    Due by: { $due_at }
notice-petition-sms = [Application { $receipt_no }] { $status_text }. { $link }
notice-petition-submit-subject = [Application { $receipt_no }] We have your application
notice-petition-submit-text =
    We received your application. Your receipt number is { $receipt_no }.
    Due by: { $due_at } (counted in working days; time waiting for you is not counted)
notice-petition-request-supplement-subject = [Application { $receipt_no }] The agency needs more from you
notice-petition-request-supplement-text =
    The agency handling application { $receipt_no } needs more information.
    Open the application to see what is needed and respond. The deadline is paused until you do.
notice-petition-request-supplement-sms = [Application { $receipt_no }] The agency needs more from you. { $link }
notice-petition-decide-subject = [Application { $receipt_no }] A decision has been made
notice-petition-decide-text =
    There is a decision on application { $receipt_no }. The decision and how to challenge it are on the application's page.
notice-petition-issue-subject = [Application { $receipt_no }] Your document has been issued
notice-petition-issue-text =
    The document for application { $receipt_no } has been issued. Download it as a PDF from the application's page; anyone can check it with its QR code.
notice-petition-revoke-subject = [Application { $receipt_no }] An issued document was revoked
notice-petition-revoke-text =
    The issuing agency revoked the document issued for application { $receipt_no }. The reason is on the application's page.
notice-petition-extend-subject = [Application { $receipt_no }] The deadline was extended
notice-petition-extend-text =
    The agency extended the deadline of application { $receipt_no }. New deadline: { $due_at }
    The reason is on the application's page.
notice-petition-progress-subject = [Application { $receipt_no }] Still in progress
notice-petition-progress-text =
    Application { $receipt_no } is still being handled. Status: { $status_text }. Due by: { $due_at }
location-map-label = Map
location-map-hint = Or mark the place on the map: click it, or move the map with the arrow keys and press Enter to mark its centre. + and - zoom.
location-map-placed = The place you marked on the map is added. Add the address too if you can.
location-map-zoom-in = Zoom in
location-map-zoom-out = Zoom out
upload-progress = Uploading: # %
upload-progress-label = Upload progress
upload-sent = Uploaded. Opening the page again…
