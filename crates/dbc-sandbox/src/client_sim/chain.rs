//! What the simulated compute nodes read from the chain: machines (status and
//! hardware), rent orders, and the block number.
//!
//! The real node asks the chain's custom JSON-RPC (`onlineProfile_getMachineInfo`,
//! `rentMachine_getRentOrder`, compute-api.md §2.1), which chopsticks does not
//! serve (sandbox.md §12), so [`PracticeChain`] reads the same facts from storage
//! (`OnlineProfile.MachinesInfo`, `RentMachine.RentInfo`) with subxt's dynamic API
//! over the legacy backend (subxt.md §1). [`MemoryChain`] is the in-memory stand-in
//! for unit tests. This module deliberately does not depend on `dbc::chain`, which
//! is being written in parallel; the two can be unified later.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use dbc::error::{Error, ErrorCode, Result};
use futures::future::BoxFuture;
use scale_value::{Value, ValueDef};
use subxt::utils::AccountId32;

/// A rent order as the node caches it (compute-api.md §2.1 step 2; chain.md §4.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RentOrderView {
    pub rent_id: u64,
    /// SS58 (prefix 42), exactly as the chain's default format prints it.
    pub renter: String,
    /// ASCII hex machine id (64 chars, no `0x`).
    pub machine_id: String,
    /// Variant name of `RentStatus`: `WaitingVerifying`, `Renting` (`RentExpired` is never stored).
    pub rent_status: String,
    pub gpu_num: u32,
    pub gpu_index: Vec<u32>,
    pub rent_start: u32,
    pub rent_end: u32,
}

/// The part of `OnlineProfile.MachinesInfo` a node needs (chain.md §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineView {
    pub machine_id: String,
    /// Variant name of `MachineStatus`, e.g. `Online`, `Rented`.
    pub machine_status: String,
    pub gpu_type: String,
    pub gpu_num: u32,
    /// Memory per GPU, GB (`gpu_mem`).
    pub gpu_mem: u64,
    pub cpu_type: String,
    pub cpu_core_num: u32,
    /// MHz.
    pub cpu_rate: u64,
    /// GB.
    pub mem_num: u64,
    /// GB.
    pub sys_disk: u64,
    /// GB.
    pub data_disk: u64,
}

/// Chain reads of the simulator. Object safe: `Arc<dyn ChainView>`.
pub trait ChainView: Send + Sync + 'static {
    /// Every machine on the chain (the simulator serves each as a node).
    fn machines(&self) -> BoxFuture<'_, Result<Vec<MachineView>>>;
    /// One machine, `None` if it is not on the chain.
    fn machine<'a>(&'a self, machine_id: &'a str) -> BoxFuture<'a, Result<Option<MachineView>>>;
    /// `RentMachine.RentInfo[rent_id]`; `None` once the order ended or expired.
    fn rent_order(&self, rent_id: u64) -> BoxFuture<'_, Result<Option<RentOrderView>>>;
    /// The current block number.
    fn best_block(&self) -> BoxFuture<'_, Result<u32>>;
}

/// In-memory chain for tests: machines, orders and a block number you set.
#[derive(Default, Clone)]
pub struct MemoryChain {
    inner: Arc<Mutex<MemoryInner>>,
}

#[derive(Default)]
struct MemoryInner {
    machines: BTreeMap<String, MachineView>,
    orders: BTreeMap<u64, RentOrderView>,
    block: u32,
    fail: bool,
}

impl MemoryChain {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn put_machine(&self, m: MachineView) {
        self.inner.lock().unwrap().machines.insert(m.machine_id.clone(), m);
    }
    pub fn set_machine_status(&self, machine_id: &str, status: &str) {
        if let Some(m) = self.inner.lock().unwrap().machines.get_mut(machine_id) {
            m.machine_status = status.to_string();
        }
    }
    pub fn put_order(&self, o: RentOrderView) {
        self.inner.lock().unwrap().orders.insert(o.rent_id, o);
    }
    pub fn remove_order(&self, rent_id: u64) {
        self.inner.lock().unwrap().orders.remove(&rent_id);
    }
    pub fn set_block(&self, block: u32) {
        self.inner.lock().unwrap().block = block;
    }
    /// Make every read fail, like an unreachable chain RPC.
    pub fn set_failing(&self, fail: bool) {
        self.inner.lock().unwrap().fail = fail;
    }
    fn check(&self) -> Result<()> {
        if self.inner.lock().unwrap().fail {
            Err(Error::new(ErrorCode::ChainRpc, "memory chain set to fail"))
        } else {
            Ok(())
        }
    }
}

