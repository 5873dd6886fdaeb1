// The Remote Desktop window options, kept while the app runs so that leaving the Connect
// step and coming back keeps the user's choice. The limits mirror `dbc::rdp::options`;
// Rust checks them again.
import type { RdpOptions } from '../ipc';

export const MIN_WIDTH = 640;
export const MIN_HEIGHT = 480;
export const MAX_SIDE = 8192;

export const DEFAULT_RDP_OPTIONS: Readonly<RdpOptions> = {
  fullscreen: false,
  width: 1600,
  height: 900,
  multiMonitor: false,
  clipboard: true,
  drives: 'none',
  dynamicResolution: true,
};

export function sizeValid(o: RdpOptions): boolean {
  const ok = (v: number, min: number) => Number.isInteger(v) && v >= min && v <= MAX_SIDE;
  return ok(o.width, MIN_WIDTH) && ok(o.height, MIN_HEIGHT);
}

export const rdpOptions: RdpOptions = $state({ ...DEFAULT_RDP_OPTIONS });
