/**
 * Where each track's latest propagation lost its target, read from the job's `stop_reasons`
 * (docs/propagation.md). The newest job that ran a track decides: a job that went through
 * replaces an older stop, and a stop the caller calls settled (re-anchored by hand) is not pending.
 *
 *   const lost = new LostTargets();
 *   lost.record(job);                                 // any job, active or finished, in any order
 *   lost.pending((trackId, frame) => reanchored(...)) // TargetLost[] still waiting for a re-anchor
 */
import type { Job, Stop } from "../api/client";

export interface TargetLost {
  trackId: number;
  jobId: number;
  direction: "forward" | "backward";
  frame: number; // the first of the low frames: where to re-anchor
  measure: Stop["measure"] | null; // null for jobs recorded before the measure was kept
  value: number | null;
  threshold: number | null;
}

/** The lost-target stops of one job, by track then frame. */
export function lostTargets(job: Job): TargetLost[] {
  const out: TargetLost[] = [];
  for (const [step, byTrack] of Object.entries(job.stop_reasons ?? {})) {
    for (const [track, stop] of Object.entries(byTrack)) {
      if (stop.reason !== "target lost") continue;
      out.push({
        trackId: Number(track), jobId: job.id, direction: step === "-1" ? "backward" : "forward", frame: stop.frame,
        measure: stop.measure ?? null, value: stop.value ?? null, threshold: stop.threshold ?? null,
      });
    }
  }
  return out.sort((a, b) => a.trackId - b.trackId || a.frame - b.frame);
}

/** "target lost at frame 17 (quality 0.12 under 0.30)" */
export function lostText(stop: TargetLost): string {
  const under = (name: string) => `${name} ${stop.value!.toFixed(2)} under ${stop.threshold!.toFixed(2)}`;
  const why = stop.measure === "area" ? "empty mask"
    : stop.value === null || stop.threshold === null ? null
      : stop.measure === "quality" ? under("quality") : under("score");
  return `target lost at frame ${stop.frame}${why ? ` (${why})` : ""}`;
}

export class LostTargets {
  private byTrack = new Map<number, { jobId: number; stops: TargetLost[] }>();

  /** Take a job's stops for its tracks, unless a newer job of that track was recorded already. */
  record(job: Job): void {
    const stops = lostTargets(job);
    for (const trackId of job.tracks) {
      const known = this.byTrack.get(trackId);
      if (known && known.jobId > job.id) continue;
      this.byTrack.set(trackId, { jobId: job.id, stops: stops.filter((s) => s.trackId === trackId) });
    }
  }

  /** The stops that are not `settled` (e.g. their frame is hand-made now, or the track is gone). */
  pending(settled: (trackId: number, frame: number) => boolean): TargetLost[] {
    return [...this.byTrack.values()].flatMap((e) => e.stops).filter((s) => !settled(s.trackId, s.frame));
  }
}
