import { describe, expect, it } from "vitest";
import type { ExportJob, ImportJob } from "../api/client";
import { exportSettings, framesByDefault, importResult } from "./describe";

const exportJob = (over: Partial<ExportJob>): ExportJob => ({
  id: 1, project: 1, format: "coco", videos: [], review_status: [], include_frames: false, coco_masks: "rle", status: "succeeded",
  progress: 1, error: "", download_url: "/x", created_at: "", finished_at: null, ...over,
});
const importJob = (over: Partial<ImportJob>): ImportJob => ({
  id: 1, project: 1, format: "coco", status: "succeeded", progress: 1, error: "", summary: {}, created_at: "",
  finished_at: null, ...over,
});

describe("exportSettings", () => {
  it("names every setting", () => {
    const names = new Map([[3, "clip"]]);
    expect(exportSettings(exportJob({ videos: [3, 4], review_status: ["accepted", "in_review"], include_frames: true }), names))
      .toBe("COCO · clip, #4 · accepted, in review only · with frames");
  });
  it("says when COCO masks are polygons", () => {
    expect(exportSettings(exportJob({ coco_masks: "polygon" }), new Map()))
      .toBe("COCO · masks as polygons · all ready videos · all review statuses · labels only");
  });
  it("says all when nothing was chosen", () => {
    expect(exportSettings(exportJob({ format: "youtube-vis" }), new Map()))
      .toBe("YouTube-VIS · all ready videos · all review statuses · labels only");
  });
});

describe("importResult", () => {
  it("counts what a finished import created", () => {
    const summary = { videos: 1, tracks: 2, frames: 5, masks: 4, boxes: 1 };
    expect(importResult(importJob({ summary }))).toBe("1 video, 2 tracks, 5 frames (4 masks, 1 box)");
    const withOutside = { ...summary, frames: 8, outside: 3 };
    expect(importResult(importJob({ summary: withOutside }))).toBe("1 video, 2 tracks, 8 frames (4 masks, 1 box, 3 outside)");
  });
  it("gives the refusal of a failed one, and nothing while it runs", () => {
    expect(importResult(importJob({ status: "failed", error: "unknown categories: dog" }))).toBe("unknown categories: dog");
    expect(importResult(importJob({ status: "running", summary: {} }))).toBe("");
  });
});

it("only DAVIS includes frames by default", () => {
  expect([framesByDefault("coco"), framesByDefault("youtube-vis"), framesByDefault("davis")]).toEqual([false, false, true]);
});
