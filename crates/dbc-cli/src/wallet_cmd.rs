//! `dbc-rent wallet …` and `dbc-rent send`: the wallet from a terminal or a
//! script, over `dbc::wallet::Wallet` like the desktop app.
//!
//! Secrets never come from argv: recovery words and seeds are read from
//! stdin, the app password from `DBC_RENT_PASSWORD` (scripts) or a no-echo
//! prompt on the terminal, a JSON file's password from
//! `DBC_RENT_JSON_PASSWORD` or a prompt. New accounts go to the OS keyring;
//! where there is none the command fails and names `--file-store`
//! (or `DBC_RENT_SECRET_STORE=file`), the explicit opt-in to the encrypted file.

use crate::context::{pick, wallet, with_chain, Ctx};
use clap::builder::TypedValueParser;
use clap::Subcommand;
use dbc::chain::{account, tx, NonceTracker, TxOptions, TxStatus};
use dbc::units::format_dbc;
use dbc::wallet::{Account, ExposeSecret, SecretString, StoreKind, Wallet, WordCount};
use dbc::{Error, ErrorCode, Result};
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use zeroize::Zeroizing;

pub const PASSWORD_ENV: &str = "DBC_RENT_PASSWORD";
pub const JSON_PASSWORD_ENV: &str = "DBC_RENT_JSON_PASSWORD";
pub const STORE_ENV: &str = "DBC_RENT_SECRET_STORE";

#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// Create an account from new recovery words (shown once: write them down).
    Create {
        /// 12 or 24 words.
        #[arg(long, default_value_t = 12, value_parser = clap::builder::PossibleValuesParser::new(["12", "24"]).map(|s| s.parse::<usize>().unwrap_or(12)))]
        words: usize,
        /// Account name (default "Account N").
        #[arg(long, value_name = "N")]
        name: Option<String>,
    },
    /// Import recovery words (or a 0x seed with --seed-stdin) read from stdin.
    /// A derivation may follow the words on stdin: `words//hard/soft///password`.
    Import {
        /// Read the recovery words from stdin (required: words never go on the command line).
        #[arg(long, required_unless_present = "seed_stdin")]
        mnemonic_stdin: bool,
        /// Read a raw seed (0x + 64 hex) from stdin instead.
        #[arg(long, conflicts_with = "mnemonic_stdin")]
        seed_stdin: bool,
        /// Derivation path such as //DBC/0 (a ///password goes on stdin, not here).
        #[arg(long, value_name = "PATH")]
        derivation: Option<String>,
        #[arg(long, value_name = "N")]
        name: Option<String>,
    },
    /// Import a polkadot.js JSON keystore (dbcwallet.io / polkadot.js extension export).
    ImportJson {
        file: PathBuf,
        #[arg(long, value_name = "N")]
        name: Option<String>,
    },
    /// Export an account as a polkadot.js JSON keystore (password: DBC_RENT_JSON_PASSWORD, else the app password).
    ExportJson {
        /// Write here (mode 0600) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Account name or address (default: the active one).
        #[arg(long, value_name = "NAME|ADDRESS")]
        account: Option<String>,
    },
    /// List the accounts (no secrets).
    List,
    /// Make an account the active one.
    Use {
        #[arg(value_name = "NAME|ADDRESS")]
        account: String,
    },
    /// Print the active account's address.
    Address {
        #[arg(long, value_name = "NAME|ADDRESS")]
        account: Option<String>,
    },
    /// Show the balance (free, reserved, frozen, transferable) on the selected network.
    Balance {
        #[arg(long, value_name = "NAME|ADDRESS")]
        account: Option<String>,
        #[arg(long, default_value_t = 20, value_name = "SECS")]
        timeout: u64,
    },
    /// Remove an account and its secret (needs the app password).
    Remove {
        #[arg(value_name = "NAME|ADDRESS")]
        account: String,
    },
}

/// Arguments of `send`.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The recipient's DBC address (SS58, starts with 5).
    pub address: String,
    /// Amount in DBC, e.g. 12.5.
    pub amount_dbc: String,
    /// Send from this account (default: the active one).
    #[arg(long, value_name = "NAME|ADDRESS")]
    pub account: Option<String>,
    /// Return once the transfer is in a block instead of waiting for finality.
    #[arg(long)]
    pub in_block: bool,
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    pub timeout: u64,
}

