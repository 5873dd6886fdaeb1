//! `dbc-rent ssh RENT_ID [--print] [--key PATH] [-- COMMAND…]` and
//! `dbc-rent gpu-check RENT_ID`: a rental's Linux VM over SSH, through the
//! core's `dbc::ssh` and `dbc::rental::ssh_steps`, like the app's Connect step.
//!
//! `ssh` installs the user's key on first use (the VM's password, read from
//! the DBC client, logs in once), then: `--print` prints the `ssh` command
//! (one line, no password); `-- COMMAND` runs it in the VM (our russh
//! client) and exits with its status; neither runs the system `ssh` with
//! the terminal inherited.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use dbc::host::{Os, SystemProbe};
use dbc::rental::{self, SshUse};
use dbc::ssh::{self, gpu_check::GpuVerdict, KeyInstall, SshKey, SshOptions};
use dbc::{Error, ErrorCode, Result};
use serde_json::{json, Value};

use crate::cli::Outcome;
use crate::context::Ctx;
use crate::rental_cmd::{unlock, with_rentals};
use crate::vm_clients;

#[derive(Debug, Args)]
pub struct SshArgs {
    /// The rent id (or the local rental id).
    pub rent_id: String,
    /// Print the ssh command (one line, no password) instead of connecting.
    #[arg(long)]
    pub print: bool,
    /// Your private key (default: the one chosen in the app's SSH card, else
    /// ~/.ssh/id_ed25519, else ~/.ssh/dbc_rent_ed25519).
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
    /// Without a key of yours, create ~/.ssh/dbc_rent_ed25519 without asking.
    #[arg(long)]
    pub generate_key: bool,
    #[arg(long)]
    pub account: Option<String>,
    /// A command to run in the VM; its output is printed and its exit status is ours.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct GpuCheckArgs {
    pub rent_id: String,
    /// Your private key (default: the one chosen in the app's SSH card, else
    /// ~/.ssh/id_ed25519, else ~/.ssh/dbc_rent_ed25519); without one
    /// installed, the VM's password logs in.
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
    #[arg(long)]
    pub account: Option<String>,
}

/// The key `--key` names, else the one chosen in the app's Settings
/// ("Use another key"), else `None` (the default: `ssh::find_key`).
fn chosen_key<'a>(ctx: &'a Ctx, flag: Option<&'a std::path::Path>) -> Option<&'a std::path::Path> {
    flag.or(ctx.settings.ssh_key.as_deref())
}

/// The user's key, or (with their consent: `--generate-key`, or "y" at a
/// prompt on a terminal) one generated for them.
fn user_key(chosen: Option<&std::path::Path>, generate: bool, json: bool) -> Result<SshKey> {
    let dir = ssh::user_ssh_dir()?;
    if let Some(k) = ssh::find_key(&dir, chosen)? {
        return Ok(k);
    }
    let path = dir.join(ssh::keys::APP_KEY);
    let agreed = generate
        || (!json && std::io::stdin().is_terminal() && {
            eprint!("No SSH key found. Create {} for DBC Rent? [y/N] ", path.display());
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer).is_ok() && answer.trim().eq_ignore_ascii_case("y")
        });
    if !agreed {
        return Err(Error::new(
            ErrorCode::SshKeyMissing,
            format!("no SSH key in {}; pass --key PATH, or --generate-key to create {}", dir.display(), path.display()),
        )
        .with_data(json!({ "path": path.display().to_string() })));
    }
    let k = ssh::generate_app_key(&dir)?;
    if !json {
        eprintln!("created {} (and .pub)", k.private.display());
    }
    Ok(k)
}

/// A remote exit status as ours: 0–255 as is, larger ones and "killed by a
/// signal" (no status) as 255, as `ssh` does.
fn exit_code(status: Option<u32>) -> u8 {
    status.and_then(|s| u8::try_from(s).ok()).unwrap_or(255)
}

