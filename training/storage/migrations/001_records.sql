-- The records, an officer's place, and the coordinator's sign-in throttle.
-- Records are append-only: the app's role is granted INSERT and SELECT only (docs/deploy.md).

CREATE TABLE completions (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id text NOT NULL UNIQUE CHECK (record_id <> ''),
    completed_at timestamptz NOT NULL CHECK (completed_at >= '2000-01-01'),
    officer_name text NOT NULL CHECK (officer_name <> ''),
    badge_number text NOT NULL CHECK (badge_number <> ''),
    agency text NOT NULL CHECK (agency <> ''),
    course_id text NOT NULL CHECK (course_id <> ''),
    course_version text NOT NULL CHECK (course_version <> ''),
    score_percent integer NOT NULL CHECK (score_percent BETWEEN 0 AND 100),
    attempts integer NOT NULL CHECK (attempts >= 0),
    seat_time_minutes integer NOT NULL CHECK (seat_time_minutes >= 0),
    certificate_code text NOT NULL CHECK (certificate_code <> ''),
    -- The rule the whole app relies on: one completion per officer and course version.
    CONSTRAINT one_completion_per_officer_and_version
        UNIQUE (badge_number, agency, course_id, course_version)
);
CREATE INDEX completions_certificate_code ON completions (certificate_code);
CREATE INDEX completions_completed_at ON completions (completed_at);
CREATE INDEX completions_agency ON completions (agency, completed_at);

CREATE TABLE attempts (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempt_id text NOT NULL UNIQUE CHECK (attempt_id <> ''),
    submitted_at timestamptz NOT NULL CHECK (submitted_at >= '2000-01-01'),
    badge_number text NOT NULL CHECK (badge_number <> ''),
    agency text NOT NULL CHECK (agency <> ''),
    course_id text NOT NULL CHECK (course_id <> ''),
    course_version text NOT NULL CHECK (course_version <> ''),
    quiz_id text NOT NULL CHECK (quiz_id <> ''),
    score_percent integer NOT NULL CHECK (score_percent BETWEEN 0 AND 100),
    passed boolean NOT NULL,
    duration_seconds integer NOT NULL CHECK (duration_seconds >= 0),
    answers text NOT NULL
);
CREATE INDEX attempts_officer ON attempts (badge_number, agency, course_id, seq);

-- An officer's place in the course, replaced whole on each save (not a record).
CREATE TABLE progress (
    token text PRIMARY KEY CHECK (token ~ '^[0-9a-f]{32}$'),
    data text NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now()
);

-- The coordinator sign-in throttle, shared by every app server.
CREATE TABLE sign_in_failures (
    client text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client, failed_at);

CREATE TABLE sign_in_lockouts (
    client text PRIMARY KEY,
    locked_until timestamptz NOT NULL
);
