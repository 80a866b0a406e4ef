import { describe, expect, it } from "vitest";
import { EventBus } from "./events";

describe("EventBus", () => {
  it("delivers payloads to handlers until they unsubscribe", () => {
    const bus = new EventBus<{ ping: { n: number } }>();
    const seen: number[] = [];
    const off = bus.on("ping", ({ n }) => seen.push(n));
    bus.emit("ping", { n: 1 });
    off();
    bus.emit("ping", { n: 2 });
    expect(seen).toEqual([1]);
  });

  it("lets a handler unsubscribe itself while being called", () => {
    const bus = new EventBus<{ ping: null }>();
    let calls = 0;
    const off = bus.on("ping", () => { calls++; off(); });
    bus.on("ping", () => calls++);
    bus.emit("ping", null);
    bus.emit("ping", null);
    expect(calls).toBe(3);
  });
});
