## Parties of the exchange, as people read them (the pack may rename them)
provider-tax = the National Tax Service
provider-petition = the civil-service portal
provider-docflow = the records office

## My consents
my-consents = My consents
consents-title = My consents
consents-lead = Each consent lets one agency get some of your data from another through the government data exchange, for one purpose, until a date. Withdraw one and the agency holding the data refuses to send it from then on.
consents-empty = You have not given any consent.
consents-withdrawn = Your consent is withdrawn. No agency can use it any more.
consent-row = { $client } may get your { $items } from { $provider }
consent-purpose = Why
consent-given = Given on
consent-until = Until
consent-state = State
consent-state-active = In force
consent-state-withdrawn = Withdrawn on { $date }
consent-state-expired = Expired
consent-withdraw = Withdraw this consent

## The exchange console (platform admins)
xadmin-title = Data exchange
xadmin-lead = Who this deployment exchanges data with, which client may call which service and why, and the event deliveries that gave up.
xadmin-members = Members
xadmin-members-api = Members are registered with their public keys through the API (PUT /exchange/v1/admin/members).
xadmin-this-deployment = this deployment
xadmin-grants = Grants
xadmin-grants-lead = A client may call a service only with a grant in force, for the purpose and items it names; consent and statute are checked on every call as well.
xadmin-no-grants = No grant yet.
xadmin-new-grant = Grant
xadmin-revoke = Revoke
xadmin-client-hint = A subsystem: INSTANCE/CLASS/MEMBER/SUBSYSTEM, for example KR/GOV/1741000/petition.
xadmin-service-hint = INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, for example KR/GOV/1741000/tax/income-certificate.
xadmin-items-hint = The items the client may receive, separated by commas.
xadmin-dead = Dead letters
xadmin-dead-lead = Event deliveries to subscribers that gave up after their retries. Deliver one again once the subscriber is back.
xadmin-no-dead = No dead letter.
xadmin-replay = Deliver again
xadmin-field-member = Member
xadmin-field-name = Name
xadmin-field-url = Address
xadmin-field-client = Client
xadmin-field-service = Service
xadmin-field-purpose = Purpose
xadmin-field-items = Items
xadmin-field-since = Since
xadmin-field-event = Event
xadmin-field-source = Source
xadmin-field-subscription = Subscription
xadmin-field-attempts = Attempts
xadmin-field-error = Last error
xadmin-field-id = Grant
xadmin-field-event-id = Event
xadmin-field-subscription-id = Subscription
xadmin-done-granted = The grant is in force.
xadmin-done-revoked = The grant is revoked.
xadmin-done-replayed = The delivery is queued again.
