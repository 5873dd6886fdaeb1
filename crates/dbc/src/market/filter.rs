//! Narrowing and ordering the machine list, shared by the CLI and the app.
//!
//! "Idle" here is what a renter means: at least one GPU free to rent now
//! (status Idle, or Partly rented with free GPUs; chain.md §7.4). Galaxy
//! Race hides the free GPUs of partly rented machines (market.md §1.5); we
//! list them.

use super::{Machine, MachinePrice, MachineStatus, Market};
use crate::geo::Region;
use serde::Serialize;

/// What to keep. Every field narrows; `Default` keeps everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only machines with at least one GPU free to rent now.
    pub idle_only: bool,
    /// Case-insensitive part of the GPU model, e.g. `4090`, `a100`.
    pub gpu_model: Option<String>,
    /// At least this many free GPUs.
    pub min_free: Option<u32>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<MachineStatus>,
    /// Part of the machine id (search).
    pub id_contains: Option<String>,
    /// Only machines located on this continent (unlocated machines drop out).
    pub region: Option<Region>,
    /// Only machines in this country (ISO 3166-1 alpha-2, any case).
    pub country: Option<String>,
}

/// How to order the list (ties broken by id, so the order is stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Cheapest per GPU-hour first; machines without a price last.
    #[default]
    PricePerGpuHour,
    /// Cheapest per calc point first.
    PricePerCalcPoint,
    /// Most free GPUs first.
    FreeGpus,
    /// Most calc points first.
    CalcPoints,
    /// Most GPU memory first.
    GpuMemory,
    /// Longest online first.
    OnlineSince,
}

impl std::str::FromStr for SortKey {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "price" => SortKey::PricePerGpuHour,
            "price-per-point" => SortKey::PricePerCalcPoint,
            "free" => SortKey::FreeGpus,
            "calc" => SortKey::CalcPoints,
            "memory" => SortKey::GpuMemory,
            "online" => SortKey::OnlineSince,
            other => {
                return Err(crate::Error::invalid_argument(format!(
                    "unknown sort {other:?}: use price, price-per-point, free, calc, memory or online"
                ))
                .with_data(serde_json::json!({ "value": other })))
            }
        })
    }
}

/// One machine with its price, as lists show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Listing<'a> {
    #[serde(flatten)]
    pub machine: &'a Machine,
    pub price: Option<MachinePrice>,
}

impl Filter {
    pub fn keeps(&self, m: &Machine) -> bool {
        let rentable_now = m.free_gpus >= 1 && matches!(m.status, MachineStatus::Idle | MachineStatus::PartlyRented);
        (!self.idle_only || rentable_now)
            && self.gpu_model.as_ref().is_none_or(|g| m.gpu_model.to_lowercase().contains(&g.to_lowercase()))
            && self.min_free.is_none_or(|n| m.free_gpus >= n)
            && (self.statuses.is_empty() || self.statuses.contains(&m.status))
            && self.id_contains.as_ref().is_none_or(|s| m.id.contains(&s.to_lowercase()))
            && self.region.is_none_or(|r| m.region == Some(r))
            && self
                .country
                .as_ref()
                .is_none_or(|c| m.country.as_ref().is_some_and(|mc| mc.eq_ignore_ascii_case(c.trim())))
    }
}

/// The machines of `market` that `filter` keeps, priced and ordered by `sort`.
pub fn list<'a>(market: &'a Market, filter: &Filter, sort: SortKey) -> Vec<Listing<'a>> {
    let mut rows: Vec<Listing<'a>> = market
        .machines
        .iter()
        .filter(|m| filter.keeps(m))
        .map(|m| Listing {
            machine: m,
            price: MachinePrice::compute(&market.params, m.calc_point, m.gpu_count, m.extra_price_per_gpu),
        })
        .collect();
    rows.sort_by(|a, b| order(a, b, sort).then_with(|| a.machine.id.cmp(&b.machine.id)));
    rows
}

