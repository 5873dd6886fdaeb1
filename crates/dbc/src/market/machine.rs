//! A machine as the market shows it, decoded from `OnlineProfile.MachinesInfo`
//! (+ `MachineRentedGPU`) (chain.md §7.2-7.3).
//!
//! Decoding goes through `scale_value` by field name rather than a fixed Rust
//! struct: runtimes 400..411 add storage and could add fields, and a renamed
//! or missing field should leave one `None`, not break the whole list. Only
//! what the chain stores is here; units are the chain's (see field docs).

use crate::chain::value::{bytes, items, text, u32_of, u64_of, variant_name};
use crate::geo::{self, Region};
use scale_value::{At, Value, ValueDef};
use serde::{Deserialize, Serialize};

/// What a renter needs to know about a machine's state.
///
/// Mapping from the chain's `MachineStatus` variant (chain.md §7.2):
/// - `Online` -> [`Idle`](Self::Idle) (no GPU rented);
/// - `Rented` -> [`PartlyRented`](Self::PartlyRented) while GPUs are free,
///   else [`Rented`](Self::Rented). The chain says `Rented` as soon as one GPU
///   is ordered, even unconfirmed, so the free-GPU count decides;
/// - `StakerReportOffline`, `ReporterReportOffline` -> [`Offline`](Self::Offline);
/// - `Exit` -> [`Exited`](Self::Exited): the machine left the network for
///   good, which a renter should be told plainly rather than "not available";
/// - everything else (`AddingCustomizeInfo`, `DistributingOrder`,
///   `CommitteeVerifying`, `CommitteeRefused`, `WaitingFulfill`, `Creating`,
///   and variants of future runtimes) -> [`Other`](Self::Other);
///   `Machine::status_raw` keeps the variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum MachineStatus {
    Idle,
    PartlyRented,
    Rented,
    Offline,
    Exited,
    #[default]
    Other,
}

impl MachineStatus {
    /// Map the chain's variant name, given the GPUs rented and free.
    pub fn from_chain(variant: &str, rented_gpus: u32, free_gpus: u32) -> Self {
        match variant {
            "Online" if rented_gpus == 0 => MachineStatus::Idle,
            // `Online` with GPUs held would be inconsistent chain state; it is
            // still rentable by status, so the free count decides like `Rented`.
            "Online" | "Rented" if free_gpus == 0 => MachineStatus::Rented,
            "Online" | "Rented" => MachineStatus::PartlyRented,
            "StakerReportOffline" | "ReporterReportOffline" => MachineStatus::Offline,
            "Exit" => MachineStatus::Exited,
            _ => MachineStatus::Other,
        }
    }

    /// `machine_status ∈ {Online, Rented}`: the status part of the chain's
    /// rentability predicate (free GPUs are checked separately).
    pub fn rentable_status(self) -> bool {
        matches!(self, MachineStatus::Idle | MachineStatus::PartlyRented | MachineStatus::Rented)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MachineStatus::Idle => "idle",
            MachineStatus::PartlyRented => "partly-rented",
            MachineStatus::Rented => "rented",
            MachineStatus::Offline => "offline",
            MachineStatus::Exited => "exited",
            MachineStatus::Other => "other",
        }
    }
}

