-- Alerts, light checks and SLA thresholds (issue 14, items 2-4).

-- A light check is an audit too (one pipeline), with its own trigger.
ALTER TABLE audits DROP CONSTRAINT IF EXISTS audits_trigger_check;
ALTER TABLE audits ADD CONSTRAINT audits_trigger_check CHECK (trigger IN ('spot', 'schedule', 'cli', 'light'));
-- SLA figures read a target's exchanges by time (its recent finished audits: V7's audits_target_finished).
CREATE INDEX exchanges_started ON exchanges (started_at);

-- A light check's schedule, next to the full one (schedules): its own cron, its own Hangfire recurring job.
CREATE TABLE light_schedules (
    target_id   uuid PRIMARY KEY REFERENCES targets(id),
    cron        text NOT NULL,
    time_zone   text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Per-target thresholds; sla.breached fires when the figures over window_seconds cross one of them.
CREATE TABLE sla_thresholds (
    target_id          uuid PRIMARY KEY REFERENCES targets(id),
    p95_latency_ms     double precision,
    p95_ttft_ms        double precision,
    max_error_rate     double precision,
    window_seconds     integer NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE webhooks (
    id             uuid PRIMARY KEY,
    name           text NOT NULL,
    url            text NOT NULL,
    secret_cipher  bytea NOT NULL,          -- AES-GCM (SecretBox), like target API keys; never plain, never returned
    events         text[],                  -- NULL: every event type
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz
);

-- The stored outbox: one row per (webhook, event), written in the transaction that stores the audit outcome, so a
-- re-delivered job cannot create a second one and nothing is lost between "stored" and "sent". Dispatchers on every
-- node claim due rows (FOR UPDATE SKIP LOCKED), lease them by moving next_attempt_at forward, and record each attempt.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,       -- X-Verifier-Delivery: stable across retries
    webhook_id       uuid NOT NULL REFERENCES webhooks(id),
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    target_id        uuid,
    body             text NOT NULL,          -- the exact JSON signed and sent
    status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    last_error       text,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    delivery_id   uuid NOT NULL REFERENCES webhook_deliveries(id),
    attempt       integer NOT NULL,
    at            timestamptz NOT NULL,
    node_id       text NOT NULL,
    status_code   integer,
    error         text,
    duration_ms   double precision NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
