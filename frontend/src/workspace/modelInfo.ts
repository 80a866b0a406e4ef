/**
 * Which weights propagation runs with, in words, and the nudge towards the official ones.
 *
 *   modelText(job.model)                     // "starter (light) · light variant, built-in"
 *   officialWeightsHint(store.defaultModel)  // the install hint while the built-in weights are the default
 *
 * `builtin` comes from the server (annotator/builtin_weights.py): the weights this repository ships.
 */
import type { ModelSummary } from "../api/client";

export const FETCH_OFFICIAL_WEIGHTS = ".venv/bin/python manage.py fetch_weights davis --default";

export function modelText(model: ModelSummary | null | undefined): string {
  if (!model) return "no model registered";
  return `${model.name} · ${model.variant} variant${model.builtin ? ", built-in" : ""}`;
}

/** The hint text to show, or null when the default model is not the built-in one. */
export function officialWeightsHint(defaultModel: ModelSummary | null | undefined): string | null {
  if (!defaultModel?.builtin) return null;
  return "Official SiamMask weights give better masks: install them with";
}
