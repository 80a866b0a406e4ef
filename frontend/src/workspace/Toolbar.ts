/** Tools, brush size, layer toggles, undo/redo and zoom, above the canvas. */
import type { LayerToggles, ToolName } from "../canvas/types";
import { h } from "../ui/dom";
import { EDIT_TOOLS, cannotEditReason, lockForRole } from "./roles";
import type { Workspace } from "./Workspace";

const TOOLS: [ToolName, string, string][] = [
  ["pan", "Pan", "V"], ["box", "Box", "R"], ["brush", "Brush", "B"], ["eraser", "Eraser", "E"],
  ["scribble", "Scribble", "S"], ["polygon", "Polygon", "Y"],
];
const LAYERS: [keyof LayerToggles, string, string][] = [
  ["masks", "Masks", "M"], ["boxes", "Boxes", "X"], ["rotatedBoxes", "Rotated", "O"],
];

export class Toolbar {
  readonly element: HTMLElement;

  constructor(ws: Workspace) {
    const a = ws.actions;
    const toolButtons = TOOLS.map(([name, text, key]) =>
      h("button", { class: "tool", "data-tool": name, title: `${text} (${key})`, onclick: () => a.tool(name) }, text,
        h("kbd", {}, key)));
    const size = h("input", { type: "range", min: 1, max: 80, value: ws.canvas?.brushSize ?? 8, class: "brush-size",
      "aria-label": "brush size", title: "brush radius in pixels ([ and ])" });
    const sizeText = h("span", { class: "muted brush-size-text" });
    size.addEventListener("input", () => { ws.canvas.setBrushSize(Number(size.value)); sync(); });
    const layerBoxes = LAYERS.map(([layer, text, key]) => {
      const box = h("input", { type: "checkbox", checked: true, "data-layer": layer });
      box.addEventListener("change", () => a.toggleLayer(layer));
      return h("label", { class: "toggle", title: `${text} (${key})` }, box, text);
    });
    const undo = h("button", { title: "Undo (Ctrl+Z)", onclick: () => a.undo(), disabled: true, class: "undo" }, "↶ Undo");
    const redo = h("button", { title: "Redo (Ctrl+Shift+Z)", onclick: () => a.redo(), disabled: true, class: "redo" }, "↷ Redo");
    // What a box does, always in view: the one state that decides whether a box edits or creates.
    const newMode = h("button", { class: "box-mode", "data-mode": "new", title: "Boxes start a new track (N)",
      onclick: () => a.newTrack() }, "New track", h("kbd", {}, "N"));
    const reanchorMode = h("button", { class: "box-mode", "data-mode": "reanchor",
      title: "Boxes re-anchor the selected track (A)", onclick: () => a.reanchorMode() }, "Re-anchor", h("kbd", {}, "A"));
    // a reviewer keeps Pan, the layers, zoom and help; the editing tools say why they are off
    const readOnly = cannotEditReason(ws.store.role);
    lockForRole(readOnly, ...toolButtons.filter((b) => EDIT_TOOLS.has(b.dataset.tool as ToolName)), newMode, reanchorMode);
    const zoom = h("span", { class: "muted zoom-text", title: "zoom (wheel; F fits)" }, "100%");
    this.element = h("div", { class: "ws-toolbar", role: "toolbar" },
      h("div", { class: "group" }, ...toolButtons),
      h("div", { class: "group box-modes", role: "group", "aria-label": "what a box does" },
        h("span", { class: "muted" }, "Box:"), newMode, reanchorMode),
      h("div", { class: "group", title: "brush radius ([ and ])" }, size, sizeText),
      h("div", { class: "group" }, ...layerBoxes),
      h("div", { class: "group" }, undo, redo),
      h("div", { class: "group right" }, zoom, h("button", { onclick: () => a.fit(), title: "Fit (F)" }, "Fit"),
        h("button", { onclick: () => a.help(), title: "Keyboard shortcuts (?)" }, "?")));

    const sync = () => {
      if (!ws.canvas) return;
      for (const b of toolButtons) b.classList.toggle("active", b.dataset.tool === ws.canvas.toolName);
      const selected = ws.store.selected;
      for (const b of [newMode, reanchorMode]) {
        const on = b.dataset.mode === ws.boxMode;
        b.classList.toggle("active", on);
        b.setAttribute("aria-pressed", String(on));
      }
      reanchorMode.disabled = !selected || readOnly !== null;
      reanchorMode.firstChild!.textContent = selected ? `Re-anchor #${selected.track.object_id}` : "Re-anchor";
      size.value = String(ws.canvas.brushSize);
      sizeText.textContent = `${ws.canvas.brushSize}px`;
      const layers = ws.canvas.layers;
      for (const label of layerBoxes) {
        const box = label.querySelector("input")!;
        box.checked = layers[box.dataset.layer as keyof LayerToggles];
      }
    };
    ws.bus.on("tracks.changed", sync);
    ws.bus.on("selection.changed", sync);
    ws.bus.on("history.changed", (s) => {
      undo.disabled = !s.canUndo;
      redo.disabled = !s.canRedo;
      undo.title = s.undoLabel ? `Undo ${s.undoLabel} (Ctrl+Z)` : "Nothing to undo";
      redo.title = s.redoLabel ? `Redo ${s.redoLabel} (Ctrl+Shift+Z)` : "Nothing to redo";
    });
    queueMicrotask(() => {
      sync();
      ws.canvas.events.on("canvas.view", ({ scale }) => (zoom.textContent = `${Math.round(scale * 100)}%`));
    });
  }
}
