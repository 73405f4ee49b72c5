// Third schema step: console users, their sessions, the first-run enrollment code and kiosk tokens.
export const V3_AUTH = `
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password      TEXT NOT NULL,                   -- scrypt$N$r$p$salt$key: the parameters travel with the hash
  created_at    INTEGER NOT NULL,                -- unix ms
  updated_at    INTEGER NOT NULL,
  expires_at    INTEGER                          -- unix ms; null = never (a support login may be time-limited)
);

CREATE TABLE sessions (
  id_hash       TEXT PRIMARY KEY,                -- SHA-256 of the cookie value; the value itself is never stored
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role          TEXT NOT NULL,                   -- the role at sign-in: a different role now ends the session
  created_at    INTEGER NOT NULL,                -- unix ms; the absolute timeout counts from here
  seen_at       INTEGER NOT NULL,                -- unix ms; the idle timeout counts from here
  address       TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE enrollment (
  id            INTEGER PRIMARY KEY CHECK (id = 1),  -- at most one code is open at a time
  code_hash     TEXT NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER
);

CREATE TABLE kiosk_tokens (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  token_hash    TEXT NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  created_by    TEXT NOT NULL
);
`;
