/**
 * Typed REST client for the Django API (types from the OpenAPI schema, see types.gen.ts).
 * Session auth: same-origin cookies, and the csrftoken cookie as X-CSRFToken on unsafe requests.
 *
 *   const videos = await api.listVideos(projectId);
 *   try { await api.putAnnotation(trackId, frame, { version, mask }); }
 *   catch (e) { if (e instanceof ConflictError) offerReload(e.currentVersion); }
 */
import type { components } from "./types.gen";
import type { Rle } from "../canvas/rle";
import type { BoxXYWH, Corners } from "../canvas/geometry";

type Schemas = components["schemas"];
export type Project = Schemas["Project"];
export type Label = Schemas["Label"];
export type Member = Schemas["Membership"];
export type Role = Member["role"];
export type Video = Schemas["Video"];
export type Track = Schemas["Track"];
export type Job = Schemas["Job"];
export type Stop = Schemas["Stop"];
export type Comment = Schemas["Comment"];
export type ReviewRow = Schemas["ReviewRow"];
export type ModelSummary = Schemas["ModelSummary"];
export type Checkpoint = Schemas["Checkpoint"];
export type ExportJob = Schemas["Export"];
export type ExportRequest = Schemas["ExportCreate"];
export type ImportJob = Schemas["Import"];
export type TransferFormat = ExportRequest["format"];
/** What the propagation panel may override for one job (absent: the project's model, the server's precision). */
export interface PropagateOptions { checkpoint?: number; precision?: "exact" | "fast" }
export type Direction = "forward" | "backward" | "both";
/** The schema types JSON fields as unknown; these are their real shapes. */
export type Annotation = Omit<Schemas["Annotation"], "bbox" | "rotated_box" | "mask"> & {
  bbox: BoxXYWH;
  rotated_box: Corners | null;
  mask: Rle | null;
};

export class ApiError extends Error {
  constructor(public status: number, message: string, public body: Record<string, unknown> = {}) {
    super(message);
  }
}

/** 409: the track changed since we read it, or a job is already running. */
export class ConflictError extends ApiError {
  get currentVersion(): number | null {
    return typeof this.body.current_version === "number" ? this.body.current_version : null;
  }
  get jobId(): number | null {
    return typeof this.body.job_id === "number" ? this.body.job_id : null;
  }
}

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function errorFrom(status: number, body: unknown, fallback: string): ApiError {
  const data = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const message = typeof data.detail === "string" ? data.detail : fallback;
  return status === 409 ? new ConflictError(status, message, data) : new ApiError(status, message, data);
}

function toLogin(): never {
  window.location.assign(`/login/?next=${encodeURIComponent(location.pathname + location.search)}`);
  throw new ApiError(401, "your session has ended; sign in again");
}

/**
 * A 503 with `maybe_saved: false` means the server saved nothing (its database is restarting,
 * docs/reliability.md): the request goes again after the server's Retry-After, for about half a
 * minute, so an edit made during a restart is kept rather than lost. `maybe_saved: true` (the
 * database went away during the commit) is not resent: the edit may have landed, so it becomes an
 * ApiError and the caller re-reads. `retry.listener` hears each wait (for a notice).
 */
export const retry = {
  delaysS: [1, 2, 4, 8, 8, 8],
  maxWaitS: 10,
  wait: (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000)),
  listener: null as ((attempt: number, waitS: number) => void) | null,
};

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await send(method, path, body);
    if (response.status === 503 && attempt < retry.delaysS.length && !(await maybeSaved(response))) {
      const waitS = Math.min(Number(response.headers.get("Retry-After")) || retry.delaysS[attempt], retry.maxWaitS);
      retry.listener?.(attempt + 1, waitS);
      await retry.wait(waitS);
      continue;
    }
    if (response.status === 401) toLogin();
    if (response.status === 204) return undefined as T;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw errorFrom(response.status, data, `${method} ${path} failed (${response.status})`);
    return data as T;
  }
}

