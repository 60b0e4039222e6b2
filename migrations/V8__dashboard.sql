-- The dashboard's cookie sessions are encrypted with ASP.NET Core data-protection keys. Every node behind the
-- balancer must read the same key ring, or a cookie issued by one node is refused by the next: the keys live here.
CREATE TABLE data_protection_keys (
    id            bigserial PRIMARY KEY,
    friendly_name text NOT NULL UNIQUE,
    xml_cipher    bytea NOT NULL, -- the key XML sealed with VERIFIER_ENCRYPTION_KEY (SecretBox), as target API keys are
    created_at    timestamptz NOT NULL DEFAULT now()
);
