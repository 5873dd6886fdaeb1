//! `dbc::compute` against the practice network: the real DBC runtime under
//! chopsticks and the DBC client simulator. A fresh wallet key is funded from
//! the faucet and rents two 1-GPU orders on one idle machine with a signed
//! `RentMachine.rent_machine`; then, through the compute API only: test the
//! connection, plan and create a Windows VM, poll it to `running` with its
//! login, check its RDP port, survive a port conflict, surface the node's
//! refusals, run stop/start/restart/delete to their states, and resolve a
//! create whose answer timed out without creating the VM twice.
//! Needs chopsticks (`make sandbox-deps`) and the chain spec; without them it
//! fails, it does not skip.

mod common;

use std::sync::Arc;
use std::time::Duration;

use codec::Decode;
use dbc::chain::{tx, ChainClient, NonceTracker, TxOptions};
use dbc::compute::{
    rdp_reachable, Auth, ComputeClient, CreateEvent, CreateOptions, CreatedHow, PlanRequest, PollOptions, Progress,
    RentedMachine, StatusKind, Target,
};
use dbc::wallet::{DerivationPath, SigningKey};
use dbc::ErrorCode;
use dbc_sandbox::client_sim::{ChainView, ClientSim, ClientSimConfig, PracticeChain, RdpMode, SimImage};
use dbc_sandbox::Sandbox;

