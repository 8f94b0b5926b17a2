-- The provider's schema. postgres.ts explains each table and why every operation on it is safe when several
-- processes share the database. Codes and tokens are stored only as SHA-256 digests (base64url text), the
-- client secret as a SHA-256 digest, the password as an scrypt hash.

CREATE TABLE clients (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  redirect_uris text[] NOT NULL,
  scope         text[] NOT NULL,
  is_public     boolean NOT NULL,
  -- SHA-256 of the client secret; a public client (RFC 6749 §2.1) has none.
  secret_digest bytea,
  CHECK (is_public = (secret_digest IS NULL))
);

CREATE TABLE users (
  id            text PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  email         text NOT NULL,
  password_salt bytea NOT NULL,
  password_hash bytea NOT NULL
);

-- One row per grant: one user's consent for one client, with its code and its current tokens.
CREATE TABLE grants (
  id                    uuid PRIMARY KEY,
  client_id             text NOT NULL REFERENCES clients ON DELETE CASCADE,
  user_id               text NOT NULL REFERENCES users ON DELETE CASCADE,
  scope                 text[] NOT NULL,
  -- The authorization code (RFC 6749 §4.1.2), kept after use while the grant lives so that a replay is seen.
  code_digest           text COLLATE "C" NOT NULL UNIQUE,
  redirect_uri          text NOT NULL,
  code_challenge        text NOT NULL,
  code_challenge_method text NOT NULL,
  code_expires_at       timestamptz NOT NULL,
  code_used_at          timestamptz,
  -- The current access token (a rotation ends the previous one).
  access_digest         text COLLATE "C" UNIQUE,
  access_scope          text[] NOT NULL,
  access_issued_at      timestamptz,
  access_expires_at     timestamptz,
  -- The current refresh token; refresh tokens name their grant, so no index is needed to find it.
  refresh_digest        text COLLATE "C",
  refresh_issued_at     timestamptz,
  refresh_expires_at    timestamptz,
  -- After this instant nothing in the grant is usable: the purge deletes the row.
  expires_at            timestamptz NOT NULL
);
CREATE INDEX grants_expires_at ON grants (expires_at);
CREATE INDEX grants_client_id ON grants (client_id);
CREATE INDEX grants_user_id ON grants (user_id);

-- Login sessions (connect-pg-simple's columns), keyed by a digest of the session id: see postgres-sessions.ts.
CREATE TABLE login_sessions (
  sid    text COLLATE "C" PRIMARY KEY,
  sess   json NOT NULL,
  expire timestamptz NOT NULL
);
CREATE INDEX login_sessions_expire ON login_sessions (expire);

-- Failed-login counters (express-rate-limit), keyed by a digest of the limiter's key: see postgres-rate-limit.ts.
CREATE TABLE rate_limits (
  key      text COLLATE "C" PRIMARY KEY,
  hits     integer NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX rate_limits_reset_at ON rate_limits (reset_at);
