/** The tracks of the video: select, show/hide, lock, status and version; the label for new tracks. */
import { confidenceText } from "../timeline/ConfidenceStrip";
import { h } from "../ui/dom";
import { cannotEditReason, lockForRole } from "./roles";
import { trackMenu } from "./TrackMenu";
import type { Workspace } from "./Workspace";

const STATUS_TEXT: Record<string, string> = { draft: "draft", in_review: "in review", accepted: "accepted", rejected: "rejected" };

export class TrackPanel {
  readonly element: HTMLElement;

  constructor(ws: Workspace) {
    const label = h("select", { class: "new-label", "aria-label": "label for new tracks" },
      ...ws.store.labels.map((l) => h("option", { value: l.id }, l.name)));
    label.addEventListener("change", () => (ws.newLabelId = Number(label.value)));
    const newTrack = h("button", { class: "new-track", onclick: () => ws.actions.newTrack(), title: "New track (N)" }, "+ New track");
    lockForRole(cannotEditReason(ws.store.role), newTrack, label);
    const hint = h("p", { class: "muted small hint" });
    const list = h("ul", { class: "track-list" });
    this.element = h("section", { class: "panel tracks-panel" },
      h("h2", {}, "Tracks"),
      h("div", { class: "row" }, h("span", { class: "muted" }, "New:"), label,
        newTrack),
      hint, list, trackMenu(ws));

    const render = () => {
      const selected = ws.store.selectedId;
      const tool = ws.canvas?.toolName;
      hint.textContent = !ws.store.canEdit ? "You can look and comment; editing needs the annotator role."
        : ws.store.selected?.locked && !(tool === "box" && ws.boxMode === "new") ? `Track #${ws.store.selected.track.object_id} is locked: untick its lock to edit it.`
        : tool === "box" ? (selected && ws.boxMode === "reanchor" ? `Drawing a box re-anchors track #${ws.store.selected!.track.object_id} on this frame.`
          : "Drawing a box creates a new track with the label above.")
          : tool === "brush" || tool === "eraser" ? (selected ? "Paint on the selected track's mask." : "Select a track to paint its mask.")
            : "R: draw a box · B/E: brush/eraser · P: propagate";
      const colours = ws.colours();
      list.replaceChildren(...ws.store.ordered().map((s, i) => {
        const t = s.track;
        const a = s.annotations.get(ws.frame);
        const eye = h("input", { type: "checkbox", checked: s.visible, title: "show / hide (H)", "aria-label": "visible" });
        eye.addEventListener("click", (e) => e.stopPropagation());
        eye.addEventListener("change", () => ws.store.setVisible(t.id, eye.checked));
        const lock = h("input", { type: "checkbox", class: "lock", checked: s.locked, title: "lock: refuse edits to this track", "aria-label": "locked" });
        lock.addEventListener("click", (e) => e.stopPropagation());
        lock.addEventListener("change", () => ws.store.setLocked(t.id, lock.checked));
        return h("li", {
          class: `track${t.id === selected ? " selected" : ""}${s.locked ? " locked" : ""}${s.visible ? "" : " hidden-track"}`,
          "data-track": t.id, onclick: () => ws.store.select(t.id),
        },
          h("span", { class: "track-toggles" }, eye, lock),
          h("span", { class: "swatch", style: `background:${colours.get(t.id)}`, "data-colour": colours.get(t.id) }),
          h("span", { class: "name" }, `${i < 9 ? i + 1 + ". " : ""}${t.label_name} #${t.object_id}${s.locked ? " · locked" : ""}`),
          h("span", { class: `badge ${t.review_status}` }, STATUS_TEXT[t.review_status] ?? t.review_status),
          h("span", { class: "muted small frame-info" },
            a ? (a.source === "propagated" ? confidenceText(a) : a.source === "manual_mask" ? "mask ✎" : a.source === "outside" ? "outside" : "box ✎") : "—",
            ` · ${ws.store.frameTotal(t.id)} fr · v${t.version}`));
      }));
    };
    for (const ev of ["tracks.changed", "annotations.changed", "selection.changed", "frame.changed"] as const) ws.bus.on(ev, render);
    queueMicrotask(render);
  }
}
