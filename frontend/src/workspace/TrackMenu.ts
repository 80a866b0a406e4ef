/** The selected track's menu under the track list: delete, merge another track in, split (trackActions.ts). */
import { h } from "../ui/dom";
import type { Workspace } from "./Workspace";

export function trackMenu(ws: Workspace): HTMLElement {
  const t = ws.actions.tracks;
  const buttons = [
    h("button", { class: "track-delete", onclick: () => void t.deleteTrack(), title: "Delete the selected track" }, "Delete track…"),
    h("button", { class: "track-merge", onclick: () => void t.mergeTrack(), title: "Merge another track into the selected one" }, "Merge…"),
    h("button", { class: "track-split", onclick: () => void t.splitTrack(), title: "Split the selected track at a frame" }, "Split…"),
  ];
  const menu = h("div", { class: "row track-menu", role: "group", "aria-label": "selected track" }, ...buttons);
  const render = () => {
    const off = !ws.store.selected || !ws.store.canEdit;
    for (const b of buttons) b.disabled = off;
    menu.hidden = !ws.store.canEdit;
  };
  for (const ev of ["tracks.changed", "selection.changed"] as const) ws.bus.on(ev, render);
  queueMicrotask(render);
  return menu;
}