impl ChainView for MemoryChain {
    fn machines(&self) -> BoxFuture<'_, Result<Vec<MachineView>>> {
        Box::pin(async move {
            self.check()?;
            Ok(self.inner.lock().unwrap().machines.values().cloned().collect())
        })
    }
    fn machine<'a>(&'a self, machine_id: &'a str) -> BoxFuture<'a, Result<Option<MachineView>>> {
        Box::pin(async move {
            self.check()?;
            Ok(self.inner.lock().unwrap().machines.get(machine_id).cloned())
        })
    }
    fn rent_order(&self, rent_id: u64) -> BoxFuture<'_, Result<Option<RentOrderView>>> {
        Box::pin(async move {
            self.check()?;
            Ok(self.inner.lock().unwrap().orders.get(&rent_id).cloned())
        })
    }
    fn best_block(&self) -> BoxFuture<'_, Result<u32>> {
        Box::pin(async move {
            self.check()?;
            Ok(self.inner.lock().unwrap().block)
        })
    }
}

type Api = subxt::OnlineClient<subxt::SubstrateConfig>;

/// The practice chain (chopsticks) or any DBC node, read through subxt's dynamic
/// storage API over the legacy backend. Reads the latest block the backend
/// reports (under chopsticks the finalized head follows the best one within ~100 ms).
pub struct PracticeChain {
    api: Api,
    endpoint: String,
}

impl PracticeChain {
    /// Connect to `ws://` (insecure) or `wss://` `url`.
    pub async fn connect(url: &str) -> Result<Self> {
        let rpc = if url.starts_with("wss://") {
            subxt::rpcs::RpcClient::from_url(url).await
        } else {
            subxt::rpcs::RpcClient::from_insecure_url(url).await
        }
        .map_err(|e| {
            Error::new(ErrorCode::NetworkUnreachable, format!("cannot connect to {url}: {e}"))
                .with_data(serde_json::json!({"network": "practice", "endpoint": url}))
        })?;
        let backend =
            subxt::backend::LegacyBackend::<subxt::SubstrateConfig>::builder().storage_page_size(1000).build(rpc);
        let api = Api::from_backend(Arc::new(backend)).await.map_err(|e| rpc_err(url, e))?;
        Ok(PracticeChain { api, endpoint: url.to_string() })
    }

    async fn at(
        &self,
    ) -> Result<
        subxt::client::ClientAtBlock<
            subxt::SubstrateConfig,
            subxt::client::OnlineClientAtBlockImpl<subxt::SubstrateConfig>,
        >,
    > {
        self.api.at_current_block().await.map_err(|e| rpc_err(&self.endpoint, e))
    }
}

fn rpc_err(endpoint: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ChainRpc, format!("{endpoint}: {e}")).with_data(serde_json::json!({"endpoint": endpoint}))
}

#[derive(scale_decode::DecodeAsType)]
struct RawRentOrder {
    machine_id: Vec<u8>,
    renter: AccountId32,
    rent_start: u32,
    rent_end: u32,
    rent_status: Value,
    gpu_num: u32,
    gpu_index: Vec<u32>,
}

#[derive(scale_decode::DecodeAsType)]
struct RawMachineInfo {
    machine_status: Value,
    machine_info_detail: RawDetail,
}
#[derive(scale_decode::DecodeAsType)]
struct RawDetail {
    committee_upload_info: RawCommitteeInfo,
}
#[derive(scale_decode::DecodeAsType)]
struct RawCommitteeInfo {
    machine_id: Vec<u8>,
    gpu_type: Vec<u8>,
    gpu_num: u32,
    gpu_mem: u64,
    cpu_type: Vec<u8>,
    cpu_core_num: u32,
    cpu_rate: u64,
    mem_num: u64,
    sys_disk: u64,
    data_disk: u64,
}

