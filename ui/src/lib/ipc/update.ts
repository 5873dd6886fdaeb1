// Signed updates (src-tauri/src/commands/update.rs): the release address and key are built
// into the app; the webview can only check, install the checked release and restart.
import { channelOf } from './call';
import { commands } from './generated';
import type { UpdateCheck, UpdateInfo, UpdateProgress } from './generated';

export const updateInfo = (): Promise<UpdateInfo> => commands.updateInfo();
/** Rejects with `update-not-newer` when an older version is offered, `update-not-configured` without a release address. */
export const updateCheck = (): Promise<UpdateCheck> => commands.updateCheck();
/** Downloads, verifies and installs the release of the last check; resolves to its version. */
export const updateInstall = (onProgress: (progress: UpdateProgress) => void): Promise<string> =>
  commands.updateInstall({ onProgress: channelOf(onProgress) });
export const updateRestart = (): Promise<void> => commands.updateRestart();
