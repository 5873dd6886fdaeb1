//! The SSH operations of a rental's Linux VM, for the app's Connect step
//! and `dbc-rent ssh` / `gpu-check`: each reads the VM's login from the DBC
//! client (never journaled: the password is used and dropped), then uses
//! [`crate::ssh`]. The GPU check's result is journaled with the VM.

use std::path::Path;

use super::book::RentalBook;
use super::record::{Rental, Stage};
use super::vm_steps::vm_detail;
use crate::compute::types::TaskDetail;
use crate::compute::ComputeClient;
use crate::error::Result;
use crate::market::Machine;
use crate::ssh::gpu_check::{self, GpuCheck, GpuExpected};
use crate::ssh::{known_hosts_path, session, KeyInstall, SshKey, SshLogin, SshOptions};
use crate::wallet::SigningKey;

/// The rental's VM detail and its SSH login (`not-linux-vm` for a Windows
/// VM, `wrong-rental-state` until it runs with an SSH port).
pub async fn ssh_login(
    book: &RentalBook,
    id: &str,
    client: &ComputeClient,
    key: SigningKey,
) -> Result<(Rental, TaskDetail, SshLogin)> {
    let (r, d) = vm_detail(book, id, client, key).await?;
    let login = SshLogin::from_detail(&d)?;
    Ok((r, d, login))
}

/// "Install my key" on the rental's VM ([`crate::ssh::install_key`]); the
/// host key is pinned in `<data dir>/ssh/known_hosts`.
pub async fn install_key(
    book: &RentalBook,
    id: &str,
    client: &ComputeClient,
    key: SigningKey,
    ssh_key: &SshKey,
    data_dir: &Path,
    opts: &SshOptions,
) -> Result<KeyInstall> {
    let (_, _, login) = ssh_login(book, id, client, key).await?;
    crate::ssh::install_key(&login, ssh_key, &known_hosts_path(data_dir), opts).await
}

/// How a rental-level SSH operation logs in: the user's private key (tried
/// first, when given), the data dir (its `ssh/known_hosts`), the patience.
#[derive(Debug, Clone)]
pub struct SshUse<'a> {
    pub key: Option<&'a Path>,
    pub data_dir: &'a Path,
    pub opts: SshOptions,
}

/// What the chain says rental `r` got on `machine`: its GPU model and
/// memory, and the order's GPU count.
pub fn expected_gpus(machine: &Machine, r: &Rental) -> GpuExpected {
    GpuExpected { model: machine.gpu_model.clone(), count: r.gpus, mem_gb: machine.gpu_mem_gb }
}

/// Run the GPU check in the rental's VM (logging in with `via.key` when it
/// works, else the VM's password) and journal its result with the VM. The
/// check never fails once the VM's login is known: a failed login or
/// `nvidia-smi` is its verdict (`error`), kept and shown like a mismatch.
pub async fn gpu_check(
    book: &RentalBook,
    id: &str,
    client: &ComputeClient,
    key: SigningKey,
    expected: GpuExpected,
    via: &SshUse<'_>,
) -> Result<(Rental, GpuCheck)> {
    let (r, d, login) = ssh_login(book, id, client, key).await?;
    gpu_check_with_login(book, &r.id, &d.task_id, &login, expected, via).await
}

/// [`gpu_check`] with a login already read (the app's Connect and Confirm
/// steps keep the one the user unlocked): run the check on the VM `task_id`
/// of rental `id` and journal the result with that VM (not one created since).
pub async fn gpu_check_with_login(
    book: &RentalBook,
    id: &str,
    task_id: &str,
    login: &SshLogin,
    expected: GpuExpected,
    via: &SshUse<'_>,
) -> Result<(Rental, GpuCheck)> {
    let check = match session::open(login, via.key, &known_hosts_path(via.data_dir), &via.opts).await {
        Ok(mut s) => {
            let c = gpu_check::run(&mut s, expected).await;
            s.close().await;
            c
        }
        Err(e) => GpuCheck::failed(expected, &e),
    };
    tracing::info!(rental = %id, passed = check.passed(), "GPU check");
    let stored = check.clone();
    let r = book.update(id, |x| {
        // Only for the VM that was checked (not one created since).
        if let Some(v) = x.vm.as_mut().filter(|v| v.task_id == task_id) {
            v.gpu_check = Some(stored);
        }
    })?;
    Ok((r, check))
}

/// Remove the `~/.ssh/config` blocks of rentals that ended or lapsed
/// (`config` is `~/.ssh/config`); returns the aliases removed. Called after
/// a sync; a rental that was never given a block costs a read of the file.
pub fn forget_ended_vscode_hosts(config: &Path, rentals: &[Rental]) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for r in rentals.iter().filter(|r| matches!(r.stage, Stage::Ended | Stage::Lapsed | Stage::Failed)) {
        let Ok(alias) = crate::ssh::host_alias(&r.shown_id()) else { continue };
        if crate::ssh::config_remove(config, &alias)? {
            removed.push(alias);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ended_rentals_lose_their_vscode_block_and_live_ones_keep_it() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let t = crate::ssh::SshTarget::new("203.0.113.7", 10022, "dbc").unwrap();
        let os = crate::host::Os::Linux;
        std::fs::write(&config, "Host mine\n").unwrap();
        for alias in ["dbc-r1", "dbc-r2"] {
            crate::ssh::config_add(os, &config, alias, &t, Path::new("/k"), Path::new("/kh")).unwrap();
        }
        let ended = super::super::samples::rental("r1", Stage::Ended);
        let live = super::super::samples::rental("r2", Stage::Renting);
        assert_eq!(forget_ended_vscode_hosts(&config, &[ended, live]).unwrap(), ["dbc-r1"]);
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.contains("Host dbc-r2") && !text.contains("Host dbc-r1") && text.ends_with("Host mine\n"));
    }
}
