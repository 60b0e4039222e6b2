-- Reliability: audit heartbeats (so a reaper can finish what a dead or failed runner left) and a signed head
-- checkpoint for the audit log (so a deleted or rewritten tail is detected and sequence numbers are never reused).

-- The runner that owns a running audit touches heartbeat_at every few seconds; a running audit whose heartbeat
-- is stale has no live owner and may be re-queued or failed.
ALTER TABLE audits ADD COLUMN heartbeat_at timestamptz;
UPDATE audits SET heartbeat_at = COALESCE(started_at, created_at) WHERE status = 'running';
CREATE INDEX audits_unfinished ON audits (status, heartbeat_at) WHERE status IN ('queued', 'running');

-- One row: the latest entry's seq and hash, the number of entries, and an HMAC-SHA256 signature over them made
-- with a server key that never enters the database. Appenders lock this row (FOR UPDATE), take seq + 1 from it
-- and move it forward in the same transaction, so a deleted tail is never reused and never goes unnoticed.
-- signature is NULL only until the first append after this migration (the key is not known to SQL).
CREATE TABLE audit_log_head (
    id          smallint PRIMARY KEY CHECK (id = 1),
    seq         bigint NOT NULL,
    hash        bytea NOT NULL,
    entries     bigint NOT NULL,
    signature   bytea,
    at          timestamptz NOT NULL
);

INSERT INTO audit_log_head (id, seq, hash, entries, signature, at)
SELECT 1,
       COALESCE((SELECT max(seq) FROM audit_log), 0),
       COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
       (SELECT count(*) FROM audit_log),
       NULL,
       now();

-- The head only moves forward and is never deleted (a superuser can disable this; the signature still catches it).
CREATE FUNCTION audit_log_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq <= OLD.seq OR NEW.entries <= OLD.entries THEN
        RAISE EXCEPTION 'audit_log_head only moves forward';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_log_head_forward BEFORE UPDATE OR DELETE ON audit_log_head
    FOR EACH ROW EXECUTE FUNCTION audit_log_head_forward_only();
