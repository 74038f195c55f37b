-- Trust at the edges.
-- Every field a seal signs is copied into the report when it is sealed: the
-- ticket number is otherwise read live from the ticket, which changes when a
-- ticket raised offline gets its PSA number.
ALTER TABLE service_reports ADD COLUMN signed_ticket_number TEXT;

-- The sealed PDF's bytes as recorded (and signed): the attachment sent to the
-- PSA and every saved copy are exactly these bytes.
ALTER TABLE report_pdfs ADD COLUMN bytes BLOB;
