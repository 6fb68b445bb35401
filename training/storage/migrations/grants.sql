-- Applied by every `migrate`, after the numbered steps: what the app's role may do.
-- Records are append-only: INSERT and SELECT, never UPDATE or DELETE. An officer's place is
-- replaced on each save; the sign-in throttle's rows come and go.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'training_app') THEN
        REVOKE ALL ON completions, attempts, progress, sign_in_failures, sign_in_lockouts,
            schema_version FROM training_app;
        GRANT SELECT, INSERT ON completions, attempts TO training_app;
        GRANT SELECT, INSERT, UPDATE ON progress TO training_app;
        GRANT SELECT, INSERT, DELETE ON sign_in_failures TO training_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_lockouts TO training_app;
        GRANT SELECT ON schema_version TO training_app;
        -- The xAPI outbox (step 3) and its record of what was sent: append-only too.
        IF to_regclass('xapi_outbox') IS NOT NULL THEN
            REVOKE ALL ON xapi_outbox, xapi_sent FROM training_app;
            GRANT SELECT, INSERT ON xapi_outbox, xapi_sent TO training_app;
        END IF;
    END IF;
END
$$;
