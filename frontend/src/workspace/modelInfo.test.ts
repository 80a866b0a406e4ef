import { describe, expect, it } from "vitest";
import type { ModelSummary } from "../api/client";
import { FETCH_OFFICIAL_WEIGHTS, modelText, officialWeightsHint } from "./modelInfo";

const starter: ModelSummary = { id: 1, name: "starter (light)", variant: "light", builtin: true };
const davis: ModelSummary = { id: 2, name: "SiamMask DAVIS", variant: "sharp", builtin: false };

describe("model info", () => {
  it("names the weights a job ran with", () => {
    expect(modelText(starter)).toBe("starter (light) · light variant, built-in");
    expect(modelText(davis)).toBe("SiamMask DAVIS · sharp variant");
    expect(modelText(null)).toBe("no model registered");
  });

  it("suggests the official weights only while the built-in ones are the default", () => {
    expect(officialWeightsHint(starter)).toContain("Official SiamMask weights give better masks");
    expect(officialWeightsHint(davis)).toBeNull();
    expect(officialWeightsHint(null)).toBeNull();
    expect(FETCH_OFFICIAL_WEIGHTS).toBe(".venv/bin/python manage.py fetch_weights davis --default");
  });
});
