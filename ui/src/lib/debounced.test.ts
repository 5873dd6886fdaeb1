// The debounced question behind the quotes and the address check: asked once the typing
// pauses, only the latest question's answer kept, a failure kept as the error.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { DEBOUNCE_MS, Debounced } from './debounced.svelte';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Debounced', () => {
  test('asks once the pause is over, and is pending until the answer comes', async () => {
    const ask = vi.fn(async (n: number) => n * 2);
    const d = new Debounced(ask);
    d.ask(21);
    expect(d.pending).toBe(true);
    expect(ask).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(ask).toHaveBeenCalledWith(21);
    expect(d.value).toBe(42);
    expect(d.pending).toBe(false);
  });

  test('a newer question cancels the waiting one, and a late answer to an older one is dropped', async () => {
    let release: (v: string) => void = () => {};
    const slow = new Promise<string>((resolve) => (release = resolve));
    const d = new Debounced(async (q: string) => (q === 'old' ? slow : q));
    const cancel = d.ask('first');
    cancel();
    d.ask('old');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    d.ask('new');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(d.value).toBe('new');
    release('old answer');
    await vi.advanceTimersByTimeAsync(0);
    expect(d.value).toBe('new');
  });

  test('nothing to ask clears the answer; a failure becomes the error', async () => {
    const d = new Debounced(async (q: string) => {
      if (q === 'bad') throw { code: 'invalid-address', message: 'no' };
      return q;
    });
    d.ask('good');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(d.value).toBe('good');
    d.ask(null);
    expect(d.value).toBeNull();
    expect(d.pending).toBe(false);
    d.ask('bad');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(d.value).toBeNull();
    expect(d.error?.code).toBe('invalid-address');
    expect(d.pending).toBe(false);
  });
});
