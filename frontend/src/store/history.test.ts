import { describe, expect, it } from "vitest";
import { ConflictError } from "../api/client";
import { History, type Command } from "./history";

function counter() {
  const state = { value: 0, log: [] as string[] };
  const add = (n: number, fail = false): Command => ({
    label: `add ${n}`,
    async do() {
      if (fail) throw new Error("refused");
      state.value += n;
      state.log.push(`+${n}`);
    },
    async undo() {
      state.value -= n;
      state.log.push(`-${n}`);
    },
  });
  return { state, add };
}

describe("History", () => {
  it("undoes and redoes in order", async () => {
    const { state, add } = counter();
    const history = new History();
    await history.execute(add(1));
    await history.execute(add(10));
    expect(history.state.undoLabel).toBe("add 10");
    await history.undo();
    expect(state.value).toBe(1);
    await history.redo();
    expect(state.value).toBe(11);
    await history.undo();
    await history.undo();
    expect(await history.undo()).toBe(false);
    expect(state.value).toBe(0);
    expect(history.state).toEqual({ canUndo: false, canRedo: true, undoLabel: null, redoLabel: "add 1", refused: null });
  });

  it("clears redo when a new command runs", async () => {
    const { add } = counter();
    const history = new History();
    await history.execute(add(1));
    await history.undo();
    await history.execute(add(2));
    expect(history.state.canRedo).toBe(false);
  });

  it("does not record a command that failed", async () => {
    const { state, add } = counter();
    const history = new History();
    await history.execute(add(1));
    await expect(history.execute(add(5, true))).rejects.toThrow("refused");
    expect(history.state.undoLabel).toBe("add 1");
    expect(state.value).toBe(1);
  });

  it("runs commands one after another even when called at once", async () => {
    const log: string[] = [];
    const slow = (name: string, ms: number): Command => ({
      label: name,
      do: () => new Promise((r) => setTimeout(() => { log.push(name); r(); }, ms)),
      undo: async () => {},
    });
    const history = new History();
    await Promise.all([history.execute(slow("first", 30)), history.execute(slow("second", 1))]);
    expect(log).toEqual(["first", "second"]);
  });

  it("keeps at most `limit` commands", async () => {
    const { add } = counter();
    const history = new History(() => {}, 2);
    for (const n of [1, 2, 3]) await history.execute(add(n));
    expect(await history.undo()).toBe(true);
    expect(await history.undo()).toBe(true);
    expect(await history.undo()).toBe(false);
  });

  it("forgets the commands of a reloaded track", async () => {
    const history = new History();
    const cmd = (trackId: number): Command => ({ label: `t${trackId}`, trackId, do: async () => {}, undo: async () => {} });
    await history.execute(cmd(1));
    await history.execute(cmd(2));
    history.forgetTrack(2);
    expect(history.state.undoLabel).toBe("t1");
  });

  it("keeps an edit refused for a stale version, to run it again after a reload", async () => {
    let stale = true, saved = 0;
    const edit: Command = {
      label: "brush on frame 3", trackId: 7,
      async do() {
        if (stale) throw new ConflictError(409, "stale", { current_version: 2 });
        saved += 1;
      },
      async undo() { saved -= 1; },
    };
    const history = new History();
    await expect(history.execute(edit)).rejects.toThrow("stale");
    expect(history.state.refused).toEqual({ trackId: 7, label: "brush on frame 3" });
    expect(history.state.canUndo).toBe(false); // not recorded: it did not happen
    stale = false; // the track was reloaded: the next try carries the current version
    expect(await history.retryRefused()).toBe(true);
    expect(saved).toBe(1);
    expect(history.state).toMatchObject({ refused: null, canUndo: true, undoLabel: "brush on frame 3" });
    expect(await history.retryRefused()).toBe(false);
  });

  it("forgets a refused edit when dropped, and never keeps one refused for another reason", async () => {
    const { add } = counter();
    const history = new History();
    await expect(history.execute({ ...add(1, true), trackId: 7 })).rejects.toThrow("refused");
    expect(history.state.refused).toBeNull(); // a plain error: nothing to offer
    const stale: Command = { label: "box", trackId: 7, do: () => Promise.reject(new ConflictError(409, "stale")),
                             undo: async () => undefined };
    await expect(history.execute(stale)).rejects.toThrow("stale");
    history.dropRefused();
    expect(history.state.refused).toBeNull();
  });
});

