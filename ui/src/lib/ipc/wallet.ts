// The wallet (src-tauri/src/commands/wallet.rs). Secrets stay in Rust. The only secret that
// ever reaches the webview is the list of recovery words while they are shown for a backup
// (`walletCreateBegin`, `walletBackupBegin`).
import { channelOf, listenTo } from './call';
import { commands, EVENTS } from './generated';
import type * as wire from './generated';

/** The UI's names for the generated types. */
export type WalletOverview = wire.Overview;
export type BackupWords = wire.DraftWords;
/** `pool`: the words plus decoys, shuffled. */
export type BackupChallenge = wire.Challenge;
export type BackupPick = wire.Pick;
/** `json`: the polkadot.js keystore text (already saved by Rust at `savedTo`). */
export type ExportResult = wire.Exported;
/** All planck, decimal strings. */
export type Balance = wire.BalanceView;
export type TxStage = wire.TxStatus['status'];
export type SendResult = wire.TxOutcome;
export type ImportMnemonic = Parameters<typeof commands.walletImportMnemonic>[0];
export type ImportSeed = Parameters<typeof commands.walletImportSeed>[0];
export type ImportJson = Parameters<typeof commands.walletImportJson>[0];

export const walletOverview = (): Promise<WalletOverview> => commands.walletOverview();
export const walletChooseFileStore = (): Promise<wire.StoreInfo> => commands.walletChooseFileStore();
export const walletCreateBegin = (words: 12 | 24): Promise<BackupWords> => commands.walletCreateBegin({ words });
export const walletBackupChallenge = (draftId: string): Promise<BackupChallenge> => commands.walletBackupChallenge({ draftId });
/** `position` is 0-based: the next empty slot. A wrong word is not placed. */
export const walletBackupPick = (draftId: string, position: number, word: string): Promise<BackupPick> =>
  commands.walletBackupPick({ draftId, position, word });
export const walletCreateFinish = (draftId: string, name: string, password: string, backedUp: boolean): Promise<wire.AccountView> =>
  commands.walletCreateFinish({ draftId, name, password, backedUp });
export const walletBackupBegin = (id: string, password: string): Promise<BackupWords> => commands.walletBackupBegin({ id, password });
export const walletBackupFinish = (draftId: string): Promise<wire.AccountView> => commands.walletBackupFinish({ draftId });
/** Tell Rust a create/backup dialog was closed, so it wipes that draft's words now. */
export const walletDiscardDraft = (draftId: string): Promise<void> => commands.walletDiscardDraft({ draftId });
export const walletImportMnemonic = (args: ImportMnemonic): Promise<wire.AccountView> => commands.walletImportMnemonic({ ...args });
export const walletImportSeed = (args: ImportSeed): Promise<wire.AccountView> => commands.walletImportSeed({ ...args });
export const walletImportJson = (args: ImportJson): Promise<wire.AccountView> => commands.walletImportJson({ ...args });
/** `exportPassword` encrypts the file; without it, the app password does (an explicit choice). */
export const walletExportJson = (id: string, password: string, exportPassword?: string): Promise<ExportResult> =>
  commands.walletExportJson(exportPassword === undefined ? { id, password } : { id, password, exportPassword });
export const walletUse = (id: string): Promise<WalletOverview> => commands.walletUse({ id });
export const walletRename = (id: string, name: string): Promise<WalletOverview> => commands.walletRename({ id, name });
export const walletRemove = (id: string, password: string): Promise<WalletOverview> => commands.walletRemove({ id, password });
export const walletBalance = (id: string): Promise<Balance> => commands.walletBalance({ id });
export const checkAddress = (address: string): Promise<wire.AddressCheck> => commands.checkAddress({ address });
/** `amount` is DBC as typed (decimal string); the quote is in planck. */
export const walletSendQuote = (id: string, to: string, amount: string): Promise<wire.SendQuote> =>
  commands.walletSendQuote({ id, to, amount });

/** Signs and sends a transfer; `onStatus` follows it (signing, broadcast, in block, finalized or failed). */
export const walletSend = (
  args: { id: string; to: string; amount: string; password: string },
  onStatus: (status: wire.TxStatus) => void,
): Promise<SendResult> => commands.walletSend({ ...args, onStatus: channelOf(onStatus) });

/** The live `wallet-balance` event (the active account, on new blocks). Stopping never throws. */
export const onWalletBalance = (handler: (event: wire.BalanceEvent) => void): Promise<() => void> =>
  listenTo(EVENTS.walletBalance, handler);
