import { describe, expect, it } from "vitest";
import { measuredScore } from "./measuredScore";

describe("measuredScore", () => {
  it("names the sequences a recorded J&F was measured on", () => {
    const metrics = { "J&F": 0.42255, evaluated_on: { data: "../shared/data/davis2016", sequences: ["dance-twirl", "libby"] } };
    expect(measuredScore({ jf: 0.42255, metrics })).toEqual({ jf: "0.423", on: "on dance-twirl, libby" });
  });

  it("falls back to the sequence count, and to nothing", () => {
    expect(measuredScore({ jf: 0.5, metrics: { evaluated_on: { n_sequences: 1 } } })).toEqual({ jf: "0.500", on: "on 1 sequence" });
    expect(measuredScore({ jf: 0.5, metrics: { J: 0.4, F: 0.6 } })).toEqual({ jf: "0.500", on: "" });
  });

  it("shows a fine-tune's J&F on its held-out project videos, with its parent's on the same videos", () => {
    const evaluation = { old: { JF: 0.61, n_sequences: 2 }, new: { JF: 0.6549, n_sequences: 2 } };
    expect(measuredScore({ jf: null, metrics: { lineage: {}, evaluation } }))
      .toEqual({ jf: "0.655", on: "on 2 held-out project videos; parent 0.610" });
    expect(measuredScore({ jf: null, metrics: { evaluation: { new: { JF: 0.7 } } } }))
      .toEqual({ jf: "0.700", on: "on the project's held-out videos" });
  });

  it("shows a dash when nothing was measured or the metrics are malformed", () => {
    for (const metrics of [{}, null, [], { evaluation: "x" }, { evaluation: { new: { JF: "0.7" } } }, { evaluation: { new: { JF: null } } }]) {
      expect(measuredScore({ jf: null, metrics })).toEqual({ jf: "—", on: "" });
    }
  });
});
