//! A rental VM's login, one type for every shell and screen: the RDP target
//! (host, port and user validated, so nothing a DBC client sends can become
//! an extra argument or `.rdp` line), the Windows password as a secret (or
//! why there is none), and the VNC details for the fallback.
//!
//! Built from the DBC client's task detail each time it is needed: the
//! password is never journaled.

use super::record::Rental;
use crate::compute::types::{StatusKind, TaskDetail};
use crate::error::{Error, ErrorCode, Result};
use crate::rdp::{login_password, RdpTarget, NOT_AVAILABLE};
use crate::wallet::{ExposeSecret, SecretString};

/// The login of one rental's VM. The passwords are secrets; `Debug` shows them redacted.
#[derive(Debug)]
pub struct VmLogin {
    pub rental_id: String,
    pub rent_id: Option<u64>,
    /// The DBC client's word for the VM's state (`running`, `closed`, …).
    pub vm_status: String,
    pub running: bool,
    /// The VM's public address (`ssh_ip`), empty until the client knows it.
    pub host: String,
    pub rdp_port: Option<u16>,
    /// A Linux VM's SSH port (`None` on Windows).
    pub ssh_port: Option<u16>,
    /// The VM's OS as the node names it (`windows`, `linux`, `ubuntu`).
    pub os: String,
    pub user: String,
    /// Host, RDP port and user, validated; `None` until all three are known.
    pub endpoint: Option<RdpTarget>,
    /// The Windows password, or why there is none (`vm-no-guest-agent`, …).
    pub password: std::result::Result<SecretString, Error>,
    pub vnc_port: Option<u16>,
    pub vnc_password: Option<SecretString>,
}

impl VmLogin {
    /// The login in the DBC client's VM detail `d` of rental `r`. Host, port
    /// and user are validated here.
    pub fn from_detail(r: &Rental, d: &TaskDetail) -> Result<VmLogin> {
        let host = d.ssh_ip.trim().to_string();
        let user = match d.user_name.trim() {
            "" | NOT_AVAILABLE if !d.is_windows() => crate::ssh::target::DEFAULT_USER.to_string(),
            "" | NOT_AVAILABLE => "Administrator".to_string(),
            u => u.to_string(),
        };
        let endpoint = match (host.is_empty(), d.rdp_port) {
            (false, Some(port)) => Some(RdpTarget::new(&host, u64::from(port), &user)?),
            (false, None) => {
                // No RDP port (yet): still check the host before showing it.
                RdpTarget::new(&host, 3389, &user)?;
                None
            }
            _ => None,
        };
        let vnc_password = match d.vnc_password.trim() {
            "" | NOT_AVAILABLE => None,
            p => Some(SecretString::from(p.to_string())),
        };
        Ok(VmLogin {
            rental_id: r.id.clone(),
            rent_id: r.rent_id(),
            vm_status: d.status.as_str().to_string(),
            running: d.status.kind() == StatusKind::Running,
            host,
            rdp_port: d.rdp_port,
            ssh_port: d.ssh_port,
            os: d.os.clone(),
            user,
            endpoint,
            password: login_password(&d.login_password),
            vnc_port: d.vnc_port,
            vnc_password,
        })
    }

    /// The rent id, else the local id: how messages name the rental.
    pub fn name(&self) -> String {
        self.rent_id.map(|n| n.to_string()).unwrap_or_else(|| self.rental_id.clone())
    }

    /// `host:vnc_port`, bracketed for IPv6 (the host was validated).
    pub fn vnc_address(&self) -> Option<String> {
        let port = self.vnc_port.filter(|p| *p > 0)?;
        if self.host.is_empty() {
            return None;
        }
        RdpTarget::new(&self.host, u64::from(port), &self.user).ok().map(|t| t.address())
    }

    /// The endpoint to launch or check: known, and the VM running.
    pub fn running_endpoint(&self) -> Result<&RdpTarget> {
        match &self.endpoint {
            Some(t) if self.running => Ok(t),
            _ => Err(self.not_running()),
        }
    }

