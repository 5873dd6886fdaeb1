//! DBC client simulator: the HTTP API of a DBC client (`dbc --client`) and of
//! the compute nodes behind it, on 127.0.0.1, for the practice network and tests.
//!
//! It reproduces the behaviour described in `reference/compute-api.md` (checked
//! against DBC-AIComputingNet 0.4.1.8): the routes a renter uses, the POST
//! envelope, client-side errors as HTTP 400/404 with the real codes, node-side
//! errors as HTTP 200 with `errcode != 0`, the 30 s client timeout, sr25519
//! nonce signatures, the chain authority check (renter of `rent_order` on this
//! machine, order `WaitingVerifying` or `Renting`), string-only `additional`
//! values, port conflicts, the partial-rental `gpu_count` rule, the status
//! lifecycle `creating -> running` with Windows login info, and the power-off
//! of VMs when the rental ends. A running Windows VM gets an RDP endpoint on
//! its `rdp_port` (see [`rdp`]), a running Linux VM a real SSH server on its
//! `ssh_port` (see [`ssh`], commands in [`ssh_shell`]) with its files in a
//! folder of its own ([`ClientSimConfig::vm_dir`]`/<task_id>/`). With a
//! `vm_dir`, every VM is saved there on each change and comes back when a
//! simulator starts again on that folder ([`persist`]), running ones with
//! their endpoints on the same ports.
//!
//! Every machine the [`ChainView`] lists is served as a node (node id = machine id).
//!
//! ```no_run
//! # async fn demo(chain: std::sync::Arc<dyn dbc_sandbox::client_sim::ChainView>) -> dbc::error::Result<()> {
//! use dbc_sandbox::client_sim::{ClientSim, ClientSimConfig};
//! let sim = ClientSim::start(ClientSimConfig::default(), chain).await?;
//! println!("DBC client at {}", sim.url()); // http://127.0.0.1:<port>
//! sim.stop().await;
//! # Ok(()) }
//! ```

mod auth;
pub mod chain;
mod http;
pub mod listener;
mod node;
pub mod persist;
pub mod rdp;
pub mod ssh;
pub mod ssh_shell;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dbc::error::{Error, Result};
use tokio::task::JoinHandle;

pub use auth::verify_sign;
pub use chain::{ChainView, MachineView, MemoryChain, PracticeChain, RentOrderView};
pub use listener::{ClientListener, NodeView};
pub use rdp::{real_rdp_available, RdpKind, RdpMode};

/// An image file in the node's `/data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimImage {
    pub name: String,
    pub size_gb: u64,
    /// The VM never gets a DHCP lease: creation ends in `create error`
    /// (log: "get domain local ip failed"), as on a node with a broken image.
    pub fails: bool,
}

impl SimImage {
    pub fn new(name: &str, size_gb: u64) -> Self {
        SimImage { name: name.to_string(), size_gb, fails: false }
    }
    pub fn failing(name: &str, size_gb: u64) -> Self {
        SimImage { name: name.to_string(), size_gb, fails: true }
    }
}

/// A node's hardware as its `mining_nodes` answer shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeResources {
    pub name: String,
    pub os: String,
    pub cpu_type: String,
    pub cpu_cores: u32,
    pub physical_cpus: u32,
    pub cpu_mhz: u64,
    pub mem_gb: u64,
    pub gpu_count: u32,
    /// Size of `/data` (system disks of 350 GB each come out of it).
    pub data_disk_gb: u64,
}

impl NodeResources {
    /// From the chain's committee-verified hardware, with plausible values where it says 0.
    pub fn from_machine(m: &MachineView) -> Self {
        let or = |v: u64, d: u64| if v == 0 { d } else { v };
        NodeResources {
            name: format!("sim-{}", &m.machine_id.get(..8).unwrap_or(&m.machine_id)),
            os: "Ubuntu 20.04.6 LTS".into(),
            cpu_type: if m.cpu_type.is_empty() { "AMD EPYC 7542 32-Core Processor".into() } else { m.cpu_type.clone() },
            cpu_cores: or(m.cpu_core_num as u64, 64) as u32,
            physical_cpus: 2,
            cpu_mhz: or(m.cpu_rate, 2900),
            mem_gb: or(m.mem_num, 256),
            gpu_count: or(m.gpu_num as u64, 1) as u32,
            // /data must hold the 350 GB system disks plus data disks.
            data_disk_gb: or(m.data_disk, 4000).max(1000),
        }
    }
}

