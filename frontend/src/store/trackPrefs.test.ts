import { describe, expect, it } from "vitest";
import { TrackPrefs, type KeyValueStorage } from "./trackPrefs";

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe("TrackPrefs", () => {
  it("remembers hidden and locked tracks per video across page loads", () => {
    const storage = memoryStorage();
    const prefs = new TrackPrefs(storage, 3);
    prefs.set("hidden", 10, true);
    prefs.set("locked", 11, true);
    prefs.set("locked", 12, true);
    prefs.set("locked", 12, false);
    const reloaded = new TrackPrefs(storage, 3);
    expect(reloaded.has("hidden", 10)).toBe(true);
    expect(reloaded.has("locked", 10)).toBe(false);
    expect(reloaded.has("locked", 11)).toBe(true);
    expect(reloaded.has("locked", 12)).toBe(false);
    expect(new TrackPrefs(storage, 4).has("hidden", 10)).toBe(false);
  });

  it("starts empty when the stored value is unreadable or storage is missing or blocked", () => {
    const storage = memoryStorage();
    storage.setItem("siamlabel.video.3.tracks", "{not json");
    expect(new TrackPrefs(storage, 3).has("hidden", 1)).toBe(false);
    const blocked: KeyValueStorage = { getItem: () => { throw new Error("blocked"); }, setItem: () => { throw new Error("full"); } };
    const prefs = new TrackPrefs(blocked, 3);
    prefs.set("locked", 1, true); // does not throw, holds in memory
    expect(prefs.has("locked", 1)).toBe(true);
    const none = new TrackPrefs(null, 3);
    none.set("hidden", 2, true);
    expect(none.has("hidden", 2)).toBe(true);
  });
});
