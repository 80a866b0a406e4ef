import { describe, expect, it } from "vitest";
import { comboOf, displayKey, SHORTCUTS } from "./shortcuts";

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean; meta: boolean; code: string }> = {}) =>
  comboOf({ key: k, code: mods.code ?? "", ctrlKey: !!mods.ctrl, shiftKey: !!mods.shift, altKey: !!mods.alt, metaKey: !!mods.meta });

describe("shortcut combos", () => {
  it("normalises letters, modifiers and symbols", () => {
    expect(key("Z", { ctrl: true, shift: true })).toBe("Ctrl+Shift+z");
    expect(key("z", { meta: true })).toBe("Ctrl+z");
    expect(key("?", { shift: true })).toBe("?");
    expect(key("ArrowLeft", { shift: true })).toBe("Shift+ArrowLeft");
    expect(key("π", { alt: true, code: "KeyP" })).toBe("Alt+p");
  });

  it("binds each combo to one action only", () => {
    const all = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(all).size).toBe(all.length);
  });

  it("covers every frequent action", () => {
    const helps = SHORTCUTS.map((s) => s.help).join("\n");
    for (const needed of ["next frame", "previous frame", "play", "low-confidence", "brush", "eraser", "undo", "redo", "propagate"]) {
      expect(helps).toContain(needed);
    }
  });
});

describe("displayKey", () => {
  it("shows a letter after a modifier as users type it", () => {
    expect(displayKey("Shift+l")).toBe("Shift+L");
    expect(displayKey("Ctrl+Shift+z")).toBe("Ctrl+Shift+Z");
    expect(displayKey("Alt+p")).toBe("Alt+P");
    expect(displayKey("l")).toBe("l");
    expect(displayKey("Shift+ArrowRight")).toBe("Shift+→");
    expect(displayKey(" ")).toBe("Space");
    expect(displayKey("Shift+Delete")).toBe("Shift+Delete");
  });

  it("leaves no lower-case letter after a modifier in the help", () => {
    for (const s of SHORTCUTS) for (const k of s.keys) expect(displayKey(k)).not.toMatch(/\+[a-z]$/);
  });
});
