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
