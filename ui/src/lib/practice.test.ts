import { describe, expect, test } from 'vitest';
import { elapsedSeconds, nextProgress, PRACTICE_STAGES, stageMarks } from './practice';

describe('practice progress', () => {
  test('marks: before any message the first stage is current', () => {
    expect(stageMarks(null).map((s) => s.mark)).toEqual(['current', 'todo', 'todo', 'todo', 'todo', 'todo']);
  });

  test('marks: earlier stages done, later to do; ready marks all done', () => {
    expect(stageMarks('starting-chain').map((s) => s.mark)).toEqual(['done', 'done', 'current', 'todo', 'todo', 'todo']);
    expect(stageMarks('ready').every((s) => s.mark === 'done')).toBe(true);
    expect(stageMarks('ready').map((s) => s.stage)).toEqual([...PRACTICE_STAGES]);
  });

  test('a late message does not move the stage backwards', () => {
    const at = nextProgress(null, { stage: 'connecting', elapsedMs: 9000 });
    expect(nextProgress(at, { stage: 'seeding', elapsedMs: 9500 })).toEqual({ stage: 'connecting', elapsedMs: 9500 });
    expect(nextProgress(at, { stage: 'ready', elapsedMs: 9800 })).toEqual({ stage: 'ready', elapsedMs: 9800 });
  });

  test('an unknown stage from a newer back end is ignored', () => {
    const at = { stage: 'seeding' as const, elapsedMs: 1 };
    expect(nextProgress(at, { stage: 'warming-up' as never, elapsedMs: 2 })).toBe(at);
  });

  test('elapsed seconds: the later of the back end clock and ours', () => {
    expect(elapsedSeconds(null, 0, 5000)).toBe(0);
    expect(elapsedSeconds({ stage: 'seeding', elapsedMs: 4200 }, 1000, 2000)).toBe(4);
    expect(elapsedSeconds({ stage: 'seeding', elapsedMs: 4200 }, 1000, 8999)).toBe(7);
  });
});
