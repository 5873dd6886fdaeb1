// A recovery phrase on its way to paper (Create an account, Back up an account): the
// draft that holds it in Rust, its words while they are on screen, the word pool of the
// verification step, and the command each step runs with its error.
import { walletBackupChallenge, walletDiscardDraft } from '../../ipc';
import { Task } from '../../task.svelte';

export class PhraseDraft {
  draftId = $state('');
  /** The secret words: only while the words step is shown. */
  words = $state<string[]>([]);
  pool = $state<string[]>([]);
  /** Each step's command, its error shown. */
  readonly task = new Task();

  /** A new draft from Rust: its words are shown. */
  begun(draft: { draftId: string; words: string[] }) {
    this.draftId = draft.draftId;
    this.words = draft.words;
  }

  /** The words are written down: they leave the screen, and the verification pool comes. */
  written(onpool: () => void): Promise<void> {
    return this.task.run(
      () => walletBackupChallenge(this.draftId),
      (challenge) => {
        this.pool = challenge.pool;
        this.words = [];
        onpool();
      },
    );
  }

  /** Closing: the words leave this side, and an unfinished draft's words are wiped in Rust
   *  too (a finished one is gone already). */
  discard() {
    if (this.draftId) void walletDiscardDraft(this.draftId).catch(() => {});
    this.words = [];
    this.pool = [];
  }
}