/// How the simulator behaves. `Default` is what the practice network uses.
#[derive(Debug, Clone)]
pub struct ClientSimConfig {
    /// Address to listen on; port 0 picks a free one. Always 127.0.0.1.
    pub port: u16,
    /// `creating` -> `running` (the real node takes 5–15 min).
    pub boot_time: Duration,
    /// How long `starting`, `restarting`, `being poweroff`, `deleting` last.
    pub op_time: Duration,
    /// The client's wait for a node answer (`MAX_WAIT_HTTP_RESPONSE_TIME`, 30 s).
    pub client_timeout: Duration,
    /// Delay before every node answers (the "slow node"); per node with
    /// [`ClientSim::set_node_delay`]. Longer than `client_timeout` gives
    /// `"<op> timeout"` while the node still carries out the operation.
    pub node_delay: Duration,
    /// Serve only these machine ids (default: every machine on the chain).
    pub nodes: Option<Vec<String>>,
    /// Images on every node.
    pub images: Vec<SimImage>,
    /// Hardware per machine id; others derive it from the chain ([`NodeResources::from_machine`]).
    pub resources: BTreeMap<String, NodeResources>,
    /// How often running VMs are checked against their orders (the real node: 900 s).
    pub sweep_interval: Duration,
    pub rdp: RdpMode,
    /// Run an SSH server for every running Linux VM.
    pub ssh: bool,
    /// Where VM folders live (`<vm_dir>/<task_id>/`: SSH host key, home,
    /// logins, and `task.json`, the saved VM that the next simulator on this
    /// folder brings back, see [`persist`]); `None`: a temporary directory
    /// removed when the simulator stops, and nothing is saved.
    /// The practice network uses `<data dir>/practice/vms`.
    pub vm_dir: Option<PathBuf>,
    /// `ssh_ip` in task details (the host's public IP on a real node).
    pub public_ip: String,
    /// `client_version` and node `version`.
    pub client_version: String,
}

impl Default for ClientSimConfig {
    fn default() -> Self {
        ClientSimConfig {
            port: 0,
            boot_time: Duration::from_secs(30),
            op_time: Duration::from_secs(2),
            client_timeout: Duration::from_secs(30),
            node_delay: Duration::ZERO,
            nodes: None,
            images: vec![
                SimImage::new("win10_ovmf_dbc.qcow2", 25),
                SimImage::new("windows11_dbc.qcow2", 32),
                SimImage::new("ubuntu2204.qcow2", 8),
            ],
            resources: BTreeMap::new(),
            sweep_interval: Duration::from_secs(3),
            rdp: RdpMode::Auto,
            ssh: true,
            vm_dir: None,
            public_ip: "127.0.0.1".into(),
            client_version: "0.4.1.8".into(),
        }
    }
}

/// A running simulator. Dropping it (or [`ClientSim::stop`]) stops the HTTP
/// servers, closes every RDP endpoint and kills their processes.
pub struct ClientSim {
    sim: Arc<node::Sim>,
    /// The client that sees every node ([`ClientSim::url`]).
    main: Arc<ClientListener>,
    /// More clients over the same nodes ([`ClientSim::listen`]).
    others: Mutex<Vec<Arc<ClientListener>>>,
    sweeper: JoinHandle<()>,
}

