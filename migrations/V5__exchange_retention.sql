-- Raw-exchange retention (`verifier prune --older-than DAYS`): the request/response bodies of old audits are emptied to
-- keep storage bounded; the exchange rows and their metadata (status, timings, usage, sequence) stay, and this column
-- says when the bodies went, so re-scoring such an audit refuses instead of reading empty bytes as replies.
ALTER TABLE exchanges ADD COLUMN bodies_pruned_at timestamptz;