async function maybeSaved(response: Response): Promise<boolean> {
  const body = await response.clone().json().catch(() => ({}));
  return (body as { maybe_saved?: unknown }).maybe_saved === true;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  try {
    return await fetch(`/api${path}`, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "the server cannot be reached; check your connection");
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined) as [string, string | number][];
  return entries.length ? "?" + new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString() : "";
}

export interface UploadHandle<T = Video> {
  promise: Promise<T>;
  abort(): void;
}

/** Upload a clip with XMLHttpRequest, so the browser reports upload progress (0..1). */
export function uploadVideo(projectId: number, file: File, name: string, onProgress: (f: number) => void): UploadHandle {
  const form = new FormData();
  form.append("file", file);
  if (name) form.append("name", name);
  return postForm<Video>(`/api/projects/${projectId}/videos/`, form, 201, onProgress);
}

/** Upload a labels file to import (202 with the import job), reporting upload progress (0..1). */
export function uploadImport(projectId: number, file: File, format: TransferFormat,
                             onProgress: (f: number) => void): UploadHandle<ImportJob> {
  const form = new FormData();
  form.append("file", file);
  form.append("format", format);
  return postForm<ImportJob>(`/api/projects/${projectId}/imports/`, form, 202, onProgress);
}

function postForm<T>(url: string, form: FormData, expected: number, onProgress: (f: number) => void): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data: unknown = {};
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON: use the status line */ }
      if (xhr.status === expected) resolve(data as T);
      else reject(errorFrom(xhr.status, data, `upload failed (${xhr.status} ${xhr.statusText})`));
    };
    xhr.onerror = () => reject(new ApiError(0, "the upload was interrupted"));
    xhr.onabort = () => reject(new ApiError(0, "the upload was cancelled"));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

