DROP INDEX enrolment_codes_staff;
DROP TABLE enrolment_codes;
ALTER TABLE devices DROP COLUMN last_contact_at;
ALTER TABLE staff DROP COLUMN must_change_password;
