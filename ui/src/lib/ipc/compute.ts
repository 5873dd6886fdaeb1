// DBC clients (src-tauri/src/commands/compute.rs).
import { commands } from './generated';
import type { ConnectionCheck } from '../rentals/types';

/** "Test connection" of a DBC client; with a machine id, also that it sees the machine and its Windows images. */
export const computeTestConnection = (url: string, machineId: string | null): Promise<ConnectionCheck> =>
  commands.computeTestConnection({ url, machineId });
/** The user allows plain http:// to this DBC client outside their network (asked once per client). */
export const computeAllowInsecureClient = (url: string): Promise<string> => commands.computeAllowInsecureClient({ url });
