//! The simulated VMs on disk, so that they outlive a restart of the
//! simulator as VMs outlive a restart of a real DBC client (they live on the
//! rented machine, in libvirt, not in the client).
//!
//! The real node keeps every task in a leveldb `task.db` (the plan: image,
//! OS, BIOS mode, ports, login user and password, rent order, wallet, create
//! time; `db_task_info.thrift`) and the ids of the running ones in
//! `runningtasks.db`; on start it reloads them and restarts every task that
//! was running (`TaskInfoManager::init`, TaskInfoManager.cpp:6-90;
//! `TaskManager::init_tasks_status`, TaskManager.cpp:194-219 at 0.4.1.8).
//! Its task logs are files of their own (`add_task_log_backend`, tm:42).
//! The simulator keeps the same facts in one JSON file per VM, in the VM's
//! folder ([`super::ssh::VmFolder`]):
//!
//! ```text
//! <vm_dir>/<task_id>/task.json   SavedVm: status, plan, ports, login, order, log (0600)
//! <vm_dir>/<task_id>/task.json.broken   a file that could not be read, set aside
//! ```
//!
//! Files are written atomically (a temporary file, then a rename) with mode
//! 0600, in folders of mode 0700: the file holds the VM's password. Nothing
//! here logs a file's content.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The version of [`SavedVm`]'s format; a file of another version is set aside.
pub const FORMAT_VERSION: u32 = 1;
/// The file name of a saved VM inside its folder.
pub const TASK_FILE: &str = "task.json";

/// One simulated VM (task) as saved. Deliberately no `Debug`: it holds the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedVm {
    pub version: u32,
    /// The node (machine id) the VM runs on.
    pub machine_id: String,
    pub task_id: String,
    /// The renter wallet that created it (`db_task_info.wallet`).
    pub wallet: String,
    /// The rent order it belongs to (`db_task_info.order_id`).
    pub rent_order: String,
    /// The order's `rent_end` as the node last saw it (the sweep deletes the
    /// VM three days after it, even when the chain no longer has the order).
    #[serde(default)]
    pub rent_end: Option<u32>,
    /// The node's status text (`creating`, `running`, `closed`, …).
    pub status: String,
    /// The libvirt domain: `running` or `shut_off`.
    pub domain: String,
    pub os: String,
    pub bios: String,
    pub image: String,
    pub desc: String,
    pub ssh_port: u16,
    pub rdp_port: u16,
    pub vnc_port: u16,
    pub cpu_cores: u32,
    pub mem_gb: u64,
    pub disk_gb: u64,
    pub gpus: Vec<u32>,
    /// Empty until creation succeeded.
    pub user_name: String,
    pub login_password: String,
    pub vnc_password: String,
    /// Unix milliseconds.
    pub created_ms: u64,
    pub vda: String,
    pub vdb: String,
    pub mac: String,
    /// The task log, oldest first (what `/tasks/logs` reads).
    pub logs: Vec<String>,
}

/// The saved file of VM `task_id` under `vm_dir` (`None` for an id that cannot name a folder).
pub fn task_file(vm_dir: &Path, task_id: &str) -> Option<PathBuf> {
    super::ssh::VmFolder::of(vm_dir, task_id).map(|f| f.root().join(TASK_FILE))
}

/// Write `vm` to `path` atomically, 0600, its folder and `vm_dir` 0700.
pub fn save(path: &Path, vm: &SavedVm) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        if let Some(root) = folder.parent() {
            dbc::paths::ensure_private_dir(root)?;
        }
        dbc::paths::ensure_private_dir(folder)?;
    }
    let bytes = serde_json::to_vec_pretty(vm).map_err(std::io::Error::other)?;
    dbc::paths::write_atomic(path, &bytes)
}

/// Remove the saved file of a deleted VM (its folder stays, as
/// [`super::ssh::VmFolder`] says); a missing file is fine.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Why a saved file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The file, now renamed to `<file>.broken` (unless the rename failed too).
    pub path: PathBuf,
    /// What was wrong, without any of the file's content.
    pub why: String,
}

/// Every saved VM under `vm_dir` (none when it does not exist). A file that
/// cannot be read, parsed or is of another format version is renamed
/// `<file>.broken`, logged and reported in the second list; nothing here panics.
pub fn load_all(vm_dir: &Path) -> (Vec<SavedVm>, Vec<Broken>) {
    let (mut good, mut broken) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(vm_dir) else {
        return (good, broken);
    };
    let mut folders: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    for folder in folders {
        let path = folder.join(TASK_FILE);
        if !path.exists() {
            continue; // a deleted VM's folder, or one that never got a plan
        }
        let expected = folder.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        match read_one(&path, &expected) {
            Ok(vm) => good.push(vm),
            Err(why) => broken.push(set_aside(&path, why)),
        }
    }
    (good, broken)
}

/// Rename a saved file that cannot be used to `<file>.broken` and log why.
pub fn set_aside(path: &Path, why: String) -> Broken {
    let aside = broken_path(path);
    let moved = std::fs::rename(path, &aside);
    tracing::warn!(file = %path.display(), %why, renamed = moved.is_ok(), "client_sim: a saved VM cannot be read; set aside as .broken");
    Broken { path: if moved.is_ok() { aside } else { path.to_path_buf() }, why }
}

