/**
 * The project's model and its fine-tune runs (docs/api.md): which checkpoint propagation uses, where
 * it came from, and the runs that train a child of it on the project's accepted tracks.
 *
 *   const model = await finetunes.getModel(projectId);
 *   const run = await finetunes.start(projectId);   // 409 while one is active, 400 with the reason
 */
import { getPage, request, type Project } from "./client";
import type { components } from "./types.gen";

type Schemas = components["schemas"];

/** One model's held-out scores: J, F, J&F, and how well its confidence ranks its errors. */
export interface EvaluationScores {
  J: number;
  F: number;
  JF: number;
  quality_auc: number | null;
  score_auc: number | null;
  n_sequences: number;
  n_frames: number;
  per_sequence?: unknown;
}

/** The old and the new model on the same held-out videos; {} before the evaluation ran. */
export interface Evaluation { old?: EvaluationScores; new?: EvaluationScores }

/** The schema types the JSON `evaluation` as unknown; these are the real shapes. */
export type FineTuneRun = Omit<Schemas["FineTuneRun"], "evaluation"> & { evaluation: Evaluation };
export type LineageEntry = Omit<Schemas["LineageEntry"], "evaluation"> & { evaluation: Evaluation };
export type ProjectModel = Omit<Schemas["ProjectModel"], "lineage" | "last_finetune"> & {
  lineage: LineageEntry[];
  last_finetune: FineTuneRun | null;
};

export const finetunes = {
  getModel: (projectId: number) => request<ProjectModel>("GET", `/projects/${projectId}/model/`),
  /** Managers only; null: follow the server's default model. */
  setModel: (projectId: number, checkpoint: number | null) =>
    request<ProjectModel>("POST", `/projects/${projectId}/model/`, { checkpoint }),
  /** The newest runs first (one page). */
  list: (projectId: number) => getPage<FineTuneRun>(`/projects/${projectId}/finetunes/`).then((p) => p.results),
  /** Without `steps` the server picks the budget. */
  start: (projectId: number, steps?: number) =>
    request<FineTuneRun>("POST", `/projects/${projectId}/finetunes/`, steps === undefined ? {} : { steps }),
  get: (id: number) => request<FineTuneRun>("GET", `/finetunes/${id}/`),
  cancel: (id: number) => request<FineTuneRun>("POST", `/finetunes/${id}/cancel/`),
  /** Fine-tune by itself after every `n` newly accepted tracks; 0 turns it off. */
  setEvery: (projectId: number, n: number) =>
    request<Project>("PATCH", `/projects/${projectId}/`, { finetune_every_accepted: n }),
};
