// DBC clients and reminder lead times (src-tauri/src/commands/rental_settings.rs).
import { commands } from './generated';
import type { RentalSettings } from './generated';

export const rentalSettings = (): Promise<RentalSettings> => commands.rentalSettings();
export const setComputeClients = (clients: string[]): Promise<RentalSettings> => commands.setComputeClients({ clients });
export const setReminderLeads = (minutes: number[]): Promise<RentalSettings> => commands.setReminderLeads({ minutes });
export const setCommunityClients = (enabled: boolean): Promise<RentalSettings> => commands.setCommunityClients({ enabled });