/// Fast polls for tests (a real client is polled every 10 s).
fn fast_poll() -> PollOptions {
    PollOptions {
        interval: Duration::from_millis(200),
        give_up_after: Duration::from_secs(90),
        log_lines: 50,
        client_gone_after: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_vm_lifecycle_through_the_compute_api() {
    let dir = common::data_dir();
    let cfg = common::with_client_sim(&dir, 24, 2);
    common::with_sandbox(cfg, run).await;
}

/// Rent `gpus` GPUs of `machine_id` for 300 blocks; the order id from the `RentMachine.Rent` event.
async fn rent(client: &ChainClient, nonces: &NonceTracker, key: &SigningKey, machine_id: &str, gpus: u32) -> u64 {
    let call = dbc::market::rent_machine_call(machine_id, gpus, 300);
    let out =
        tx::sign_and_submit(client, nonces, key, &call, &TxOptions::default(), |_| {}).await.expect("rent_machine");
    let events = out.extrinsic_events.expect("events");
    for ev in events.iter() {
        let ev = ev.unwrap();
        if (ev.pallet_name(), ev.event_name()) == ("RentMachine", "Rent") {
            // Rent(rent_id, renter, machine_id, rent_gpu_num, duration, rent_fee)
            type Fields = (u64, [u8; 32], Vec<u8>, u32, u32, u128);
            return Fields::decode(&mut ev.field_bytes()).expect("Rent fields").0;
        }
    }
    panic!("no RentMachine.Rent event: {:?}", out.events);
}

/// The RDP endpoint opens just after the status turns `running` (a real
/// FreeRDP server takes a moment to start): try again until it does.
async fn rdp_opens(host: &str, port: u16) {
    let mut last = None;
    let give_up = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < give_up {
        match rdp_reachable(host, port, Duration::from_secs(2)).await {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("RDP port {port} never accepted a connection: {last:?}");
}

async fn statuses_until(
    vm: &RentedMachine,
    task_id: &str,
    target: Target,
) -> (Option<dbc::compute::TaskDetail>, Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    let out = vm
        .wait_for(task_id, target, &fast_poll(), |p: Progress| {
            if p.changed {
                seen.push(p.status.map(|s| s.0).unwrap_or_else(|| "<gone>".into()));
            }
        })
        .await
        .unwrap_or_else(|e| panic!("waiting for {target:?}: {e:?}"));
    (out, seen)
}

async fn run(sandbox: &Sandbox) {
    // ---- a fresh wallet, funded, rents two 1-GPU orders on one idle machine ----
    let key = SigningKey::from_seed(&rand::random::<[u8; 32]>(), &DerivationPath::root()).unwrap();
    sandbox.fund(&key.address(), 200_000).await.expect("faucet");
    let view = PracticeChain::connect(sandbox.chain_url()).await.expect("chain view");
    let machines = view.machines().await.expect("machines");
    let m = machines
        .iter()
        .find(|m| m.machine_status == "Online" && m.gpu_num >= 2)
        .expect("an idle machine with 2+ GPUs")
        .clone();
    let client = common::connect(sandbox.chain_url()).await;
    let nonces = NonceTracker::new();
    let rent1 = rent(&client, &nonces, &key, &m.machine_id, 1).await;
    let rent2 = rent(&client, &nonces, &key, &m.machine_id, 1).await;
    assert_ne!(rent1, rent2);

    // ---- Test connection ----
    let url = sandbox.client_url().expect("the sandbox runs the client simulator").to_string();
    let api = ComputeClient::new(&url).unwrap();
    let check = api.test_connection(&m.machine_id).await.expect("test connection");
    assert_eq!(check.client_version, "0.4.1.8");
    assert_eq!(check.node.node_id, m.machine_id);
    let e = api.test_connection(&"ab".repeat(32)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeNodeUnknown, "{e:?}");
    let e = ComputeClient::new("http://127.0.0.1:1").unwrap().test_connection(&m.machine_id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeUnreachable, "{e:?}");

    // ---- plan and create VM 1 (order 1), poll to running ----
    let vm1 = api.rented(&m.machine_id, Auth::new(key.clone(), rent1)).unwrap();
    let node = vm1.node_info().await.expect("node info");
    assert_eq!(node.gpu_count, m.gpu_num);
    let plan1 = vm1.plan(&PlanRequest { rented_gpus: 1, ..Default::default() }).await.expect("plan");
    assert!(plan1.image_name.to_lowercase().contains("win"), "{plan1:?}");
    assert_eq!(plan1.gpu_count, 1);
    assert_eq!(plan1.cpu_cores, node.cpu_cores / node.gpu_count, "the rented share of the threads");
    assert_eq!(plan1.desc, format!("DBC Rent order {rent1}"));
    let mut events = Vec::new();
    let created = vm1.create_task(&plan1, &CreateOptions::default(), |e| events.push(e)).await.expect("create VM 1");
    assert_eq!(
        (created.how, created.attempts, created.task_id.as_str()),
        (CreatedHow::Answered, 1, plan1.task_id.as_str())
    );
    assert_eq!(created.status.kind(), StatusKind::Creating);
    assert_eq!(events, vec![CreateEvent::Sending { attempt: 1 }]);
    let mut seen = Vec::new();
    let d1 = vm1
        .wait_until_running(&created.task_id, &fast_poll(), |p| {
            if p.changed {
                seen.push(p.status.unwrap().0);
            }
        })
        .await
        .expect("VM 1 runs");
    // Each change once. The VM boots in 2 s; on a loaded machine the first
    // poll can come after it, and then "running" is the only change seen.
    assert!(seen == ["creating", "running"] || seen == ["running"], "status changes reported once each: {seen:?}");
    let login = d1.rdp_login().expect("a running Windows VM has a login");
    assert_eq!((login.port, login.user.as_str()), (plan1.rdp_port, "Administrator"));
    assert_eq!(login.password.as_deref().map(str::len), Some(16));
    assert_eq!(d1.vnc_port, Some(plan1.vnc_port));
    assert_eq!((d1.cpu_cores, d1.gpu_count), (Some(plan1.cpu_cores), Some(1)));
    assert_eq!(d1.rent_order.as_deref(), Some(rent1.to_string().as_str()));
    rdp_opens(&login.host, login.port).await;
    // The same plan again (as after a crash): found, not created again.
    let again = vm1.create_task(&plan1, &CreateOptions::default(), |_| {}).await.expect("create again");
    assert_eq!(
        (again.how, again.task_id.as_str(), again.attempts),
        (CreatedHow::AlreadyExisted, plan1.task_id.as_str(), 1)
    );
    let tasks = vm1.tasks().await.unwrap();
    assert_eq!(tasks.iter().filter(|t| t.task_id == created.task_id).count(), 1, "{tasks:?}");
    assert_eq!(tasks.len(), 1, "{tasks:?}");

    // ---- the node's refusals come back with its own words ----
    let stranger = SigningKey::from_seed(&rand::random::<[u8; 32]>(), &DerivationPath::root()).unwrap();
    let e = api.rented(&m.machine_id, Auth::new(stranger, rent1)).unwrap().tasks().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeNotAuthorized, "{e:?}");
    assert_eq!(dbc::compute::node_message(&e), Some("check authority failed: wallet not rented"));
    let vm2 = api.rented(&m.machine_id, Auth::new(key.clone(), rent2)).unwrap();
    let mut greedy = vm2.plan(&PlanRequest { rented_gpus: 1, ..Default::default() }).await.unwrap();
    greedy.gpu_count = 2;
    let e = vm2.create_task(&greedy, &CreateOptions::default(), |_| {}).await.unwrap_err();
    assert_eq!(
        (e.code, dbc::compute::node_message(&e)),
        (ErrorCode::ComputeRefused, Some("gpu_count exceeds number of leases")),
        "{e:?}"
    );
    let e = vm2.task("NoSuchTask00000000000").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmNotFound);

    // ---- VM 2 (order 2) asks for VM 1's RDP port: new ports, created once ----
    let mut plan2 = vm2.plan(&PlanRequest { rented_gpus: 1, ..Default::default() }).await.unwrap();
    plan2.rdp_port = plan1.rdp_port;
    let mut events = Vec::new();
    let created2 = vm2.create_task(&plan2, &CreateOptions::default(), |e| events.push(e)).await.expect("create VM 2");
    assert_eq!((created2.how, created2.attempts), (CreatedHow::Answered, 2), "{events:?}");
    assert!(
        matches!(events[1], CreateEvent::PortConflict { port: Some(p), rdp_port, .. } if p == plan1.rdp_port && rdp_port == created2.plan.rdp_port),
        "{events:?}"
    );
    assert_ne!(created2.plan.rdp_port, plan1.rdp_port);
    let d2 = vm2.wait_until_running(&created2.task_id, &fast_poll(), |_| {}).await.expect("VM 2 runs");
    assert_eq!(d2.rdp_port, Some(created2.plan.rdp_port));

    // ---- power operations reach their states ----
    let t1 = created.task_id.as_str();
    vm1.stop(t1).await.expect("stop");
    let (d, seen) = statuses_until(&vm1, t1, Target::Off).await;
    assert_eq!(d.unwrap().status.0, "closed");
    assert_eq!(seen.last().map(String::as_str), Some("closed"));
    let e = vm1.stop(t1).await.unwrap_err();
    assert_eq!((e.code, dbc::compute::node_message(&e)), (ErrorCode::ComputeRefused, Some("task is shut_off")));
    // A poll may come back after the operation is done (each poll makes the
    // node read the chain), so what proves it is the VM's log.
    vm1.start(t1).await.expect("start");
    let (d, _) = statuses_until(&vm1, t1, Target::Running).await;
    assert_eq!(d.unwrap().status.0, "running");
    rdp_opens(&login.host, login.port).await;
    for force in [false, true] {
        vm1.restart(t1, force).await.expect("restart");
        let (d, _) = statuses_until(&vm1, t1, Target::Running).await;
        assert_eq!(d.unwrap().status.0, "running");
    }
    let logs = vm1.logs(t1, 4).await.unwrap();
    assert_eq!(logs.len(), 4, "{logs:?}");
    let tail: Vec<&str> = logs.iter().map(|l| l.rsplit(" | ").next().unwrap_or("")).collect();
    assert_eq!(
        tail,
        ["poweroff task successful", "start task successful", "restart task successful", "restart task successful"],
        "{logs:?}"
    );
    vm1.delete(t1).await.expect("delete");
    let (gone, seen) = statuses_until(&vm1, t1, Target::Gone).await;
    assert!(gone.is_none());
    assert_eq!(seen.last().map(String::as_str), Some("<gone>"));
    assert_eq!(vm1.task(t1).await.unwrap_err().code, ErrorCode::VmNotFound);
    assert!(vm1.tasks().await.unwrap().iter().all(|t| t.task_id != t1));

    // ---- a client that times out: resolved by the task id, never created twice ----
    let chain = Arc::new(view);
    let sim_cfg = ClientSimConfig {
        boot_time: Duration::from_secs(1),
        op_time: Duration::from_millis(300),
        // Long enough for a normal answer on a loaded 2-core machine (each
        // request makes the node read the chain a few times).
        client_timeout: Duration::from_secs(10),
        rdp: RdpMode::PlainTcp,
        images: vec![SimImage::new("win10_ovmf_dbc.qcow2", 25), SimImage::failing("win_broken_dhcp.qcow2", 20)],
        ..ClientSimConfig::default()
    };
    let sim = ClientSim::start(sim_cfg, chain).await.expect("second client simulator");
    let result = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(timeouts_and_failures(
        &sim,
        &key,
        &m.machine_id,
        rent1,
        rent2,
    )))
    .await;
    sim.stop().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn timeouts_and_failures(sim: &ClientSim, key: &SigningKey, machine_id: &str, rent1: u64, rent2: u64) {
    let api = ComputeClient::new(&sim.url()).unwrap();
    let vm = api.rented(machine_id, Auth::new(key.clone(), rent1)).unwrap();
    let plan = vm
        .plan(&PlanRequest { rented_gpus: 1, image: Some("win10_ovmf_dbc.qcow2".into()), ..Default::default() })
        .await
        .unwrap();
    // The owner's own VMs take 12 s to stop; the client gives up after 10 s.
    sim.set_miner_vms_running(machine_id, Duration::from_secs(12));
    let opts = CreateOptions {
        resolve_interval: Duration::from_millis(300),
        resolve_window: Duration::from_secs(60),
        ..CreateOptions::default()
    };
    let mut events = Vec::new();
    let created = vm.create_task(&plan, &opts, |e| events.push(e)).await.expect("create despite the timeout");
    assert_eq!(created.how, CreatedHow::FoundAfterTimeout, "{events:?}");
    assert_eq!(created.attempts, 1, "sent once: {events:?}");
    assert!(
        matches!(&events[1], CreateEvent::Resolving { reason } if reason.contains("create task timeout")),
        "{events:?}"
    );
    assert_eq!(events.len(), 2, "{events:?}");
    let tasks = vm.tasks().await.unwrap();
    assert_eq!(tasks.len(), 1, "one VM: {tasks:?}");
    assert_eq!(tasks[0].task_id, plan.task_id);
    vm.wait_until_running(&created.task_id, &fast_poll(), |_| {}).await.expect("it runs");

    // ---- the owner's VMs will not stop: bounded retries, then compute-busy ----
    let vm2 = api.rented(machine_id, Auth::new(key.clone(), rent2)).unwrap();
    sim.set_miner_busy(machine_id, true);
    let plan2 = vm2
        .plan(&PlanRequest { rented_gpus: 1, image: Some("win_broken_dhcp.qcow2".into()), ..Default::default() })
        .await
        .unwrap();
    let busy_opts =
        CreateOptions { busy_retries: 1, busy_backoff: Duration::from_millis(200), ..CreateOptions::default() };
    let mut events = Vec::new();
    let e = vm2.create_task(&plan2, &busy_opts, |e| events.push(e)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeBusy, "{e:?}");
    assert_eq!(
        events,
        vec![
            CreateEvent::Sending { attempt: 1 },
            CreateEvent::Busy { retry_in_secs: 0 },
            CreateEvent::Sending { attempt: 2 }
        ]
    );
    sim.set_miner_busy(machine_id, false);

    // ---- "create error": the wait ends with the VM's log ----
    let created2 = vm2.create_task(&plan2, &CreateOptions::default(), |_| {}).await.expect("accepted");
    let e = vm2.wait_until_running(&created2.task_id, &fast_poll(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmCreateFailed, "{e:?}");
    let data = e.data.unwrap();
    assert_eq!(data["status"], "create error");
    let log: Vec<&str> = data["log"].as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
    assert!(log.iter().any(|l| l.contains("get domain local ip failed")), "{log:?}");
}
