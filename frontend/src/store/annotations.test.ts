import { describe, expect, it, vi } from "vitest";
import type { Api, Track } from "../api/client";
import { EventBus, type AppEvents } from "../events";
import { AnnotationStore } from "./annotations";
import { TrackLockedError } from "./trackState";

function storeWith(track: Partial<Track>, api: Partial<Api>) {
  const bus = new EventBus<AppEvents>();
  const store = new AnnotationStore(api as Api, bus);
  store.tracks.set(1, { track: { id: 1, version: 3, review_status: "accepted", ...track } as Track,
                        annotations: new Map(), visible: true, locked: false });
  const heard: string[] = [];
  bus.on("tracks.changed", () => heard.push("tracks.changed"));
  return { store, heard, bus };
}

describe("AnnotationStore after an edit", () => {
  it("shows an accepted track as a draft again when the server says so", async () => {
    const putAnnotation = vi.fn(async () => ({ frame: 4, bbox: [1, 2, 3, 4], version: 4, review_status: "draft" }));
    const { store, heard } = storeWith({}, { putAnnotation } as unknown as Partial<Api>);
    await store.setBox(1, 4, [1, 2, 3, 4]);
    expect(store.tracks.get(1)!.track).toMatchObject({ version: 4, review_status: "draft" });
    expect(heard).toEqual(["tracks.changed"]);  // the track panel redraws its status badge
  });

  it("hands the re-propagation a correction started to whoever follows jobs", async () => {
    const job = { id: 9, start_frame: 4, direction: "both", status: "queued" };
    const putAnnotation = vi.fn(async () => ({ frame: 4, bbox: [1, 2, 3, 4], version: 4, review_status: "draft",
                                               source: "manual_box", repropagation: job }));
    const { store, bus } = storeWith({ review_status: "draft" }, { putAnnotation } as unknown as Partial<Api>);
    const started: unknown[] = [];
    bus.on("job.started", (e) => started.push(e));
    await store.setBox(1, 4, [1, 2, 3, 4]);
    expect(started).toEqual([{ job, cause: "correction" }]);
    expect(store.annotation(1, 4)).not.toHaveProperty("repropagation");  // the frame keeps only its own fields
  });

  it("keeps the status after deleting frames of a draft", async () => {
    const deleteRange = vi.fn(async () => ({ deleted: 2, version: 4, review_status: "draft" }));
    const { store, heard } = storeWith({ review_status: "draft" }, { deleteRange } as unknown as Partial<Api>);
    expect(await store.deleteFrames(1, 0, 5)).toBe(2);
    expect(store.tracks.get(1)!.track).toMatchObject({ version: 4, review_status: "draft" });
    expect(heard).toEqual([]);
  });
});

describe("AnnotationStore with a locked track", () => {
  it("refuses edits in the browser but still lets the track be reviewed", async () => {
    const putAnnotation = vi.fn(), deleteRange = vi.fn(), deleteTrack = vi.fn();
    const mergeTracks = vi.fn(), splitTrack = vi.fn();
    const submit = vi.fn(async () => ({ id: 1, version: 3, review_status: "in_review" }));
    const { store } = storeWith({ object_id: 2 },
      { putAnnotation, deleteRange, deleteTrack, mergeTracks, splitTrack, submit } as unknown as Partial<Api>);
    store.tracks.set(7, { track: { id: 7, version: 1, object_id: 5 } as Track, annotations: new Map(),
                          visible: true, locked: false });
    store.tracks.get(1)!.locked = true;
    await expect(store.setMask(1, 4, { size: [2, 2], counts: "04" })).rejects.toThrow(TrackLockedError);
    await expect(store.deleteFrames(1, 0, 5)).rejects.toThrow("track #2 is locked");
    await expect(store.deleteTrack(1)).rejects.toThrow(TrackLockedError);
    // merging moves frames out of (or into) the locked track; splitting cuts it: both are edits
    await expect(store.mergeTracks(7, 1)).rejects.toThrow(TrackLockedError);
    await expect(store.mergeTracks(1, 7)).rejects.toThrow(TrackLockedError);
    await expect(store.splitTrack(1, 3)).rejects.toThrow(TrackLockedError);
    for (const call of [putAnnotation, deleteRange, deleteTrack, mergeTracks, splitTrack]) {
      expect(call).not.toHaveBeenCalled();
    }
    await store.submit(1);
    expect(store.tracks.get(1)!.track.review_status).toBe("in_review");
  });

  it("restores this user's hidden and locked tracks when the video is opened again", async () => {
    const data = new Map<string, string>();
    const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
    const api = {
      getVideo: async () => ({ id: 9, project: 1 }), listLabels: async () => [], getProject: async () => ({ role: "annotator" }),
      listTracks: async () => [{ id: 1, object_id: 1 }, { id: 2, object_id: 2 }], listAnnotations: async () => [],
      trackSummary: async () => ({ frame: [], source: [], score: [], quality: [], area: [] }),
    } as unknown as Api;
    const first = new AnnotationStore(api, new EventBus<AppEvents>(), storage);
    await first.load(9);
    first.setVisible(1, false);
    first.setLocked(2, true);
    const again = new AnnotationStore(api, new EventBus<AppEvents>(), storage);
    await again.load(9);
    expect(again.ordered().map((s) => [s.visible, s.locked])).toEqual([[false, false], [true, true]]);
  });
});
