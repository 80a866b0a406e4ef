/**
 * Shown when a save was refused because the track changed elsewhere (409): never overwrite on its
 * own; offer a reload, and, when the refused save was an undoable edit, to reload and save that
 * edit again on top of the other change (it replaces theirs on that frame: the button says so).
 */
import { h } from "../ui/dom";
import type { Workspace } from "./Workspace";

export class ConflictBanner {
  readonly element: HTMLElement;

  constructor(ws: Workspace) {
    const text = h("span", {});
    const reload = h("button", { class: "primary reload-track" }, "Reload track");
    const again = h("button", { class: "save-again", hidden: true }, "");
    const dismiss = h("button", { title: "Keep looking; the edit stays unsaved" }, "Dismiss");
    this.element = h("div", { class: "conflict-banner", role: "alert", hidden: true }, text, reload, again, dismiss);
    let trackId: number | null = null;
    const hide = () => {
      this.element.hidden = true;
      again.hidden = true;
    };
    ws.bus.on("conflict", ({ trackId: id, currentVersion }) => {
      trackId = id;
      const s = ws.store.tracks.get(id);
      const name = s ? `${s.track.label_name} #${s.track.object_id}` : `track ${id}`;
      text.textContent = `Not saved: ${name} was changed by someone else (now version ${currentVersion}). ` +
        "Reload the track to see their change, then redo your edit.";
      this.element.hidden = false;
      ws.scheduleRedraw(); // take back the optimistic drawing of the refused edit
    });
    // the history learns of the refusal just after the conflict event: offer the edit back then
    ws.bus.on("history.changed", ({ refused }) => {
      const offer = refused !== null && refused.trackId === trackId && !this.element.hidden;
      again.hidden = !offer;
      if (offer) {
        again.textContent = `Reload and save mine again (${refused.label})`;
        again.title = "Reloads the track, then saves your edit on top: on that frame it replaces their change";
      }
    });
    const run = async (button: HTMLButtonElement, step: (id: number) => Promise<unknown>) => {
      if (trackId === null) return;
      button.disabled = true;
      try {
        await ws.store.reloadTrack(trackId);
        ws.history.forgetTrack(trackId); // the undo entries no longer match what is stored
        hide();
        await step(trackId);
      } finally {
        button.disabled = false;
      }
    };
    reload.addEventListener("click", () => void run(reload, async () => ws.history.dropRefused()));
    again.addEventListener("click", () => void run(again, () => ws.history.retryRefused()).catch(() => undefined));
    dismiss.addEventListener("click", () => {
      hide();
      ws.history.dropRefused();
    });
  }
}