/// `<file>.broken`.
pub fn broken_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".broken");
    PathBuf::from(s)
}

fn read_one(path: &Path, folder_name: &str) -> Result<SavedVm, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("read: {e}"))?;
    // serde_json's message can quote a value (the password): only its place and kind.
    let vm: SavedVm = serde_json::from_slice(&bytes).map_err(|e| {
        format!("not a saved VM ({:?} error at line {}, column {})", e.classify(), e.line(), e.column())
    })?;
    if vm.version != FORMAT_VERSION {
        return Err(format!("format version {} (this simulator reads {FORMAT_VERSION})", vm.version));
    }
    if vm.task_id != folder_name {
        return Err("its task id is not its folder's name".into());
    }
    Ok(vm)
}

/// Forget every VM under `vm_dir` (their folders too): the chain they were
/// rented on is gone. Missing is fine.
pub fn forget_all(vm_dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(vm_dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    pub(crate) fn sample(task_id: &str) -> SavedVm {
        SavedVm {
            version: FORMAT_VERSION,
            machine_id: "ab".repeat(32),
            task_id: task_id.into(),
            wallet: "5Grwva".into(),
            rent_order: "7".into(),
            rent_end: Some(1234),
            status: "running".into(),
            domain: "running".into(),
            os: "windows".into(),
            bios: "uefi".into(),
            image: "win10_ovmf_dbc.qcow2".into(),
            desc: "d".into(),
            ssh_port: 0,
            rdp_port: 40001,
            vnc_port: 5905,
            cpu_cores: 4,
            mem_gb: 8,
            disk_gb: 50,
            gpus: vec![0, 1],
            user_name: "Administrator".into(),
            login_password: "Pw_secret_123456".into(),
            vnc_password: "Pw_secre".into(),
            created_ms: 1_700_000_000_123,
            vda: "/data/vm_1.qcow2".into(),
            vdb: "/data/data_1.qcow2".into(),
            mac: "52:54:00:01:02:03".into(),
            logs: vec!["a".into(), "b".into()],
        }
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn round_trip_is_private() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("vms");
        let vm = sample("Task1");
        let path = task_file(&root, "Task1").unwrap();
        save(&path, &vm).unwrap();
        assert_eq!(path, root.join("Task1").join(TASK_FILE));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&root), 0o700);
        let (got, broken) = load_all(&root);
        assert!(broken.is_empty());
        assert!(got == vec![vm.clone()]);
        // Overwriting keeps one file (the temporary one was renamed over it).
        let mut v2 = vm;
        v2.status = "closed".into();
        save(&path, &v2).unwrap();
        let names: Vec<_> =
            std::fs::read_dir(path.parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from(TASK_FILE)]);
        assert_eq!(load_all(&root).0[0].status, "closed");
        remove(&path).unwrap();
        remove(&path).unwrap();
        assert!(load_all(&root).0.is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("vms");
        let path = task_file(&root, "Task1").unwrap();
        save(&path, &sample("Task1")).unwrap();
        // A read-only folder: the temporary file cannot be made, the old file stays whole.
        let folder = path.parent().unwrap();
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o500)).unwrap();
        let r = dbc::paths::write_atomic(&path, b"{");
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700)).unwrap();
        if r.is_ok() {
            return; // running as root: permissions do not stop it
        }
        assert_eq!(load_all(&root).0[0].status, "running");
    }

    #[test]
    fn unreadable_files_are_set_aside() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("vms");
        save(&task_file(&root, "Good").unwrap(), &sample("Good")).unwrap();
        for (id, text) in [
            ("Cut", "{\"version\": 1, \"task_id\": \"Cut\""),
            ("Old", &serde_json::to_string(&SavedVm { version: 99, ..sample("Old") }).unwrap()),
            ("Other", &serde_json::to_string(&sample("NotOther")).unwrap()),
            ("Typed", &serde_json::to_string(&sample("Typed")).unwrap().replace("\"Pw_secret_123456\"", "12345")),
        ] {
            std::fs::create_dir_all(root.join(id)).unwrap();
            std::fs::write(root.join(id).join(TASK_FILE), text).unwrap();
        }
        let (good, broken) = load_all(&root);
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].task_id, "Good");
        assert_eq!(broken.len(), 4, "{broken:?}");
        for b in &broken {
            assert!(b.path.to_string_lossy().ends_with("task.json.broken"), "{b:?}");
            assert!(b.path.is_file());
            assert!(!b.why.contains("12345") && !b.why.contains("Pw_secret"), "{b:?}");
        }
        // Set aside once: the next start finds only the good one and nothing new to rename.
        let (good, broken) = load_all(&root);
        assert_eq!((good.len(), broken.len()), (1, 0));
    }

    #[test]
    fn forget_all_removes_every_vm() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("vms");
        forget_all(&root).unwrap();
        save(&task_file(&root, "A").unwrap(), &sample("A")).unwrap();
        std::fs::write(root.join("A").join("host_key"), "k").unwrap();
        forget_all(&root).unwrap();
        assert!(!root.exists());
        assert!(load_all(&root).0.is_empty());
    }

    #[test]
    fn task_ids_that_name_no_folder_have_no_file() {
        assert!(task_file(Path::new("/x"), "../etc").is_none());
        assert!(task_file(Path::new("/x"), "").is_none());
    }
}
