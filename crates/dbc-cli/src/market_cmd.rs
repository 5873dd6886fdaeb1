//! `dbc-rent machines list|show` and `dbc-rent quote`: the machine market
//! read straight from the chain (`dbc::market`), printed for people or as
//! JSON with snake_case keys and money as exact planck strings.

use crate::context::{with_chain, Ctx};
use clap::{Args, Subcommand};
use dbc::geo::Region;
use dbc::market::{self, Filter, Listing, Machine, MachinePrice, Market, SortKey};
use dbc::units::{format_dbc_fixed, BLOCKS_PER_HOUR};
use dbc::Result;
use serde_json::{json, Value};

/// How long to wait for the network before giving up.
const CONNECT_SECS: u64 = 30;

#[derive(Debug, Subcommand)]
pub enum MachinesCommand {
    /// List machines, cheapest per GPU-hour first.
    List {
        /// Only machines with a GPU free to rent now.
        #[arg(long)]
        idle: bool,
        /// Part of the GPU model, e.g. 4090 or A100.
        #[arg(long, value_name = "MODEL")]
        gpu: Option<String>,
        /// At least this many free GPUs.
        #[arg(long, value_name = "N")]
        min_free: Option<u32>,
        /// Only machines on this continent: asia, europe, north-america,
        /// south-america, africa, oceania or antarctica.
        #[arg(long, value_name = "REGION", value_parser = parse_region)]
        region: Option<Region>,
        /// Only machines in this country (ISO 3166-1 alpha-2 code, e.g. CN, US).
        #[arg(long, value_name = "CODE")]
        country: Option<String>,
        /// price, price-per-point, free, calc, memory or online.
        #[arg(long, default_value = "price", value_parser = parse_sort)]
        sort: SortKey,
    },
    /// One machine in full.
    Show { id: String },
}

#[derive(Debug, Args)]
pub struct QuoteArgs {
    /// The machine id (64 hex characters).
    pub id: String,
    /// GPUs to rent.
    #[arg(long)]
    pub gpus: u32,
    /// Duration in hours, in steps of 0.5 (e.g. 1.5), at most 1440 (60 days).
    #[arg(long, value_name = "H")]
    pub hours: String,
}

fn parse_region(s: &str) -> std::result::Result<Region, String> {
    Region::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Region::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown region {s:?}: use {}", all.join(", "))
    })
}

fn parse_sort(s: &str) -> std::result::Result<SortKey, String> {
    s.parse::<SortKey>().map_err(|e| e.message)
}

fn load(ctx: &Ctx) -> Result<Market> {
    with_chain(ctx, CONNECT_SECS, |client| async move { market::load_all(&client).await })
}

