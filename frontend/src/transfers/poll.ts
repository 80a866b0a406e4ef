/** Re-read a running job every POLL_MS until it ends; the page's unmount stops every timer. */
import { isRunning } from "./describe";

export const POLL_MS = 700;

export class Poller {
  private timers = new Set<number>();

  /**
   * Call `show` with each answer of `read` while `running` says the job runs (a failed read is tried
   * again); `running` defaults to queued or running, the export and import statuses.
   */
  follow<T extends { status: string }>(job: T, read: () => Promise<T>, show: (job: T) => void,
                                       running: (job: T) => boolean = isRunning): void {
    if (!running(job)) return;
    const timer = window.setTimeout(async () => {
      this.timers.delete(timer);
      try {
        const next = await read();
        show(next);
        this.follow(next, read, show, running);
      } catch {
        this.follow(job, read, show, running); // the server may be restarting: keep trying
      }
    }, POLL_MS);
    this.timers.add(timer);
  }

  stop(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
  }
}
