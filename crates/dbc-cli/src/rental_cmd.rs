//! `dbc-rent rent | confirm | renew | rentals`: the rental flow's chain steps
//! (`dbc::rental`) from the command line. Every command first settles what
//! an earlier run left in flight (`rental::sync`), so a crash or a killed
//! process never leads to paying twice. Statuses stream to stderr; the
//! result (snake_case JSON with `--json`) goes to stdout.

use crate::market_cmd::hours_to_blocks;
use crate::wallet_cmd::{app_password, pick, wallet, with_chain, Ctx};
use clap::Args;
use dbc::chain::rent as chain_rent;
use dbc::chain::tx::{TxOptions, TxStatus};
use dbc::chain::{ChainClient, NonceTracker};
use dbc::market::{self, price};
use dbc::rental::{self, ChainCtx, Rental, RentalBook, Stage};
use dbc::units::{format_dbc, BLOCKS_PER_HOUR};
use dbc::{Error, ErrorCode, Result};
use serde_json::{json, Value};

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
    /// Create the Windows VM of a placed order and wait until it runs.
    Create {
        rent_id: String,
        /// A Windows image of the node (default: the first one).
        #[arg(long)]
        image: Option<String>,
        /// The DBC client to go through (default: the practice network's
        /// simulator on practice, else DBC_RENT_CLIENT).
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
    Start { rent_id: String, #[arg(long)] account: Option<String> },
    /// Power the VM off (a hard power-off: unsaved work in Windows is lost).
    Stop { rent_id: String, #[arg(long)] account: Option<String> },
    /// Restart the VM.
    Restart { rent_id: String, #[arg(long)] account: Option<String> },
    /// Delete the VM and its disks (irreversible).
    Delete { rent_id: String, #[arg(long)] account: Option<String> },
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

/// The journal of the connected network.
pub(crate) fn book_for(ctx: &Ctx, client: &ChainClient) -> Result<RentalBook> {
    RentalBook::open(ctx.data_dir, &format!("{:?}", client.genesis_hash()))
}

fn printer(json_mode: bool) -> impl FnMut(TxStatus) + Send {
    move |s| {
        if !json_mode {
            eprintln!("  {}", serde_json::to_string(&s).unwrap_or_default());
        } else {
            // Scripts (and the crash test) follow progress on stderr too.
            eprintln!("{}", serde_json::to_string(&s).unwrap_or_default());
        }
    }
}

/// `rent MACHINE_ID --gpus N --hours H`: checked and priced before the
/// password is asked for; placed only when the balance covers it all.
pub fn rent(ctx: &Ctx, args: RentArgs) -> Result<Value> {
    let blocks = hours_to_blocks(&args.hours)?;
    let w = wallet(ctx)?;
    let acc = pick(&w, args.account.as_deref())?;
    let (id, gpus) = (args.machine_id.trim().to_string(), args.gpus);
    // Check before asking for the password: unknown machine, not rentable, too many GPUs.
    with_chain(ctx, CONNECT_SECS, |client| {
        let id = id.clone();
        async move { market::load_all(&client).await?.quote(&id, gpus, blocks) }
    })?;
    let password = app_password(false)?;
    let key = w.signing_key(&acc.id, &password)?;
    drop(password);
    let json_mode = ctx.json;
    let rental = with_chain(ctx, CONNECT_SECS, |client| async move {
        let book = book_for(ctx, &client)?;
        let nonces = NonceTracker::new();
        let cctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
        rental::sync(&cctx, &key.account_id()).await?;
        // Check and price again just before signing: the DBC price may have
        // moved, or someone may have taken the GPUs meanwhile.
        let q = market::load_all(&client).await?.quote(&id, gpus, blocks)?;
        if !json_mode {
            eprintln!(
                "renting {gpus} GPU(s) of {id} for {blocks} blocks: rent {} DBC + order fee {} DBC + transaction fee",
                format_dbc(q.rent),
                format_dbc(q.order_fee)
            );
        }
        rental::place(&cctx, &key, &id, &q, printer(json_mode)).await
    })?;
    Ok(rental_json(&rental, None))
}

/// `confirm RENT_ID`: pays the reserved rent; from then on no refund.
pub fn confirm(ctx: &Ctx, args: ConfirmArgs) -> Result<Value> {
    let w = wallet(ctx)?;
    let acc = pick(&w, args.account.as_deref())?;
    let password = app_password(false)?;
    let key = w.signing_key(&acc.id, &password)?;
    drop(password);
    let json_mode = ctx.json;
    let (rental, best) = with_chain(ctx, CONNECT_SECS, |client| async move {
        let book = book_for(ctx, &client)?;
        let nonces = NonceTracker::new();
        let cctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
        rental::sync(&cctx, &key.account_id()).await?;
        let r = rental::confirm(&cctx, &key, &args.rent_id, printer(json_mode)).await?;
        Ok((r, client.best_block().await?.0))
    })?;
    Ok(rental_json(&rental, Some(best)))
}

/// `renew RENT_ID --hours H`: paid at once at today's price.
pub fn renew(ctx: &Ctx, args: RenewArgs) -> Result<Value> {
    let blocks = hours_to_blocks(&args.hours)?;
    let w = wallet(ctx)?;
    let acc = pick(&w, args.account.as_deref())?;
    let password = app_password(false)?;
    let key = w.signing_key(&acc.id, &password)?;
    drop(password);
    let json_mode = ctx.json;
    let (rental, paid, best) = with_chain(ctx, CONNECT_SECS, |client| async move {
        let book = book_for(ctx, &client)?;
        let nonces = NonceTracker::new();
        let cctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
        rental::sync(&cctx, &key.account_id()).await?;
        let r = rental::chain_steps::find(&book, &args.rent_id)?;
        let mk = market::load_all(&client).await?;
        let machine = mk.machine(&r.machine_id).cloned().ok_or_else(|| market::rules::unknown_machine(&r.machine_id))?;
        let params = mk.params;
        let price = move |gpus: u32, adds: u32| {
            price::rent_fee(&params, machine.calc_point, machine.gpu_count, gpus, adds, machine.extra_price_per_gpu)
                .ok_or_else(|| Error::new(ErrorCode::ChainRpc, "the chain has no usable price parameters"))
        };
        let (r, paid) = rental::renew(&cctx, &key, &r.id, blocks, price, printer(json_mode)).await?;
        Ok((r, paid, client.best_block().await?.0))
    })?;
    let mut v = rental_json(&rental, Some(best));
    v["renewed_blocks"] = json!(paid.blocks);
    v["renewal_paid_planck"] = json!(paid.paid.to_string());
    v["renewal_paid_dbc"] = json!(format_dbc(paid.paid));
    Ok(v)
}

/// `rentals`: every rental of the account on this network, settled and
/// reconciled with the chain first.
pub fn rentals(ctx: &Ctx, args: RentalsArgs) -> Result<Value> {
    let w = wallet(ctx)?;
    let acc = pick(&w, args.account.as_deref())?;
    let who = dbc::wallet::parse_address(&acc.address)?;
    let (list, best) = with_chain(ctx, CONNECT_SECS, |client| async move {
        let book = book_for(ctx, &client)?;
        let nonces = NonceTracker::new();
        let cctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
        let list = rental::sync(&cctx, &who).await?;
        Ok((list, client.best_block().await?.0))
    })?;
    if !ctx.json {
        for r in &list {
            let id = r.rent_id().map(|n| n.to_string()).unwrap_or_else(|| r.id.clone());
            eprintln!("{id:>8}  {:<12} {} GPU(s) of {}…  {}", r.stage.as_str(), r.gpus, &r.machine_id[..12.min(r.machine_id.len())], time_left(r, best));
        }
    }
    Ok(json!({ "best_block": best, "rentals": list.iter().map(|r| rental_json(r, Some(best))).collect::<Vec<_>>() }))
}

fn time_left(r: &Rental, best: u32) -> String {
    match (&r.order, r.stage) {
        (Some(o), s) if s.awaits_confirm() => format!("confirm within {} min", o.confirm_deadline.saturating_sub(best) / 10),
        (Some(o), Stage::Renting) => format!("{:.1} h left", f64::from(o.rent_end.saturating_sub(best)) / f64::from(BLOCKS_PER_HOUR)),
        _ => String::new(),
    }
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
        "blocks_left": match (o, best) { (Some(o), Some(b)) if r.stage.is_live() => Some(o.rent_end.saturating_sub(b)), _ => None },
        "confirm_blocks_left": match (o, best) { (Some(o), Some(b)) if r.stage.awaits_confirm() => Some(o.confirm_deadline.saturating_sub(b)), _ => None },
        "vm": r.vm.as_ref().map(|v| json!({
            "client_url": v.client_url, "task_id": v.task_id, "image": v.image, "status": v.status,
            "host": v.host, "rdp_port": v.rdp_port, "vnc_port": v.vnc_port, "user": v.user,
        })),
        "in_flight": r.pending.as_ref().map(|p| json!({ "extrinsic_hash": p.extrinsic_hash, "nonce": p.nonce })),
        "last_error": r.last_error,
        "confirm_window_blocks": chain_rent::CONFIRM_WINDOW_BLOCKS,
    })
}

/// Environment variable naming the DBC client when none is given or stored.
pub const CLIENT_ENV: &str = "DBC_RENT_CLIENT";

/// The DBC client for a new VM: `--client`, else the practice network's
/// simulator when on practice, else `DBC_RENT_CLIENT`, else the first of the
/// app's settings.
fn client_url(ctx: &Ctx, flag: Option<String>) -> Result<String> {
    if let Some(u) = flag {
        return Ok(u);
    }
    if matches!(ctx.network, dbc::network::NetworkChoice::Practice) {
        if let Some(u) = dbc::practice::running(ctx.data_dir)?.and_then(|p| p.client) {
            return Ok(u);
        }
    }
    let from_env = std::env::var(CLIENT_ENV).ok().filter(|u| !u.trim().is_empty());
    from_env.or_else(|| ctx.settings.compute_clients.first().cloned()).ok_or_else(|| {
        Error::invalid_argument(format!("no DBC client: pass --client http://HOST:PORT, set {CLIENT_ENV}, or add one in the app's settings"))
            .with_data(json!({ "field": "client" }))
    })
}

fn login_json(d: &dbc::compute::TaskDetail) -> Value {
    let login = d.rdp_login();
    json!({
        "task_id": d.task_id,
        "status": d.status.as_str(),
        "host": d.ssh_ip,
        "rdp_port": d.rdp_port,
        "vnc_port": d.vnc_port,
        "user": login.as_ref().map(|l| l.user.clone()),
        "password": login.as_ref().and_then(|l| l.password.clone()),
        "password_available": login.as_ref().is_some_and(|l| l.password.is_some()),
    })
}

/// `vm create|status|start|stop|restart|delete RENT_ID`.
pub fn vm(ctx: &Ctx, cmd: VmCommand) -> Result<Value> {
    let account = match &cmd {
        VmCommand::Create { account, .. }
        | VmCommand::Status { account, .. }
        | VmCommand::Start { account, .. }
        | VmCommand::Stop { account, .. }
        | VmCommand::Restart { account, .. }
        | VmCommand::Delete { account, .. } => account.clone(),
    };
    let w = wallet(ctx)?;
    let acc = pick(&w, account.as_deref())?;
    let url = match &cmd {
        VmCommand::Create { client, .. } => Some(client_url(ctx, client.clone())?),
        _ => None,
    };
    let password = app_password(false)?;
    let key = w.signing_key(&acc.id, &password)?;
    drop(password);
    let json_mode = ctx.json;
    with_chain(ctx, CONNECT_SECS, |client| async move {
        let book = book_for(ctx, &client)?;
        let nonces = NonceTracker::new();
        let cctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
        rental::sync(&cctx, &key.account_id()).await?;
        let best = client.best_block().await?.0;
        let log = move |v: &dyn erased::Show| {
            if !json_mode {
                eprintln!("  {}", v.show());
            } else {
                eprintln!("{}", v.show());
            }
        };
        match cmd {
            VmCommand::Create { rent_id, image, poll, .. } => {
                let compute = dbc::compute::ComputeClient::new(url.as_deref().unwrap_or_default())?;
                let opts = rental::VmOptions {
                    poll: dbc::compute::PollOptions { interval: std::time::Duration::from_secs(poll.max(1)), ..Default::default() },
                    ..Default::default()
                };
                let (r, d) = rental::create_vm(&book, &rent_id, &compute, key, image, &opts, |e| log(&e)).await?;
                let mut v = rental_json(&r, Some(best));
                v["login"] = login_json(&d);
                Ok(v)
            }
            VmCommand::Status { rent_id, .. } => {
                let (r, d) = rental::vm_detail(&book, &rent_id, key).await?;
                let mut v = rental_json(&r, Some(best));
                v["login"] = login_json(&d);
                Ok(v)
            }
            VmCommand::Start { rent_id, .. } => power(&book, &rent_id, key, rental::PowerOp::Start, best, log).await,
            VmCommand::Stop { rent_id, .. } => power(&book, &rent_id, key, rental::PowerOp::Stop, best, log).await,
            VmCommand::Restart { rent_id, .. } => power(&book, &rent_id, key, rental::PowerOp::Restart, best, log).await,
            VmCommand::Delete { rent_id, .. } => power(&book, &rent_id, key, rental::PowerOp::Delete, best, log).await,
        }
    })
}

async fn power(
    book: &RentalBook,
    id: &str,
    key: dbc::wallet::SigningKey,
    op: rental::PowerOp,
    best: u32,
    log: impl Fn(&dyn erased::Show),
) -> Result<Value> {
    let poll = dbc::compute::PollOptions { interval: std::time::Duration::from_secs(5), ..Default::default() };
    let r = rental::vm_power(book, id, key, op, &poll, |p| log(&p)).await?;
    Ok(rental_json(&r, Some(best)))
}

/// Progress items of different types printed the same way.
mod erased {
    pub trait Show {
        fn show(&self) -> String;
    }
    impl<T: serde::Serialize> Show for T {
        fn show(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// `rdp RENT_ID [--print]`: connect to the rental's VM with this computer's
/// Remote Desktop client (the password goes to FreeRDP's stdin, never argv),
/// or only write the `.rdp` file.
pub fn rdp(ctx: &Ctx, args: RdpArgs) -> Result<Value> {
    let w = wallet(ctx)?;
    let acc = pick(&w, args.account.as_deref())?;
    let password = app_password(false)?;
    let key = w.signing_key(&acc.id, &password)?;
    drop(password);
    let id = args.rent_id.clone();
    let (r, d) = with_chain(ctx, CONNECT_SECS, |client| async move {
        let book = book_for(ctx, &client)?;
        let nonces = NonceTracker::new();
        let cctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
        rental::sync(&cctx, &key.account_id()).await?;
        rental::vm_detail(&book, &id, key).await
    })?;
    let login = d.rdp_login().ok_or_else(|| {
        Error::new(ErrorCode::WrongRentalState, format!("the VM is {}, not running: start it first (dbc-rent vm start {})", d.status.as_str(), args.rent_id))
            .with_data(json!({ "rentId": args.rent_id, "state": d.status.as_str() }))
    })?;
    let target = dbc::rdp::RdpTarget::new(&login.host, u64::from(login.port), &login.user)?;
    let options = dbc::rdp::RdpOptions::default();
    let base = json!({
        "rent_id": r.rent_id(),
        "address": target.address(),
        "user": target.user(),
        "vnc_port": d.vnc_port,
    });
    if args.print {
        let path = dbc::rdp::write_rdp_file(ctx.data_dir, &target, &options)?;
        let mut v = base;
        v["rdp_file"] = json!(path.display().to_string());
        if !ctx.json {
            println!("{}", path.display());
        }
        return Ok(v);
    }
    let secret = dbc::rdp::login_password(login.password.as_deref().unwrap_or(dbc::rdp::NOT_AVAILABLE)).map_err(|e| {
        // No guest agent: RDP has no password; VNC is the way in.
        let mut data = e.data.clone().unwrap_or_else(|| json!({}));
        data["vncHost"] = json!(login.host);
        data["vncPort"] = json!(d.vnc_port);
        e.with_data(data)
    })?;
    let launched = dbc::rdp::launch(&target, &secret, &options, ctx.data_dir)?;
    let mut v = base;
    v["client"] = json!(launched.client.as_str());
    v["pid"] = json!(launched.pid);
    v["rdp_file"] = json!(launched.rdp_file.display().to_string());
    Ok(v)
}
