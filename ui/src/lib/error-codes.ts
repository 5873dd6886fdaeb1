// Generated from crates/dbc/src/error.rs by `cargo test -p dbc` (error_codes_ts_is_current). Do not edit.
export const ERROR_CODES = ["internal", "invalid-argument", "unsupported-language", "io", "storage-corrupt", "network-unreachable", "wrong-genesis", "chain-rpc", "tx-invalid", "tx-failed", "tx-unknown", "insufficient-balance", "node-missing", "chopsticks-missing", "spec-hash-mismatch", "spec-unavailable", "sandbox-start-failed", "sandbox-crashed", "sandbox-not-running", "sandbox-already-running", "unknown"] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
