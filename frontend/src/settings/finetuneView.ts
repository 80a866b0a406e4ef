/**
 * The project's model and its fine-tunes in words, for the settings page's Model panel (no DOM here).
 *
 *   progressText(run)      // "step 120 of 500 · loss 0.2345 · about 3 min left"
 *   comparisonRows(run.evaluation)   // J, F, J&F, quality AUC: old, new and the change
 *   lineageLine(entry)     // "shop-ft-2 · 30 Nov 2026 · 500 steps · 840 trusted frames · 6 training videos"
 */
import { formatDate } from "../ui/dates";
import type { Evaluation, EvaluationScores, FineTuneRun, LineageEntry, ProjectModel } from "../api/finetunes";

export const isActive = (run: { status: string }): boolean =>
  run.status === "queued" || run.status === "running" || run.status === "evaluating";

const plural = (n: number, word: string): string => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

/** Seconds as a rough wait: "about 40 s", "about 3 min", "about 1 h 5 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `about ${s} s`;
  const min = Math.round(s / 60);
  return min < 60 ? `about ${min} min` : `about ${Math.floor(min / 60)} h ${min % 60} min`;
}

/** What a run is doing now, for the label of its progress bar. */
export function progressText(run: FineTuneRun): string {
  if (run.cancel_requested && isActive(run)) return "cancelling…";
  if (run.status === "queued") return "queued, waiting for a GPU worker";
  if (run.status === "evaluating") {
    return `evaluating the old and the new model on ${plural(run.heldout_videos.length, "held-out video")}`;
  }
  if (run.status !== "running") return run.status;
  const parts = [`step ${run.steps_done.toLocaleString("en")} of ${run.steps_total.toLocaleString("en")}`];
  if (run.loss !== null) parts.push(`loss ${run.loss.toFixed(4)}`);
  if (run.seconds_left !== null) parts.push(`${formatDuration(run.seconds_left)} left`);
  return parts.join(" · ");
}

/** The data a run learns from and is judged on. */
export function runData(run: FineTuneRun): string {
  const from = run.parent_checkpoint ? ` from ${run.parent_checkpoint.name}` : "";
  const to = run.checkpoint ? ` into ${run.checkpoint.name}` : "";
  return `Trained${from}${to} on ${plural(run.train_videos.length, "video")} (${plural(run.frames, "trusted frame")}); `
    + `judged on ${plural(run.heldout_videos.length, "held-out video")}.`;
}

export interface ComparisonRow { metric: string; old: string; new: string; change: string; sign: -1 | 0 | 1 }

export const METRICS: [keyof EvaluationScores, string][] = [
  ["J", "J (region)"], ["F", "F (boundary)"], ["JF", "J&F"], ["quality_auc", "quality AUC"]];

const score = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** J, F, J&F and quality AUC of the old and the new model, with new − old; [] before the evaluation. */
export function comparisonRows(evaluation: Evaluation | null | undefined): ComparisonRow[] {
  const { old, new: next } = evaluation ?? {};
  if (!old || !next) return [];
  return METRICS.map(([key, metric]) => {
    const a = score(old[key]);
    const b = score(next[key]);
    const shown = (v: number | null) => (v === null ? "—" : v.toFixed(3));
    if (a === null || b === null) return { metric, old: shown(a), new: shown(b), change: "—", sign: 0 };
    const diff = Number((b - a).toFixed(3));
    const sign = diff > 0 ? 1 : diff < 0 ? -1 : 0;
    return { metric, old: shown(a), new: shown(b), change: `${sign > 0 ? "+" : ""}${diff.toFixed(3)}`, sign };
  });
}

/** What the held-out set was: "2 held-out videos, 130 frames". */
export function heldOutText(evaluation: Evaluation | null | undefined): string {
  const scores = evaluation?.old ?? evaluation?.new;
  return scores ? `${plural(scores.n_sequences, "held-out video")}, ${plural(scores.n_frames, "frame")}` : "";
}

/** The outcome in words: promoted, not better (and why), failed (and the error), cancelled; "" while it runs. */
export function decisionText(run: FineTuneRun): string {
  const why = run.reason ? `: ${run.reason}` : "";
  if (run.status === "failed") return `Failed: ${run.error || "the worker gave no reason"}`;
  if (run.status === "cancelled") return "Cancelled before it finished; the project's model is unchanged.";
  if (run.decision === "promoted") return `Promoted: ${run.checkpoint?.name ?? "the new model"} is now the project's model${why}`;
  if (run.decision === "not_better") {
    return `Not better${why}. ${run.checkpoint?.name ?? "The new model"} is kept, but the project's model is unchanged.`;
  }
  return "";
}

export { formatDate }; // the app's one date format (ui/dates.ts)

/** One checkpoint of the lineage: a fine-tuned one says what it learned from; a base model says so. */
export function lineageLine(entry: LineageEntry): string {
  const parts = [entry.name, formatDate(entry.created_at)];
  if (!entry.steps) parts.push("base model");
  else {
    parts.push(plural(entry.steps, "step"));
    if (entry.frames !== null) parts.push(plural(entry.frames, "trusted frame"));
    parts.push(plural(entry.train_videos.length, "training video"));
  }
  return parts.join(" · ");
}

/** The model in use and where the choice comes from. */
export function modelInUse(model: ProjectModel): string {
  if (!model.checkpoint) return "No model: none is registered on the server.";
  const whose = model.source === "project" ? "this project's model" : "the server's default";
  return `${model.checkpoint.name} (${model.checkpoint.variant}), ${whose}`;
}

/** The auto-trigger setting in words. */
export function everyText(model: ProjectModel): string {
  if (model.finetune_every_accepted <= 0) return "Automatic fine-tuning is off.";
  return `Fine-tunes by itself after every ${plural(model.finetune_every_accepted, "newly accepted track")} `
    + `(${model.accepted_since_last.toLocaleString("en")} accepted since the last one).`;
}

/** A field's whole number of at least `min`: null when empty, else a message saying what is wrong. */
export function wholeNumber(text: string, min: number, what: string): number | null | string {
  const t = text.trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isInteger(n) && n >= min ? n : `${what}: a whole number of at least ${min}, or empty`;
}