fn order(a: &Listing, b: &Listing, sort: SortKey) -> std::cmp::Ordering {
    let hour = |l: &Listing| l.price.map(|p| p.planck_per_gpu_hour);
    // Price per calc point of one GPU-hour, compared without division:
    // a/ca < b/cb  <=>  a*cb < b*ca (calc points per GPU, all positive).
    let per_point = |l: &Listing| {
        l.price.map(|p| {
            (p.planck_per_gpu_hour, u128::from(l.machine.calc_point / u64::from(l.machine.gpu_count.max(1))).max(1))
        })
    };
    let missing_last = |x: Option<u128>, y: Option<u128>| match (x, y) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    match sort {
        SortKey::PricePerGpuHour => missing_last(hour(a), hour(b)),
        SortKey::PricePerCalcPoint => match (per_point(a), per_point(b)) {
            (Some((pa, ca)), Some((pb, cb))) => (pa.saturating_mul(cb)).cmp(&pb.saturating_mul(ca)),
            (x, y) => missing_last(x.map(|_| 0), y.map(|_| 0)),
        },
        SortKey::FreeGpus => b.machine.free_gpus.cmp(&a.machine.free_gpus),
        SortKey::CalcPoints => b.machine.calc_point.cmp(&a.machine.calc_point),
        SortKey::GpuMemory => b.machine.gpu_mem_gb.cmp(&a.machine.gpu_mem_gb),
        SortKey::OnlineSince => {
            missing_last(a.machine.online_height.map(u128::from), b.machine.online_height.map(u128::from))
        }
    }
}

/// Counters over a list: machines, GPUs, idle GPUs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Counters {
    pub machines: usize,
    pub gpus: u64,
    pub idle_gpus: u64,
}

