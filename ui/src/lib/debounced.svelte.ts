// A value the back end works out from what the user is typing (a rent, renew or send
// quote, an address check): asked for once the typing pauses, and only the answer to
// the latest question is kept, so a slow answer to an older one never shows.
import { toAppError } from './ipc';
import type { AppError } from './ipc';

/** How long the typing must pause before the question goes out. */
export const DEBOUNCE_MS = 300;

export class Debounced<A, V> {
  value = $state<V | null>(null);
  error = $state<AppError | null>(null);
  /** A question is out (or waiting for the pause) and not answered yet. */
  pending = $state(false);
  #seq = 0;
  readonly #ask: (args: A) => Promise<V>;

  constructor(ask: (args: A) => Promise<V>) {
    this.#ask = ask;
  }

  /**
   * Forgets the last answer and asks about `args` after the pause (`null`: there is
   * nothing to ask yet). Meant to be returned from an `$effect`: the cleanup it gives
   * back cancels a question that has not gone out.
   */
  ask(args: A | null): () => void {
    const seq = ++this.#seq;
    this.value = null;
    this.error = null;
    this.pending = args !== null;
    if (args === null) return () => {};
    const timer = setTimeout(async () => {
      try {
        const answer = await this.#ask(args);
        if (seq === this.#seq) this.value = answer;
      } catch (err) {
        if (seq === this.#seq) this.error = toAppError(err);
      } finally {
        if (seq === this.#seq) this.pending = false;
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }
}
