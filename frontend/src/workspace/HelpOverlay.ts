/** The "?" overlay listing every shortcut, drawn from the same table that dispatches them. */
import { h } from "../ui/dom";
import { displayKey, SHORTCUTS } from "./shortcuts";

export function showHelp(): void {
  const existing = document.querySelector(".help-overlay");
  if (existing) return existing.remove();
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  const close = () => overlay.remove();
  const overlay = h("div", { class: "help-overlay", role: "dialog", "aria-label": "Keyboard shortcuts", onclick: (e: Event) => e.target === overlay && close() },
    h("div", { class: "help-card" },
      h("h2", {}, "Keyboard shortcuts"),
      h("div", { class: "help-grid" }, ...groups.map((g) => h("section", {}, h("h3", {}, g),
        h("table", {}, ...SHORTCUTS.filter((s) => s.group === g).map((s) =>
          h("tr", {}, h("td", {}, ...s.keys.slice(0, s.keys.length > 3 ? 1 : 3).flatMap((k, i) => [i ? " " : "", h("kbd", {}, displayKey(k))]),
            s.keys.length > 3 ? "…" : ""), h("td", {}, s.help))))))),
      h("p", { class: "muted" }, "Mouse: wheel zooms at the pointer; right or middle drag pans; click a track with Pan (V) to select it; "
        + "Scribble (S): drag on the object, Shift+drag on background; Polygon (Y): Enter keeps the edit."),
      h("button", { onclick: close }, "Close (Esc)")));
  document.body.append(overlay);
}
