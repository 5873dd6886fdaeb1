// Network choice and the practice network, shared by Settings and the offline banner
// (which can start the practice network from any screen).
import { getNetworkSettings, practiceStatus, setMainnetEndpoints, setNetwork, startPractice, stopPractice, toAppError } from './ipc';
import type { AppError, NetworkChoice, NetworkSettings, PracticeInfo, PracticeProgress } from './ipc';
import { nextProgress } from './practice';

export class NetworkController {
  settings = $state<NetworkSettings | null>(null);
  practice = $state<PracticeInfo | null>(null);
  /** `start_practice` is in flight. */
  starting = $state(false);
  progress = $state<PracticeProgress | null>(null);
  /** `Date.now()` when the current start began, 0 when none. */
  startedAt = $state(0);
  /** Why the last start failed, shown in place with a retry button. */
  startError = $state<AppError | null>(null);
  stopping = $state(false);

  /** Failures that have no place of their own (loading) go to the app's error banner. */
  private readonly report: (err: AppError) => void;
  /** Bumped by every change, so a slow `load` does not overwrite a newer answer. */
  private version = 0;

  constructor(report: (err: AppError) => void) {
    this.report = report;
  }

  async load(): Promise<void> {
    const before = this.version;
    const [settings, practice] = await Promise.allSettled([getNetworkSettings(), practiceStatus()]);
    if (this.version !== before || this.starting) return;
    if (settings.status === 'fulfilled') this.settings = settings.value;
    else this.report(toAppError(settings.reason));
    if (practice.status === 'fulfilled') this.practice = practice.value;
    else this.report(toAppError(practice.reason));
  }

  /**
   * Reads the practice network's facts again (running? where? which accounts?): it can
   * stop and come back on a new port without the app doing anything (`dbc-sandbox
   * down` / `up`), and the Settings panel must not keep showing the old state.
   */
  async refreshPractice(): Promise<void> {
    const before = this.version;
    try {
      const practice = await practiceStatus();
      if (this.version === before && !this.starting) this.practice = practice;
    } catch {
      // The panel keeps its last state; the status bar and banner say what is wrong.
    }
  }

  /** Starts (or joins) the practice network and switches to it. Errors stay in `startError`. */
  async startPractice(): Promise<boolean> {
    if (this.starting) return false;
    this.version++;
    this.starting = true;
    this.startError = null;
    this.progress = null;
    this.startedAt = Date.now();
    try {
      this.practice = await startPractice((message) => {
        this.progress = nextProgress(this.progress, message);
      });
      await this.reloadSettings();
      return true;
    } catch (err) {
      this.startError = toAppError(err);
      return false;
    } finally {
      this.starting = false;
      this.startedAt = 0;
    }
  }

  async stopPractice(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.version++;
    try {
      this.practice = await stopPractice();
    } catch (err) {
      this.report(toAppError(err));
    } finally {
      this.stopping = false;
    }
  }

  /** Mainnet or a custom node. Throws `AppError` for the caller to show in place. */
  async choose(choice: NetworkChoice, allowInsecure = false): Promise<void> {
    this.version++;
    this.settings = await setNetwork(choice, allowInsecure);
    this.startError = null;
    // Leaving the practice network stops one the app started.
    try {
      this.practice = await practiceStatus();
    } catch {
      // Not worth a banner: the panel simply keeps its last state.
    }
  }

  /** Throws `AppError` for the caller to show in place. */
  async saveEndpoints(endpoints: string[], allowInsecure = false): Promise<void> {
    this.version++;
    this.settings = await setMainnetEndpoints(endpoints, allowInsecure);
  }

  private async reloadSettings(): Promise<void> {
    try {
      this.settings = await getNetworkSettings();
    } catch (err) {
      this.report(toAppError(err));
    }
  }
}
