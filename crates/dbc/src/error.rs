//! The one error shape that crosses every boundary: `{ code, message, data? }`.
//!
//! `code` is a stable kebab-case string the UI maps to localized text (zh, en);
//! `message` is English for logs and for a UI that meets an unknown code;
//! `data` carries the values the localized text interpolates (a path, a
//! language, amounts). Adding a variant to [`ErrorCode`] means adding
//! `error.<code>` to both UI catalogs; a test keeps `ui/src/lib/error-codes.ts`
//! in step with this list.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Stable error codes. Never rename one: the UI and scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// A bug: a panic or a broken invariant. Details are in the log.
    Internal,
    /// The caller passed something malformed (a URL, a number, a name).
    InvalidArgument,
    /// A language the app has no catalog for.
    UnsupportedLanguage,
    /// Reading or writing a file failed.
    Io,
    /// A file of ours exists but cannot be understood; it was left untouched.
    StorageCorrupt,
    /// No node of the chosen network answered (every endpoint failed or timed out).
    /// `data`: `{network, endpoint}` (the last endpoint tried).
    NetworkUnreachable,
    /// A node answered but belongs to another chain (its genesis hash is not the
    /// expected one), so it was refused. `data`: `{endpoint, expected, actual}`.
    WrongGenesis,
    /// A connected node failed a request, timed out, or answered something we
    /// could not decode. `data`: `{endpoint}` when known.
    ChainRpc,
    /// The node refused the transaction before it entered a block (bad nonce,
    /// bad signature, stale, dropped): nothing was paid. `data`: `{reason}`.
    TxInvalid,
    /// The transaction is in a block but the runtime rejected the call (the fee
    /// was paid). `data`: `{error, pallet?, variant?, blockHash, extrinsicHash}`.
    TxFailed,
    /// The transaction was sent but its fate is unknown (connection lost or
    /// timeout before it was seen in a block): read the chain before retrying.
    /// `data`: `{extrinsicHash}`.
    TxUnknown,
    /// The account cannot pay the amount plus fees. `data`: `{needed, available}`
    /// (formatted DBC) when known; otherwise `{reason}`.
    InsufficientBalance,
    /// Node.js (20 or newer) is not installed; the practice network needs it.
    /// `data`: `{found?}` (the version found when too old).
    NodeMissing,
    /// chopsticks is not installed next to the practice network (`make sandbox-deps`).
    /// `data`: `{path}` (where it was looked for).
    ChopsticksMissing,
    /// A chain spec file has another sha256 than the pinned one and was refused.
    /// `data`: `{path, expected, actual}`.
    SpecHashMismatch,
    /// No chain spec was found locally and downloading it failed. `data`: `{url, reason}`.
    SpecUnavailable,
    /// The practice chain did not come up (timeout or refused to start). `data`: `{log}` (log file path).
    SandboxStartFailed,
    /// The practice chain process stopped unexpectedly. `data`: `{log, status}`.
    SandboxCrashed,
    /// No practice network is running for this data dir.
    SandboxNotRunning,
    /// A practice network already runs for this data dir. `data`: `{pid, chain}`.
    SandboxAlreadyRunning,
    /// A recovery phrase word is not in the BIP-39 English list. `data`: `{word, position}` (1-based).
    InvalidMnemonicWord,
    /// Every word is valid but the phrase's checksum does not match (a word is wrong or the order is).
    InvalidMnemonicChecksum,
    /// A recovery phrase must have 12, 15, 18, 21 or 24 words. `data`: `{count}`.
    InvalidMnemonicLength,
    /// A derivation path is not `//hard`, `/soft` junctions with an optional `///password`. `data`: `{reason}` (never the path: it may hold a password).
    InvalidDerivationPath,
    /// A raw seed must be `0x` followed by 64 hex digits.
    InvalidSeed,
    /// A JSON keystore file is not one we can open. `data`: `{reason}`.
    InvalidKeystore,
    /// The password does not open this JSON keystore file.
    WrongJsonPassword,
    /// The app password does not unlock this account's secret (or the stored secret was altered).
    WrongPassword,
    /// A new app password is too short. `data`: `{min}` (characters).
    WeakPassword,
    /// Not a valid DBC (SS58, prefix 42) address. `data`: `{value, reason}`.
    InvalidAddress,
    /// No OS keyring can be used (none on this system, no D-Bus session, …). The encrypted-file store can be chosen instead. `data`: `{reason}`.
    KeyringUnavailable,
    /// The OS keyring exists but is locked or refused access. Unlock it, or choose the encrypted-file store. `data`: `{reason}`.
    KeyringLocked,
    /// No wallet account matches a name, address or id. `data`: `{value}`.
    AccountNotFound,
    /// The wallet has no account yet: create or import one first.
    NoActiveAccount,
    /// An account with this address is already in the wallet. `data`: `{address}`.
    AccountExists,
    /// Another account already has this name. `data`: `{name}`.
    AccountNameTaken,
    /// The account was imported from a seed or a JSON file, so there are no recovery words to show.
    MnemonicUnavailable,
    /// A recovery word given to confirm the backup is not the stored one. `data`: `{position}` (1-based).
    BackupMismatch,
    /// The account is listed but its secret is not in its store (deleted from the keyring, or another computer). `data`: `{store}`.
    SecretMissing,
    /// A backup check was finished before every word was put back in order.
    BackupIncomplete,
    /// A rental duration the chain would refuse or silently change: 0, not a
    /// multiple of 300 blocks (half an hour), or over 864,000 (60 days).
    /// `data`: `{blocks, reason}` (`reason`: `zero`, `not-half-hour`, `too-long`).
    InvalidDuration,
    /// The machine cannot be rented in its current status (offline, exited,
    /// being verified, …). `data`: `{machineId, status}`.
    NotRentable,
    /// The machine has fewer free GPUs than asked for (or 0 were asked for).
    /// `data`: `{wanted, free}`.
    NotEnoughGpus,
    /// No machine with this id is on the chain. `data`: `{machineId}`.
    UnknownMachine,
    /// An RDP host that is not an IPv4/IPv6 literal or a DNS name (spaces,
    /// quotes, shell metacharacters, a leading '-', …). `data`: `{host}`.
    InvalidRdpHost,
    /// An RDP port outside 1..=65535 or not a number. `data`: `{port, value}`
    /// (the same text: the value that came).
    InvalidRdpPort,
    /// An RDP user name with quotes, control characters, a leading '-' or
    /// other characters Windows does not allow. `data`: `{user}`.
    InvalidRdpUser,
    /// The VM's login password (or user) is "N/A": the image has no guest
    /// agent, so no password was set. Connect with VNC instead (`data`:
    /// `{field}`, `"password"` or `"user"`).
    VmNoGuestAgent,
    /// No Remote Desktop client was found. `data`: `{os, install}` (what to
    /// install for this OS).
    RdpClientMissing,
    /// The Remote Desktop client was found but could not be started.
    /// `data`: `{client, reason}`.
    RdpLaunchFailed,
    /// A link the app does not open: not https, or a host outside the
    /// allowlist. `data`: `{url}`.
    LinkNotAllowed,
    /// No program to open links in the browser was found or it failed.
    /// `data`: `{url}` (so the UI can offer to copy it).
    BrowserUnavailable,
    RentLapsed,
    RentNotPlaced,
    ReletCapped,
    OrderNotFound,
    RentalNotFound,
    ConfirmWindowClosed,
    WrongRentalState,
    RentalInProgress,
    /// A rentals journal written for another chain (another genesis, or
    /// another practice chain instance); left untouched. `data`: `{path, chain, expected}`.
    JournalOtherChain,
    /// The node answered from a block older than one this app has already
    /// seen for the rental (a lagging node, or a failover to one): nothing
    /// was decided or signed. `data`: `{rentId, block, seen}`.
    NodeBehind,
    /// A node listed more entries than any real chain has (map keys, an
    /// account's orders): reading was stopped. `data`: `{endpoint, what, limit}`.
    ChainReplyTooLarge,
    /// Plain `ws://` to a node outside this computer and its private
    /// network: queries can be read and answers forged on the way. Allowed
    /// only when the user says so for that node (app: once per node; CLI:
    /// `--allow-insecure-node`). `data`: `{url, host}`.
    InsecureNodeUrl,
    /// Not a usable DBC client address (not http(s), no host, credentials,
    /// a query, …). `data`: `{value, reason}`.
    InvalidClientUrl,
    /// Plain `http://` to a DBC client outside this computer and its
    /// private network: the signed requests could be read and replayed on
    /// the way. Allowed only when the user says so for that client (app:
    /// once per client; CLI: `--allow-insecure-client`). `data`: `{url, host}`.
    InsecureClientUrl,
    /// The DBC client cannot be reached (refused, no route, DNS) or the
    /// connection broke. `data`: `{url, route, reason, stage}` (`connect`: nothing
    /// was sent; `exchange`: the request may have arrived).
    ComputeUnreachable,
    /// No answer in time: ours (45 s) or the client's own 30 s wait for the
    /// machine (HTTP 500 "<op> timeout"). The operation may still happen.
    /// `data`: `{url, route, source (client|node), nodeMessage?, stage?}`
    /// (`stage: "reading"`: the answer began and then stalled; not retried).
    ComputeTimeout,
    /// The DBC client does not see the rented machine now (offline or not
    /// announced yet: "create node request failed"). `data`: `{url, machineId}`.
    ComputeNodeUnknown,
    /// The machine refused the signature or the order ("check authority
    /// failed: …"). `data`: `{reason, nodeMessage, rentId, machineId}`.
    ComputeNotAuthorized,
    /// The machine refused the request (HTTP 200, errcode != 0).
    /// `data`: `{errcode, nodeMessage}` (the node's own words).
    ComputeRefused,
    /// The machine's owner VMs are still stopping: "try again in a minute".
    /// `data`: `{nodeMessage}`.
    ComputeBusy,
    /// The DBC client answered HTTP 400/404/500 itself. `data`:
    /// `{url, route, status, errcode?, nodeMessage}`.
    ComputeHttp,
    /// The DBC client's answer could not be read (not JSON, no errcode,
    /// unexpected shape). `data`: `{url, route, reason}`.
    ComputeBadReply,
    /// The DBC client answered with a redirect (3xx). It is never followed:
    /// the signed request would go wherever it points. `data`:
    /// `{url, route, status, location}`.
    ComputeRedirect,
    /// The machine offers no Windows image (no name containing "win").
    /// `data`: `{images}` (comma-separated).
    NoWindowsImage,
    /// The image the renter picked is not on the machine. `data`: `{image, images}`.
    ImageNotFound,
    /// The machine has no room for a VM of the rented share right now.
    /// `data`: `{resource (gpu|cpu|memory|disk), available}` (GB or threads).
    VmNoRoom,
    /// Every RDP/VNC port pair tried was taken on the machine. `data`: `{attempts}`.
    VmPortsTaken,
    /// The machine has no such VM for this wallet (deleted, or another's). `data`: `{taskId}`.
    VmNotFound,
    /// The VM ended in "create error". `data`: `{taskId, status, log}` (log tail lines).
    VmCreateFailed,
    /// The VM reports a failed operation ("start error", …). `data`: `{taskId, status, log}`.
    VmOperationFailed,
    /// The VM did not reach the awaited status in time. `data`: `{taskId, status, minutes}`.
    VmWaitTimeout,
    /// The VM's RDP port does not accept a TCP connection. `data`: `{host, port, reason}`.
    RdpUnreachable,
    /// The Connect step has no unlocked login for this rental (never
    /// unlocked, or dropped after 30 minutes or a network or account
    /// switch): unlock it with the wallet password. `data`: `{rentId}`.
    ConnectLocked,
    /// The system clipboard cannot be used (no display, or the clipboard
    /// refused). `data`: `{reason}`.
    ClipboardUnavailable,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Internal,
        ErrorCode::InvalidArgument,
        ErrorCode::UnsupportedLanguage,
        ErrorCode::Io,
        ErrorCode::StorageCorrupt,
        ErrorCode::NetworkUnreachable,
        ErrorCode::WrongGenesis,
        ErrorCode::ChainRpc,
        ErrorCode::TxInvalid,
        ErrorCode::TxFailed,
        ErrorCode::TxUnknown,
        ErrorCode::InsufficientBalance,
        ErrorCode::NodeMissing,
        ErrorCode::ChopsticksMissing,
        ErrorCode::SpecHashMismatch,
        ErrorCode::SpecUnavailable,
        ErrorCode::SandboxStartFailed,
        ErrorCode::SandboxCrashed,
        ErrorCode::SandboxNotRunning,
        ErrorCode::SandboxAlreadyRunning,
        ErrorCode::InvalidMnemonicWord,
        ErrorCode::InvalidMnemonicChecksum,
        ErrorCode::InvalidMnemonicLength,
        ErrorCode::InvalidDerivationPath,
        ErrorCode::InvalidSeed,
        ErrorCode::InvalidKeystore,
        ErrorCode::WrongJsonPassword,
        ErrorCode::WrongPassword,
        ErrorCode::WeakPassword,
        ErrorCode::InvalidAddress,
        ErrorCode::KeyringUnavailable,
        ErrorCode::KeyringLocked,
        ErrorCode::AccountNotFound,
        ErrorCode::NoActiveAccount,
        ErrorCode::AccountExists,
        ErrorCode::AccountNameTaken,
        ErrorCode::MnemonicUnavailable,
        ErrorCode::BackupMismatch,
        ErrorCode::SecretMissing,
        ErrorCode::BackupIncomplete,
        ErrorCode::InvalidDuration,
        ErrorCode::NotRentable,
        ErrorCode::NotEnoughGpus,
        ErrorCode::UnknownMachine,
        ErrorCode::InvalidRdpHost,
        ErrorCode::InvalidRdpPort,
        ErrorCode::InvalidRdpUser,
        ErrorCode::VmNoGuestAgent,
        ErrorCode::RdpClientMissing,
        ErrorCode::RdpLaunchFailed,
        ErrorCode::LinkNotAllowed,
        ErrorCode::BrowserUnavailable,
        ErrorCode::RentLapsed,
        ErrorCode::RentNotPlaced,
        ErrorCode::ReletCapped,
        ErrorCode::OrderNotFound,
        ErrorCode::RentalNotFound,
        ErrorCode::ConfirmWindowClosed,
        ErrorCode::WrongRentalState,
        ErrorCode::RentalInProgress,
        ErrorCode::JournalOtherChain,
        ErrorCode::NodeBehind,
        ErrorCode::ChainReplyTooLarge,
        ErrorCode::InsecureNodeUrl,
        ErrorCode::InvalidClientUrl,
        ErrorCode::InsecureClientUrl,
        ErrorCode::ComputeUnreachable,
        ErrorCode::ComputeTimeout,
        ErrorCode::ComputeNodeUnknown,
        ErrorCode::ComputeNotAuthorized,
        ErrorCode::ComputeRefused,
        ErrorCode::ComputeBusy,
        ErrorCode::ComputeHttp,
        ErrorCode::ComputeBadReply,
        ErrorCode::ComputeRedirect,
        ErrorCode::NoWindowsImage,
        ErrorCode::ImageNotFound,
        ErrorCode::VmNoRoom,
        ErrorCode::VmPortsTaken,
        ErrorCode::VmNotFound,
        ErrorCode::VmCreateFailed,
        ErrorCode::VmOperationFailed,
        ErrorCode::VmWaitTimeout,
        ErrorCode::RdpUnreachable,
        ErrorCode::ConnectLocked,
        ErrorCode::ClipboardUnavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Internal => "internal",
            ErrorCode::InvalidArgument => "invalid-argument",
            ErrorCode::UnsupportedLanguage => "unsupported-language",
            ErrorCode::Io => "io",
            ErrorCode::StorageCorrupt => "storage-corrupt",
            ErrorCode::NetworkUnreachable => "network-unreachable",
            ErrorCode::WrongGenesis => "wrong-genesis",
            ErrorCode::ChainRpc => "chain-rpc",
            ErrorCode::TxInvalid => "tx-invalid",
            ErrorCode::TxFailed => "tx-failed",
            ErrorCode::TxUnknown => "tx-unknown",
            ErrorCode::InsufficientBalance => "insufficient-balance",
            ErrorCode::NodeMissing => "node-missing",
            ErrorCode::ChopsticksMissing => "chopsticks-missing",
            ErrorCode::SpecHashMismatch => "spec-hash-mismatch",
            ErrorCode::SpecUnavailable => "spec-unavailable",
            ErrorCode::SandboxStartFailed => "sandbox-start-failed",
            ErrorCode::SandboxCrashed => "sandbox-crashed",
            ErrorCode::SandboxNotRunning => "sandbox-not-running",
            ErrorCode::SandboxAlreadyRunning => "sandbox-already-running",
            ErrorCode::InvalidMnemonicWord => "invalid-mnemonic-word",
            ErrorCode::InvalidMnemonicChecksum => "invalid-mnemonic-checksum",
            ErrorCode::InvalidMnemonicLength => "invalid-mnemonic-length",
            ErrorCode::InvalidDerivationPath => "invalid-derivation-path",
            ErrorCode::InvalidSeed => "invalid-seed",
            ErrorCode::InvalidKeystore => "invalid-keystore",
            ErrorCode::WrongJsonPassword => "wrong-json-password",
            ErrorCode::WrongPassword => "wrong-password",
            ErrorCode::WeakPassword => "weak-password",
            ErrorCode::InvalidAddress => "invalid-address",
            ErrorCode::KeyringUnavailable => "keyring-unavailable",
            ErrorCode::KeyringLocked => "keyring-locked",
            ErrorCode::AccountNotFound => "account-not-found",
            ErrorCode::NoActiveAccount => "no-active-account",
            ErrorCode::AccountExists => "account-exists",
            ErrorCode::AccountNameTaken => "account-name-taken",
            ErrorCode::MnemonicUnavailable => "mnemonic-unavailable",
            ErrorCode::BackupMismatch => "backup-mismatch",
            ErrorCode::SecretMissing => "secret-missing",
            ErrorCode::BackupIncomplete => "backup-incomplete",
            ErrorCode::InvalidDuration => "invalid-duration",
            ErrorCode::NotRentable => "not-rentable",
            ErrorCode::NotEnoughGpus => "not-enough-gpus",
            ErrorCode::UnknownMachine => "unknown-machine",
            ErrorCode::InvalidRdpHost => "invalid-rdp-host",
            ErrorCode::InvalidRdpPort => "invalid-rdp-port",
            ErrorCode::InvalidRdpUser => "invalid-rdp-user",
            ErrorCode::VmNoGuestAgent => "vm-no-guest-agent",
            ErrorCode::RdpClientMissing => "rdp-client-missing",
            ErrorCode::RdpLaunchFailed => "rdp-launch-failed",
            ErrorCode::LinkNotAllowed => "link-not-allowed",
            ErrorCode::BrowserUnavailable => "browser-unavailable",
            ErrorCode::RentLapsed => "rent-lapsed",
            ErrorCode::RentNotPlaced => "rent-not-placed",
            ErrorCode::ReletCapped => "relet-capped",
            ErrorCode::OrderNotFound => "order-not-found",
            ErrorCode::RentalNotFound => "rental-not-found",
            ErrorCode::ConfirmWindowClosed => "confirm-window-closed",
            ErrorCode::WrongRentalState => "wrong-rental-state",
            ErrorCode::RentalInProgress => "rental-in-progress",
            ErrorCode::JournalOtherChain => "journal-other-chain",
            ErrorCode::NodeBehind => "node-behind",
            ErrorCode::ChainReplyTooLarge => "chain-reply-too-large",
            ErrorCode::InsecureNodeUrl => "insecure-node-url",
            ErrorCode::InvalidClientUrl => "invalid-client-url",
            ErrorCode::InsecureClientUrl => "insecure-client-url",
            ErrorCode::ComputeUnreachable => "compute-unreachable",
            ErrorCode::ComputeTimeout => "compute-timeout",
            ErrorCode::ComputeNodeUnknown => "compute-node-unknown",
            ErrorCode::ComputeNotAuthorized => "compute-not-authorized",
            ErrorCode::ComputeRefused => "compute-refused",
            ErrorCode::ComputeBusy => "compute-busy",
            ErrorCode::ComputeHttp => "compute-http",
            ErrorCode::ComputeBadReply => "compute-bad-reply",
            ErrorCode::ComputeRedirect => "compute-redirect",
            ErrorCode::NoWindowsImage => "no-windows-image",
            ErrorCode::ImageNotFound => "image-not-found",
            ErrorCode::VmNoRoom => "vm-no-room",
            ErrorCode::VmPortsTaken => "vm-ports-taken",
            ErrorCode::VmNotFound => "vm-not-found",
            ErrorCode::VmCreateFailed => "vm-create-failed",
            ErrorCode::VmOperationFailed => "vm-operation-failed",
            ErrorCode::VmWaitTimeout => "vm-wait-timeout",
            ErrorCode::RdpUnreachable => "rdp-unreachable",
            ErrorCode::ConnectLocked => "connect-locked",
            ErrorCode::ClipboardUnavailable => "clipboard-unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error every fallible core function returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
