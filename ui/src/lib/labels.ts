// Localized names for values that come from the back end.
import { t } from './i18n';
import type { ConnectionState, Network, NetworkStatus, PracticeStage, TxStatus } from './ipc';
import { shortHash } from './format';

/** Mainnet's genesis hash (`MAINNET_GENESIS` in crates/dbc/src/chain/profile.rs; a Rust test
 *  keeps the two equal). */
export const MAINNET_GENESIS = '0x03aa6b475a03f8baf7f83e448513b00eaab03aefa4ed64bd1d31160dce028add';

/** The status bar's name for the connected network: a custom node on mainnet's chain says so
 *  (it shares mainnet's rentals, which are kept by genesis). */
export function statusNetworkName(status: NetworkStatus): string {
  if (status.network === 'custom' && status.genesisHash?.toLowerCase() === MAINNET_GENESIS) return t('network.mainnet-via-custom');
  return networkName(status.network);
}

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

export function practiceStageLabel(stage: PracticeStage): string {
  switch (stage) {
    case 'preparing-spec':
      return t('practice.stage.preparing-spec');
    case 'seeding':
      return t('practice.stage.seeding');
    case 'starting-chain':
      return t('practice.stage.starting-chain');
    case 'starting-client':
      return t('practice.stage.starting-client');
    case 'connecting':
      return t('practice.stage.connecting');
    case 'ready':
      return t('practice.stage.ready');
    default:
      return stage;
  }
}

/** Roles of the practice accounts (kebab-case from dbc-sandbox); an unknown role shows as is. */
export function practiceRoleLabel(role: string): string {
  switch (role) {
    case 'sudo':
      return t('practice.role.sudo');
    case 'faucet':
      return t('practice.role.faucet');
    case 'renter':
      return t('practice.role.renter');
    case 'fee-pot':
      return t('practice.role.fee-pot');
    case 'tenant':
      return t('practice.role.tenant');
    case 'stash':
      return t('practice.role.stash');
    case 'controller':
      return t('practice.role.controller');
    default:
      return role;
  }
}

/** One line of a transfer's progress, from the `wallet_send` status channel. */
export function txStatusLabel(status: TxStatus): string {
  switch (status.status) {
    case 'signing':
      return t('send.status.signing');
    case 'broadcast':
      return t('send.status.broadcast');
    case 'inBlock':
      return status.blockHash ? t('send.status.in-block-hash', { hash: shortHash(status.blockHash) }) : t('send.status.in-block');
    case 'finalized':
      return t('send.status.finalized');
    case 'invalid':
      return t('send.status.invalid', { reason: status.reason ?? '—' });
    case 'dropped':
      return t('send.status.dropped', { reason: status.reason ?? '—' });
    default:
      return String((status as { status: unknown }).status);
  }
}
