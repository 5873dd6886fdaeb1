// Generated from crates/dbc/src/error.rs by `cargo test -p dbc` (error_codes_ts_is_current). Do not edit.
export const ERROR_CODES = ["internal", "invalid-argument", "unsupported-language", "io", "storage-corrupt", "unknown"] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
