import { describe, expect, it } from "vitest";
import type { EvaluationScores, FineTuneRun, ProjectModel } from "../api/finetunes";
import {
  comparisonRows, decisionText, everyText, formatDuration, heldOutText, isActive, lineageLine, modelInUse,
  progressText, runData, wholeNumber,
} from "./finetuneView";

const scores = (s: Partial<EvaluationScores>): EvaluationScores =>
  ({ J: 0, F: 0, JF: 0, quality_auc: null, score_auc: null, n_sequences: 2, n_frames: 130, ...s });

function run(changes: Partial<FineTuneRun> = {}): FineTuneRun {
  return {
    id: 7, project: 1, status: "running", steps_done: 120, steps_total: 500, loss: 0.23456, seconds_left: 185,
    progress: 0.24, cancel_requested: false, decision: "", reason: "", evaluation: {},
    parent_checkpoint: { id: 3, name: "mobile" }, checkpoint: null, train_videos: [1, 2, 3, 4, 5, 6], heldout_videos: [7, 8], frames: 840,
    error: "", created_at: "2026-11-30T12:00:00Z", started_at: "2026-11-30T12:00:05Z", finished_at: null, ...changes,
  };
}

function model(changes: Partial<ProjectModel> = {}): ProjectModel {
  return {
    checkpoint: { id: 9, name: "shop-ft-1", variant: "mobile", created_at: "2026-11-30T12:00:00Z", metrics: {} },
    source: "project", lineage: [], last_finetune: null, finetune_every_accepted: 0, accepted_since_last: 0,
    can_finetune: true, cannot_finetune_reason: "", ...changes,
  };
}

describe("progressText", () => {
  it("gives steps, loss and time left while training", () => {
    expect(progressText(run())).toBe("step 120 of 500 · loss 0.2346 · about 3 min left");
  });

  it("leaves out what the worker has not measured yet", () => {
    expect(progressText(run({ steps_done: 0, loss: null, seconds_left: null }))).toBe("step 0 of 500");
  });

  it("says what a queued, evaluating or cancelling run is doing", () => {
    expect(progressText(run({ status: "queued" }))).toBe("queued, waiting for a GPU worker");
    expect(progressText(run({ status: "evaluating", heldout_videos: [7] })))
      .toBe("evaluating the old and the new model on 1 held-out video");
    expect(progressText(run({ cancel_requested: true }))).toBe("cancelling…");
  });

  it("counts queued, running and evaluating as active, the rest as ended", () => {
    expect(["queued", "running", "evaluating"].map((status) => isActive({ status }))).toEqual([true, true, true]);
    expect(["done", "failed", "cancelled"].map((status) => isActive({ status }))).toEqual([false, false, false]);
  });
});

describe("formatDuration", () => {
  it("rounds to seconds, minutes, then hours and minutes", () => {
    expect(formatDuration(40.4)).toBe("about 40 s");
    expect(formatDuration(185)).toBe("about 3 min");
    expect(formatDuration(3900)).toBe("about 1 h 5 min");
    expect(formatDuration(-3)).toBe("about 0 s");
  });
});

describe("comparisonRows", () => {
  it("shows old, new and the signed change for J, F, J&F and quality AUC", () => {
    const rows = comparisonRows({
      old: scores({ J: 0.61, F: 0.65, JF: 0.63, quality_auc: 0.8 }),
      new: scores({ J: 0.7, F: 0.64, JF: 0.67, quality_auc: 0.8 }),
    });
    expect(rows).toEqual([
      { metric: "J (region)", old: "0.610", new: "0.700", change: "+0.090", sign: 1 },
      { metric: "F (boundary)", old: "0.650", new: "0.640", change: "-0.010", sign: -1 },
      { metric: "J&F", old: "0.630", new: "0.670", change: "+0.040", sign: 1 },
      { metric: "quality AUC", old: "0.800", new: "0.800", change: "0.000", sign: 0 },
    ]);
  });

  it("shows a dash for a score a model lacks (no quality head)", () => {
    const rows = comparisonRows({ old: scores({ quality_auc: null }), new: scores({ quality_auc: 0.7 }) });
    expect(rows[3]).toEqual({ metric: "quality AUC", old: "—", new: "0.700", change: "—", sign: 0 });
  });

  it("has no rows before the evaluation ran", () => {
    expect(comparisonRows({})).toEqual([]);
    expect(comparisonRows(null)).toEqual([]);
    expect(heldOutText({})).toBe("");
    expect(heldOutText({ old: scores({}), new: scores({}) })).toBe("2 held-out videos, 130 frames");
  });
});

