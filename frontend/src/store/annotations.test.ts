import { describe, expect, it, vi } from "vitest";
import type { Api, Track } from "../api/client";
import { EventBus, type AppEvents } from "../events";
import { AnnotationStore } from "./annotations";

function storeWith(track: Partial<Track>, api: Partial<Api>) {
  const bus = new EventBus<AppEvents>();
  const store = new AnnotationStore(api as Api, bus);
  store.tracks.set(1, { track: { id: 1, version: 3, review_status: "accepted", ...track } as Track,
                        annotations: new Map(), visible: true });
  const heard: string[] = [];
  bus.on("tracks.changed", () => heard.push("tracks.changed"));
  return { store, heard };
}

describe("AnnotationStore after an edit", () => {
  it("shows an accepted track as a draft again when the server says so", async () => {
    const putAnnotation = vi.fn(async () => ({ frame: 4, bbox: [1, 2, 3, 4], version: 4, review_status: "draft" }));
    const { store, heard } = storeWith({}, { putAnnotation } as unknown as Partial<Api>);
    await store.setBox(1, 4, [1, 2, 3, 4]);
    expect(store.tracks.get(1)!.track).toMatchObject({ version: 4, review_status: "draft" });
    expect(heard).toEqual(["tracks.changed"]);  // the track panel redraws its status badge
  });

  it("keeps the status after deleting frames of a draft", async () => {
    const deleteRange = vi.fn(async () => ({ deleted: 2, version: 4, review_status: "draft" }));
    const { store, heard } = storeWith({ review_status: "draft" }, { deleteRange } as unknown as Partial<Api>);
    expect(await store.deleteFrames(1, 0, 5)).toBe(2);
    expect(store.tracks.get(1)!.track).toMatchObject({ version: 4, review_status: "draft" });
    expect(heard).toEqual([]);
  });
});