/// One machine of `OnlineProfile.MachinesInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Machine {
    /// The 64-character lowercase hex text the chain uses as `MachineId`
    /// (its bytes are the key; never hex-decode it).
    pub id: String,
    pub status: MachineStatus,
    /// The chain's `MachineStatus` variant name, e.g. `StakerReportOffline`.
    pub status_raw: String,
    /// `gpu_type`, UTF-8, e.g. `GeForceRTX2080Ti`.
    pub gpu_model: String,
    /// `gpu_num`.
    pub gpu_count: u32,
    /// `MachineRentedGPU`: GPUs held by waiting and running orders.
    pub rented_gpus: u32,
    /// GPUs a renter can rent now: `gpu_count - rented_gpus` while the status
    /// allows renting ([`MachineStatus::rentable_status`]), else 0. An offline
    /// or exited machine holds no orders, but none of its GPUs can be had:
    /// "8 free" there would contradict the counters and the refusal.
    pub free_gpus: u32,
    /// GB.
    pub gpu_mem_gb: Option<u64>,
    pub cuda_cores: Option<u32>,
    /// ×100 for display (Galaxy divides by 100); the price formula takes it raw.
    pub calc_point: u64,
    pub cpu_model: Option<String>,
    pub cpu_cores: Option<u32>,
    /// MHz.
    pub cpu_mhz: Option<u64>,
    /// `mem_num`, GB.
    pub ram_gb: Option<u64>,
    pub sys_disk_gb: Option<u64>,
    pub data_disk_gb: Option<u64>,
    /// Mbps.
    pub upload_mbps: Option<u64>,
    pub download_mbps: Option<u64>,
    /// Degrees ×10^4, east positive (`East(x)` -> x, `West(x)` -> -x).
    pub longitude: Option<i64>,
    /// Degrees ×10^4, north positive.
    pub latitude: Option<i64>,
    /// ISO 3166-1 alpha-2 code (uppercase) of the country at the coordinates,
    /// from the offline lookup in [`crate::geo`]; `None` at sea or unknown.
    pub country: Option<String>,
    /// The country's continent.
    pub region: Option<Region>,
    pub telecom_operators: Vec<String>,
    /// `server_room` (H256) as `0x` hex.
    pub server_room: Option<String>,
    /// In `StakerCustomizeInfo` of spec 400+; absent in older layouts.
    pub is_bare_machine: Option<bool>,
    pub bonding_height: Option<u32>,
    pub online_height: Option<u32>,
    /// The latest `rent_end` block among the machine's live orders (`RentInfo`),
    /// when any; filled by the loader.
    pub rented_until: Option<u32>,
    /// `MachineExtraPrice` (USD micro per GPU per day), spec >= 408 only;
    /// `None` where the runtime has no such storage.
    pub extra_price_per_gpu: Option<u64>,
}

impl Machine {
    /// Decode a `MachineInfo` value. Missing fields stay `None`/0; a machine
    /// with no readable GPU count has 0 GPUs and so is never rentable.
    pub fn from_value(id: String, v: &Value, rented_gpus: u32) -> Machine {
        let upload = v.at("machine_info_detail").and_then(|d| d.at("committee_upload_info"));
        let custom = v.at("machine_info_detail").and_then(|d| d.at("staker_customize_info"));
        let gpu_count = u32_of(upload.at("gpu_num")).unwrap_or(0);
        let unrented = gpu_count.saturating_sub(rented_gpus);
        let status_raw = v.at("machine_status").and_then(variant_name).unwrap_or("Unknown").to_string();
        let status = MachineStatus::from_chain(&status_raw, rented_gpus, unrented);
        let free_gpus = if status.rentable_status() { unrented } else { 0 };
        let longitude = custom.at("longitude").and_then(|l| signed_coord(l, "East", "West"));
        let latitude = custom.at("latitude").and_then(|l| signed_coord(l, "North", "South"));
        let (country, region) = geo::locate(latitude, longitude);
        Machine {
            status,
            status_raw,
            gpu_model: upload.at("gpu_type").and_then(text).unwrap_or_default(),
            gpu_count,
            rented_gpus,
            free_gpus,
            gpu_mem_gb: u64_of(upload.at("gpu_mem")),
            cuda_cores: u32_of(upload.at("cuda_core")),
            calc_point: u64_of(upload.at("calc_point")).unwrap_or(0),
            cpu_model: upload.at("cpu_type").and_then(text),
            cpu_cores: u32_of(upload.at("cpu_core_num")),
            cpu_mhz: u64_of(upload.at("cpu_rate")),
            ram_gb: u64_of(upload.at("mem_num")),
            sys_disk_gb: u64_of(upload.at("sys_disk")),
            data_disk_gb: u64_of(upload.at("data_disk")),
            upload_mbps: u64_of(custom.at("upload_net")),
            download_mbps: u64_of(custom.at("download_net")),
            longitude,
            latitude,
            country,
            region,
            telecom_operators: custom
                .at("telecom_operators")
                .map(|ops| items(ops).filter_map(text).collect())
                .unwrap_or_default(),
            server_room: custom.at("server_room").and_then(bytes).map(|b| format!("0x{}", hex::encode(b))),
            is_bare_machine: custom.at("is_bare_machine").and_then(Value::as_bool),
            bonding_height: u32_of(v.at("bonding_height")),
            online_height: u32_of(v.at("online_height")),
            rented_until: None,
            extra_price_per_gpu: None,
            id,
        }
    }
}

