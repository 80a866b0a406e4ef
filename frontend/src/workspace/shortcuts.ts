/**
 * Keyboard shortcuts of the workspace: one table, used both to dispatch keys and to draw the help
 * overlay (so the two cannot disagree).
 */
import type { Actions } from "./actions";

export interface Shortcut {
  keys: string[]; // normalised combos, see comboOf
  group: "Frames" | "Tools" | "Edit" | "Propagation" | "View" | "Review";
  help: string;
  run: (a: Actions, event: KeyboardEvent) => void;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ["ArrowRight", "."], group: "Frames", help: "next frame", run: (a) => a.step(1) },
  { keys: ["ArrowLeft", ","], group: "Frames", help: "previous frame", run: (a) => a.step(-1) },
  { keys: ["Shift+ArrowRight"], group: "Frames", help: "10 frames forward", run: (a) => a.step(10) },
  { keys: ["Shift+ArrowLeft"], group: "Frames", help: "10 frames back", run: (a) => a.step(-10) },
  { keys: ["Home", "End"], group: "Frames", help: "first / last frame", run: (a, e) => a.goto(e.key === "Home" ? 0 : Infinity) },
  { keys: [" ", "k"], group: "Frames", help: "play / pause", run: (a) => a.togglePlay() },
  { keys: ["l"], group: "Frames", help: "next low-confidence or jumping frame", run: (a) => a.nextSuspicious(1) },
  { keys: ["Shift+l"], group: "Frames", help: "previous low-confidence or jumping frame", run: (a) => a.nextSuspicious(-1) },
  { keys: ["g"], group: "Frames", help: "go to frame number", run: (a) => a.focusFrameInput() },
  { keys: ["v"], group: "Tools", help: "pan / pick a track", run: (a) => a.tool("pan") },
  { keys: ["r"], group: "Tools", help: "box (what it does: New track / Re-anchor in the toolbar)", run: (a) => a.tool("box") },
  { keys: ["b"], group: "Tools", help: "brush", run: (a) => a.tool("brush") },
  { keys: ["e"], group: "Tools", help: "eraser", run: (a) => a.tool("eraser") },
  { keys: ["s"], group: "Tools", help: "scribble: drag on the object, Shift+drag on background (GrabCut refines the mask)", run: (a) => a.tool("scribble") },
  { keys: ["y"], group: "Tools", help: "polygon: drag a vertex, double-click an edge to add one, Delete removes; Enter keeps", run: (a) => a.tool("polygon") },
  { keys: ["[", "]"], group: "Tools", help: "brush smaller / bigger", run: (a, e) => a.brushBy(e.key === "[" ? 0.8 : 1.25) },
  { keys: ["n"], group: "Tools", help: "new track (deselect, box tool)", run: (a) => a.newTrack() },
  { keys: ["a"], group: "Tools", help: "re-anchor the selected track (box tool)", run: (a) => a.reanchorMode() },
  { keys: ["1", "2", "3", "4", "5", "6", "7", "8", "9"], group: "Tools", help: "select track 1–9", run: (a, e) => a.selectIndex(Number(e.key) - 1) },
  { keys: ["Escape"], group: "Tools", help: "cancel drawing / close / deselect", run: (a) => a.escape() },
  { keys: ["Ctrl+z"], group: "Edit", help: "undo", run: (a) => a.undo() },
  { keys: ["Ctrl+Shift+z", "Ctrl+y"], group: "Edit", help: "redo", run: (a) => a.redo() },
  { keys: ["Delete", "Backspace"], group: "Edit", help: "delete the selected track's frame", run: (a) => a.deleteFrame() },
  { keys: ["Shift+Delete", "Shift+Backspace"], group: "Edit", help: "delete a range of frames", run: (a) => a.deleteRange() },
  { keys: ["Shift+o"], group: "Edit", help: "mark this frame outside (object not visible), or clear it", run: (a) => a.toggleOutsideHere() },
  { keys: ["Alt+o"], group: "Edit", help: "mark a range of frames outside", run: (a) => a.outsideRange(true) },
  { keys: ["p"], group: "Propagation", help: "propagate forward from this frame", run: (a) => a.propagate("forward") },
  { keys: ["Shift+p"], group: "Propagation", help: "propagate backward", run: (a) => a.propagate("backward") },
  { keys: ["Alt+p"], group: "Propagation", help: "propagate both ways", run: (a) => a.propagate("both") },
  { keys: ["m"], group: "View", help: "masks on / off", run: (a) => a.toggleLayer("masks") },
  { keys: ["x"], group: "View", help: "boxes on / off", run: (a) => a.toggleLayer("boxes") },
  { keys: ["o"], group: "View", help: "rotated boxes on / off", run: (a) => a.toggleLayer("rotatedBoxes") },
  { keys: ["h"], group: "View", help: "hide / show the selected track", run: (a) => a.toggleSelectedVisible() },
  { keys: ["f"], group: "View", help: "fit the frame", run: (a) => a.fit() },
  { keys: ["+", "="], group: "View", help: "zoom in", run: (a) => a.zoom(1.25) },
  { keys: ["-"], group: "View", help: "zoom out", run: (a) => a.zoom(0.8) },
  { keys: ["Shift+s"], group: "Review", help: "submit the selected track for review", run: (a) => a.submit() },
  { keys: ["Shift+a"], group: "Review", help: "accept (reviewers)", run: (a) => a.accept() },
  { keys: ["Shift+r"], group: "Review", help: "reject with a comment (reviewers)", run: (a) => a.reject() },
  { keys: ["c"], group: "Review", help: "comment on this frame", run: (a) => a.comment() },
  { keys: ["?"], group: "View", help: "this help", run: (a) => a.help() },
];

/** Normalise a key event: "Ctrl+Shift+z", "Shift+ArrowLeft", "?", "Alt+p". Meta counts as Ctrl. */
export function comboOf(e: Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">): string {
  let key = e.key;
  // Alt+letter types a special character on some layouts: fall back to the physical key
  if (e.altKey && /^Key[A-Z]$/.test(e.code)) key = e.code.slice(3);
  const letter = /^[a-zA-Z]$/.test(key);
  const named = key.length > 1;
  if (letter) key = key.toLowerCase();
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push("Ctrl");
  if (e.altKey) parts.push("Alt");
  // for symbols, Shift is already in the character ("?" is Shift+/)
  if (e.shiftKey && (letter || named)) parts.push("Shift");
  parts.push(key);
  return parts.join("+");
}

const byCombo = new Map<string, Shortcut>();
for (const s of SHORTCUTS) for (const k of s.keys) byCombo.set(k, s);

export function shortcutFor(e: KeyboardEvent): Shortcut | undefined {
  return byCombo.get(comboOf(e));
}

/** Display form of a combo for the help overlay: a letter after a modifier as users type it ("Shift+L", "Ctrl+Z"). */
export function displayKey(combo: string): string {
  return combo.replace("ArrowRight", "→").replace("ArrowLeft", "←").replace(/^ $/, "Space")
    .replace(/\+([a-z])$/, (_, letter: string) => `+${letter.toUpperCase()}`);
}
