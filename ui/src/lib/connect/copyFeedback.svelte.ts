// What the Connect step's Copy buttons show after Rust copied a login field: the field
// just copied ("Copied" on its button for 2 s) and, for a secret, a note that stays
// until Rust clears the clipboard again (copying something else replaced the secret
// anyway, so the note goes with the next copy). One copy of the two timers for the
// Remote Desktop login and the SSH card.
import { t } from '../i18n';

/** "Copied" stays on a button this long. */
const COPIED_MS = 2000;

export class CopyFeedback<F extends string> {
  /** The field copied last, for 2 s. */
  copied = $state<F | null>(null);
  /** "Cleared from the clipboard in N s" while a copied secret is there. */
  note = $state<string | null>(null);
  #copiedTimer: ReturnType<typeof setTimeout> | undefined;
  #noteTimer: ReturnType<typeof setTimeout> | undefined;

  /** `field` was copied; Rust clears it after `clearsInSecs` (`null`: not a secret, never cleared). */
  done(field: F, clearsInSecs: number | null) {
    this.copied = field;
    clearTimeout(this.#copiedTimer);
    this.#copiedTimer = setTimeout(() => (this.copied = null), COPIED_MS);
    clearTimeout(this.#noteTimer);
    this.note = clearsInSecs !== null ? t('connect.copied-secret', { secs: clearsInSecs }) : null;
    if (clearsInSecs !== null) this.#noteTimer = setTimeout(() => (this.note = null), clearsInSecs * 1000);
  }

  /** Nothing shown and no timer left (another rental, or the screen goes away). */
  reset() {
    clearTimeout(this.#copiedTimer);
    clearTimeout(this.#noteTimer);
    this.copied = null;
    this.note = null;
  }
}
