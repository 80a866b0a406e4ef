/**
 * Propagation progress by polling: GET /api/jobs/{id}/ every ~700 ms while the job is queued or
 * running, and re-fetch only the frames the job has reached since the last poll (the worker writes
 * chunks of 16 frames, each in one transaction), then once the whole range when it ends.
 * Why polling and not a stream: docs/frontend.md.
 *
 *   const watcher = new JobWatcher(api, store, bus, video.frame_count);
 *   watcher.watch(job);       // emits job.progress / job.finished, refreshes annotations
 */
import type { Api, Job } from "../api/client";
import type { AppEvents, EventBus } from "../events";
import type { AnnotationStore } from "./annotations";

export const POLL_MS = 700;
const ACTIVE = new Set(["queued", "running"]);

export function isActive(job: Job): boolean {
  return ACTIVE.has(job.status);
}

/** The frame range [first, last] a job may have written so far (with one chunk of slack). */
export function reachedRange(job: Job, frameCount: number, slack = 16): [number, number] {
  const last = frameCount - 1;
  const done = job.frames_done + slack;
  const start = job.start_frame;
  if (!isActive(job)) {
    // finished: everything it could have touched
    if (job.direction === "forward") return [start, last];
    if (job.direction === "backward") return [0, start];
    return [0, last];
  }
  const lo = job.direction === "forward" ? start : Math.max(0, start - done);
  const hi = job.direction === "backward" ? start : Math.min(last, start + done);
  return [lo, hi];
}

/** What to fetch now: the part of `range` not yet fetched (`seen`), as at most two ranges. */
export function newRanges(seen: [number, number] | null, range: [number, number]): [number, number][] {
  if (!seen) return [range];
  const out: [number, number][] = [];
  // re-fetch one frame of overlap: the boundary chunk may have been partly written last time
  if (range[0] < seen[0]) out.push([range[0], Math.min(seen[0], range[1])]);
  if (range[1] > seen[1]) out.push([Math.max(seen[1], range[0]), range[1]]);
  return out;
}

export class JobWatcher {
  private timers = new Map<number, number>();
  private seen = new Map<number, [number, number] | null>();
  readonly jobs = new Map<number, Job>();

  constructor(private api: Api, private store: AnnotationStore, private bus: EventBus<AppEvents>,
              private frameCount: number, private pollMs = POLL_MS) {}

  watch(job: Job): void {
    this.jobs.set(job.id, job);
    if (this.timers.has(job.id)) return;
    this.seen.set(job.id, null);
    this.bus.emit("job.progress", { job });
    this.schedule(job.id, 0);
  }

  /** The job running on a track, if we are watching one. */
  activeFor(trackId: number): Job | null {
    for (const job of this.jobs.values()) if (isActive(job) && job.tracks.includes(trackId)) return job;
    return null;
  }

  async cancel(jobId: number): Promise<void> {
    const job = await this.api.cancelJob(jobId);
    this.jobs.set(jobId, job);
    this.bus.emit("job.progress", { job });
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(jobId: number, delay: number): void {
    this.timers.set(jobId, window.setTimeout(() => void this.poll(jobId), delay));
  }

  private async poll(jobId: number): Promise<void> {
    let job: Job;
    try {
      job = await this.api.getJob(jobId);
    } catch {
      this.schedule(jobId, this.pollMs * 3); // the server may be restarting: keep trying, slower
      return;
    }
    if (!this.timers.has(jobId)) return; // stopped meanwhile
    const previous = this.jobs.get(jobId);
    this.jobs.set(jobId, job);
    const active = isActive(job);
    // while it runs, fetch the newly reached frames; when it ends, reloadTrack below takes all
    if (active && job.frames_done !== previous?.frames_done) await this.fetchReached(job);
    this.bus.emit("job.progress", { job });
    if (active) return this.schedule(jobId, this.pollMs);
    this.timers.delete(jobId);
    await Promise.all(job.tracks.filter((id) => this.store.tracks.has(id)).map((id) => this.store.reloadTrack(id)));
    this.bus.emit("job.finished", { job });
  }

  private async fetchReached(job: Job): Promise<void> {
    if (job.frames_done === 0) return;
    const range = reachedRange(job, this.frameCount);
    const todo = newRanges(this.seen.get(job.id) ?? null, range);
    this.seen.set(job.id, range);
    const tracks = job.tracks.filter((id) => this.store.tracks.has(id));
    await Promise.all(tracks.flatMap((id) => todo.map(([a, b]) => this.store.refreshAnnotations(id, a, b))));
  }
}
