//! The seeded machines: realistic hardware, places and owners, in every
//! status a renter meets. Deterministic: the same `rng_seed` and count always
//! give the same machines (tests rely on it).
//!
//! Field units follow chain.md §7.2: GB for memory and disks, MHz for the CPU,
//! Mbps for bandwidth, degrees ×10^4 for coordinates, `calc_point` ×100.
//! Calc points use Galaxy Race's model `(25·gpus + mem/3.5 + √cuda·√(vram/10)·gpus)·coef`
//! (market.md §1.8) with coef 1.19, which reproduces the mainnet sample
//! (4 × RTX 2080 Ti, 471 GB RAM -> 607.75, market.md §7.1).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// `Online`, no GPU rented.
    Idle,
    /// `Rented`, some GPUs free.
    PartlyRented,
    /// `Rented`, every GPU taken.
    FullyRented,
    /// `StakerReportOffline`: the owner took it offline.
    Offline,
    /// `Exit`: left the network.
    Exited,
}

pub struct GpuModel {
    /// `gpu_type` as machines report it.
    pub name: &'static str,
    pub mem_gb: u64,
    pub cuda_cores: u32,
    /// GPU counts seen for this model.
    pub counts: &'static [u32],
    /// Relative frequency.
    pub weight: u32,
}

pub const GPU_MODELS: &[GpuModel] = &[
    GpuModel { name: "GeForceRTX4090", mem_gb: 24, cuda_cores: 16_384, counts: &[1, 2, 4, 8], weight: 30 },
    GpuModel { name: "GeForceRTX3090", mem_gb: 24, cuda_cores: 10_496, counts: &[1, 2, 4, 8], weight: 20 },
    GpuModel { name: "GeForceRTX3080", mem_gb: 10, cuda_cores: 8_704, counts: &[1, 2, 4, 8], weight: 15 },
    GpuModel { name: "GeForceRTX4080", mem_gb: 16, cuda_cores: 9_728, counts: &[1, 2, 4], weight: 8 },
    GpuModel { name: "GeForceRTX2080Ti", mem_gb: 11, cuda_cores: 4_352, counts: &[2, 4, 8], weight: 7 },
    GpuModel { name: "NVIDIA RTX A5000", mem_gb: 24, cuda_cores: 8_192, counts: &[2, 4, 8], weight: 10 },
    GpuModel { name: "NVIDIA A100", mem_gb: 80, cuda_cores: 6_912, counts: &[4, 8], weight: 10 },
];

pub struct Place {
    pub city: &'static str,
    /// Degrees ×10^4, north positive.
    pub lat: i64,
    /// Degrees ×10^4, east positive.
    pub lon: i64,
    pub operators: &'static [&'static str],
}

pub const PLACES: &[Place] = &[
    Place { city: "Chengdu", lat: 306_667, lon: 1_040_667, operators: &["China Telecom", "China Unicom"] },
    Place { city: "Shanghai", lat: 312_304, lon: 1_214_737, operators: &["China Telecom"] },
    Place { city: "Shenzhen", lat: 225_431, lon: 1_140_579, operators: &["China Mobile", "China Unicom"] },
    Place { city: "Hong Kong", lat: 223_193, lon: 1_141_694, operators: &["PCCW"] },
    Place { city: "Singapore", lat: 13_521, lon: 1_038_198, operators: &["Singtel"] },
    Place { city: "Tokyo", lat: 356_762, lon: 1_396_503, operators: &["NTT"] },
    Place { city: "Seoul", lat: 375_665, lon: 1_269_780, operators: &["KT"] },
    Place { city: "Frankfurt", lat: 501_109, lon: 86_821, operators: &["Deutsche Telekom"] },
    Place { city: "London", lat: 515_072, lon: -1_276, operators: &["BT"] },
    Place { city: "New York", lat: 407_128, lon: -740_060, operators: &["Verizon"] },
    Place { city: "Los Angeles", lat: 340_522, lon: -1_182_437, operators: &["AT&T"] },
    Place { city: "São Paulo", lat: -235_505, lon: -466_333, operators: &["Vivo"] },
    Place { city: "Sydney", lat: -338_688, lon: 1_512_093, operators: &["Telstra"] },
    Place { city: "Johannesburg", lat: -262_041, lon: 280_473, operators: &["Vodacom"] },
    Place { city: "Dubai", lat: 252_048, lon: 552_708, operators: &["Etisalat"] },
];

