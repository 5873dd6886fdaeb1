// A command behind a button whose failure the screen shows: the busy flag and the last
// error (cleared when the command runs again), for the forms and dialogs that run one
// command at a time.
import { toAppError } from './ipc';
import type { AppError } from './ipc';
import { Busy } from './busy.svelte';

export class Task {
  error = $state<AppError | null>(null);
  readonly #busy = new Busy();

  get busy(): boolean {
    return this.#busy.on;
  }

  /** Runs `work`, then `ondone` with its answer; a failure of either becomes `error`. */
  run<T>(work: () => Promise<T>, ondone: (result: T) => void | Promise<void>): Promise<void> {
    this.error = null;
    return this.#busy.run(work, ondone, (err) => (this.error = toAppError(err)));
  }
}
