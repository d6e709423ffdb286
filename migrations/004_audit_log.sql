-- Every admin action: who, what, which records, before -> after, when.
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT audit_log_actor_present CHECK (data->>'actorUserId' IS NOT NULL),
    CONSTRAINT audit_log_action_present CHECK (data->>'action' IS NOT NULL)
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log ((data->>'actorUserId'));
