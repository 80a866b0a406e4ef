/** The propagation progress bar's label: the count first, so a narrow panel never hides it. */
import type { Job } from "../api/client";

export function jobProgressLabel(job: Pick<Job, "direction" | "start_frame" | "frames_done" | "frames_total">,
  afterCorrection: boolean): string {
  const what = afterCorrection ? `refreshing after the correction on frame ${job.start_frame}`
    : `${job.direction} from ${job.start_frame}`;
  return `${job.frames_done}/${job.frames_total || "?"} · ${what}`;
}