/// Name of an enum value's variant (`Rented`, `WaitingVerifying`, ...).
fn variant_name(v: &Value) -> String {
    match &v.value {
        ValueDef::Variant(var) => var.name.clone(),
        other => format!("{other:?}"),
    }
}

fn machine_from_raw(key_id: Option<Vec<u8>>, raw: RawMachineInfo) -> MachineView {
    let c = raw.machine_info_detail.committee_upload_info;
    // The map key is the authoritative id; committee info may be empty before verification.
    let id = key_id.filter(|k| !k.is_empty()).unwrap_or(c.machine_id);
    MachineView {
        machine_id: String::from_utf8_lossy(&id).into_owned(),
        machine_status: variant_name(&raw.machine_status),
        gpu_type: String::from_utf8_lossy(&c.gpu_type).into_owned(),
        gpu_num: c.gpu_num,
        gpu_mem: c.gpu_mem,
        cpu_type: String::from_utf8_lossy(&c.cpu_type).into_owned(),
        cpu_core_num: c.cpu_core_num,
        cpu_rate: c.cpu_rate,
        mem_num: c.mem_num,
        sys_disk: c.sys_disk,
        data_disk: c.data_disk,
    }
}

impl ChainView for PracticeChain {
    fn machines(&self) -> BoxFuture<'_, Result<Vec<MachineView>>> {
        Box::pin(async move {
            let at = self.at().await?;
            let addr = subxt::dynamic::storage::<(Vec<u8>,), RawMachineInfo>("OnlineProfile", "MachinesInfo");
            let mut it = at.storage().iter(addr, ()).await.map_err(|e| rpc_err(&self.endpoint, e))?;
            let mut out = Vec::new();
            while let Some(kv) = it.next().await {
                let kv = kv.map_err(|e| rpc_err(&self.endpoint, e))?;
                let key_id =
                    kv.key().ok().and_then(|k| k.part(0)).and_then(|p| p.decode_as::<Vec<u8>>().ok().flatten());
                let raw = kv.value().decode().map_err(|e| rpc_err(&self.endpoint, e))?;
                out.push(machine_from_raw(key_id, raw));
            }
            Ok(out)
        })
    }

    fn machine<'a>(&'a self, machine_id: &'a str) -> BoxFuture<'a, Result<Option<MachineView>>> {
        Box::pin(async move {
            let at = self.at().await?;
            let addr = subxt::dynamic::storage::<(Vec<u8>,), RawMachineInfo>("OnlineProfile", "MachinesInfo");
            let v = at
                .storage()
                .try_fetch(addr, (machine_id.as_bytes().to_vec(),))
                .await
                .map_err(|e| rpc_err(&self.endpoint, e))?;
            match v {
                None => Ok(None),
                Some(v) => {
                    let raw = v.decode().map_err(|e| rpc_err(&self.endpoint, e))?;
                    Ok(Some(machine_from_raw(Some(machine_id.as_bytes().to_vec()), raw)))
                }
            }
        })
    }

    fn rent_order(&self, rent_id: u64) -> BoxFuture<'_, Result<Option<RentOrderView>>> {
        Box::pin(async move {
            let at = self.at().await?;
            let addr = subxt::dynamic::storage::<(u64,), RawRentOrder>("RentMachine", "RentInfo");
            let v = at.storage().try_fetch(addr, (rent_id,)).await.map_err(|e| rpc_err(&self.endpoint, e))?;
            let Some(v) = v else { return Ok(None) };
            let raw = v.decode().map_err(|e| rpc_err(&self.endpoint, e))?;
            Ok(Some(RentOrderView {
                rent_id,
                renter: raw.renter.to_string(),
                machine_id: String::from_utf8_lossy(&raw.machine_id).into_owned(),
                rent_status: variant_name(&raw.rent_status),
                gpu_num: raw.gpu_num,
                gpu_index: raw.gpu_index,
                rent_start: raw.rent_start,
                rent_end: raw.rent_end,
            }))
        })
    }

    fn best_block(&self) -> BoxFuture<'_, Result<u32>> {
        Box::pin(async move {
            let at = self.at().await?;
            Ok(at.block_number() as u32)
        })
    }
}
