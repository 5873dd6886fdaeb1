// The Connect step (src-tauri/src/commands/connect.rs). The wallet password unlocks a
// rental's VM login, which Rust keeps in memory for 30 minutes; the passwords stay there
// (copied to the clipboard from Rust), except one explicit reveal of the VNC password.
import { commands } from './generated';
import type { Copied, Field, Launched, LoginView, Reachability, RdpFile, RdpOptions, Revealed } from './generated';

/** An unlocked VM login, without its passwords. */
export type ConnectLogin = LoginView;
/** The values Rust can copy (`src-tauri/src/connect.rs` `Field`). */
export type CopyField = Field;

export const connectUnlock = (id: string, password: string): Promise<ConnectLogin> => commands.connectUnlock({ id, password });
/** The login if it is still unlocked, else `null`. */
export const connectLogin = (id: string): Promise<ConnectLogin | null> => commands.connectLogin({ id });
export const connectCheck = (id: string): Promise<Reachability> => commands.connectCheck({ id });
/** `options` is checked in Rust (`dbc::rdp::RdpOptions`, unknown fields refused). */
export const connectLaunch = (id: string, options: RdpOptions): Promise<Launched> => commands.connectLaunch({ id, options });
export const connectWriteRdp = (id: string, options: RdpOptions): Promise<RdpFile> => commands.connectWriteRdp({ id, options });
export const connectCopy = (id: string, field: CopyField): Promise<Copied> => commands.connectCopy({ id, field });
export const connectReveal = (id: string, field: 'vncPassword'): Promise<Revealed> => commands.connectReveal({ id, field });
