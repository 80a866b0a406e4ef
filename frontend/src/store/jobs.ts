/**
 * Propagation progress by polling: GET /api/jobs/{id}/ every ~700 ms while the job is queued or
 * running, and re-fetch only the frames the job may have written since the last poll (the worker
 * writes chunks of 16 frames, each in one transaction, with frames_done), then the whole track
 * when it ends. Why polling and not a stream: docs/frontend.md.
 *
 *   const watcher = new JobWatcher(api, store, bus, video.frame_count);
 *   watcher.watch(job);       // emits job.progress / job.finished, refreshes annotations
 */
import type { Api, Job } from "../api/client";
import type { AppEvents, EventBus } from "../events";
import type { AnnotationStore } from "./annotations";

export const POLL_MS = 700;
/**
 * Frames re-read behind each side's previous edge: frames held while the tracker judges a
 * possible loss are written one chunk late. More than the default lost_patience (5) minus one.
 */
export const HOLDBACK = 8;
const ACTIVE = new Set(["queued", "running"]);

export function isActive(job: Job): boolean {
  return ACTIVE.has(job.status);
}

/**
 * The frame ranges `job` may have written since a poll that saw `before` frames done: one per side
 * of the start frame, ascending, merged when they touch. The first call (`before` 0) includes the
 * start frame, whose box-only keyframe gets its mask before the first chunk.
 *
 * frames_done counts steps: forward ones first, then backward ones for "both". How many went
 * forward (F) is known only within [fLo, fHi], from frames_total and the clip's ends, so each
 * side's range is widened by that uncertainty (zero unless both sides end at an anchor).
 */
export function newlyWritten(job: Job, before: number, frameCount: number, holdback = HOLDBACK): [number, number][] {
  const last = frameCount - 1, start = job.start_frame, now = job.frames_done, total = job.frames_total;
  // fusion: frames_done also counts the runs back from the far anchors, which write nothing until
  // the main run takes its frames, and a lost main run's rest lands at once: re-read the whole side
  if (job.fusion) return [[job.direction === "forward" ? start : 0, job.direction === "backward" ? start : last]];
  const [fLo, fHi] = job.direction === "forward" ? [total, total] : job.direction === "backward" ? [0, 0]
    : [Math.max(0, total - start), Math.min(total, last - start)];
  const ranges: [number, number][] = [];
  if (job.direction !== "forward" && now > fLo) {
    ranges.push([Math.max(0, start - (now - fLo)), Math.min(start, start - Math.max(0, before - fHi) + holdback)]);
  }
  if (job.direction !== "backward" && (before === 0 || before < fHi)) {
    ranges.push([Math.max(start, start + Math.min(before, fLo) - holdback), Math.min(last, start + Math.min(now, fHi))]);
  }
  const merged: [number, number][] = [];
  for (const [a, b] of ranges.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0])) {
    const prev = merged[merged.length - 1];
    if (prev && a <= prev[1] + 1) prev[1] = Math.max(prev[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

export class JobWatcher {
  private timers = new Map<number, number>();
  private doneSeen = new Map<number, number>(); // frames_done at the last fetch, per job
  readonly jobs = new Map<number, Job>();

  constructor(private api: Api, private store: AnnotationStore, private bus: EventBus<AppEvents>,
              private frameCount: number, private pollMs = POLL_MS) {}

  watch(job: Job): void {
    this.jobs.set(job.id, job);
    if (this.timers.has(job.id)) return;
    this.doneSeen.set(job.id, 0);
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
    const todo = newlyWritten(job, this.doneSeen.get(job.id) ?? 0, this.frameCount);
    this.doneSeen.set(job.id, job.frames_done);
    const tracks = job.tracks.filter((id) => this.store.tracks.has(id));
    await Promise.all(tracks.flatMap((id) => todo.map(([a, b]) => this.store.refreshAnnotations(id, a, b))));
  }
}