    fn not_running(&self) -> Error {
        Error::new(
            ErrorCode::WrongRentalState,
            format!("the VM of rental {} is {}, not running: start it first", self.name(), self.vm_status),
        )
        .with_data(serde_json::json!({ "rentId": self.name(), "state": self.vm_status }))
    }

    /// The SSH login of a running Linux VM (host, SSH port and user checked
    /// like the RDP ones; the password, when there is one, for installing
    /// the key): `not-linux-vm` on Windows, `wrong-rental-state` when it is
    /// not running or has no SSH port yet.
    pub fn ssh_login(&self) -> Result<crate::ssh::SshLogin> {
        if self.os.contains("win") {
            return Err(crate::ssh::target::not_linux(&self.os));
        }
        let port = match self.ssh_port {
            Some(p) if self.running && !self.host.is_empty() => p,
            _ => return Err(self.not_running()),
        };
        let target = crate::ssh::SshTarget::new(&self.host, u64::from(port), &self.user)?;
        let password = self.password.as_ref().ok().map(|p| SecretString::from(p.expose_secret().to_string()));
        Ok(crate::ssh::SshLogin { target, password })
    }

    /// The Windows password, or why there is none. Without one (no guest
    /// agent), the error carries the VNC address for the fallback.
    pub fn rdp_password(&self) -> Result<&SecretString> {
        self.password.as_ref().map_err(|e| {
            let mut data = e.data.clone().unwrap_or_else(|| serde_json::json!({}));
            data["vncHost"] = serde_json::json!(self.host);
            data["vncPort"] = serde_json::json!(self.vnc_port);
            data["vncAddress"] = serde_json::json!(self.vnc_address());
            e.clone().with_data(data)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(v: serde_json::Value) -> TaskDetail {
        TaskDetail::parse(&v).unwrap().unwrap()
    }

    #[test]
    fn a_linux_vm_gives_its_ssh_login_and_a_windows_one_refuses() {
        let r = super::super::samples::rental("r1", crate::rental::Stage::VmReady);
        let d = detail(json!({"task_id":"t","os":"linux","ssh_ip":"203.0.113.7","ssh_port":"10022",
                              "status":"running","user_name":"","login_password":"aZ9_/+[]@#^xyzQ1"}));
        let l = VmLogin::from_detail(&r, &d).unwrap();
        let s = l.ssh_login().unwrap();
        assert_eq!((s.target.host(), s.target.port(), s.target.user()), ("203.0.113.7".into(), 10022, "dbc"));
        assert_eq!(s.password.unwrap().expose_secret(), "aZ9_/+[]@#^xyzQ1");
        let na = detail(json!({"task_id":"t","os":"ubuntu","ssh_ip":"203.0.113.7","ssh_port":"10022",
                               "status":"running","user_name":"dbc","login_password":"N/A"}));
        assert!(VmLogin::from_detail(&r, &na).unwrap().ssh_login().unwrap().password.is_none());
        let off =
            detail(json!({"task_id":"t","os":"linux","ssh_ip":"203.0.113.7","ssh_port":"10022","status":"closed"}));
        let e = VmLogin::from_detail(&r, &off).unwrap().ssh_login().unwrap_err();
        assert_eq!(e.code, ErrorCode::WrongRentalState);
        let win =
            detail(json!({"task_id":"t","os":"windows","ssh_ip":"203.0.113.7","rdp_port":"20001","status":"running"}));
        let l = VmLogin::from_detail(&r, &win).unwrap();
        assert_eq!((l.ssh_login().unwrap_err().code, l.user.as_str()), (ErrorCode::NotLinuxVm, "Administrator"));
        let hostile = detail(json!({"task_id":"t","os":"linux","ssh_ip":"203.0.113.7","ssh_port":"10022",
                                    "status":"running","user_name":"d b"}));
        assert_eq!(
            VmLogin::from_detail(&r, &hostile).unwrap().ssh_login().unwrap_err().code,
            ErrorCode::InvalidRdpUser
        );
    }
}
