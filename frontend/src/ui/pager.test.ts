import { describe, expect, it } from "vitest";
import { pageCount, pageParam } from "./pager";

describe("pager", () => {
  it("counts pages, at least one even for an empty list", () => {
    expect(pageCount({ page: 1, pageSize: 50, count: 0 })).toBe(1);
    expect(pageCount({ page: 1, pageSize: 50, count: 50 })).toBe(1);
    expect(pageCount({ page: 1, pageSize: 50, count: 51 })).toBe(2);
  });

  it("reads the page from the URL, 1 when absent or not a positive whole number", () => {
    expect(pageParam(new URLSearchParams("page=3"))).toBe(3);
    for (const q of ["", "page=0", "page=-2", "page=1.5", "page=abc"]) expect(pageParam(new URLSearchParams(q))).toBe(1);
  });
});
