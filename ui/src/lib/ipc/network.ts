// The connection and the network choice (src-tauri/src/commands/network.rs).
import { listenTo } from './call';
import { commands, EVENTS } from './generated';
import type { Network, NetworkChoice as WireChoice, NetworkSettings as WireSettings, NetworkStatus } from './generated';

export type NetworkKind = Network;
/** The generated choice, read as one shape by the screens: `url` is only ever set for `custom`. */
export type NetworkChoice = WireChoice & { url?: string };
export type NetworkSettings = Omit<WireSettings, 'choice'> & { choice: NetworkChoice };

export const networkStatus = (): Promise<NetworkStatus> => commands.networkStatus();
export const getNetworkSettings = (): Promise<NetworkSettings> => commands.getNetworkSettings();
/** `allowInsecure`: the user said yes to the warning for an unencrypted (ws://) remote node. */
export const setNetwork = (choice: NetworkChoice, allowInsecure = false): Promise<NetworkSettings> =>
  commands.setNetwork(allowInsecure ? { choice, allowInsecure } : { choice });
/** An empty list restores the default endpoints. */
export const setMainnetEndpoints = (endpoints: string[], allowInsecure = false): Promise<NetworkSettings> =>
  commands.setMainnetEndpoints(allowInsecure ? { endpoints, allowInsecure } : { endpoints });
export const retryConnection = (): Promise<NetworkStatus> => commands.retryConnection();

/** The live `network-status` event (same payload as `network_status`). Stopping never throws. */
export const onNetworkStatus = (handler: (status: NetworkStatus) => void): Promise<() => void> => listenTo(EVENTS.networkStatus, handler);
