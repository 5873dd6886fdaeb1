// What every signing form holds (Rent, Send, Confirm, Renew, VM power): the account
// password, the busy flag, the transaction's streamed statuses and the error.
import type { AppError, TxStatus } from './ipc';
import { Task } from './task.svelte';

export class Signing {
  password = $state('');
  statuses = $state<TxStatus[]>([]);
  readonly #task = new Task();

  get busy(): boolean {
    return this.#task.busy;
  }

  get error(): AppError | null {
    return this.#task.error;
  }

  /** A password is typed and nothing is in flight. */
  get ready(): boolean {
    return this.password !== '' && !this.busy;
  }

  /**
   * Runs `op` with the password, which leaves the field (and this object) first so it is
   * never kept after being used; `ondone` gets the result, and a failure of either
   * becomes `error`.
   */
  async sign<T>(
    op: (password: string, onstatus: (s: TxStatus) => void) => Promise<T>,
    ondone: (result: T) => void | Promise<void>,
  ): Promise<void> {
    const secret = this.password;
    this.password = '';
    this.statuses = [];
    await this.#task.run(
      () =>
        op(secret, (s) => {
          this.statuses = [...this.statuses, s];
        }),
      ondone,
    );
  }
}
