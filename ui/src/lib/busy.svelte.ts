// The busy flag around a piece of async work: set while it runs, cleared however it ends,
// its failure handed to the caller. One place for the flag / try / catch / finally that
// every button with a command behind it needs.

/** Runs `work`; a failure goes to `onerror` instead of escaping. */
export async function attempt(work: () => Promise<void>, onerror: (err: unknown) => void): Promise<void> {
  try {
    await work();
  } catch (err) {
    onerror(err);
  }
}

export class Busy {
  /** True while `run`'s work is in flight. */
  on = $state(false);

  /** Runs `work` with the flag set; a failure goes to `onerror` (the flag is cleared either way). */
  async run(work: () => Promise<void>, onerror: (err: unknown) => void): Promise<void> {
    this.on = true;
    try {
      await attempt(work, onerror);
    } finally {
      this.on = false;
    }
  }
}