describe("decisionText", () => {
  it("names the promoted checkpoint and the rule it passed", () => {
    const done = run({ status: "done", decision: "promoted", reason: "J&F +0.040 ≥ margin 0.010",
      checkpoint: { id: 10, name: "shop-ft-2" } });
    expect(decisionText(done)).toBe("Promoted: shop-ft-2 is now the project's model: J&F +0.040 ≥ margin 0.010");
  });

  it("says why a new model was not used, and that it is kept", () => {
    const done = run({ status: "done", decision: "not_better", reason: "J&F -0.010 < margin 0.010",
      checkpoint: { id: 10, name: "shop-ft-2" } });
    expect(decisionText(done))
      .toBe("Not better: J&F -0.010 < margin 0.010. shop-ft-2 is kept, but the project's model is unchanged.");
  });

  it("gives the error of a failed run, and nothing while one runs", () => {
    expect(decisionText(run({ status: "failed", error: "no accepted tracks" }))).toBe("Failed: no accepted tracks");
    expect(decisionText(run({ status: "cancelled" }))).toContain("Cancelled");
    expect(decisionText(run())).toBe("");
  });

  it("says where the data came from", () => {
    expect(runData(run({ checkpoint: { id: 10, name: "shop-ft-2" }, train_videos: [1] })))
      .toBe("Trained from mobile into shop-ft-2 on 1 video (840 trusted frames); judged on 2 held-out videos.");
    expect(runData(run({ train_videos: [4, 5, 6], heldout_videos: [7] })))
      .toBe("Trained from mobile on 3 videos (840 trusted frames); judged on 1 held-out video.");
  });
});

describe("the model and its lineage", () => {
  it("describes a fine-tuned checkpoint by its data, and a base model as such", () => {
    const entry = { id: 9, name: "shop-ft-1", created_at: "2026-11-30T12:00:00Z", evaluation: {} };
    expect(lineageLine({ ...entry, steps: 1500, frames: 1200, train_videos: [1, 2, 3, 4, 5, 6, 7, 8] }))
      .toBe("shop-ft-1 · 30 Nov 2026 · 1,500 steps · 1,200 trusted frames · 8 training videos");
    expect(lineageLine({ ...entry, name: "mobile", steps: null, frames: null, train_videos: [] }))
      .toBe("mobile · 30 Nov 2026 · base model");
  });

  it("says whose choice the model in use is", () => {
    expect(modelInUse(model())).toBe("shop-ft-1 (mobile), this project's model");
    expect(modelInUse(model({ source: "server_default" }))).toBe("shop-ft-1 (mobile), the server's default");
    expect(modelInUse(model({ checkpoint: null }))).toBe("No model: none is registered on the server.");
  });

  it("describes the auto-trigger and reads its field", () => {
    expect(everyText(model())).toBe("Automatic fine-tuning is off.");
    expect(everyText(model({ finetune_every_accepted: 20, accepted_since_last: 1 })))
      .toBe("Fine-tunes by itself after every 20 newly accepted tracks (1 accepted since the last one).");
  });

  it("reads a whole-number field, empty as null, anything else as a message", () => {
    expect(wholeNumber(" 20 ", 0, "tracks")).toBe(20);
    expect(wholeNumber("", 1, "steps")).toBeNull();
    expect(wholeNumber("0", 1, "steps")).toBe("steps: a whole number of at least 1, or empty");
    expect(wholeNumber("-1", 0, "tracks")).toBe("tracks: a whole number of at least 0, or empty");
    expect(wholeNumber("2.5", 0, "tracks")).toContain("whole number");
    expect(wholeNumber("ten", 0, "tracks")).toContain("whole number");
  });
});
