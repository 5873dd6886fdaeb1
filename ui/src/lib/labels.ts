// Localized names for values that come from the back end.
import { t } from './i18n';
import type { ConnectionState, Network } from './ipc';

export function networkName(network: Network | string): string {
  switch (network) {
    case 'mainnet':
      return t('network.mainnet');
    case 'practice':
      return t('network.practice');
    case 'custom':
      return t('network.custom');
    default:
      return network;
  }
}

/** `null` means the status could not be read. */
export function connectionLabel(state: ConnectionState | null): string {
  switch (state) {
    case 'not-connected':
      return t('connection.not-connected');
    case 'connecting':
      return t('connection.connecting');
    case 'connected':
      return t('connection.connected');
    case 'reconnecting':
      return t('connection.reconnecting');
    case 'offline':
      return t('connection.offline');
    default:
      return t('connection.unknown');
  }
}
