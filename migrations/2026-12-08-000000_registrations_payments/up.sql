-- Issue 15: real people come in. Registrations from the office's form, the
-- association's website (signed intake on the server) and the office's
-- spreadsheet; payments received by hand and from HelloAsso.

-- POL-7: the version of the privacy policy the person was shown when the
-- consent was given (NULL for consents recorded before issue 15).
ALTER TABLE consents ADD COLUMN policy_version TEXT;

-- Where a registration came from: phone, paper, walk_in (the office's
-- form), website (the signed intake), import (the office's spreadsheet).
ALTER TABLE enrolments ADD COLUMN channel TEXT NOT NULL DEFAULT 'website';

-- POL-6: how a payment arrived (helloasso, cheque, transfer, cash; card for
-- the rows of the first releases), who recorded it by hand, when it was
-- refunded. A processor's payment is recorded once (its reference is unique).
ALTER TABLE payments ADD COLUMN method TEXT NOT NULL DEFAULT 'card';
ALTER TABLE payments ADD COLUMN recorded_by TEXT REFERENCES staff (id);
ALTER TABLE payments ADD COLUMN refunded_at TIMESTAMP;
CREATE UNIQUE INDEX payments_processor_ref ON payments (method, processor_ref)
    WHERE method = 'helloasso';

-- Processor payments for which no registration was found (neither the
-- checkout's metadata nor the payer's e-mail): they wait for the office,
-- like unmatched report rows. They name the payer as the processor did, and
-- are deleted when the office matches them or when the payer is erased.
CREATE TABLE payments_unmatched (
    id TEXT PRIMARY KEY NOT NULL,
    method TEXT NOT NULL,
    processor_ref TEXT NOT NULL,
    payer_name TEXT NOT NULL,
    payer_email TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    paid_at TIMESTAMP,
    received_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE UNIQUE INDEX payments_unmatched_ref ON payments_unmatched (method, processor_ref);

-- Server only: the website's deliveries, by their webhook-id (Standard
-- Webhooks), so a delivery sent again is answered as the first time and
-- applied once. Holds no personal data: the outcome and the enrolment's id.
CREATE TABLE intake_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    received_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL,
    enrolment_id TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