/// `--file-store` or `DBC_RENT_SECRET_STORE=file` chooses the encrypted
/// file; otherwise the OS keyring, probed now, or an error that names the opt-in.
fn new_account_store(ctx: &Ctx, w: &Wallet) -> Result<StoreKind> {
    let env = std::env::var(STORE_ENV).unwrap_or_default();
    let file = ctx.file_store
        || match env.trim() {
            "" | "keyring" | "os-keyring" => false,
            "file" | "encrypted-file" => true,
            other => {
                return Err(Error::invalid_argument(format!("{STORE_ENV}={other:?}: use \"file\" or \"keyring\""))
                    .with_data(json!({ "value": other })))
            }
        };
    if file {
        return Ok(StoreKind::EncryptedFile);
    }
    match w.store(StoreKind::OsKeyring) {
        Ok(_) => Ok(StoreKind::OsKeyring),
        Err(mut e) if matches!(e.code, ErrorCode::KeyringUnavailable | ErrorCode::KeyringLocked) => {
            let reason = e.data.as_ref().and_then(|d| d["reason"].as_str()).unwrap_or("unknown").to_string();
            let what =
                if e.code == ErrorCode::KeyringLocked { "is locked or refused access" } else { "cannot be used" };
            e.message = format!(
                "the OS keyring {what} ({reason}). To keep the secret in an encrypted file in the data dir instead \
                 (sealed with your app password, mode 0600), pass --file-store (or set {STORE_ENV}=file)"
            );
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// The app password: `DBC_RENT_PASSWORD`, else a no-echo prompt (twice when setting one).
pub(crate) fn app_password(confirm: bool) -> Result<SecretString> {
    password_from(PASSWORD_ENV, "App password: ", confirm)
}

fn password_from(env: &str, prompt: &str, confirm: bool) -> Result<SecretString> {
    if let Ok(p) = std::env::var(env) {
        return Ok(SecretString::from(p));
    }
    let ask = |text: &str| {
        rpassword::prompt_password(text).map(Zeroizing::new).map_err(|e| {
            Error::invalid_argument(format!("cannot read a password from the terminal ({e}); set {env} for scripts"))
        })
    };
    let first = ask(prompt)?;
    if confirm && *ask("Repeat it: ")? != *first {
        return Err(Error::invalid_argument("the two passwords differ"));
    }
    Ok(SecretString::from(first.to_string()))
}

fn read_stdin_secret() -> Result<Zeroizing<String>> {
    let mut s = Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut s).map_err(|e| Error::invalid_argument(format!("cannot read stdin: {e}")))?;
    Ok(s)
}

fn account_json(a: &Account) -> Value {
    serde_json::to_value(a).unwrap_or(Value::Null)
}

pub fn run(ctx: &Ctx, cmd: WalletCommand) -> Result<Value> {
    let w = wallet(ctx)?;
    match cmd {
        WalletCommand::Create { words, name } => {
            let kind = new_account_store(ctx, &w)?;
            let password = app_password(true)?;
            let created = w.create(name.as_deref(), WordCount::from_count(words)?, &password, kind)?;
            if !ctx.json {
                eprintln!(
                    "Your recovery words (shown only this once; write them down, in order, and keep them offline):\n"
                );
                eprintln!("  {}\n", created.mnemonic.as_str());
                eprintln!("Anyone with these words controls the account. The account is marked \"not backed up\" until you confirm.");
            }
            let mut v = json!({ "address": created.account.address, "account": account_json(&created.account) });
            if ctx.json {
                v["mnemonic"] = Value::String(created.mnemonic.to_string());
            }
            Ok(v)
        }
        WalletCommand::Import { mnemonic_stdin: _, seed_stdin, derivation, name } => {
            if derivation.as_deref().is_some_and(|d| d.contains("///")) {
                return Err(Error::new(
                    ErrorCode::InvalidDerivationPath,
                    "a ///password does not belong on the command line: append the derivation to the words on stdin (words//path///password)",
                )
                .with_data(json!({ "reason": "password on the command line" })));
            }
            let input = read_stdin_secret()?;
            let text = input.trim();
            // `words//hard///password` on stdin: split at the first '/'.
            let cut = text.find('/').unwrap_or(text.len());
            let (secret, stdin_path) = text.split_at(cut);
            if !stdin_path.is_empty() && derivation.is_some() {
                return Err(Error::invalid_argument(
                    "give the derivation either with --derivation or after the words on stdin, not both",
                ));
            }
            let path = Zeroizing::new(derivation.unwrap_or_else(|| stdin_path.to_string()));
            let secret = SecretString::from(secret.trim().to_string());
            let kind = new_account_store(ctx, &w)?;
            let password = app_password(true)?;
            let acc = if seed_stdin {
                w.import_seed(name.as_deref(), &secret, Some(&path), &password, kind)?
            } else {
                w.import_mnemonic(name.as_deref(), &secret, Some(&path), &password, kind)?
            };
            Ok(json!({ "address": acc.address, "account": account_json(&acc) }))
        }
        WalletCommand::ImportJson { file, name } => {
            let text = Zeroizing::new(std::fs::read_to_string(&file).map_err(|e| Error::io(&file, &e))?);
            let json_password = password_from(JSON_PASSWORD_ENV, "Password of the JSON file: ", false)?;
            let kind = new_account_store(ctx, &w)?;
            let password = app_password(true)?;
            let acc = w.import_json(name.as_deref(), &text, &json_password, &password, kind)?;
            Ok(json!({ "address": acc.address, "account": account_json(&acc) }))
        }
        WalletCommand::ExportJson { out, account } => {
            let acc = pick(&w, account.as_deref())?;
            let password = app_password(false)?;
            let json_password = match std::env::var(JSON_PASSWORD_ENV) {
                Ok(p) => SecretString::from(p),
                Err(_) => SecretString::from(password.expose_secret().to_string()),
            };
            let text = w.export_json(&acc.id, &password, &json_password)?;
            match out {
                Some(path) => {
                    dbc::paths::write_atomic(&path, text.as_bytes()).map_err(|e| Error::io(&path, &e))?;
                    Ok(json!({ "address": acc.address, "file": path.display().to_string() }))
                }
                None => Ok(serde_json::from_str(&text).map_err(|e| Error::internal(e.to_string()))?),
            }
        }
        WalletCommand::List => {
            let accounts = w.accounts()?;
            let active = accounts.iter().find(|a| a.active).map(|a| a.address.clone());
            if ctx.json {
                return Ok(json!({ "active": active, "accounts": accounts }));
            }
            let lines: Vec<Value> = accounts
                .iter()
                .map(|a| {
                    let mark = if a.active { "*" } else { " " };
                    let backup = if a.backed_up { "" } else { "  (not backed up)" };
                    Value::String(format!("{mark} {}  {}  [{}]{backup}", a.name, a.address, a.store.as_str()))
                })
                .collect();
            Ok(if lines.is_empty() {
                Value::String("no accounts yet: dbc-rent wallet create".into())
            } else {
                Value::Array(lines)
            })
        }
        WalletCommand::Use { account } => {
            let acc = w.set_active(&account)?;
            Ok(json!({ "address": acc.address, "account": account_json(&acc) }))
        }
        WalletCommand::Address { account } => {
            let acc = pick(&w, account.as_deref())?;
            Ok(if ctx.json { json!({ "address": acc.address, "name": acc.name }) } else { Value::String(acc.address) })
        }
        WalletCommand::Balance { account, timeout } => {
            let acc = pick(&w, account.as_deref())?;
            let who = dbc::wallet::parse_address(&acc.address)?;
            let b = with_chain(ctx, timeout, |client| async move { account::balance(&client, &who).await })?;
            Ok(json!({
                "address": acc.address,
                "name": acc.name,
                "network": ctx.network.kind(),
                "free": format_dbc(b.free),
                "reserved": format_dbc(b.reserved),
                "frozen": format_dbc(b.frozen),
                "transferable": format_dbc(b.transferable),
                "planck": b,
            }))
        }
        WalletCommand::Remove { account } => {
            let password = app_password(false)?;
            let acc = w.remove(&account, &password)?;
            Ok(json!({ "removed": acc.address, "name": acc.name }))
        }
    }
}

/// `send ADDRESS AMOUNT_DBC`: address and amount are checked before the
/// password is asked for; the fee is estimated (and printed) before the
/// transfer is submitted; statuses are printed as they come (stderr).
pub fn send(ctx: &Ctx, args: SendArgs) -> Result<Value> {
    let dest = dbc::wallet::parse_address(&args.address)?;
    let amount = dbc::units::parse_dbc(&args.amount_dbc)?;
    if amount == 0 {
        return Err(Error::invalid_argument("the amount must be more than 0 DBC")
            .with_data(json!({ "value": args.amount_dbc })));
    }
    let w = wallet(ctx)?;
    let acc = pick(&w, args.account.as_deref())?;
    let password = app_password(false)?;
    // Blocking (Argon2id, keyring): before the async runtime starts.
    let key = w.signing_key(&acc.id, &password)?;
    drop(password);
    let json_mode = ctx.json;
    let opts = TxOptions {
        wait: if args.in_block { tx::WaitFor::InBlock } else { tx::WaitFor::Finalized },
        ..TxOptions::default()
    };
    let (fee, outcome, statuses) = with_chain(ctx, args.timeout, |client| async move {
        let fee = tx::estimate_fee(&client, &key, &tx::transfer_keep_alive_call(&dest, amount)).await?;
        if !json_mode {
            eprintln!("sending {} DBC to {} (estimated fee {} DBC)", format_dbc(amount), args.address, format_dbc(fee));
        }
        let mut statuses: Vec<TxStatus> = Vec::new();
        let nonces = NonceTracker::new();
        let outcome = tx::transfer_keep_alive(&client, &nonces, &key, &dest, amount, &opts, |s| {
            if !json_mode {
                eprintln!("  {}", serde_json::to_string(&s).unwrap_or_default());
            }
            statuses.push(s);
        })
        .await?;
        Ok((fee, outcome, statuses))
    })?;
    Ok(json!({
        "from": acc.address,
        "to": dbc::wallet::format_address(&dest),
        "amount": format_dbc(amount),
        "amountPlanck": amount.to_string(),
        "feeEstimate": format_dbc(fee),
        "feePaid": outcome.fee_paid.map(format_dbc),
        "statuses": statuses,
        "outcome": outcome,
    }))
}
