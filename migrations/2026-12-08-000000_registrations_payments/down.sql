DROP TABLE intake_deliveries;
DROP INDEX payments_unmatched_ref;
DROP TABLE payments_unmatched;
DROP INDEX payments_processor_ref;
ALTER TABLE payments DROP COLUMN refunded_at;
ALTER TABLE payments DROP COLUMN recorded_by;
ALTER TABLE payments DROP COLUMN method;
ALTER TABLE enrolments DROP COLUMN channel;
ALTER TABLE consents DROP COLUMN policy_version;
