// App information (src-tauri/src/commands/app.rs).
import { commands } from './generated';
import type { AppInfo } from './generated';

export const appInfo = (): Promise<AppInfo> => commands.appInfo();