/// `ssh RENT_ID …` (see the module docs).
pub fn ssh(ctx: &Ctx, args: SshArgs) -> Result<Outcome> {
    let key = user_key(chosen_key(ctx, args.key.as_deref()), args.generate_key, ctx.json)?;
    let signer = unlock(ctx, args.account.as_deref())?;
    let (json_mode, data_dir) = (ctx.json, ctx.data_dir);
    let command = (!args.command.is_empty()).then(|| args.command.join(" "));
    let opts = SshOptions::default();
    let key_ref = &key;
    let (r, login, installed, ran) = with_rentals(ctx, |svc| async move {
        let key = key_ref;
        svc.sync(&signer.account_id()).await?;
        let r = rental::chain_steps::find(svc.book(), &args.rent_id)?;
        let choice = vm_clients::choose(ctx, None, &r).await?;
        let (book, id) = (svc.book(), r.id.as_str());
        let ((r, _, login), _) = vm_clients::run(ctx, &choice, |c, _| {
            let signer = signer.clone();
            async move { rental::ssh_login(book, id, &c, signer).await }
        })
        .await?;
        let kh = ssh::known_hosts_path(data_dir);
        let installed = ssh::install_key(&login, key, &kh, &opts).await?;
        if !json_mode && installed == KeyInstall::Installed {
            eprintln!("installed {} on the VM; no password is needed from now on", key.public.display());
        }
        let ran = match &command {
            Some(c) => {
                let mut s = ssh::session::open(&login, Some(&key.private), &kh, &opts).await?;
                let out = s.exec(c, None).await?;
                s.close().await;
                Some(out)
            }
            None => None,
        };
        Ok((r, login, installed, ran))
    })?;
    let base = json!({
        "rent_id": r.rent_id(),
        "host": login.target.host(),
        "port": login.target.port(),
        "user": login.target.user(),
        "key": key.private.display().to_string(),
        "key_install": installed,
    });
    if let Some(out) = ran {
        let exit = exit_code(out.exit_status);
        if json_mode {
            let mut v = base;
            v["stdout"] = json!(out.stdout);
            v["stderr"] = json!(out.stderr);
            v["exit_status"] = json!(out.exit_status);
            v["truncated"] = json!(out.truncated);
            return Ok(Outcome { value: v, exit });
        }
        print!("{}", out.stdout);
        eprint!("{}", out.stderr);
        let _ = std::io::stdout().flush();
        return Ok(Outcome { value: Value::Null, exit });
    }
    let os = Os::current();
    if args.print {
        let line = ssh::ssh_command_line(os, &login.target, &key.private, data_dir)?;
        if json_mode {
            let mut v = base;
            v["command"] = json!(line);
            return Ok(v.into());
        }
        println!("{line}");
        return Ok(Outcome { value: Value::Null, exit: 0 });
    }
    // An interactive session: the system ssh, with this terminal.
    let (program, argv) = ssh::ssh_command(os, &SystemProbe, &login.target, &key.private, data_dir)?;
    let status = std::process::Command::new(&program).args(&argv).status().map_err(|e| {
        Error::new(ErrorCode::TerminalLaunchFailed, format!("could not start {}: {e}", program.display()))
            .with_data(json!({ "program": program.display().to_string(), "reason": e.to_string() }))
    })?;
    let exit = status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(255);
    Ok(Outcome { value: if json_mode { base } else { Value::Null }, exit })
}

/// `gpu-check RENT_ID`: what the chain says was rented against what the VM
/// sees, journaled with the rental. Exits 0 on a pass, 4 on a mismatch or
/// when the check could not be made (the verdict says which).
pub fn gpu_check(ctx: &Ctx, args: GpuCheckArgs) -> Result<Outcome> {
    let dir = ssh::user_ssh_dir()?;
    let key = ssh::find_key(&dir, chosen_key(ctx, args.key.as_deref()))?;
    let signer = unlock(ctx, args.account.as_deref())?;
    let data_dir = ctx.data_dir;
    let check = with_rentals(ctx, |svc| async move {
        svc.sync(&signer.account_id()).await?;
        let r = rental::chain_steps::find(svc.book(), &args.rent_id)?;
        let market = dbc::market::load_all(svc.client()).await?;
        let machine = market.machine(&r.machine_id).ok_or_else(|| {
            Error::new(ErrorCode::UnknownMachine, format!("machine {} is not on the chain", r.machine_id))
                .with_data(json!({ "machineId": r.machine_id }))
        })?;
        let expected = rental::expected_gpus(machine, &r);
        let via = SshUse { key: key.as_ref().map(|k| k.private.as_path()), data_dir, opts: SshOptions::default() };
        let choice = vm_clients::choose(ctx, None, &r).await?;
        let (book, id, via) = (svc.book(), r.id.as_str(), &via);
        let ((_, check), _) = vm_clients::run(ctx, &choice, |c, _| {
            let (signer, expected) = (signer.clone(), expected.clone());
            async move { rental::gpu_check(book, id, &c, signer, expected, via).await }
        })
        .await?;
        Ok(check)
    })?;
    let verdict = match &check.verdict {
        GpuVerdict::Pass => json!({ "kind": "pass" }),
        GpuVerdict::Mismatch { reason } => json!({ "kind": "mismatch", "reason": reason }),
        GpuVerdict::Error { code, message } => json!({ "kind": "error", "code": code, "message": message }),
    };
    let exit = if check.passed() { 0 } else { 4 };
    if !ctx.json {
        let e = &check.expected;
        let mem = e.mem_gb.map(|g| format!(", {g} GB each")).unwrap_or_default();
        eprintln!("rented:  {} x {}{mem}", e.count, e.model);
        if check.seen.is_empty() {
            eprintln!("VM sees: nothing");
        }
        for g in &check.seen {
            eprintln!("VM sees: {} ({} MiB)", g.name, g.mem_mib);
        }
        match &check.verdict {
            GpuVerdict::Pass => eprintln!("verdict: pass"),
            GpuVerdict::Mismatch { reason } => eprintln!("verdict: MISMATCH ({reason}): do not confirm this rental"),
            GpuVerdict::Error { code, message } => {
                eprintln!("verdict: the check failed [{code}] {message}: do not confirm until you have checked")
            }
        }
    }
    let value = json!({
        "expected": { "model": check.expected.model, "count": check.expected.count, "mem_gb": check.expected.mem_gb },
        "seen": check.seen.iter().map(|g| json!({ "name": g.name, "mem_mib": g.mem_mib })).collect::<Vec<_>>(),
        "verdict": verdict,
        "passed": check.passed(),
        "checked_at": check.checked_at,
    });
    Ok(Outcome { value: if ctx.json { value } else { Value::Null }, exit })
}

#[cfg(test)]
mod tests {
    #[test]
    fn remote_exit_statuses_become_ours() {
        assert_eq!((super::exit_code(Some(0)), super::exit_code(Some(3))), (0, 3));
        assert_eq!((super::exit_code(Some(300)), super::exit_code(None)), (255, 255));
    }
}
