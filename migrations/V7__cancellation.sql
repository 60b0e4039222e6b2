-- Audit cancellation: a queued audit is cancelled at once; a running one gets cancel_requested_at, which the node
-- running it sees on its next heartbeat and ends it as 'cancelled' (status already allowed by V1's CHECK), keeping the
-- exchanges made so far and storing no verdict. A running audit with this set is never claimed again.
ALTER TABLE audits ADD COLUMN cancel_requested_at timestamptz;

-- The latest finished audit of each target (targets list, verdict export) without a scan of all audits.
CREATE INDEX audits_target_finished ON audits (target_id, finished_at DESC) WHERE finished_at IS NOT NULL;
