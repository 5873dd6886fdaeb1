//! The practice network (chopsticks running the real DBC runtime, a seed, a
//! block ticker and a DBC client simulator). Filled in by the networks work;
//! the crate exists now so the workspace layout is final.
