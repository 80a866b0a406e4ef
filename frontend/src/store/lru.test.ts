import { describe, expect, it } from "vitest";
import { Lru } from "./lru";

describe("Lru", () => {
  it("evicts the least recently used entry", () => {
    const evicted: string[] = [];
    const lru = new Lru<string, number>(2, (_v, k) => evicted.push(k));
    lru.set("a", 1);
    lru.set("b", 2);
    lru.get("a"); // a is now fresher than b
    lru.set("c", 3);
    expect(evicted).toEqual(["b"]);
    expect(lru.has("a") && lru.has("c")).toBe(true);
  });

  it("peek does not refresh an entry", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.peek("a");
    lru.set("c", 3);
    expect(lru.has("a")).toBe(false);
  });

  it("evicts a replaced value", () => {
    const evicted: number[] = [];
    const lru = new Lru<string, number>(2, (v) => evicted.push(v));
    lru.set("a", 1);
    lru.set("a", 5);
    lru.clear();
    expect(evicted).toEqual([1, 5]);
  });
});
