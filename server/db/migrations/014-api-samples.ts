// Fourteenth schema step: the Kubernetes API's answers to the console's once-a-minute check, for its health chart.
export const V14_API_SAMPLES = `
CREATE TABLE api_samples (
  at            INTEGER PRIMARY KEY,             -- unix ms the check started; one row per check
  latency_ms    REAL,                            -- how long GET /version took; null when it got no answer
  ok            INTEGER NOT NULL                 -- 1 answered, 0 refused, timed out or an error status
);
`;
