import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Playback, type PlaybackHost } from "./Playback";

describe("Playback", () => {
  let now = 0;
  let callbacks: FrameRequestCallback[] = [];
  const advance = (ms: number) => {
    now += ms;
    const due = callbacks;
    callbacks = [];
    due.forEach((cb) => cb(now));
  };

  beforeEach(() => {
    now = 0;
    callbacks = [];
    vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => callbacks.push(cb));
    vi.stubGlobal("cancelAnimationFrame", () => (callbacks = []));
    vi.spyOn(performance, "now").mockImplementation(() => now);
  });
  afterEach(() => vi.unstubAllGlobals());

  function host(ready: (n: number) => boolean) {
    const shown: number[] = [];
    let current = 0;
    const h: PlaybackHost = {
      fps: 10, frameCount: 5, current: () => current, isReady: ready,
      show: (n) => { current = n; shown.push(n); }, prefetch: () => {}, onStateChange: () => {},
    };
    return { h, shown };
  }

  it("advances at the clip's frame rate and stops at the end", () => {
    const { h, shown } = host(() => true);
    const playback = new Playback(h);
    playback.play();
    for (let i = 0; i < 10; i++) advance(50);
    expect(shown).toEqual([1, 2, 3, 4]);
    expect(playback.playing).toBe(false);
  });

  it("waits for a frame that is not decoded instead of skipping it", () => {
    let loaded = 1;
    const { h, shown } = host((n) => n <= loaded);
    new Playback(h).play();
    advance(100);
    advance(300); // frame 2 is missing: hold on 1
    expect(shown).toEqual([1]);
    loaded = 4;
    advance(16);
    advance(100);
    expect(shown[1]).toBe(2);
  });
});