#[derive(ts_rs::TS)]
#[ts(rename = "ErrorShape")]
pub struct Error {
    /// Kebab-case; the UI knows the list from `ui/src/lib/error-codes.ts`.
    #[ts(type = "string")]
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "Record<string, unknown>")]
    pub data: Option<Value>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), data: None }
    }

    /// Attach the values the localized text needs, e.g. `json!({"path": p})`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    /// An I/O failure on `path`, with the OS reason in the message.
    pub fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        Error::new(ErrorCode::Io, format!("{}: {err}", path.display()))
            .with_data(serde_json::json!({ "path": path.display().to_string() }))
    }
}

/// The TypeScript list of codes the UI imports. `unknown` is the UI's own code
/// for a rejection that does not have our shape (it never comes from Rust).
pub fn error_codes_ts() -> String {
    let names: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .chain(std::iter::once("\"unknown\"".to_string()))
        .collect();
    format!(
        "// Generated from crates/dbc/src/error.rs by `cargo test -p dbc` (error_codes_ts_is_current). Do not edit.\n\
         export const ERROR_CODES = [{}] as const;\n\
         export type ErrorCode = (typeof ERROR_CODES)[number];\n",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_message_data() {
        let e = Error::new(ErrorCode::UnsupportedLanguage, "no catalog for fr")
            .with_data(serde_json::json!({"language": "fr"}));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code": "unsupported-language", "message": "no catalog for fr", "data": {"language": "fr"}})
        );
        let plain = serde_json::to_value(Error::internal("x")).unwrap();
        assert!(plain.get("data").is_none(), "data is omitted when absent");
    }

    #[test]
    fn as_str_matches_serde_for_every_code() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
        }
    }

    /// The UI's list of codes is generated from this enum; regenerate with
    /// `UPDATE_ERROR_CODES=1 cargo test -p dbc error_codes_ts_is_current`.
    #[test]
    fn error_codes_ts_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/error-codes.ts");
        let want = error_codes_ts();
        if std::env::var_os("UPDATE_ERROR_CODES").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(have, want, "ui/src/lib/error-codes.ts is stale: rerun with UPDATE_ERROR_CODES=1");
    }
}
