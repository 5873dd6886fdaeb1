//! The one error shape that crosses every boundary: `{ code, message, data? }`.
//!
//! `code` is a stable kebab-case string the UI maps to localized text (zh, en);
//! `message` is English for logs and for a UI that meets an unknown code;
//! `data` carries the values the localized text interpolates (a path, a
//! language, amounts). Adding a code to the [`ErrorCode`] table means adding
//! `error.<code>` to both UI catalogs; a test keeps `ui/src/lib/error-codes.ts`
//! in step with this list.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// One table of codes: the enum (with each code's doc line and its serde
/// name), [`ErrorCode::ALL`] and [`ErrorCode::as_str`] all come from it, so a
/// code is written once. A code without a doc line does not compile.
macro_rules! error_codes {
    (
        $(#[$meta:meta])*
        pub enum $Enum:ident {
            $( $(#[doc = $doc:literal])+ $name:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $Enum {
            $( $(#[doc = $doc])+ #[serde(rename = $code)] $name, )+
        }

        impl $Enum {
            /// Every code, in the table's order (the order of `error-codes.ts`).
            pub const ALL: &'static [$Enum] = &[$($Enum::$name,)+];

            /// The stable kebab-case code (the same string serde writes).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($Enum::$name => $code,)+
                }
            }
        }
    };
}

error_codes! {
    /// Stable error codes. Never rename one: the UI and scripts match on them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ErrorCode {
        /// A bug: a panic or a broken invariant. Details are in the log.
        Internal = "internal",
        /// The caller passed something malformed (a URL, a number, a name).
        InvalidArgument = "invalid-argument",
        /// A language the app has no catalog for.
        UnsupportedLanguage = "unsupported-language",
        /// Reading or writing a file failed.
        Io = "io",
        /// A file of ours exists but cannot be understood; it was left untouched.
        StorageCorrupt = "storage-corrupt",
        /// No node of the chosen network answered (every endpoint failed or timed out).
        /// `data`: `{network, endpoint}` (the last endpoint tried).
        NetworkUnreachable = "network-unreachable",
        /// A node answered but belongs to another chain (its genesis hash is not the
        /// expected one), so it was refused. `data`: `{endpoint, expected, actual}`.
        WrongGenesis = "wrong-genesis",
        /// A connected node failed a request, timed out, or answered something we
        /// could not decode. `data`: `{endpoint}` when known.
        ChainRpc = "chain-rpc",
        /// The node refused the transaction before it entered a block (bad nonce,
        /// bad signature, stale, dropped): nothing was paid. `data`: `{reason}`.
        TxInvalid = "tx-invalid",
        /// The transaction is in a block but the runtime rejected the call (the fee
        /// was paid). `data`: `{error, pallet?, variant?, blockHash, extrinsicHash}`.
        TxFailed = "tx-failed",
        /// The transaction was sent but its fate is unknown (connection lost or
        /// timeout before it was seen in a block): read the chain before retrying.
        /// `data`: `{extrinsicHash}`.
        TxUnknown = "tx-unknown",
        /// The account cannot pay the amount plus fees. `data`: `{needed, available}`
        /// (formatted DBC) when known; otherwise `{reason}`.
        InsufficientBalance = "insufficient-balance",
        /// Node.js (20 or newer) is not installed; the practice network needs it.
        /// `data`: `{found?}` (the version found when too old).
        NodeMissing = "node-missing",
        /// chopsticks is not installed next to the practice network (`make sandbox-deps`).
        /// `data`: `{path}` (where it was looked for).
        ChopsticksMissing = "chopsticks-missing",
        /// A chain spec file has another sha256 than the pinned one and was refused.
        /// `data`: `{path, expected, actual}`.
        SpecHashMismatch = "spec-hash-mismatch",
        /// No chain spec was found locally and downloading it failed. `data`: `{url, reason}`.
        SpecUnavailable = "spec-unavailable",
        /// The practice chain did not come up (timeout or refused to start). `data`: `{log}` (log file path).
        SandboxStartFailed = "sandbox-start-failed",
        /// The practice chain process stopped unexpectedly. `data`: `{log, status}`.
        SandboxCrashed = "sandbox-crashed",
        /// No practice network is running for this data dir.
        SandboxNotRunning = "sandbox-not-running",
        /// A practice network already runs for this data dir. `data`: `{pid, chain}`.
        SandboxAlreadyRunning = "sandbox-already-running",
        /// A recovery phrase word is not in the BIP-39 English list. `data`: `{word, position}` (1-based).
        InvalidMnemonicWord = "invalid-mnemonic-word",
        /// Every word is valid but the phrase's checksum does not match (a word is wrong or the order is).
        InvalidMnemonicChecksum = "invalid-mnemonic-checksum",
        /// A recovery phrase must have 12, 15, 18, 21 or 24 words. `data`: `{count}`.
        InvalidMnemonicLength = "invalid-mnemonic-length",
        /// A derivation path is not `//hard`, `/soft` junctions with an optional `///password`. `data`: `{reason}` (never the path: it may hold a password).
        InvalidDerivationPath = "invalid-derivation-path",
        /// A raw seed must be `0x` followed by 64 hex digits.
        InvalidSeed = "invalid-seed",
        /// A JSON keystore file is not one we can open. `data`: `{reason}`.
        InvalidKeystore = "invalid-keystore",
        /// The password does not open this JSON keystore file.
        WrongJsonPassword = "wrong-json-password",
        /// The app password does not unlock this account's secret (or the stored secret was altered).
        WrongPassword = "wrong-password",
        /// A new app password is too short. `data`: `{min}` (characters).
        WeakPassword = "weak-password",
        /// Not a valid DBC (SS58, prefix 42) address. `data`: `{value, reason}`.
        InvalidAddress = "invalid-address",
        /// No OS keyring can be used (none on this system, no D-Bus session, …). The encrypted-file store can be chosen instead. `data`: `{reason}`.
        KeyringUnavailable = "keyring-unavailable",
        /// The OS keyring exists but is locked or refused access. Unlock it, or choose the encrypted-file store. `data`: `{reason}`.
        KeyringLocked = "keyring-locked",
        /// No wallet account matches a name, address or id. `data`: `{value}`.
        AccountNotFound = "account-not-found",
        /// The wallet has no account yet: create or import one first.
        NoActiveAccount = "no-active-account",
        /// An account with this address is already in the wallet. `data`: `{address}`.
        AccountExists = "account-exists",
        /// Another account already has this name. `data`: `{name}`.
        AccountNameTaken = "account-name-taken",
        /// The account was imported from a seed or a JSON file, so there are no recovery words to show.
        MnemonicUnavailable = "mnemonic-unavailable",
        /// A recovery word given to confirm the backup is not the stored one. `data`: `{position}` (1-based).
        BackupMismatch = "backup-mismatch",
        /// The account is listed but its secret is not in its store (deleted from the keyring, or another computer). `data`: `{store}`.
        SecretMissing = "secret-missing",
        /// A backup check was finished before every word was put back in order.
        BackupIncomplete = "backup-incomplete",
        /// A rental duration the chain would refuse or silently change: 0, not a
        /// multiple of 300 blocks (half an hour), or over 864,000 (60 days).
        /// `data`: `{blocks, reason}` (`reason`: `zero`, `not-half-hour`, `too-long`).
        InvalidDuration = "invalid-duration",
        /// The machine cannot be rented in its current status (offline, exited,
        /// being verified, …). `data`: `{machineId, status}`.
        NotRentable = "not-rentable",
        /// The machine has fewer free GPUs than asked for (or 0 were asked for).
        /// `data`: `{wanted, free}`.
        NotEnoughGpus = "not-enough-gpus",
        /// No machine with this id is on the chain. `data`: `{machineId}`.
        UnknownMachine = "unknown-machine",
        /// An RDP host that is not an IPv4/IPv6 literal or a DNS name (spaces,
        /// quotes, shell metacharacters, a leading '-', …). `data`: `{host}`.
        InvalidRdpHost = "invalid-rdp-host",
        /// An RDP port outside 1..=65535 or not a number. `data`: `{port, value}`
        /// (the same text: the value that came).
        InvalidRdpPort = "invalid-rdp-port",
        /// An RDP user name with quotes, control characters, a leading '-' or
        /// other characters Windows does not allow. `data`: `{user}`.
        InvalidRdpUser = "invalid-rdp-user",
        /// The VM's login password (or user) is "N/A": the image has no guest
        /// agent, so no password was set. Connect with VNC instead (`data`:
        /// `{field}`, `"password"` or `"user"`).
        VmNoGuestAgent = "vm-no-guest-agent",
        /// No Remote Desktop client was found. `data`: `{os, install}` (what to
        /// install for this OS).
        RdpClientMissing = "rdp-client-missing",
        /// The Remote Desktop client was found but could not be started.
        /// `data`: `{client, reason}`.
        RdpLaunchFailed = "rdp-launch-failed",
        /// A link the app does not open: not https, or a host outside the
        /// allowlist. `data`: `{url}`.
        LinkNotAllowed = "link-not-allowed",
        /// No program to open links in the browser was found or it failed.
        /// `data`: `{url}` (so the UI can offer to copy it).
        BrowserUnavailable = "browser-unavailable",
        /// The order was not confirmed within its window (150 blocks, 15 min): the
        /// chain refunded the rent and kept the order fee. `data`: `{rentId}`.
        RentLapsed = "rent-lapsed",
        /// A rent transaction placed no order (no `Rent` event, used without
        /// effect, or expired unsent): nothing is reserved. `data`: `{machineId, extrinsicHash?}`.
        RentNotPlaced = "rent-not-placed",
        /// A renewal adds nothing: the order already ends at the chain's 60-day
        /// horizon. `data`: `{rentId}`.
        ReletCapped = "relet-capped",
        /// The rental's order is not (or no longer) live on the chain. `data`: `{rentId}`.
        OrderNotFound = "order-not-found",
        /// No rental with this local id or rent id is in this network's journal. `data`: `{rentId}`.
        RentalNotFound = "rental-not-found",
        /// Too late to confirm: the order's confirm deadline is (almost) reached,
        /// so a confirmation signed now would not land in time. `data`: `{rentId}`.
        ConfirmWindowClosed = "confirm-window-closed",
        /// The rental cannot do this in its stage (confirm twice, renew before
        /// confirming, no VM yet, …). `data`: `{rentId, state}`.
        WrongRentalState = "wrong-rental-state",
        /// A transaction of this account is in flight, an order of the machine
        /// waits for confirmation, or another window or command is sending one:
        /// finish or let it lapse first. `data`: `{rentId, state, machineId, account?}`.
        RentalInProgress = "rental-in-progress",
        /// A rentals journal written for another chain (another genesis, or
        /// another practice chain instance); left untouched. `data`: `{path, chain, expected}`.
        JournalOtherChain = "journal-other-chain",
        /// The node answered from a block older than one this app has already
        /// seen for the rental (a lagging node, or a failover to one): nothing
        /// was decided or signed. `data`: `{rentId, block, seen}`.
        NodeBehind = "node-behind",
        /// A node listed more entries than any real chain has (map keys, an
        /// account's orders): reading was stopped. `data`: `{endpoint, what, limit}`.
        ChainReplyTooLarge = "chain-reply-too-large",
        /// Plain `ws://` to a node outside this computer and its private
        /// network: queries can be read and answers forged on the way. Allowed
        /// only when the user says so for that node (app: once per node; CLI:
        /// `--allow-insecure-node`). `data`: `{url, host}`.
        InsecureNodeUrl = "insecure-node-url",
        /// Not a usable DBC client address (not http(s), no host, credentials,
        /// a query, …). `data`: `{value, reason}`.
        InvalidClientUrl = "invalid-client-url",
        /// Plain `http://` to a DBC client outside this computer and its
        /// private network: the signed requests could be read and replayed on
        /// the way. Allowed only when the user says so for that client (app:
        /// once per client; CLI: `--allow-insecure-client`). `data`: `{url, host}`.
        InsecureClientUrl = "insecure-client-url",
        /// The DBC client cannot be reached (refused, no route, DNS) or the
        /// connection broke. `data`: `{url, route, reason, stage}` (`connect`: nothing
        /// was sent; `exchange`: the request may have arrived).
        ComputeUnreachable = "compute-unreachable",
        /// No answer in time: ours (45 s) or the client's own 30 s wait for the
        /// machine (HTTP 500 "<op> timeout"). The operation may still happen.
        /// `data`: `{url, route, source (client|node), nodeMessage?, stage?}`
        /// (`stage: "reading"`: the answer began and then stalled; not retried).
        ComputeTimeout = "compute-timeout",
        /// The DBC client does not see the rented machine now (offline or not
        /// announced yet: "create node request failed"). `data`: `{url, machineId}`.
        ComputeNodeUnknown = "compute-node-unknown",
        /// None of the user's DBC clients answers and sees the rented machine
        /// now (`rental::client_choice`). `data`: `{machineId, clients: [ClientHealth]}`.
        NoClientReaches = "no-client-reaches-machine",
        /// The machine refused the signature or the order ("check authority
        /// failed: …"). `data`: `{reason, nodeMessage, rentId, machineId}`.
        ComputeNotAuthorized = "compute-not-authorized",
        /// The machine refused the request (HTTP 200, errcode != 0).
        /// `data`: `{errcode, nodeMessage}` (the node's own words).
        ComputeRefused = "compute-refused",
        /// The machine's owner VMs are still stopping: "try again in a minute".
        /// `data`: `{nodeMessage}`.
        ComputeBusy = "compute-busy",
        /// The DBC client answered HTTP 400/404/500 itself. `data`:
        /// `{url, route, status, errcode?, nodeMessage}`.
        ComputeHttp = "compute-http",
        /// The DBC client's answer could not be read (not JSON, no errcode,
        /// unexpected shape). `data`: `{url, route, reason}`.
        ComputeBadReply = "compute-bad-reply",
        /// The DBC client answered with a redirect (3xx). It is never followed:
        /// the signed request would go wherever it points. `data`:
        /// `{url, route, status, location}`.
        ComputeRedirect = "compute-redirect",
        /// The machine offers no Windows image (no name containing "win").
        /// `data`: `{images}` (comma-separated).
        NoWindowsImage = "no-windows-image",
        /// The machine offers no Linux image (no name containing "ubuntu" or "linux").
        /// `data`: `{images}` (comma-separated).
        NoLinuxImage = "no-linux-image",
        /// The image the renter picked is not on the machine. `data`: `{image, images}`.
        ImageNotFound = "image-not-found",
        /// The machine has no room for a VM of the rented share right now.
        /// `data`: `{resource (gpu|cpu|memory|disk), available}` (GB or threads).
        VmNoRoom = "vm-no-room",
        /// Every RDP/VNC port pair tried was taken on the machine. `data`: `{attempts}`.
        VmPortsTaken = "vm-ports-taken",
        /// The machine has no such VM for this wallet (deleted, or another's). `data`: `{taskId}`.
        VmNotFound = "vm-not-found",
        /// The VM ended in "create error". `data`: `{taskId, status, log}` (log tail lines).
        VmCreateFailed = "vm-create-failed",
        /// The VM reports a failed operation ("start error", …). `data`: `{taskId, status, log}`.
        VmOperationFailed = "vm-operation-failed",
        /// The VM did not reach the awaited status in time. `data`: `{taskId, status, minutes}`.
        VmWaitTimeout = "vm-wait-timeout",
        /// The VM's RDP port does not accept a TCP connection. `data`: `{host, port, reason}`.
        RdpUnreachable = "rdp-unreachable",
        /// The Connect step has no unlocked login for this rental (never
        /// unlocked, or dropped after 30 minutes or a network or account
        /// switch): unlock it with the wallet password. `data`: `{rentId}`.
        ConnectLocked = "connect-locked",
        /// The system clipboard cannot be used (no display, or the clipboard
        /// refused). `data`: `{reason}`.
        ClipboardUnavailable = "clipboard-unavailable",
        /// This build has no release address for updates (none was set when it
        /// was built), so "Check for updates" cannot run.
        UpdateNotConfigured = "update-not-configured",
        /// The release address did not answer or gave no usable release
        /// (offline, HTTP error, unreadable manifest, no package for this
        /// system). `data`: `{reason}`.
        UpdateUnavailable = "update-unavailable",
        /// The downloaded package's signature does not match the release key
        /// built into the app (tampered, or signed by someone else): refused,
        /// nothing installed. `data`: `{reason}`.
        UpdateBadSignature = "update-bad-signature",
        /// The release offers a version that is not newer than this one (an
        /// older one: a downgrade): refused. `data`: `{offered, current}`.
        UpdateNotNewer = "update-not-newer",
        /// Installing the verified package failed (the password prompt was
        /// dismissed, the package manager refused). `data`: `{reason}`.
        UpdateFailed = "update-failed",
        /// A Linux VM's SSH host key is not the one pinned on first connection in the
        /// app's known-hosts file (the VM was recreated, or someone is in between).
        /// `data`: `{host, port, pinned, offered, file}`.
        SshHostKeyChanged = "ssh-host-key-changed",
        /// The VM's SSH port does not answer (refused, no route, timed out). `data`: `{host, port, reason}`.
        SshUnreachable = "ssh-unreachable",
        /// The VM refused the SSH login. `data`: `{host, port, user, method}` (`password` or `publickey`).
        SshAuthFailed = "ssh-auth-failed",
        /// An SSH session failed (protocol error, a command that failed or did not
        /// finish). `data`: `{host, port, reason}` (and `exitStatus` for a command).
        SshFailed = "ssh-failed",
        /// No SSH key where one was expected (a chosen path, or no home folder). `data`: `{path}`.
        SshKeyMissing = "ssh-key-missing",
        /// An SSH key file that cannot be used (not OpenSSH format, passphrase-protected,
        /// a public key line with a quote or line break, half a pair). `data`: `{path, reason}`.
        SshKeyInvalid = "ssh-key-invalid",
        /// No `ssh` program was found. `data`: `{os, install}`.
        SshClientMissing = "ssh-client-missing",
        /// No terminal program was found to run `ssh` in. `data`: `{os, install}`.
        TerminalMissing = "terminal-missing",
        /// The terminal or VS Code was found but could not be started. `data`: `{program, reason}`.
        TerminalLaunchFailed = "terminal-launch-failed",
        /// VS Code's `code` command was not found. `data`: `{os, install}`.
        VscodeMissing = "vscode-missing",
        /// An SSH operation on a VM that is not Linux (use Remote Desktop). `data`: `{os}`.
        NotLinuxVm = "not-linux-vm",
        /// The GPU check could not read the VM's GPUs (`nvidia-smi` missing, failing, or
        /// printing something unexpected). Kept in a GPU check's verdict as its `code`.
        GpuCheckFailed = "gpu-check-failed",
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

    /// `storage-corrupt`: our file at `path` cannot be understood (`why`);
    /// it is left as it is for the user.
    pub fn storage_corrupt(path: &std::path::Path, why: &str) -> Self {
        Error::new(
            ErrorCode::StorageCorrupt,
            format!("{} is unreadable ({why}); it was left untouched", path.display()),
        )
        .with_data(serde_json::json!({ "path": path.display().to_string() }))
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
