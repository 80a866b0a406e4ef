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

function progressText(job: Counted): string {
  if (!job.fusion) return `${job.frames_done}/${job.frames_total || "?"}`;
  return job.frames_total ? `${Math.floor((100 * job.frames_done) / job.frames_total)}%` : "…";
}

export function jobProgressLabel(job: Counted & Pick<Job, "direction" | "start_frame">, afterCorrection: boolean): string {
  const what = afterCorrection ? `refreshing after the correction on frame ${job.start_frame}`
    : `${job.direction} from ${job.start_frame}`;
  return `${progressText(job)} · ${what}`;
}

export function jobDoneText(job: Counted): string {
  return job.fusion ? "propagation done (segments tracked from both ends)" : `propagation done: ${job.frames_done} frames`;
}