pub fn counters(rows: &[Listing]) -> Counters {
    rows.iter().fold(Counters::default(), |c, r| Counters {
        machines: c.machines + 1,
        gpus: c.gpus + u64::from(r.machine.gpu_count),
        idle_gpus: c.idle_gpus
            + if matches!(r.machine.status, MachineStatus::Idle | MachineStatus::PartlyRented) {
                u64::from(r.machine.free_gpus)
            } else {
                0
            },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str, status: MachineStatus, model: &str, gpus: u32, free: u32, calc: u64) -> Machine {
        Machine {
            id: id.into(),
            status,
            gpu_model: model.into(),
            gpu_count: gpus,
            free_gpus: free,
            rented_gpus: gpus - free,
            calc_point: calc,
            ..Machine::default()
        }
    }

    fn market() -> Market {
        Market::example(vec![
            m("a1", MachineStatus::Idle, "GeForceRTX4090", 4, 4, 4 * 1_400),
            m("b2", MachineStatus::PartlyRented, "GeForceRTX3090", 8, 3, 8 * 900),
            m("c3", MachineStatus::Rented, "NVIDIA A100", 8, 0, 8 * 2_000),
            m("d4", MachineStatus::Offline, "GeForceRTX4090", 2, 2, 2 * 1_400),
            m("e5", MachineStatus::Idle, "GeForceRTX3080", 1, 1, 700),
        ])
    }

    fn ids(rows: &[Listing]) -> Vec<String> {
        rows.iter().map(|r| r.machine.id.clone()).collect()
    }

    #[test]
    fn idle_means_a_gpu_free_now_including_partly_rented() {
        let mk = market();
        let rows = list(&mk, &Filter { idle_only: true, ..Filter::default() }, SortKey::FreeGpus);
        assert_eq!(ids(&rows), ["a1", "b2", "e5"]);
    }

    #[test]
    fn filters_combine() {
        let mk = market();
        let f = Filter { gpu_model: Some("4090".into()), min_free: Some(3), ..Filter::default() };
        assert_eq!(ids(&list(&mk, &f, SortKey::PricePerGpuHour)), ["a1"]);
        let f = Filter { statuses: vec![MachineStatus::Rented, MachineStatus::Offline], ..Filter::default() };
        assert_eq!(ids(&list(&mk, &f, SortKey::CalcPoints)), ["c3", "d4"]);
        let f = Filter { id_contains: Some("C3".into()), ..Filter::default() };
        assert_eq!(ids(&list(&mk, &f, SortKey::CalcPoints)), ["c3"]);
    }

    #[test]
    fn region_and_country() {
        let mut mk = market();
        let place = [(Some("DE"), Some(Region::Europe)), (Some("CN"), Some(Region::Asia)), (None, None)];
        for (m, (c, r)) in mk.machines.iter_mut().zip(place.into_iter().cycle()) {
            (m.country, m.region) = (c.map(str::to_string), r);
        }
        let ids = |f: &Filter| list(&mk, f, SortKey::FreeGpus).iter().map(|l| l.machine.id.clone()).collect::<Vec<_>>();
        let europe = ids(&Filter { region: Some(Region::Europe), ..Filter::default() });
        assert_eq!(europe, ["a1", "d4"]);
        assert_eq!(ids(&Filter { region: Some(Region::Asia), ..Filter::default() }), ["b2", "e5"]);
        assert_eq!(ids(&Filter { country: Some(" de ".into()), ..Filter::default() }), europe);
        assert!(ids(&Filter { region: Some(Region::Africa), ..Filter::default() }).is_empty());
        assert_eq!(ids(&Filter::default()).len(), mk.machines.len(), "unlocated machines stay without a filter");
    }

    #[test]
    fn sorting_orders_by_price_free_and_calc() {
        let mk = market();
        let all = Filter::default();
        // Price per GPU-hour follows calc points per GPU: 3080 (700) < 3090 (900) < 4090 (1400) < A100 (2000).
        assert_eq!(ids(&list(&mk, &all, SortKey::PricePerGpuHour)), ["e5", "b2", "a1", "d4", "c3"]);
        let prices: Vec<u128> =
            list(&mk, &all, SortKey::PricePerGpuHour).iter().map(|r| r.price.unwrap().planck_per_gpu_hour).collect();
        assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
        assert_eq!(ids(&list(&mk, &all, SortKey::FreeGpus))[..2], ["a1", "b2"]);
        assert_eq!(ids(&list(&mk, &all, SortKey::CalcPoints))[0], "c3");
        // Price per calc point never decreases along the list (compared exactly, by cross-multiplying).
        let by_point = list(&mk, &all, SortKey::PricePerCalcPoint);
        let key = |l: &Listing| {
            (l.price.unwrap().planck_per_gpu_hour, u128::from(l.machine.calc_point / u64::from(l.machine.gpu_count)))
        };
        assert!(by_point.windows(2).all(|w| {
            let ((pa, ca), (pb, cb)) = (key(&w[0]), key(&w[1]));
            pa * cb <= pb * ca
        }));
        assert_eq!(by_point.len(), 5);
    }

    #[test]
    fn counters_count_idle_gpus_only_where_rentable() {
        let mk = market();
        let c = counters(&list(&mk, &Filter::default(), SortKey::FreeGpus));
        assert_eq!(c, Counters { machines: 5, gpus: 23, idle_gpus: 4 + 3 + 1 });
    }

    #[test]
    fn an_exited_machine_is_never_idle_but_can_be_listed_by_status() {
        let mut mk = market();
        // The chain keeps an exited machine's GPU record, so it may look free.
        mk.machines.push(m("f6", MachineStatus::Exited, "GeForceRTX4090", 2, 2, 2 * 1_400));
        assert!(!ids(&list(&mk, &Filter { idle_only: true, ..Filter::default() }, SortKey::FreeGpus))
            .contains(&"f6".to_string()));
        let f = Filter { statuses: vec![MachineStatus::Exited], ..Filter::default() };
        assert_eq!(ids(&list(&mk, &f, SortKey::FreeGpus)), ["f6"]);
        assert_eq!(counters(&list(&mk, &f, SortKey::FreeGpus)).idle_gpus, 0);
    }

    #[test]
    fn sort_names_parse() {
        assert_eq!("price".parse::<SortKey>().unwrap(), SortKey::PricePerGpuHour);
        assert_eq!("free".parse::<SortKey>().unwrap(), SortKey::FreeGpus);
        assert_eq!("calc".parse::<SortKey>().unwrap(), SortKey::CalcPoints);
        assert!("cheap".parse::<SortKey>().is_err());
    }
}
