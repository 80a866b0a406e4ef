/**
 * What the track menu does: delete a frame range, mark a range outside (object not visible), delete,
 * merge and split tracks, each after an in-page dialog. Range deletion and outside marks are undoable
 * (commands); deleting, merging and splitting a track are not (undoing them would recreate tracks under new ids, with propagated frames turned into
 * hand-made ones), so their dialogs say so, and they drop the track's undo entries.
 */
import { ApiError, ConflictError } from "../api/client";
import type { TrackState } from "../store/trackState";
import { deleteFramesCommand, outsideCommand } from "../store/commands";
import type { Command } from "../store/history";
import { isOutside } from "../store/outside";
import { h } from "../ui/dom";
import { confirmDialog, openDialog } from "../ui/dialog";
import { isNotFound } from "./gone";
import { noEditText } from "./roles";
import type { Workspace } from "./Workspace";

const name = (s: TrackState) => `${s.track.label_name} #${s.track.object_id}`;

function frameInput(label: string, value: number, max: number, cls: string): { row: HTMLElement; input: HTMLInputElement } {
  const input = h("input", { type: "number", min: 0, max, step: 1, value, class: cls, "aria-label": label });
  return { row: h("label", { class: "dialog-field" }, `${label} `, input), input };
}

/** Parse a frame field: an integer within 0..max, else null. */
export function frameValue(text: string, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

export class TrackActions {
  constructor(private ws: Workspace) {}

  private get store() { return this.ws.store; }

  private say(text: string, kind: "info" | "error" = "info"): void {
    this.ws.bus.emit("notice", { text, kind });
  }

  /** The selected track, if the user may edit it; else say why not. */
  private target(): TrackState | null {
    const s = this.store.selected;
    if (!s) this.say("select a track first", "error");
    else if (!this.store.canEdit) this.say(noEditText(this.store.role), "error");
    return s && this.store.canEdit ? s : null;
  }

  private failed(error: unknown): void {
    if (error instanceof ConflictError && error.currentVersion !== null) return; // the banner explains
    if (isNotFound(error)) return this.ws.reportFailure(error); // the video or track was deleted elsewhere
    this.say(error instanceof ApiError ? error.message : String(error), "error");
  }

  /** Ask for frames first..last (both ends included) in an in-page dialog; null when cancelled. */
  private async askRange(options: { title: string; confirm: string; message: string; danger?: boolean; last?: number }):
    Promise<{ first: number; last: number } | null> {
    const max = this.ws.video.frame_count - 1;
    const from = frameInput("From frame", this.ws.frame, max, "range-first");
    const to = frameInput("to frame", options.last ?? max, max, "range-last");
    const ok = await openDialog({
      ...options, fields: [h("div", { class: "row" }, from.row, to.row)],
      validate: () => {
        const first = frameValue(from.input.value, max), end = frameValue(to.input.value, max);
        if (first === null || end === null) return `frames are whole numbers from 0 to ${max}`;
        return first > end ? "the first frame must not come after the last" : null;
      },
    });
    return ok ? { first: Number(from.input.value), last: Number(to.input.value) } : null;
  }

  private async execute(command: Command): Promise<void> {
    try {
      await this.ws.history.execute(command);
    } catch (error) {
      this.failed(error);
    }
  }

  async deleteRange(): Promise<void> {
    const s = this.target();
    if (!s) return;
    const range = await this.askRange({
      title: `Delete frames of ${name(s)}`, confirm: "Delete frames", danger: true,
      message: `Removes the track's box and mask on every frame in the range, both ends included (undo: Ctrl+Z).`,
    });
    if (range) await this.execute(deleteFramesCommand(this.store, this.ws.refs.of(s.track.id), range.first, range.last));
  }

  /** Mark a range "object not visible" (mark), or clear the outside marks in a range. */
  async outsideRange(mark: boolean): Promise<void> {
    const s = this.target();
    if (!s) return;
    const range = await this.askRange(mark ? {
      title: `Mark ${name(s)} outside`, confirm: "Mark outside", last: this.ws.frame,
      message: "The object is not visible on these frames (both ends included): their box and mask are removed, " +
        "and propagation stops before them (undo: Ctrl+Z).",
    } : {
      title: `Clear outside frames of ${name(s)}`, confirm: "Clear outside",
      message: "Removes the outside marks in the range; other frames stay as they are (undo: Ctrl+Z).",
    });
    if (range) await this.execute(outsideCommand(this.store, this.ws.refs.of(s.track.id), range.first, range.last, mark));
  }

  /** Mark the current frame outside, or clear it when it already is. */
  async toggleOutsideHere(): Promise<void> {
    const s = this.target();
    if (!s) return;
    const frame = this.ws.frame;
    const mark = !isOutside(s.annotations.get(frame));
    await this.execute(outsideCommand(this.store, this.ws.refs.of(s.track.id), frame, frame, mark));
  }

  async deleteTrack(): Promise<void> {
    const s = this.target();
    if (!s) return;
    const ok = await confirmDialog(`Delete ${name(s)}?`,
      `Deletes the track with its ${this.store.frameTotal(s.track.id)} annotated frames, its comments and its history. This cannot be undone.`,
      "Delete track");
    if (!ok) return;
    try {
      await this.store.deleteTrack(s.track.id, true);
      this.ws.history.forgetTrack(s.track.id);
      this.say(`${name(s)} deleted`);
    } catch (error) {
      this.failed(error);
    }
  }

  /** Merge another track into the selected one (the selected track's frame wins where both have one). */
  async mergeTrack(): Promise<void> {
    const s = this.target();
    if (!s) return;
    const others = this.store.ordered().filter((o) => o.track.id !== s.track.id);
    if (!others.length) return this.say("the video has no other track to merge in", "error");
    const pick = h("select", { class: "merge-other", "aria-label": "track to merge in" },
      ...others.map((o) => h("option", { value: o.track.id }, `${name(o)} (${this.store.frameTotal(o.track.id)} frames)`)));
    const ok = await openDialog({
      title: `Merge a track into ${name(s)}`, confirm: "Merge", danger: true,
      message: `The chosen track's frames move into ${name(s)}; where both have a frame, ${name(s)}'s is kept. ` +
        "The chosen track is then deleted. This cannot be undone.",
      fields: [h("label", { class: "dialog-field" }, "Track to merge in ", pick)],
    });
    if (!ok) return;
    const otherId = Number(pick.value);
    try {
      const { moved, dropped } = await this.store.mergeTracks(s.track.id, otherId);
      this.ws.history.forgetTrack(s.track.id);
      this.ws.history.forgetTrack(otherId);
      this.say(`merged: ${moved} frames moved into ${name(s)}` + (dropped ? `, ${dropped} overlapping dropped` : ""));
    } catch (error) {
      this.failed(error);
    }
  }

  /** Split the selected track: frames from F on go to a new track with the same label. */
  async splitTrack(): Promise<void> {
    const s = this.target();
    if (!s) return;
    const last = this.ws.video.frame_count - 1;
    const at = frameInput("First frame of the new track", this.ws.frame, last, "split-frame");
    const ok = await openDialog({
      title: `Split ${name(s)}`, confirm: "Split track",
      message: "Frames from this one on move to a new track with the same label. This cannot be undone.",
      fields: [at.row],
      validate: () => frameValue(at.input.value, last) === null ? `a frame from 0 to ${last}` : null,
    });
    if (!ok) return;
    try {
      const created = await this.store.splitTrack(s.track.id, Number(at.input.value));
      this.ws.history.forgetTrack(s.track.id);
      this.say(`split: frames ${at.input.value} on are now #${created.object_id}`);
    } catch (error) {
      this.failed(error);
    }
  }
}
