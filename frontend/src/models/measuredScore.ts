/**
 * The Models page's J&F cell: the number and what it was measured on, so that a fine-tune's score
 * (its project's held-out videos) is not read as comparable to the built-in model's (DAVIS sequences).
 *
 *   measuredScore(checkpoint)   // { jf: "0.423", on: "on dance-twirl, kite-surf, libby" }
 */
import type { Checkpoint } from "../api/client";
import type { Evaluation } from "../api/finetunes";

export interface MeasuredScore { jf: string; on: string }

const score = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> =>
  (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The recorded J&F (`jf`, from a DAVIS-layout evaluation), else a fine-tune's new J&F on its held-out videos. */
export function measuredScore(checkpoint: Pick<Checkpoint, "jf" | "metrics">): MeasuredScore {
  const metrics = record(checkpoint.metrics);
  if (checkpoint.jf !== null) {
    const on = record(metrics.evaluated_on);
    const sequences = Array.isArray(on.sequences) ? on.sequences.filter((s) => typeof s === "string") : [];
    const count = score(on.n_sequences);
    return {
      jf: checkpoint.jf.toFixed(3),
      on: sequences.length ? `on ${sequences.join(", ")}` : count !== null ? `on ${count} sequence${count === 1 ? "" : "s"}` : "",
    };
  }
  const { old, new: next } = record(metrics.evaluation) as Evaluation;
  const jf = score(next?.JF);
  if (jf === null) return { jf: "—", on: "" };
  const videos = score(next?.n_sequences);
  const parent = score(old?.JF);
  const where = videos === null ? "the project's held-out videos" : `${videos} held-out project video${videos === 1 ? "" : "s"}`;
  return { jf: jf.toFixed(3), on: `on ${where}` + (parent === null ? "" : `; parent ${parent.toFixed(3)}`) };
}
