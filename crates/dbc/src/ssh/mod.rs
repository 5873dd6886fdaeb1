//! SSH to a rented Linux (Ubuntu) VM: the counterpart of [`crate::rdp`].
//!
//! - [`target`]: where and as whom, validated like an RDP target;
//! - [`known_hosts`]: the app's own known-hosts file (trust on first use);
//! - [`client`]: a russh session (host key pinned, password or key login, exec);
//! - [`session`]: log in with the key when it works, else the password;
//! - [`keys`]: the user's key, or one generated for them;
//! - [`install`]: "Install my key" (password once, then key only);
//! - [`argv`]: the `ssh` and terminal argument vectors per OS;
//! - [`launch`]: start the terminal or VS Code;
//! - [`vscode`]: the `~/.ssh/config` block for VS Code's Remote-SSH;
//! - [`gpu_check`]: `nvidia-smi` in the VM against what was rented.
//!
//! The rental-level operations (which read the VM's login from the DBC
//! client, and journal the GPU check) are in [`crate::rental::ssh_steps`].

pub mod argv;
pub mod client;
pub mod gpu_check;
pub mod install;
pub mod keys;
pub mod known_hosts;
pub mod launch;
pub mod session;
pub mod target;
pub mod vscode;

pub use argv::{command_line, ssh_args, terminal_plan, TerminalPlan};
pub use client::{connect, ExecOutput, SshOptions, SshSession};
pub use gpu_check::{GpuCheck, GpuExpected, GpuSeen, GpuVerdict};
pub use install::{install_key, KeyInstall, INSTALL_COMMAND};
pub use keys::{chosen_key, find_key, generate_app_key, user_ssh_dir, SshKey};
pub use known_hosts::known_hosts_path;
pub use launch::{open_terminal, open_vscode, ssh_command, ssh_command_line, Started};
pub use target::{SshLogin, SshTarget};
pub use vscode::{config_add, config_remove, host_alias, user_ssh_config};
