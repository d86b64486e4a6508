-- Open311 GeoReport v2: a request may name its place by the jurisdiction's address identifier
-- (`address_id`) and link a picture hosted elsewhere (`media_url`); both are kept as given,
-- beside the case, and shown to those who see the request's text (its applicant and the
-- agency's officers).
CREATE TABLE petition_open311 (
  case_id TEXT PRIMARY KEY REFERENCES petition_cases (id),
  address_id TEXT,
  media_url TEXT
);
