// Links and the Omniverse guide (src-tauri/src/commands/guide.rs).
import { commands } from './generated';
import type { Checklist, ChecklistItem } from './generated';

export type ChecklistItemId = ChecklistItem;

/** Opens an https link in the system browser; the back end refuses links off its allowlist (`link-not-allowed`). */
export const openExternal = (url: string): Promise<void> => commands.openExternal({ url });
/** `rentKey`: `<network>:<rent id>`, or `general` before a rental is chosen. */
export const checklistGet = (rentKey: string): Promise<Checklist> => commands.checklistGet({ rentKey });
export const checklistSet = (rentKey: string, item: ChecklistItemId, done: boolean): Promise<Checklist> =>
  commands.checklistSet({ rentKey, item, done });
