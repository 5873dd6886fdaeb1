// The UI language and the saved network (src-tauri/src/commands/settings.rs).
import { commands } from './generated';
import type { SettingsView } from './generated';

/** The UI's name for the generated `SettingsView`. */
export type Settings = SettingsView;

export const getSettings = (): Promise<Settings> => commands.getSettings();
export const setLanguage = (language: string): Promise<Settings> => commands.setLanguage({ language });
