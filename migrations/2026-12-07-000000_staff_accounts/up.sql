-- Issue 14: staff accounts managed from the window, laptops connected by an
-- enrolment code.
--
-- A first password and a reset password are one-time: the person must
-- choose their own at the next sign-in (POL-18). The flag syncs with the
-- account (the staff table is a reference table).
ALTER TABLE staff ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;

-- When the server last heard from a laptop (the office's list of laptops).
ALTER TABLE devices ADD COLUMN last_contact_at TIMESTAMP;

-- Enrolment codes: the office makes one for a staff member; it names the
-- server, the SHA-256 of its certificate and a one-time secret, of which
-- only the SHA-256 is kept. It works once, before it expires. Created by an
-- operation on the office's laptop and applied on the server; not replicated
-- to other laptops.
CREATE TABLE enrolment_codes (
    id TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    secret_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    used_device TEXT,
    created_by TEXT REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX enrolment_codes_staff ON enrolment_codes (staff_id);
