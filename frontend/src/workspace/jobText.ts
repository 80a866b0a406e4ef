/**
 * The propagation panel's words for a job: the bar's label (the count first, so a narrow panel
 * never hides it) and the notice when it is done.
 *
 * A fused job (`fusion`) tracks each two-anchor segment twice, once from each end, and counts both
 * in frames_done / frames_total: a count of those "frames" would exceed the clip (27 on a 20-frame
 * clip), so a fused job shows a percentage and no frame count.
 */
import type { Job } from "../api/client";

type Counted = Pick<Job, "fusion" | "frames_done" | "frames_total">;
type Labelled = Counted & Pick<Job, "direction" | "start_frame"> & Partial<Pick<Job, "status">>;

/** A total of 0 is unknown while the job waits to be planned ("?"), and a real 0 once it ended. */
function progressText(job: Labelled): string {
  const ended = job.status !== undefined && job.status !== "queued" && job.status !== "running";
  if (!job.fusion) return `${job.frames_done}/${job.frames_total || (ended ? 0 : "?")}`;
  return job.frames_total ? `${Math.floor((100 * job.frames_done) / job.frames_total)}%` : "…";
}

export function jobProgressLabel(job: Labelled, afterCorrection: boolean): string {
  const what = afterCorrection ? `refreshing after the correction on frame ${job.start_frame}`
    : `${job.direction} from ${job.start_frame}`;
  return `${progressText(job)} · ${what}`;
}

const NEXT: Record<Job["direction"], string> = {
  forward: "the next frames forward are", backward: "the previous frames are", both: "the frames on both sides are",
};

/**
 * The notice when a job succeeded. A job that wrote no frame says why instead of "0 frames": a run
 * stops before the next manual frame, so a frame whose neighbours in that direction are hand-made
 * (or the video's end) leaves nothing to propagate; a run that stopped at once gives its stop reason.
 */
export function jobDoneText(job: Counted & Partial<Pick<Job, "direction" | "stop_reasons">>): string {
  if (job.fusion) return "propagation done (segments tracked from both ends)";
  if (job.frames_done > 0) return `propagation done: ${job.frames_done} frame${job.frames_done === 1 ? "" : "s"}`;
  const stop = Object.values(job.stop_reasons ?? {}).flatMap((byTrack) => Object.values(byTrack))[0];
  if (stop && job.frames_total > 0) return `nothing propagated: ${stop.reason} (frame ${stop.frame})`;
  return `nothing to propagate: ${NEXT[job.direction ?? "forward"]} hand-made or the video ends there `
    + "(manual frames are never overwritten)";
}
