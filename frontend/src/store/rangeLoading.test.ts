import { describe, expect, it, vi } from "vitest";
import type { Annotation, Api } from "../api/client";
import { EventBus, type AppEvents } from "../events";
import { AnnotationStore } from "./annotations";
import { MAX_WINDOWS } from "./frameWindows";

const FRAMES = 20_000;

/** A server holding one track with a propagated annotation on every frame of a 20,000-frame video. */
function longVideo() {
  const row = (frame: number) => ({ frame, source: "propagated", score: 0.9, quality: null, area: 10, bbox: [0, 0, 2, 2],
    rotated_box: null, mask: null, job: null, updated_at: "t0" }) as unknown as Annotation;
  const deleted = new Set<number>();
  const listAnnotations = vi.fn(async (_id: number, from = 0, to = FRAMES - 1, changedSince?: string) => {
    expect(to - from).toBeLessThan(1000); // the server's cap: the store never asks for more
    const frames = Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((f) => !deleted.has(f));
    return (changedSince ? frames.filter((f) => f % 100 === 7) : frames).map(row); // a delta: frames ending in 07
  });
  let summaries = 0;
  const trackSummary = vi.fn(async (_id: number, from = 0, to = FRAMES - 1) => {
    const frame = Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((f) => !deleted.has(f));
    return { frame, source: frame.map(() => "propagated"), score: frame.map(() => 0.9), quality: frame.map(() => null),
             area: frame.map(() => 10), cursor: `c${++summaries}` };
  });
  const api = {
    getVideo: async () => ({ id: 9, project: 1, frame_count: FRAMES }), listLabels: async () => [],
    getProject: async () => ({ role: "annotator" }), listTracks: async () => [{ id: 1, object_id: 1 }],
    listAnnotations, trackSummary,
  } as unknown as Api;
  return { store: new AnnotationStore(api, new EventBus<AppEvents>(), null), listAnnotations, trackSummary, deleted };
}

const asked = (fn: ReturnType<typeof vi.fn>) => fn.mock.calls.map((c) => [c[1], c[2]]);
const since = (fn: ReturnType<typeof vi.fn>) => fn.mock.calls.map((c) => c[3]);

describe("AnnotationStore range loading", () => {
  it("loads the summary of the whole track but masks only around the frame on screen", async () => {
    const { store, listAnnotations } = longVideo();
    await store.load(9, 1234);
    expect(store.frameTotal(1)).toBe(FRAMES);
    expect(store.summary(1)).toHaveLength(FRAMES);
    expect(asked(listAnnotations)).toEqual([[500, 999], [1000, 1499], [1500, 1999]]); // in parallel
    expect(store.annotation(1, 1234)?.frame).toBe(1234);
    expect(store.annotation(1, 5000)).toBeNull();
    expect(store.hasFrame(1, 5000)).toBe(true); // known from the summary without its mask
  });

  it("asks for each window once, however often the frame changes inside it", async () => {
    const { store, listAnnotations } = longVideo();
    await store.load(9, 0);
    await Promise.all([store.focus(10), store.focus(20), store.focus(499)]);
    expect(asked(listAnnotations)).toEqual([[0, 499], [500, 999]]);
  });

  it("drops the farthest windows so memory stays bounded while scrubbing through the video", async () => {
    const { store } = longVideo();
    await store.load(9, 0);
    for (let frame = 0; frame < FRAMES; frame += 250) await store.focus(frame);
    const held = store.state(1).annotations;
    expect(held.size).toBeLessThanOrEqual(MAX_WINDOWS * 500);
    expect(held.has(FRAMES - 1)).toBe(true);
    expect(held.has(0)).toBe(false);
  });

  it("refreshes a job's frames in the summary and re-reads only the masks it holds", async () => {
    const { store, listAnnotations, trackSummary } = longVideo();
    await store.load(9, 0);
    listAnnotations.mockClear();
    await store.refreshAnnotations(1, 400, 5000);
    expect(asked(trackSummary).at(-1)).toEqual([400, 5000]);
    expect(asked(listAnnotations)).toEqual([[400, 499], [500, 999]]); // windows 0 and 1, nothing past them
  });

  it("re-reads only the frames written since the last full read, and drops the ones the summary lost", async () => {
    const { store, listAnnotations, deleted } = longVideo();
    await store.load(9, 0);
    const kept = store.annotation(1, 7);
    listAnnotations.mockClear();
    deleted.add(3);
    await store.refreshAnnotations(1);
    expect(since(listAnnotations)).toEqual(["c1", "c1"]); // windows 0 and 1, as of the first summary
    expect(store.annotation(1, 7)).not.toBe(kept); // written since: replaced
    expect(store.annotation(1, 3)).toBeNull(); // gone from the summary: gone here
    expect(store.hasFrame(1, 3)).toBe(false);
    listAnnotations.mockClear();
    await store.refreshAnnotations(1);
    expect(since(listAnnotations)).toEqual(["c2", "c2"]);
  });

  it("reads the frames of a range from the server for an undo, in spans the server answers whole", async () => {
    const { store, listAnnotations } = longVideo();
    await store.load(9, 0);
    listAnnotations.mockClear();
    const frames = await store.framesBetween(1, 100, 2600);
    expect(frames.map((a) => a.frame)).toEqual(Array.from({ length: 2501 }, (_, i) => 100 + i));
    expect(asked(listAnnotations)).toEqual([[100, 1099], [1100, 2099], [2100, 2600]]);
  });
});