export const api = {
  listProjects: () => request<Project[]>("GET", "/projects/"),
  getProject: (id: number) => request<Project>("GET", `/projects/${id}/`),
  listLabels: (projectId: number) => request<Label[]>("GET", `/projects/${projectId}/labels/`),
  createProject: (name: string, description = "") => request<Project>("POST", "/projects/", { name, description }),
  renameProject: (id: number, name: string, description: string) =>
    request<Project>("PATCH", `/projects/${id}/`, { name, description }),
  createLabel: (projectId: number, name: string, colour: string) =>
    request<Label>("POST", `/projects/${projectId}/labels/`, { name, colour }),
  updateLabel: (id: number, body: { name?: string; colour?: string }) => request<Label>("PATCH", `/labels/${id}/`, body),
  deleteLabel: (id: number) => request<void>("DELETE", `/labels/${id}/`),
  listMembers: (projectId: number) => request<Member[]>("GET", `/projects/${projectId}/members/`),
  addMember: (projectId: number, username: string, role: Role) =>
    request<Member>("POST", `/projects/${projectId}/members/`, { username, role }),
  setMemberRole: (id: number, role: Role) => request<Member>("PATCH", `/members/${id}/`, { role }),
  removeMember: (id: number) => request<void>("DELETE", `/members/${id}/`),
  listVideos: (projectId: number) => request<Video[]>("GET", `/projects/${projectId}/videos/`),
  getVideo: (id: number) => request<Video>("GET", `/videos/${id}/`),
  frameUrl: (videoId: number, frame: number) => `/api/videos/${videoId}/frames/${frame}.jpg`,

  listTracks: (videoId: number) => request<Track[]>("GET", `/videos/${videoId}/tracks/`),
  getTrack: (id: number) => request<Track>("GET", `/tracks/${id}/`),
  createTrack: (videoId: number, label: number, frame: number, box: BoxXYWH) =>
    request<Track>("POST", `/videos/${videoId}/tracks/`, { label, frame, box }),
  /** Without `version` the server skips the stale check (the undo of "create track" sends none). */
  deleteTrack: (id: number, version?: number) => request<void>("DELETE", `/tracks/${id}/${query({ version })}`),
  mergeTracks: (id: number, version: number, other: number, otherVersion: number) =>
    request<Schemas["Merged"]>("POST", `/tracks/${id}/merge/`, { version, other, other_version: otherVersion }),
  splitTrack: (id: number, version: number, frame: number) =>
    request<Schemas["SplitResult"]>("POST", `/tracks/${id}/split/`, { version, frame }),
  deleteVideo: (id: number) => request<void>("DELETE", `/videos/${id}/`),
  deleteProject: (id: number) => request<void>("DELETE", `/projects/${id}/`),
  listAnnotations: (trackId: number, from?: number, to?: number) =>
    request<Annotation[]>("GET", `/tracks/${trackId}/annotations/${query({ from, to })}`),
  /** Answers the track's new version and status: an edit makes a track in review or accepted a draft. */
  putAnnotation: (trackId: number, frame: number, body: { version: number; box?: BoxXYWH; mask?: Rle }) =>
    request<Annotation & Pick<Track, "version" | "review_status">>("PUT", `/tracks/${trackId}/annotations/${frame}/`, body),
  deleteRange: (trackId: number, version: number, first: number, last: number) =>
    request<Schemas["DeletedFrames"]>("POST", `/tracks/${trackId}/annotations/delete-range/`, { version, first, last }),

  propagate: (trackId: number, frame: number, direction: Direction, options: PropagateOptions = {}) =>
    request<Job>("POST", `/tracks/${trackId}/propagate/`, { frame, direction, ...options }),
  propagateTracks: (videoId: number, tracks: number[], frame: number, direction: Direction,
                    options: PropagateOptions = {}) =>
    request<Job>("POST", `/videos/${videoId}/propagate/`, { tracks, frame, direction, ...options }),
  getJob: (id: number) => request<Job>("GET", `/jobs/${id}/`),
  cancelJob: (id: number) => request<Job>("POST", `/jobs/${id}/cancel/`),
  /** The video's jobs, newest first (at most 100). */
  videoJobs: (videoId: number) => request<Job[]>("GET", `/videos/${videoId}/jobs/`),

  submit: (trackId: number, version: number) => request<Track>("POST", `/tracks/${trackId}/submit/`, { version }),
  accept: (trackId: number, version: number) => request<Track>("POST", `/tracks/${trackId}/accept/`, { version }),
  reject: (trackId: number, version: number, comment: string, frame: number | null) =>
    request<Track>("POST", `/tracks/${trackId}/reject/`, { version, comment, frame }),
  listComments: (trackId: number) => request<Comment[]>("GET", `/tracks/${trackId}/comments/`),
  addComment: (trackId: number, text: string, frame: number | null) =>
    request<Comment>("POST", `/tracks/${trackId}/comments/`, { text, frame }),
  resolveComment: (id: number, resolved: boolean) => request<Comment>("PATCH", `/comments/${id}/`, { resolved }),
  listCheckpoints: () => request<Checkpoint[]>("GET", "/checkpoints/"),
  /** null: the project follows the server's default model. */
  setProjectModel: (projectId: number, checkpoint: number | null) =>
    request<Project>("PATCH", `/projects/${projectId}/`, { default_checkpoint: checkpoint }),
  listExports: (projectId: number) => request<ExportJob[]>("GET", `/projects/${projectId}/exports/`),
  startExport: (projectId: number, body: ExportRequest) =>
    request<ExportJob>("POST", `/projects/${projectId}/exports/`, body),
  getExport: (id: number) => request<ExportJob>("GET", `/exports/${id}/`),
  listImports: (projectId: number) => request<ImportJob[]>("GET", `/projects/${projectId}/imports/`),
  getImport: (id: number) => request<ImportJob>("GET", `/imports/${id}/`),
  reviewQueue: (projectId?: number, status: "in_review" | "rejected" = "in_review") =>
    request<ReviewRow[]>("GET", `/review/${query({ project: projectId, status })}`),
};
export type Api = typeof api;
