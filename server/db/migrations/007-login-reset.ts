// Seventh schema step: when `outpost user passwd/unlock` last cleared a user's sign-in failures.
export const V7_LOGIN_RESET = `
-- unix ms; the console's throttle ignores this user's failures from before it (another process may set it)
ALTER TABLE users ADD COLUMN lock_reset_at INTEGER;
`;
