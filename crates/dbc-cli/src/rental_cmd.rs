//! `dbc-rent rent | confirm | renew | rentals`: the rental flow's chain steps
//! (`dbc::rental`) from the command line. Every command first settles what
//! an earlier run left in flight (`rental::sync`), so a crash or a killed
//! process never leads to paying twice. Statuses stream to stderr; the
//! result (snake_case JSON with `--json`) goes to stdout.

use crate::context::{pick, wallet, with_chain, Ctx};
use crate::market_cmd::hours_to_blocks;
use crate::progress::Progress;
use crate::vm_clients;
use crate::wallet_cmd::app_password;
use clap::Args;
use dbc::chain::rent as chain_rent;
use dbc::chain::NonceTracker;
use dbc::market;
use dbc::rental::{self, Rental, RentalService, TimeLeft, VmLogin};
use dbc::units::format_dbc;
use dbc::wallet::{ExposeSecret, SigningKey};
use dbc::Result;
use serde_json::{json, Value};
use std::sync::Arc;

const CONNECT_SECS: u64 = 30;

#[derive(Debug, Args)]
pub struct RentArgs {
    /// The machine id (64 hex characters).
    pub machine_id: String,
    /// GPUs to rent.
    #[arg(long)]
    pub gpus: u32,
    /// Duration in hours, in steps of 0.5, at most 1440 (60 days).
    #[arg(long, value_name = "H")]
    pub hours: String,
    /// Account name or address (default: the active one).
    #[arg(long)]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// The rent id (or the local rental id).
    pub rent_id: String,
    #[arg(long)]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    pub rent_id: String,
    /// Hours to add (steps of 0.5).
    #[arg(long, value_name = "H")]
    pub hours: String,
    #[arg(long)]
    pub account: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum VmCommand {
    /// Create the VM of a placed order (Windows unless `--os linux`) and wait until it runs.
    Create {
        rent_id: String,
        /// The guest OS: windows (RDP) or linux (Ubuntu, SSH as `dbc`).
        #[arg(long, default_value = "windows", value_name = "windows|linux", value_parser = parse_os)]
        os: dbc::compute::VmOs,
        /// An image of the node (default: the first Windows image, or with
        /// `--os linux` the first Ubuntu/Linux one).
        #[arg(long)]
        image: Option<String>,
        /// The DBC client to go through first (default: the fastest of your
        /// clients that sees the machine; on practice, of its clients).
        #[arg(long, value_name = "URL")]
        client: Option<String>,
        #[arg(long)]
        account: Option<String>,
        /// Seconds between status polls (5-15 against a real client).
        #[arg(long, default_value_t = 10, value_name = "SECS")]
        poll: u64,
    },
    /// The VM's status and login (the password is read from the client, never stored).
    Status {
        rent_id: String,
        #[arg(long)]
        account: Option<String>,
    },
    /// Start a VM that is off.
    Start {
        rent_id: String,
        #[arg(long)]
        account: Option<String>,
    },
    /// Power the VM off (a hard power-off: unsaved work in Windows is lost).
    Stop {
        rent_id: String,
        #[arg(long)]
        account: Option<String>,
    },
    /// Restart the VM.
    Restart {
        rent_id: String,
        #[arg(long)]
        account: Option<String>,
    },
    /// Delete the VM and its disks (irreversible).
    Delete {
        rent_id: String,
        #[arg(long)]
        account: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RdpArgs {
    pub rent_id: String,
    /// Only write the .rdp file (mode 0600, no password in it) and print its path.
    #[arg(long)]
    pub print: bool,
    #[arg(long)]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
pub struct RentalsArgs {
    #[arg(long)]
    pub account: Option<String>,
}

/// Connect, open the rental service of the connected chain and run `f`.
pub(crate) fn with_rentals<T, F, Fut>(ctx: &Ctx, f: F) -> Result<T>
where
    F: FnOnce(RentalService) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    with_chain(ctx, CONNECT_SECS, |client| async move {
        f(RentalService::open(ctx.data_dir, client, Arc::new(NonceTracker::new())).await?).await
    })
}

/// The signing key of `account` (the active one by default), after asking
/// for the app password.
pub(crate) fn unlock(ctx: &Ctx, account: Option<&str>) -> Result<SigningKey> {
    let w = wallet(ctx)?;
    let acc = pick(&w, account)?;
    let password = app_password(false)?;
    w.signing_key(&acc.id, &password)
}

/// `rent MACHINE_ID --gpus N --hours H`: checked and priced before the
/// password is asked for; placed only when the balance covers it all.
pub fn rent(ctx: &Ctx, args: RentArgs) -> Result<Value> {
    let blocks = hours_to_blocks(&args.hours)?;
    let (id, gpus) = (args.machine_id.trim().to_string(), args.gpus);
    pick(&wallet(ctx)?, args.account.as_deref())?;
    // Check before asking for the password: unknown machine, not rentable, too many GPUs.
    with_chain(ctx, CONNECT_SECS, |client| {
        let id = id.clone();
        async move { RentalService::quote_rent(&market::load_all(&client).await?, &id, gpus, blocks) }
    })?;
    let key = unlock(ctx, args.account.as_deref())?;
    let json_mode = ctx.json;
    let rental = with_rentals(ctx, |svc| async move {
        // Priced again just before signing: the DBC price may have moved, or
        // someone may have taken the GPUs meanwhile.
        let mk = market::load_all(svc.client()).await?;
        let q = RentalService::quote_rent(&mk, &id, gpus, blocks)?;
        if !json_mode {
            eprintln!(
                "renting {gpus} GPU(s) of {id} for {blocks} blocks: rent {} DBC + order fee {} DBC + transaction fee",
                format_dbc(q.rent),
                format_dbc(q.order_fee)
            );
        }
        let progress = Progress::new(json_mode, "renting");
        svc.place(&key, &mk, &id, gpus, blocks, |s| progress.show(&s)).await
    })?;
    Ok(rental_json(&rental, None))
}

/// `confirm RENT_ID`: pays the reserved rent; from then on no refund.
pub fn confirm(ctx: &Ctx, args: ConfirmArgs) -> Result<Value> {
    let key = unlock(ctx, args.account.as_deref())?;
    let json_mode = ctx.json;
    let (rental, best) = with_rentals(ctx, |svc| async move {
        svc.sync(&key.account_id()).await?;
        let progress = Progress::new(json_mode, "confirming");
        let r = svc.confirm(&key, &args.rent_id, |s| progress.show(&s)).await?;
        Ok((r, svc.client().best_block().await?.0))
    })?;
    Ok(rental_json(&rental, Some(best)))
}

/// `renew RENT_ID --hours H`: paid at once at today's price.
pub fn renew(ctx: &Ctx, args: RenewArgs) -> Result<Value> {
    let blocks = hours_to_blocks(&args.hours)?;
    rental::service::check_renewal_blocks(blocks)?;
    let key = unlock(ctx, args.account.as_deref())?;
    let json_mode = ctx.json;
    let (renewed, best) = with_rentals(ctx, |svc| async move {
        svc.sync(&key.account_id()).await?;
        let mk = market::load_all(svc.client()).await?;
        let progress = Progress::new(json_mode, "renewing");
        let n = svc.renew(&key, &mk, &args.rent_id, blocks, |s| progress.show(&s)).await?;
        Ok((n, svc.client().best_block().await?.0))
    })?;
    let mut v = rental_json(&renewed.rental, Some(best));
    v["renewed_blocks"] = json!(renewed.added_blocks);
    v["renewal_paid_planck"] = json!(renewed.paid.to_string());
    v["renewal_paid_dbc"] = json!(format_dbc(renewed.paid));
    Ok(v)
}

/// `rentals`: every rental of the account on this network, settled and
/// reconciled with the chain first.
pub fn rentals(ctx: &Ctx, args: RentalsArgs) -> Result<Value> {
    let w = wallet(ctx)?;
    let acc = pick(&w, args.account.as_deref())?;
    let who = dbc::wallet::parse_address(&acc.address)?;
    let (list, best) = with_rentals(ctx, |svc| async move {
        let list = svc.sync(&who).await?;
        Ok((list, svc.client().best_block().await?.0))
    })?;
    if !ctx.json {
        for r in &list {
            let id = r.rent_id().map(|n| n.to_string()).unwrap_or_else(|| r.id.clone());
            let left = TimeLeft::of(r, best).describe(r.stage);
            eprintln!(
                "{id:>8}  {:<12} {} GPU(s) of {}…  {left}",
                r.stage.as_str(),
                r.gpus,
                &r.machine_id[..12.min(r.machine_id.len())]
            );
        }
    }
    Ok(json!({ "best_block": best, "rentals": list.iter().map(|r| rental_json(r, Some(best))).collect::<Vec<_>>() }))
}

/// One rental for scripts: snake_case, money as planck strings.
pub(crate) fn rental_json(r: &Rental, best: Option<u32>) -> Value {
    let o = r.order.as_ref();
    json!({
        "id": r.id,
        "rent_id": o.map(|o| o.rent_id),
        "account": r.account,
        "machine_id": r.machine_id,
        "gpus": r.gpus,
        "blocks": r.blocks,
        "stage": r.stage.as_str(),
        "reserved_planck": o.map(|o| o.reserved.to_string()),
        "reserved_dbc": o.map(|o| format_dbc(o.reserved)),
        "order_fee_planck": o.map(|o| o.order_fee.to_string()),
        "paid_planck": o.map(|o| o.paid.to_string()),
        "rent_start": o.map(|o| o.rent_start),
        "rent_end": o.map(|o| o.rent_end),
        "confirm_deadline": o.map(|o| o.confirm_deadline),
        "confirmed_at": o.and_then(|o| o.confirmed_at),
        "blocks_left": best.and_then(|b| TimeLeft::of(r, b).blocks_left),
        "confirm_blocks_left": best.and_then(|b| TimeLeft::of(r, b).confirm_blocks_left),
        "vm": r.vm.as_ref().map(|v| json!({
            "client_url": v.client_url, "task_id": v.task_id, "image": v.image, "status": v.status,
            "host": v.host, "rdp_port": v.rdp_port, "vnc_port": v.vnc_port, "user": v.user,
            "os": v.plan.as_ref().map(|p| p.os.as_str()), "ssh_port": v.plan.as_ref().and_then(|p| p.ssh_port),
            "gpu_check": v.gpu_check,
        })),
        "in_flight": r.pending.as_ref().map(|p| json!({ "extrinsic_hash": p.extrinsic_hash, "nonce": p.nonce })),
        "last_error": r.last_error,
        "confirm_window_blocks": chain_rent::CONFIRM_WINDOW_BLOCKS,
    })
}

/// The VM's login for scripts (the password only once it runs).
fn login_json(r: &Rental, d: &dbc::compute::TaskDetail) -> Result<Value> {
    let login = VmLogin::from_detail(r, d)?;
    let password = login.password.as_ref().ok().filter(|_| login.running).map(|p| p.expose_secret().to_string());
    Ok(json!({
        "task_id": d.task_id,
        "status": login.vm_status,
        "host": login.host,
        "os": d.os,
        "rdp_port": login.rdp_port,
        "ssh_port": d.ssh_port,
        "vnc_port": login.vnc_port,
        "user": login.running.then(|| login.user.clone()),
        "password_available": password.is_some(),
        "password": password,
    }))
}

fn parse_os(raw: &str) -> std::result::Result<dbc::compute::VmOs, String> {
    dbc::compute::VmOs::parse(raw).map_err(|e| e.message)
}

/// `vm create|status|start|stop|restart|delete RENT_ID`: through the DBC
/// clients that see the machine, best first, going on through the next when
/// the one in use goes away (`vm_clients`).
pub fn vm(ctx: &Ctx, cmd: VmCommand) -> Result<Value> {
    let (account, rent_id, flag) = match &cmd {
        VmCommand::Create { account, rent_id, client, .. } => (account.clone(), rent_id.clone(), client.clone()),
        VmCommand::Status { account, rent_id }
        | VmCommand::Start { account, rent_id }
        | VmCommand::Stop { account, rent_id }
        | VmCommand::Restart { account, rent_id }
        | VmCommand::Delete { account, rent_id } => (account.clone(), rent_id.clone(), None),
    };
    let key = unlock(ctx, account.as_deref())?;
    let json_mode = ctx.json;
    with_rentals(ctx, |svc| async move {
        svc.sync(&key.account_id()).await?;
        let best = svc.client().best_block().await?.0;
        let book = svc.book();
        let r = rental::chain_steps::find(book, &rent_id)?;
        let choice = vm_clients::choose(ctx, flag.as_deref(), &r).await?;
        let id = r.id.as_str();
        let power = |op: rental::PowerOp| {
            let poll = dbc::compute::PollOptions { interval: std::time::Duration::from_secs(5), ..Default::default() };
            let (key, choice) = (key.clone(), &choice);
            async move {
                let progress = Progress::new(json_mode, "waiting for the VM");
                let (r, switches) = vm_clients::run(ctx, choice, |c, more| {
                    let (key, poll, progress) = (key.clone(), rental::poll_for(poll.clone(), more), &progress);
                    async move { rental::vm_power(book, id, &c, key, op, &poll, |p| progress.show(&p)).await }
                })
                .await?;
                let mut v = rental_json(&r, Some(best));
                v["dbc_client"] = vm_clients::used_json(choice, &switches);
                Ok(v)
            }
        };
        match cmd {
            VmCommand::Create { image, poll, os, .. } => {
                let poll = dbc::compute::PollOptions {
                    interval: std::time::Duration::from_secs(poll.max(1)),
                    ..Default::default()
                };
                let progress = Progress::new(json_mode, "creating the VM");
                let ((r, d), switches) = vm_clients::run(ctx, &choice, |c, more| {
                    let opts =
                        rental::VmOptions { os, poll: rental::poll_for(poll.clone(), more), ..Default::default() };
                    let (key, image, progress) = (key.clone(), image.clone(), &progress);
                    async move { rental::create_vm(book, id, &c, key, image, &opts, |e| progress.show(&e)).await }
                })
                .await?;
                let mut v = rental_json(&r, Some(best));
                v["login"] = login_json(&r, &d)?;
                v["dbc_client"] = vm_clients::used_json(&choice, &switches);
                Ok(v)
            }
            VmCommand::Status { .. } => {
                let ((r, d), switches) = vm_clients::run(ctx, &choice, |c, _| {
                    let key = key.clone();
                    async move { rental::vm_detail(book, id, &c, key).await }
                })
                .await?;
                let mut v = rental_json(&r, Some(best));
                v["login"] = login_json(&r, &d)?;
                v["dbc_client"] = vm_clients::used_json(&choice, &switches);
                Ok(v)
            }
            VmCommand::Start { .. } => power(rental::PowerOp::Start).await,
            VmCommand::Stop { .. } => power(rental::PowerOp::Stop).await,
            VmCommand::Restart { .. } => power(rental::PowerOp::Restart).await,
            VmCommand::Delete { .. } => power(rental::PowerOp::Delete).await,
        }
    })
}

/// `rdp RENT_ID [--print]`: connect to the rental's VM with this computer's
/// Remote Desktop client (the password goes to FreeRDP's stdin, never argv),
/// or only write the `.rdp` file.
pub fn rdp(ctx: &Ctx, args: RdpArgs) -> Result<Value> {
    let key = unlock(ctx, args.account.as_deref())?;
    let id = args.rent_id.clone();
    let ((r, d), choice, switches) = with_rentals(ctx, |svc| async move {
        svc.sync(&key.account_id()).await?;
        let r = rental::chain_steps::find(svc.book(), &id)?;
        let choice = vm_clients::choose(ctx, None, &r).await?;
        let (book, id) = (svc.book(), r.id.as_str());
        let (out, switches) = vm_clients::run(ctx, &choice, |c, _| {
            let key = key.clone();
            async move { rental::vm_detail(book, id, &c, key).await }
        })
        .await?;
        Ok((out, choice, switches))
    })?;
    let login = VmLogin::from_detail(&r, &d)?;
    let target = login.running_endpoint()?;
    let options = dbc::rdp::RdpOptions::default();
    let base = json!({
        "rent_id": r.rent_id(),
        "address": target.address(),
        "user": target.user(),
        "vnc_port": d.vnc_port,
        "dbc_client": vm_clients::used_json(&choice, &switches),
    });
    if args.print {
        let path = dbc::rdp::write_rdp_file(ctx.data_dir, target, &options)?;
        let mut v = base;
        v["rdp_file"] = json!(path.display().to_string());
        if !ctx.json {
            println!("{}", path.display());
        }
        return Ok(v);
    }
    // No guest agent: RDP has no password; the error carries the VNC way in.
    let secret = login.rdp_password()?;
    let launched = dbc::rdp::launch(target, secret, &options, ctx.data_dir)?;
    let mut v = base;
    v["client"] = json!(launched.client.as_str());
    v["pid"] = json!(launched.pid);
    v["rdp_file"] = json!(launched.rdp_file.display().to_string());
    Ok(v)
}
