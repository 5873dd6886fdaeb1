// Typed wrappers for the Tauri commands of the Rust side (src-tauri), one file per
// `src-tauri/src/commands/*.rs`, over the generated contract (`generated.ts`: the types,
// the raw command wrappers and the event names, all from the Rust definitions). Every
// existing `from '…/ipc'` import goes through here.
export * from './generated';
export { AppError, toAppError, type AppErrorCode } from './call';
export * from './app';
export * from './settings';
export * from './network';
export * from './practice';
export * from './wallet';
export * from './market';
export * from './guide';
export * from './rental';
export * from './compute';
export * from './rental-settings';
export * from './reminders';
export * from './connect';
export * from './ssh';
export * from './update';
// Explicit names win over the generated ones of the same name.
export type { NetworkChoice, NetworkSettings } from './network';
export type { ConnectionCheck, Renewed, Rental, RentalQuote, VmLogin } from '../rentals/types';
