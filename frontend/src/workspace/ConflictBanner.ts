/** Shown when a save was refused because the track changed elsewhere (409): never overwrite, offer a reload. */
import { h } from "../ui/dom";
import type { Workspace } from "./Workspace";

export class ConflictBanner {
  readonly element: HTMLElement;

  constructor(ws: Workspace) {
    const text = h("span", {});
    const reload = h("button", { class: "primary reload-track" }, "Reload track");
    const dismiss = h("button", { title: "Keep looking; the edit stays unsaved" }, "Dismiss");
    this.element = h("div", { class: "conflict-banner", role: "alert", hidden: true }, text, reload, dismiss);
    let trackId: number | null = null;
    ws.bus.on("conflict", ({ trackId: id, currentVersion }) => {
      trackId = id;
      const s = ws.store.tracks.get(id);
      const name = s ? `${s.track.label_name} #${s.track.object_id}` : `track ${id}`;
      text.textContent = `Not saved: ${name} was changed by someone else (now version ${currentVersion}). ` +
        "Reload the track to see their change, then redo your edit.";
      this.element.hidden = false;
      ws.scheduleRedraw(); // take back the optimistic drawing of the refused edit
    });
    reload.addEventListener("click", async () => {
      if (trackId === null) return;
      reload.disabled = true;
      try {
        await ws.store.reloadTrack(trackId);
        ws.history.forgetTrack(trackId); // the undo entries no longer match what is stored
        this.element.hidden = true;
      } finally {
        reload.disabled = false;
      }
    });
    dismiss.addEventListener("click", () => (this.element.hidden = true));
  }
}