/// `East(x)`/`North(x)` -> x, `West(x)`/`South(x)` -> -x.
fn signed_coord(v: &Value, plus: &str, minus: &str) -> Option<i64> {
    let ValueDef::Variant(var) = &v.value else { return None };
    let n = i64::try_from(var.values.values().next()?.as_u128()?).ok()?;
    match var.name.as_str() {
        name if name == plus => Some(n),
        name if name == minus => Some(-n),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use scale_value::Composite;

    fn b(s: &str) -> Value {
        Value::unnamed_composite(s.bytes().map(|x| Value::u128(x.into())))
    }

    /// A `MachineInfo` value shaped like the chain's (subset, in order).
    pub(crate) fn machine_value(status: Value, gpu_num: u32, extra_field: bool) -> Value {
        let mut custom = vec![
            ("server_room", Value::unnamed_composite([Value::unnamed_composite((0..32).map(|_| Value::u128(0xab)))])),
            ("upload_net", Value::u128(20)),
            ("download_net", Value::u128(30)),
            ("longitude", Value::variant("West", Composite::unnamed([Value::u128(1_040_667)]))),
            ("latitude", Value::variant("North", Composite::unnamed([Value::u128(306_667)]))),
            ("telecom_operators", Value::unnamed_composite([b("China Unicom"), b("CT")])),
        ];
        if extra_field {
            custom.push(("is_bare_machine", Value::bool(true)));
            custom.push(("some_future_field", Value::u128(1)));
        }
        Value::named_composite([
            ("controller", Value::unnamed_composite([])),
            ("bonding_height", Value::u128(531_155)),
            ("online_height", Value::u128(537_808)),
            ("machine_status", status),
            (
                "machine_info_detail",
                Value::named_composite([
                    (
                        "committee_upload_info",
                        Value::named_composite([
                            ("machine_id", b(&"7a".repeat(32))),
                            ("gpu_type", b("GeForceRTX2080Ti")),
                            ("gpu_num", Value::u128(gpu_num.into())),
                            ("cuda_core", Value::u128(8704)),
                            ("gpu_mem", Value::u128(10)),
                            ("calc_point", Value::u128(60_775)),
                            ("sys_disk", Value::u128(350)),
                            ("data_disk", Value::u128(1800)),
                            ("cpu_type", b("Intel(R) Xeon(R) Silver 4214R")),
                            ("cpu_core_num", Value::u128(64)),
                            ("cpu_rate", Value::u128(2900)),
                            ("mem_num", Value::u128(471)),
                        ]),
                    ),
                    ("staker_customize_info", Value::named_composite(custom)),
                ]),
            ),
        ])
    }

    fn unit(name: &str) -> Value {
        Value::variant(name, Composite::unnamed([]))
    }

    #[test]
    fn decodes_every_field_by_name() {
        let v = machine_value(unit("Rented"), 4, true);
        let m = Machine::from_value("7a".repeat(32), &v, 1);
        assert_eq!(m.status, MachineStatus::PartlyRented);
        assert_eq!(m.status_raw, "Rented");
        assert_eq!((m.gpu_count, m.rented_gpus, m.free_gpus), (4, 1, 3));
        assert_eq!(m.gpu_model, "GeForceRTX2080Ti");
        assert_eq!((m.gpu_mem_gb, m.cuda_cores, m.calc_point), (Some(10), Some(8704), 60_775));
        assert_eq!(m.cpu_model.as_deref(), Some("Intel(R) Xeon(R) Silver 4214R"));
        assert_eq!((m.cpu_cores, m.cpu_mhz, m.ram_gb), (Some(64), Some(2900), Some(471)));
        assert_eq!((m.sys_disk_gb, m.data_disk_gb), (Some(350), Some(1800)));
        assert_eq!((m.upload_mbps, m.download_mbps), (Some(20), Some(30)));
        assert_eq!((m.longitude, m.latitude), (Some(-1_040_667), Some(306_667)));
        // 30.67° N 104.07° W: West Texas (the sign of West matters: East would be Chengdu).
        assert_eq!((m.country.as_deref(), m.region), (Some("US"), Some(Region::NorthAmerica)));
        assert_eq!(m.telecom_operators, vec!["China Unicom".to_string(), "CT".to_string()]);
        assert_eq!(m.server_room, Some(format!("0x{}", "ab".repeat(32))));
        assert_eq!(m.is_bare_machine, Some(true));
        assert_eq!((m.bonding_height, m.online_height), (Some(531_155), Some(537_808)));
    }

    #[test]
    fn a_machine_that_cannot_be_rented_has_no_free_gpu() {
        // 8 GPUs, none held by an order: free only while the status allows renting.
        for (raw, status, free) in [
            ("Online", MachineStatus::Idle, 8),
            ("StakerReportOffline", MachineStatus::Offline, 0),
            ("ReporterReportOffline", MachineStatus::Offline, 0),
            ("Exit", MachineStatus::Exited, 0),
            ("CommitteeVerifying", MachineStatus::Other, 0),
        ] {
            let m = Machine::from_value("7a".repeat(32), &machine_value(unit(raw), 8, true), 0);
            assert_eq!((m.status, m.gpu_count, m.rented_gpus, m.free_gpus), (status, 8, 0, free), "{raw}");
        }
    }

    #[test]
    fn tolerates_missing_fields() {
        let v = machine_value(unit("Online"), 2, false);
        let m = Machine::from_value("x".into(), &v, 0);
        assert_eq!(m.is_bare_machine, None);
        let nowhere = Machine::from_value("w".into(), &Value::named_composite([("other", Value::u128(1))]), 0);
        assert_eq!((nowhere.country, nowhere.region), (None, None));
        assert_eq!(m.status, MachineStatus::Idle);
        let bare = Machine::from_value("y".into(), &Value::named_composite([("other", Value::u128(1))]), 0);
        assert_eq!((bare.gpu_count, bare.free_gpus, bare.status_raw.as_str()), (0, 0, "Unknown"));
        assert_eq!(bare.status, MachineStatus::Other);
    }

    #[test]
    fn status_mapping() {
        let s = |raw: &str, free| MachineStatus::from_chain(raw, 4 - free, free);
        assert_eq!(s("Online", 4), MachineStatus::Idle);
        assert_eq!(s("Online", 3), MachineStatus::PartlyRented);
        assert_eq!(s("Rented", 2), MachineStatus::PartlyRented);
        assert_eq!(s("Rented", 0), MachineStatus::Rented);
        assert_eq!(s("StakerReportOffline", 4), MachineStatus::Offline);
        assert_eq!(s("ReporterReportOffline", 4), MachineStatus::Offline);
        assert_eq!(s("Exit", 4), MachineStatus::Exited);
        // An exited machine keeps its GPU record; the status alone decides.
        assert_eq!(s("Exit", 0), MachineStatus::Exited);
        assert_eq!(MachineStatus::Exited.as_str(), "exited");
        assert_eq!(serde_json::to_value(MachineStatus::Exited).unwrap(), "exited");
        assert!(!MachineStatus::Exited.rentable_status());
        assert_eq!(s("SomethingNew", 4), MachineStatus::Other);
        let offline = Value::variant("StakerReportOffline", Composite::unnamed([Value::u128(5), unit("Online")]));
        assert_eq!(
            Machine::from_value("z".into(), &machine_value(offline, 4, false), 0).status,
            MachineStatus::Offline
        );
    }
}
