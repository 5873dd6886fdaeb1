// Desktop notifications (src-tauri/src/commands/reminders.rs).
import { commands } from './generated';

/** A desktop notification with text in the user's language. */
export const notifyReminder = (title: string, body: string): Promise<void> => commands.notifyReminder({ title, body });
