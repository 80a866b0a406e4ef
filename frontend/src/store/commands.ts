/**
 * The undoable edits of the workspace, as History commands.
 *
 * Commands name a track through a TrackRef, because undoing "create track" deletes it and redoing
 * creates a new one with a new id: every later command on that track follows the same ref.
 * Undo restores what was on screen: a frame that was propagated comes back as a hand-made mask
 * (the API has no way to write a "propagated" frame), which makes it an anchor for propagation.
 */
import type { Annotation } from "../api/client";
import type { BoxXYWH } from "../canvas/geometry";
import type { Rle } from "../canvas/rle";
import type { AnnotationStore } from "./annotations";
import type { Command } from "./history";
import { frameRuns, isOutside } from "./outside";

export interface TrackRef {
  id: number;
}

export class TrackRefs {
  private refs = new Map<number, TrackRef>();

  of(trackId: number): TrackRef {
    let ref = this.refs.get(trackId);
    if (!ref) this.refs.set(trackId, (ref = { id: trackId }));
    return ref;
  }

  moved(ref: TrackRef, newId: number): void {
    this.refs.delete(ref.id);
    ref.id = newId;
    this.refs.set(newId, ref);
  }
}

/** Set a box (re-anchor) or a mask (brush/eraser) on one frame. */
export function setFrameCommand(
  store: AnnotationStore, ref: TrackRef, frame: number, change: { box: BoxXYWH } | { mask: Rle }, label: string,
): Command {
  let before: Annotation | null = null;
  return {
    label: `${label} on frame ${frame}`,
    get trackId() { return ref.id; },
    async do() {
      before = store.annotation(ref.id, frame);
      if ("box" in change) await store.setBox(ref.id, frame, change.box);
      else await store.setMask(ref.id, frame, change.mask);
    },
    async undo() {
      await store.restore(ref.id, frame, before);
    },
  };
}

/** Delete a track's annotations on frames first..last. */
export function deleteFramesCommand(store: AnnotationStore, ref: TrackRef, first: number, last: number): Command {
  let removed: Annotation[] = [];
  return {
    label: first === last ? `delete frame ${first}` : `delete frames ${first}–${last}`,
    get trackId() { return ref.id; },
    async do() {
      removed = await store.framesBetween(ref.id, first, last);
      await store.deleteFrames(ref.id, first, last);
    },
    async undo() {
      for (const a of removed) await store.restore(ref.id, a.frame, a);
    },
  };
}

/** Mark frames first..last outside ("object not visible"), or clear the outside marks there. */
export function outsideCommand(store: AnnotationStore, ref: TrackRef, first: number, last: number, mark: boolean): Command {
  let before: Annotation[] = [];
  const frames = first === last ? `frame ${first}` : `frames ${first}–${last}`;
  return {
    label: mark ? `mark ${frames} outside` : `clear outside on ${frames}`,
    get trackId() { return ref.id; },
    async do() {
      before = await store.framesBetween(ref.id, first, last);
      await store.setOutside(ref.id, first, last, mark);
    },
    async undo() {
      if (mark) await store.deleteFrames(ref.id, first, last);
      for (const [a, b] of frameRuns(before.filter(isOutside).map((x) => x.frame))) await store.setOutside(ref.id, a, b, true);
      if (mark) for (const a of before.filter((x) => !isOutside(x))) await store.restore(ref.id, a.frame, a);
    },
  };
}

/** Create a track from a box; undo deletes it, redo creates it again (with a new id). */
export function createTrackCommand(
  store: AnnotationStore, refs: TrackRefs, labelId: number, frame: number, box: BoxXYWH, onCreated: (id: number) => void,
): Command & { ref: TrackRef | null } {
  return {
    label: `new track on frame ${frame}`,
    ref: null,
    get trackId() { return this.ref?.id; },
    async do() {
      const track = await store.createTrack(labelId, frame, box);
      if (this.ref) refs.moved(this.ref, track.id);
      else this.ref = refs.of(track.id);
      onCreated(track.id);
    },
    async undo() {
      if (this.ref) await store.deleteTrack(this.ref.id);
    },
  };
}
