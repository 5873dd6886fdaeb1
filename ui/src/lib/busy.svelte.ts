// The busy flag around one command: set while it runs, cleared however it ends, its
// result and its failure handed to the caller. One place for the flag / try / catch /
// finally that every button with a command behind it needs.
//
// `work` is only the command; what is done with its answer is `ondone`, called in the
// same turn as the answer arrives and before the flag clears (as the hand-written
// try / finally did), so the screen never shows the answer with the button still busy.

/** Runs `work`, then `ondone` with its answer; a failure of either goes to `onerror`. */
export async function attempt<T>(
  work: () => Promise<T>,
  ondone: (result: T) => void | Promise<void>,
  onerror: (err: unknown) => void,
): Promise<void> {
  try {
    const after = ondone(await work());
    if (after) await after;
  } catch (err) {
    onerror(err);
  }
}

export class Busy {
  /** True while `run`'s work is in flight. */
  on = $state(false);

  /** `attempt` with the flag set (cleared either way). */
  async run<T>(work: () => Promise<T>, ondone: (result: T) => void | Promise<void>, onerror: (err: unknown) => void): Promise<void> {
    this.on = true;
    try {
      await attempt(work, ondone, onerror);
    } finally {
      this.on = false;
    }
  }
}
