-- R1 Verifier schema. Applied by `verifier migrate` (Evolve, under its cluster lock). EF Core maps onto it.

CREATE TABLE api_keys (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'auditor', 'viewer')),
    key_hash    bytea NOT NULL UNIQUE,          -- sha256 of the key; the key itself is shown once and never stored
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE TABLE targets (
    id               uuid PRIMARY KEY,
    name             text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('openai', 'onnx')),
    base_url         text,
    model            text,
    dialect          text,
    path             text,
    claimed_variant  text NOT NULL,
    api_key_cipher   bytea,                      -- AES-GCM: nonce(12) || tag(16) || ciphertext; never plain
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    deleted_at       timestamptz
);

CREATE TABLE schedules (
    target_id   uuid PRIMARY KEY REFERENCES targets(id),
    cron        text NOT NULL,
    suite       text,
    budget      jsonb,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE audits (
    id               uuid PRIMARY KEY,
    target_id        uuid NOT NULL REFERENCES targets(id),
    status           text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    trigger          text NOT NULL CHECK (trigger IN ('spot', 'schedule', 'cli')),
    idempotency_key  text,
    claimed_variant  text NOT NULL,
    suite_version    text,
    suite_hash       text,
    budget           jsonb NOT NULL,
    requests         integer NOT NULL DEFAULT 0,
    prompt_tokens    bigint NOT NULL DEFAULT 0,
    completion_tokens bigint NOT NULL DEFAULT 0,
    wall_ms          bigint NOT NULL DEFAULT 0,
    error            text,
    node_id          text,
    attempts         integer NOT NULL DEFAULT 0,
    requested_by     uuid,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    UNIQUE (target_id, idempotency_key)
);
CREATE INDEX audits_target_created ON audits (target_id, created_at DESC);

CREATE TABLE observations (
    audit_id          uuid NOT NULL REFERENCES audits(id),
    seq               integer NOT NULL,
    probe_id          text NOT NULL,
    attempt           integer NOT NULL,
    method            text NOT NULL,
    url               text NOT NULL,
    request_headers   jsonb NOT NULL,            -- credentials redacted before they get here
    request_body      bytea NOT NULL,            -- exactly as sent
    status_code       integer,
    response_headers  jsonb NOT NULL,
    response_body     bytea NOT NULL,            -- exactly as received
    outcome           text NOT NULL,
    error             text,
    started_at        timestamptz NOT NULL,
    duration_ms       double precision NOT NULL,
    ttft_ms           double precision,
    prompt_tokens     integer,
    completion_tokens integer,
    reasoning_tokens  integer,
    PRIMARY KEY (audit_id, seq)
);

CREATE TABLE evidence (
    audit_id         uuid NOT NULL REFERENCES audits(id),
    ordinal          integer NOT NULL,
    probe_id         text NOT NULL,
    category         text NOT NULL,
    tier             text,
    outcome_key      text,
    weighing         text,
    observed         text NOT NULL,
    exchange_seqs    integer[] NOT NULL,
    log_likelihoods  jsonb NOT NULL,
    PRIMARY KEY (audit_id, ordinal)
);

CREATE TABLE verdicts (
    audit_id                 uuid PRIMARY KEY REFERENCES audits(id),
    kind                     text NOT NULL CHECK (kind IN ('consistent', 'mismatch', 'inconclusive')),
    claimed_variant          text NOT NULL,
    most_likely              text,
    claim_posterior          double precision NOT NULL,
    posterior                jsonb NOT NULL,
    designed_false_accusation_rate double precision NOT NULL,
    summary                  text NOT NULL,
    result                   jsonb NOT NULL,     -- the whole AuditResult minus raw exchanges: probes, stop reason, references used
    created_at               timestamptz NOT NULL
);

CREATE TABLE reference_runs (
    id             text PRIMARY KEY,
    variant        text NOT NULL,
    suite_version  text NOT NULL,
    suite_hash     text NOT NULL,
    created_at     timestamptz NOT NULL,
    bundle         jsonb NOT NULL
);

-- Append-only, hash-chained. The trigger refuses UPDATE and DELETE; a superuser can still disable it,
-- which is exactly what the chain verification is there to catch.
CREATE TABLE audit_log (
    seq          bigint PRIMARY KEY,
    at           timestamptz NOT NULL,
    key_id       uuid,
    action       text NOT NULL,
    entity_type  text NOT NULL,
    entity_id    text NOT NULL,
    data         jsonb NOT NULL,
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