const CPUS: &[(&str, u32, u64)] = &[
    ("Intel(R) Xeon(R) Silver 4214R CPU @ 2.40GHz", 48, 2400),
    ("Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz", 112, 2000),
    ("AMD EPYC 7543 32-Core Processor", 128, 2800),
    ("AMD EPYC 7763 64-Core Processor", 256, 2450),
    ("AMD Ryzen 9 7950X 16-Core Processor", 32, 4500),
    ("Intel(R) Core(TM) i9-13900K", 32, 3000),
];

/// One machine as planned by the seed (not yet encoded).
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// The machine id: lowercase hex of the machine key's public key (64 ASCII chars).
    pub id: String,
    pub gpu_type: &'static str,
    pub gpu_num: u32,
    pub gpu_mem: u64,
    pub cuda_core: u32,
    pub calc_point: u64,
    pub cpu_type: &'static str,
    pub cpu_core_num: u32,
    pub cpu_rate: u64,
    pub mem_num: u64,
    pub sys_disk: u64,
    pub data_disk: u64,
    pub city: &'static str,
    pub lat: i64,
    pub lon: i64,
    pub operators: Vec<&'static str>,
    pub upload_net: u64,
    pub download_net: u64,
    pub server_room: [u8; 32],
    pub is_bare_machine: bool,
    pub status: Status,
    /// Index into the operators (stash/controller pairs).
    pub owner: usize,
    pub bonding_height: u32,
    pub online_height: u32,
    pub rand_str: String,
}

/// The secret seed of machine `i`'s key (a DBC client simulator can sign as the machine).
pub fn machine_secret(rng_seed: u64, i: usize) -> [u8; 32] {
    Sha256::digest(format!("dbc-rent practice/{rng_seed}/machine/{i}").as_bytes()).into()
}

/// Galaxy Race's calc-point model, ×100 (see the module docs).
pub fn calc_point(model: &GpuModel, gpus: u32, mem_gb: u64) -> u64 {
    let g = gpus as f64;
    let v =
        (25.0 * g + mem_gb as f64 / 3.5 + (model.cuda_cores as f64).sqrt() * (model.mem_gb as f64 / 10.0).sqrt() * g)
            * 1.19;
    (v * 100.0).round() as u64
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut x = rng.gen_range(0..total);
    for it in items {
        let w = weight(it);
        if x < w {
            return it;
        }
        x -= w;
    }
    unreachable!()
}

