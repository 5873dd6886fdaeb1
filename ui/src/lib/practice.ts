// The practice network's start-up stages, in the order dbc-sandbox goes through them.
import type { PracticeProgress, PracticeStage } from './ipc';

export const PRACTICE_STAGES: readonly PracticeStage[] = [
  'preparing-spec',
  'seeding',
  'starting-chain',
  'starting-client',
  'connecting',
  'ready',
];

export type StageMark = 'done' | 'current' | 'todo';

/** Every stage with its mark for the step list; `null` (no message yet) marks the first as current. */
export function stageMarks(current: PracticeStage | null): Array<{ stage: PracticeStage; mark: StageMark }> {
  const at = current ? PRACTICE_STAGES.indexOf(current) : 0;
  const ready = current === 'ready';
  return PRACTICE_STAGES.map((stage, i) => ({
    stage,
    mark: ready || i < at ? 'done' : i === at ? 'current' : 'todo',
  }));
}

/**
 * Folds one progress message into the shown progress: a message that arrives late
 * (an earlier stage than the one shown) does not move the list backwards.
 */
export function nextProgress(shown: PracticeProgress | null, message: PracticeProgress): PracticeProgress {
  if (!PRACTICE_STAGES.includes(message.stage)) return shown ?? message;
  if (!shown) return message;
  const later = PRACTICE_STAGES.indexOf(message.stage) >= PRACTICE_STAGES.indexOf(shown.stage);
  return later ? message : { stage: shown.stage, elapsedMs: Math.max(shown.elapsedMs, message.elapsedMs) };
}

/** Whole seconds to show: the back end's clock, or ours if it is ahead (between messages). */
export function elapsedSeconds(progress: PracticeProgress | null, startedAt: number, now: number): number {
  const local = startedAt > 0 ? now - startedAt : 0;
  return Math.max(0, Math.floor(Math.max(progress?.elapsedMs ?? 0, local) / 1000));
}