impl ClientSim {
    /// Read the machines on `chain`, bind 127.0.0.1 and serve.
    pub async fn start(config: ClientSimConfig, chain: Arc<dyn ChainView>) -> Result<ClientSim> {
        if config.images.iter().any(|i| !i.name.ends_with(".qcow2")) {
            return Err(Error::invalid_argument("client simulator images must end in .qcow2"));
        }
        let sim = Arc::new_cyclic(|me| node::Sim::new(config.clone(), chain, me.clone()));
        sim.refresh_nodes().await?;
        // VMs live on the machines, not in the client: the saved ones come back.
        sim.restore().await;
        let main = Arc::new(ClientListener::bind(sim.clone(), config.port, NodeView::All).await?);
        let addr = main.addr();
        let weak = Arc::downgrade(&sim);
        let every = config.sweep_interval;
        let sweeper = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(sim) = weak.upgrade() else { break };
                sim.sweep().await;
            }
        });
        tracing::info!(%addr, nodes = sim.node_list().len(), rdp = ?sim.rdp.kind(), "client simulator listening");
        Ok(ClientSim { sim, main, others: Mutex::new(Vec::new()), sweeper })
    }

    /// `http://127.0.0.1:<port>`, the base URL (routes live under `/api/v1/`).
    pub fn url(&self) -> String {
        self.main.url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.main.addr()
    }

    /// The client that sees every node (it can be stopped and started again).
    pub fn listener(&self) -> Arc<ClientListener> {
        self.main.clone()
    }

    /// Another DBC client over the same nodes, on 127.0.0.1:`port` (0: a
    /// free one), seeing the nodes `view` lets it see.
    pub async fn listen(&self, port: u16, view: NodeView) -> Result<Arc<ClientListener>> {
        let l = Arc::new(ClientListener::bind(self.sim.clone(), port, view).await?);
        self.others.lock().unwrap().push(l.clone());
        Ok(l)
    }

    /// Machine ids served as nodes, with their names.
    pub fn nodes(&self) -> Vec<(String, String)> {
        self.sim.node_list()
    }

    /// Re-read the chain's machines (new ones become nodes).
    pub async fn refresh_nodes(&self) -> Result<()> {
        self.sim.refresh_nodes().await
    }

    /// Make `machine_id` answer after `delay` (a "slow node").
    pub fn set_node_delay(&self, machine_id: &str, delay: Duration) {
        self.sim.set_node_delay(machine_id, delay)
    }

    /// The machine's owner runs VMs of their own that take `stop_after` to
    /// shut down once a renter's create, start or restart arrives: the node
    /// waits for them (at most 20 s, then destroys them) before acting, once.
    /// With `stop_after` beyond `client_timeout`, the client answers
    /// `"<op> timeout"` while the node goes on and carries out the operation.
    pub fn set_miner_vms_running(&self, machine_id: &str, stop_after: Duration) {
        self.sim.set_miner_vms_running(machine_id, stop_after)
    }

    /// While set, create answers `create task failed, please try again in a minute`
    /// (the miner's own VMs did not stop).
    pub fn set_miner_busy(&self, machine_id: &str, busy: bool) {
        self.sim.set_miner_busy(machine_id, busy)
    }

    /// Run the rent-end check now instead of waiting for the next interval.
    pub async fn sweep_now(&self) {
        self.sim.sweep().await
    }

    /// Every request signature the simulator received (the log audit looks
    /// for them in the app's files).
    pub fn signatures_seen(&self) -> Vec<String> {
        self.sim.signatures()
    }

    /// The kind of RDP endpoint running Windows VMs get.
    pub fn rdp_kind(&self) -> Option<RdpKind> {
        self.sim.rdp.kind()
    }

    /// The endpoint currently open for `task_id` (None when off or not Windows).
    pub fn task_rdp_kind(&self, task_id: &str) -> Option<RdpKind> {
        self.sim.rdp_kind_of(task_id)
    }

    /// The port of the SSH server open for `task_id` (None when off or not Linux).
    pub fn task_ssh_port(&self, task_id: &str) -> Option<u16> {
        self.sim.ssh_port_of(task_id)
    }

    /// The folder of VM `task_id` (host key, `home/`, `logins.jsonl`, `gpu_model`);
    /// `None` for a task id that cannot name a folder.
    pub fn vm_folder(&self, task_id: &str) -> Option<ssh::VmFolder> {
        self.sim.ssh.folder(task_id)
    }

    /// Make `nvidia-smi` in VM `task_id` show `model` instead of the chain's
    /// GPU (`None`: the chain's again). Takes effect on the next command.
    pub fn set_gpu_model(&self, task_id: &str, model: Option<&str>) -> Result<()> {
        let folder = self.vm_folder(task_id).ok_or_else(|| Error::invalid_argument("not a task id"))?;
        folder.set_gpu_model(model)
    }

    /// The private X display the RDP shadow servers share, once started.
    pub async fn rdp_display(&self) -> Option<u32> {
        self.sim.rdp.display().await
    }

    /// Stop serving and close every VM's RDP endpoint and SSH server.
    pub async fn stop(self) {
        let all: Vec<Arc<ClientListener>> =
            std::iter::once(self.main.clone()).chain(self.others.lock().unwrap().iter().cloned()).collect();
        // In-flight requests may be waiting on a slow node: do not wait long.
        futures::future::join_all(all.iter().map(|l| l.stop(Duration::from_secs(2)))).await;
        // Drop does the rest.
    }
}

impl Drop for ClientSim {
    fn drop(&mut self) {
        self.main.abort();
        for l in self.others.lock().unwrap().iter() {
            l.abort();
        }
        self.sweeper.abort();
        self.sim.close_all();
        self.sim.rdp.shutdown();
        self.sim.ssh.shutdown();
    }
}
/// Write `bytes` to `path` readable by this user only (0600): the SAM file of
/// an RDP endpoint, a VM's SSH host key.
pub(crate) fn write_private(path: &std::path::Path, bytes: &[u8]) -> dbc::error::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| dbc::error::Error::io(path, &e))?;
    f.write_all(bytes).map_err(|e| dbc::error::Error::io(path, &e))
}
