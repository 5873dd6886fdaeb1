// "Can a DBC client reach this machine?", asked of every client the user has
// (compute_check_clients) and kept for a minute, so the machine's detail and the Rent
// step that follows it do not ask twice.
import { computeCheckClients } from '../ipc';
import type { ClientHealth } from '../ipc';

export type Reach = { kind: 'yes'; clients: number } | { kind: 'no'; asked: number } | { kind: 'unknown' };

const KEEP_MS = 60_000;
const asked = new Map<string, { at: number; answer: Promise<Reach> }>();

/** What the user's clients answered about `machineId`, reduced to yes / no / unknown. */
export function reachOf(health: ClientHealth[]): Reach {
  const seeing = health.filter((h) => h.error === null && h.seesMachine === true).length;
  if (seeing > 0) return { kind: 'yes', clients: seeing };
  return health.length > 0 ? { kind: 'no', asked: health.length } : { kind: 'unknown' };
}

export function machineReach(machineId: string, now = Date.now()): Promise<Reach> {
  const kept = asked.get(machineId);
  if (kept && now - kept.at < KEEP_MS) return kept.answer;
  const answer = computeCheckClients(machineId).then(reachOf, (): Reach => ({ kind: 'unknown' }));
  asked.set(machineId, { at: now, answer });
  return answer;
}

/** Tests: forget every answer. */
export function forgetReach() {
  asked.clear();
}