/// USD micro-units as dollars with 6 decimals ("0.070571").
fn usd(micro: u64) -> String {
    format!("{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}

fn price_json(p: &MachinePrice) -> Value {
    json!({
        "per_gpu_hour": { "planck": p.planck_per_gpu_hour.to_string(), "dbc": format_dbc_fixed(p.planck_per_gpu_hour, 4), "usd": usd(p.usd_micro_per_gpu_hour) },
        "per_gpu_day": { "planck": p.planck_per_gpu_day.to_string(), "dbc": format_dbc_fixed(p.planck_per_gpu_day, 4), "usd": usd(p.usd_micro_per_gpu_day) },
    })
}

fn machine_json(m: &Machine, price: Option<&MachinePrice>) -> Value {
    json!({
        "id": m.id,
        "status": m.status.as_str(),
        "gpu_model": m.gpu_model,
        "gpu_count": m.gpu_count,
        "free_gpus": m.free_gpus,
        "gpu_mem_gb": m.gpu_mem_gb,
        "cuda_cores": m.cuda_cores,
        "calc_point": m.calc_point,
        "cpu_model": m.cpu_model,
        "cpu_cores": m.cpu_cores,
        "ram_gb": m.ram_gb,
        "sys_disk_gb": m.sys_disk_gb,
        "data_disk_gb": m.data_disk_gb,
        "upload_mbps": m.upload_mbps,
        "download_mbps": m.download_mbps,
        "longitude": m.longitude,
        "latitude": m.latitude,
        "country": m.country,
        "region": m.region.map(Region::as_str),
        "telecom_operators": m.telecom_operators,
        "online_height": m.online_height,
        "rented_until": m.rented_until,
        "price": price.map(price_json),
    })
}

fn row_json(l: &Listing) -> Value {
    machine_json(l.machine, l.price.as_ref())
}

pub fn machines(ctx: &Ctx, cmd: MachinesCommand) -> Result<Value> {
    let mk = load(ctx)?;
    match cmd {
        MachinesCommand::List { idle, gpu, min_free, region, country, sort } => {
            let filter = Filter { idle_only: idle, gpu_model: gpu, min_free, region, country, ..Filter::default() };
            let rows = market::filter::list(&mk, &filter, sort);
            if ctx.json {
                return Ok(Value::Array(rows.iter().map(row_json).collect()));
            }
            let c = market::filter::counters(&rows);
            let mut lines = vec![format!(
                "{} machines, {} GPUs, {} idle GPUs (block {})",
                c.machines, c.gpus, c.idle_gpus, mk.block_number
            )];
            for r in &rows {
                let hour = r
                    .price
                    .map(|p| format!("{} DBC/GPU-h", format_dbc_fixed(p.planck_per_gpu_hour, 4)))
                    .unwrap_or_else(|| "-".into());
                lines.push(format!(
                    "{}…  {:<14} {:<16} {}/{} free  {:<2}  {}",
                    &r.machine.id[..12.min(r.machine.id.len())],
                    r.machine.status.as_str(),
                    r.machine.gpu_model,
                    r.machine.free_gpus,
                    r.machine.gpu_count,
                    r.machine.country.as_deref().unwrap_or("-"),
                    hour
                ));
            }
            Ok(Value::String(lines.join("\n")))
        }
        MachinesCommand::Show { id } => {
            let m = mk.machine(&id).ok_or_else(|| market::rules::unknown_machine(&id))?;
            let price = MachinePrice::compute(&mk.params, m.calc_point, m.gpu_count, m.extra_price_per_gpu);
            Ok(machine_json(m, price.as_ref()))
        }
    }
}

/// Hours (decimal text) to blocks, exactly (the core's rule: 1.5 h = 900 blocks).
pub use dbc::market::rules::hours_to_blocks;

/// What renting would cost, checked as the chain checks it, before anything is signed.
pub fn quote(ctx: &Ctx, args: QuoteArgs) -> Result<Value> {
    let blocks = hours_to_blocks(&args.hours)?;
    let (id, gpus) = (args.id.clone(), args.gpus);
    let (at_block, q) = with_chain(ctx, CONNECT_SECS, |client| async move {
        let mk = market::load_all(&client).await?;
        let q = mk.quote(&id, gpus, blocks)?;
        // The transaction fee, estimated with a throwaway key (no password needed yet).
        let call = market::rent_machine_call(&id, gpus, blocks);
        let fee = dbc::chain::tx::estimate_fee(&client, &dbc::wallet::SigningKey::fee_estimator(), &call).await?;
        Ok((mk.block_number, q.with_tx_fee(fee)))
    })?;
    Ok(json!({
        "machine_id": args.id,
        "gpus": q.gpus,
        "blocks": q.blocks,
        "hours": format!("{}", f64::from(q.blocks) / f64::from(BLOCKS_PER_HOUR)),
        "rent_planck": q.rent.to_string(),
        "order_fee_planck": q.order_fee.to_string(),
        "tx_fee_estimate_planck": q.tx_fee_estimate.to_string(),
        "total_planck": q.total().to_string(),
        "rent_dbc": dbc::units::format_dbc(q.rent),
        "total_dbc": dbc::units::format_dbc(q.total()),
        "at_block": at_block,
    }))
}
