/** Where the latest propagation lost a track's target, each with a button to re-anchor it there. */
import { lostText } from "../store/stops";
import { h } from "../ui/dom";
import type { Workspace } from "./Workspace";

export class LostTargetPanel {
  readonly element: HTMLElement;

  constructor(ws: Workspace) {
    const list = h("ul", { class: "lost-list" });
    this.element = h("section", { class: "panel lost-panel", hidden: true }, h("h2", {}, "Target lost"), list);
    const render = () => {
      const stops = ws.pendingLost();
      this.element.hidden = stops.length === 0;
      list.replaceChildren(...stops.map((stop) => {
        const track = ws.store.state(stop.trackId).track;
        return h("li", { class: "lost-target", "data-track": stop.trackId, "data-frame": stop.frame },
          h("span", {}, `${track.label_name} #${track.object_id}: ${lostText(stop)}`),
          h("button", {
            class: "reanchor", onclick: () => ws.actions.reanchorAt(stop.trackId, stop.frame),
            title: "Go there with the box tool: the box you draw re-anchors the track; then propagate again",
          }, `Re-anchor at frame ${stop.frame}`));
      }));
    };
    for (const ev of ["lost.changed", "annotations.changed", "tracks.changed"] as const) ws.bus.on(ev, render);
  }
}