/// Plan `count` machines owned by `owners` operators, all bonded before `base_height`.
/// The first five cover every status (idle, partly rented, fully rented, offline, exited).
pub fn plan(count: usize, owners: usize, rng_seed: u64, base_height: u32) -> Vec<Machine> {
    let mut rng = StdRng::seed_from_u64(rng_seed);
    let mut out = Vec::with_capacity(count);
    const FORCED: [Status; 5] =
        [Status::Idle, Status::PartlyRented, Status::FullyRented, Status::Offline, Status::Exited];
    for i in 0..count {
        let mut status = match FORCED.get(i) {
            Some(s) => *s,
            None => {
                pick(
                    &mut rng,
                    &[
                        (Status::Idle, 45),
                        (Status::PartlyRented, 15),
                        (Status::FullyRented, 15),
                        (Status::Offline, 15),
                        (Status::Exited, 10),
                    ],
                    |s| s.1,
                )
                .0
            }
        };
        let model = pick(&mut rng, GPU_MODELS, |m| m.weight);
        let mut gpu_num = model.counts[rng.gen_range(0..model.counts.len())];
        if status == Status::PartlyRented && gpu_num == 1 {
            if i < FORCED.len() {
                gpu_num = 4;
            } else {
                status = Status::FullyRented;
            }
        }
        let (cpu_type, max_cores, cpu_rate) = CPUS[rng.gen_range(0..CPUS.len())];
        let cpu_core_num = (8 * gpu_num).clamp(8, max_cores).max(max_cores / 2);
        let mem_num = [32u64, 64, 128][rng.gen_range(0..3)] * gpu_num.max(1) as u64 / if gpu_num >= 4 { 2 } else { 1 };
        let place = &PLACES[rng.gen_range(0..PLACES.len())];
        let key = subxt_signer::sr25519::Keypair::from_secret_key(machine_secret(rng_seed, i)).expect("32-byte seed");
        let id = hex::encode(key.public_key().0);
        let room_no = rng.gen_range(1..=3);
        let server_room: [u8; 32] = Sha256::digest(format!("server-room/{}/{room_no}", place.city).as_bytes()).into();
        let bonding_height = base_height.saturating_sub(rng.gen_range(2_000..400_000));
        let online_height = bonding_height + rng.gen_range(300..3_000);
        let net = [100u64, 200, 500, 1000][rng.gen_range(0..4)];
        let mut rand_bytes = [0u8; 8];
        rng.fill(&mut rand_bytes);
        // Coordinates jittered within ~0.1° so rooms in one city differ.
        let lat = place.lat + rng.gen_range(-900..900);
        let lon = place.lon + rng.gen_range(-900..900);
        out.push(Machine {
            id,
            gpu_type: model.name,
            gpu_num,
            gpu_mem: model.mem_gb,
            cuda_core: model.cuda_cores,
            calc_point: calc_point(model, gpu_num, mem_num),
            cpu_type,
            cpu_core_num,
            cpu_rate,
            mem_num,
            sys_disk: [250u64, 500, 1000][rng.gen_range(0..3)],
            data_disk: [1000u64, 2000, 4000, 8000][rng.gen_range(0..4)],
            city: place.city,
            lat,
            lon,
            operators: place.operators.to_vec(),
            upload_net: net,
            download_net: net,
            server_room,
            is_bare_machine: rng.gen_ratio(1, 10),
            status,
            owner: i % owners.max(1),
            bonding_height,
            online_height,
            rand_str: hex::encode(rand_bytes),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calc_point_reproduces_the_mainnet_sample() {
        let m = GpuModel { name: "GeForceRTX2080Ti", mem_gb: 11, cuda_cores: 4352, counts: &[4], weight: 1 };
        let cp = calc_point(&m, 4, 471);
        assert!((60_000..61_500).contains(&cp), "{cp} ≈ 60775");
    }

    #[test]
    fn deterministic_and_covers_every_status() {
        let a = plan(60, 8, 7, 1_000_000);
        let b = plan(60, 8, 7, 1_000_000);
        assert_eq!(a.iter().map(|m| &m.id).collect::<Vec<_>>(), b.iter().map(|m| &m.id).collect::<Vec<_>>());
        for s in [Status::Idle, Status::PartlyRented, Status::FullyRented, Status::Offline, Status::Exited] {
            assert!(a.iter().any(|m| m.status == s), "{s:?}");
        }
        assert!(a.iter().all(|m| m.id.len() == 64));
        let models: std::collections::BTreeSet<_> = a.iter().map(|m| m.gpu_type).collect();
        assert!(models.len() >= 5, "variety of GPU models: {models:?}");
        let cities: std::collections::BTreeSet<_> = a.iter().map(|m| m.city).collect();
        assert!(cities.len() >= 8, "several continents: {cities:?}");
        assert!(a.iter().filter(|m| m.status == Status::PartlyRented).all(|m| m.gpu_num >= 2));
    }
}
