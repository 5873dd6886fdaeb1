// The practice network (src-tauri/src/commands/practice.rs).
import { channelOf } from './call';
import { commands } from './generated';
import type { FundResult, PracticeAccountView, PracticeInfo, PracticeProgress } from './generated';

export type PracticeStage = PracticeProgress['stage'];
/** `role`: `sudo`, `faucet`, `renter`, `fee-pot`, `tenant`, `stash`, `controller`. */
export type PracticeAccount = PracticeAccountView;

/** Starts the practice network if needed and switches to it; resolves once connected. */
export const startPractice = (onProgress: (progress: PracticeProgress) => void): Promise<PracticeInfo> =>
  commands.startPractice({ onProgress: channelOf(onProgress) });
export const practiceStatus = (): Promise<PracticeInfo> => commands.practiceStatus();
export const stopPractice = (): Promise<PracticeInfo> => commands.stopPractice();
/** `amount` is whole or decimal DBC as typed (e.g. "100"); the result is in planck. */
export const practiceFund = (address: string, amount: string): Promise<FundResult> => commands.practiceFund({ address, amount });
