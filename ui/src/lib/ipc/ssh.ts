// A Linux VM over SSH (src-tauri/src/commands/ssh.rs), on the login the Connect or Verify
// step unlocked with the wallet password (Rust keeps it for 30 minutes). The VM's password
// stays in Rust (copied from there), except one explicit reveal. A key is created and
// ~/.ssh/config edited only when the user agreed: `generate` / `consent` carry that yes.
import { commands } from './generated';
import type {
  GpuChecked,
  KeyChoice,
  KeyInstalled,
  Revealed,
  SshCopied,
  SshField,
  SshInfo,
  SshReach,
  Started,
  VscodeOpened,
} from './generated';

export type { GpuChecked, KeyChoice, KeyInstalled, SshCopied, SshField, SshInfo, SshReach, VscodeOpened };

/** The SSH card of a running Linux VM (never the password). */
export const sshInfo = (id: string): Promise<SshInfo> => commands.sshInfo({ id });
export const sshCopy = (id: string, field: SshField): Promise<SshCopied> => commands.sshCopy({ id, field });
/** The one place the VM's password reaches the page, on an explicit click. */
export const sshReveal = (id: string): Promise<Revealed> => commands.sshReveal({ id, field: 'password' });
/** `generate`: the user agreed to create ~/.ssh/dbc_rent_ed25519 (needed only without a key of theirs). */
export const sshInstallKey = (id: string, generate: boolean): Promise<KeyInstalled> => commands.sshInstallKey({ id, generate });
export const sshOpenTerminal = (id: string): Promise<Started> => commands.sshOpenTerminal({ id });
/** `consent`: the user agreed to the Host block in ~/.ssh/config. */
export const sshOpenVscode = (id: string, consent: boolean): Promise<VscodeOpened> => commands.sshOpenVscode({ id, consent });
/** The Confirm step's SSH port check (a key exchange, no login). */
export const sshCheck = (id: string): Promise<SshReach> => commands.sshCheck({ id });
/** `nvidia-smi` in the VM against what was rented; the result is kept with the rental. */
export const sshGpuCheck = (id: string): Promise<GpuChecked> => commands.sshGpuCheck({ id });
/** "Use another key": `path` (a full path, ~/…, or a name in ~/.ssh) checked and kept; '' goes back to the default key. */
export const sshChooseKey = (path: string): Promise<KeyChoice> => commands.sshChooseKey({ path });
