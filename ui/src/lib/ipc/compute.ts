// DBC clients (src-tauri/src/commands/compute.rs).
import { commands } from './generated';
import type { ConnectionCheck } from '../rentals/types';
import type { ChosenClient, ClientHealth } from './generated';

/** "Test connection" of a DBC client; with a machine id, also that it sees the machine and its Windows images. */
export const computeTestConnection = (url: string, machineId: string | null): Promise<ConnectionCheck> =>
  commands.computeTestConnection({ url, machineId });
/** The user allows plain http:// to this DBC client outside their network (asked once per client). */
export const computeAllowInsecureClient = (url: string): Promise<string> => commands.computeAllowInsecureClient({ url });
/** Every DBC client the user has, asked at once for its version and (given a machine) whether it sees it. */
export const computeCheckClients = (machineId: string | null): Promise<ClientHealth[]> => commands.computeCheckClients({ machineId });
/** The VM step's client, chosen for the user: the best one that sees the rental's machine (none when none does). */
export const computeChooseClient = (id: string): Promise<ChosenClient> => commands.computeChooseClient({ id });
