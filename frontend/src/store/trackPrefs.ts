/**
 * Which tracks of a video this user has hidden or locked. A view preference, not data: it lives
 * in the browser (localStorage, one key per video) and never reaches the server or other users.
 *
 *   const prefs = new TrackPrefs(localStorage, videoId);
 *   prefs.set("locked", trackId, true);
 *   prefs.has("hidden", trackId);
 */

export type TrackFlag = "hidden" | "locked";

/** The part of the Web Storage API we use (so tests can pass a Map-backed stand-in). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export class TrackPrefs {
  private flags: Record<TrackFlag, Set<number>> = { hidden: new Set(), locked: new Set() };
  private key: string;

  constructor(private storage: KeyValueStorage | null, videoId: number) {
    this.key = `siamlabel.video.${videoId}.tracks`;
    try {
      const saved = JSON.parse(storage?.getItem(this.key) ?? "{}") as Partial<Record<TrackFlag, unknown>>;
      for (const flag of ["hidden", "locked"] as const) {
        const ids = saved[flag];
        if (Array.isArray(ids)) this.flags[flag] = new Set(ids.filter((id): id is number => Number.isInteger(id)));
      }
    } catch {
      // unreadable or blocked storage: start with nothing hidden or locked
    }
  }

  has(flag: TrackFlag, trackId: number): boolean {
    return this.flags[flag].has(trackId);
  }

  set(flag: TrackFlag, trackId: number, on: boolean): void {
    if (on) this.flags[flag].add(trackId);
    else this.flags[flag].delete(trackId);
    try {
      this.storage?.setItem(this.key, JSON.stringify({ hidden: [...this.flags.hidden], locked: [...this.flags.locked] }));
    } catch {
      // storage full or blocked (private mode): the flag still holds until the page is left
    }
  }
}

/** The browser's localStorage, or null where there is none or it is blocked. */
export function browserStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
