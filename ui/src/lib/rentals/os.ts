// Which kind of VM a rental has, from its journaled plan: a Linux (Ubuntu) VM is reached
// over SSH and GPU-checked before Confirm; everything else (and plans journaled before
// Linux VMs were offered, which have no `os`) is a Windows VM reached over Remote Desktop.
import type { Rental } from './types';

export function isLinuxRental(r: Rental | null | undefined): boolean {
  return r?.vm?.plan?.os === 'linux';
}
