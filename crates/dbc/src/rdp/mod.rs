//! Remote Desktop to a rented Windows VM: validate where to connect
//! ([`target`]), describe the window ([`options`]), write the `.rdp` file
//! ([`file`]), choose the client and its argument vector ([`client`]) and
//! start it ([`launch`]).
//!
//! The caller (the app's Connect step, `dbc-rent rdp`) looks the VM's login
//! up (`ssh_ip`, `rdp_port`, `user_name`, `login_password`) and does:
//!
//! ```no_run
//! # fn demo(data_dir: &std::path::Path) -> dbc::Result<()> {
//! use dbc::rdp::{launch, login_password, RdpOptions, RdpTarget};
//! let target = RdpTarget::from_vm_login("203.0.113.7", "40001", "Administrator")?;
//! let password = login_password("aZ9_/+[]@#^xyzQ1")?; // "N/A" -> vm-no-guest-agent
//! let launched = launch(&target, &password, &RdpOptions::default(), data_dir)?;
//! println!("{} started, pid {}", launched.client.as_str(), launched.pid);
//! # Ok(()) }
//! ```
//!
//! `--print` (write the file, start nothing) is [`write_rdp_file`].

pub mod client;
pub mod file;
pub mod launch;
pub mod options;
pub mod target;

pub use client::{detect, install_hint, plan, FoundClient, LaunchPlan, RdpClient};
pub use file::{ensure_share_dir, rdp_file_contents, rdp_file_path, share_dir, write_rdp_file};
pub use launch::{launch, launch_with, start, Launched};
pub use options::{DriveRedirect, RdpOptions};
pub use target::{check_host, check_login_password, login_password, parse_port, RdpTarget, NOT_AVAILABLE};
