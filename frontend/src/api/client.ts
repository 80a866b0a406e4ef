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
export type TrackSummary = Schemas["TrackSummary"];
/** One page of a list (docs/api.md, "Pagination"). */
export interface Page<T> { count: number; next: string | null; previous: string | null; results: T[] }
export type Checkpoint = Schemas["Checkpoint"];
export type StorageUsage = Schemas["StorageUsage"];
export type ExportJob = Schemas["Export"];
export type ExportRequest = Schemas["ExportCreate"];
export type ImportJob = Schemas["Import"];
export type TransferFormat = ExportRequest["format"];
/** What the propagation panel may override for one job (absent: the project's model, the server's precision). */
export interface PropagateOptions { checkpoint?: number; precision?: "exact" | "fast"; fusion?: boolean }
export type Direction = "forward" | "backward" | "both";
/** A scribble refine's answer: the refined mask, not saved (PUT it to keep it). */
export type Refined = Omit<Schemas["Refined"], "mask"> & { mask: Rle };
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

/** GET one page of a list; `url` is an API path or a `next`/`previous` link the server gave. */
export function getPage<T>(url: string): Promise<Page<T>> {
  const { pathname, search } = new URL(url, location.origin);
  return request<Page<T>>("GET", pathname.replace(/^\/api(?=\/)/, "") + search);
}

/** GET every page of a list, following `next`: for views that need all items (a project's labels, a video's tracks). */
export async function allPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  for (let url: string | null = path; url !== null;) {
    const page: Page<T> = await getPage<T>(url);
    items.push(...page.results);
    url = page.next;
  }
  return items;
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
  listProjects: () => allPages<Project>("/projects/"),
  getProject: (id: number) => request<Project>("GET", `/projects/${id}/`),
  listLabels: (projectId: number) => allPages<Label>(`/projects/${projectId}/labels/`),
  createProject: (name: string, description = "") => request<Project>("POST", "/projects/", { name, description }),
  renameProject: (id: number, name: string, description: string) =>
    request<Project>("PATCH", `/projects/${id}/`, { name, description }),
  /** Whether saving a corrected propagated frame re-propagates from it by itself (on by default). */
  setAutoRepropagate: (id: number, on: boolean) => request<Project>("PATCH", `/projects/${id}/`, { auto_repropagate: on }),
  createLabel: (projectId: number, name: string, colour: string) =>
    request<Label>("POST", `/projects/${projectId}/labels/`, { name, colour }),
  updateLabel: (id: number, body: { name?: string; colour?: string }) => request<Label>("PATCH", `/labels/${id}/`, body),
  deleteLabel: (id: number) => request<void>("DELETE", `/labels/${id}/`),
  listMembers: (projectId: number) => allPages<Member>(`/projects/${projectId}/members/`),
  getStorage: (projectId: number) => request<StorageUsage>("GET", `/projects/${projectId}/storage/`),
  addMember: (projectId: number, username: string, role: Role) =>
    request<Member>("POST", `/projects/${projectId}/members/`, { username, role }),
  setMemberRole: (id: number, role: Role) => request<Member>("PATCH", `/members/${id}/`, { role }),
  removeMember: (id: number) => request<void>("DELETE", `/members/${id}/`),
  listVideos: (projectId: number) => allPages<Video>(`/projects/${projectId}/videos/`),
  videosPage: (projectId: number, page: number, pageSize: number) =>
    getPage<Video>(`/projects/${projectId}/videos/${query({ page, page_size: pageSize })}`),
  getVideo: (id: number) => request<Video>("GET", `/videos/${id}/`),
  frameUrl: (videoId: number, frame: number) => `/api/videos/${videoId}/frames/${frame}.jpg`,

  listTracks: (videoId: number) => allPages<Track>(`/videos/${videoId}/tracks/`),
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
  /** At most 1000 rows answer (past that the server links the rest): ask for spans of <= 1000 frames. */
  listAnnotations: (trackId: number, from?: number, to?: number, changedSince?: string) =>
    request<Annotation[]>("GET", `/tracks/${trackId}/annotations/${query({ from, to, changed_since: changedSince })}`),
  /** Each annotated frame's source, score, quality and area (no geometry): what the timeline draws. */
  trackSummary: (trackId: number, from?: number, to?: number) =>
    request<TrackSummary>("GET", `/tracks/${trackId}/summary/${query({ from, to })}`),
  /**
   * Answers the track's new version and status (an edit makes a track in review or accepted a draft),
   * and the job re-propagating from a corrected propagated frame, if the save started one.
   */
  putAnnotation: (trackId: number, frame: number, body: { version: number; box?: BoxXYWH; mask?: Rle }) =>
    request<Annotation & Pick<Track, "version" | "review_status"> & { repropagation: Job | null }>(
      "PUT", `/tracks/${trackId}/annotations/${frame}/`, body),
  /** GrabCut the frame's stored mask with scribble strokes; saves nothing. */
  refineMask: (trackId: number, frame: number, strokes: Schemas["Stroke"][]) =>
    request<Refined>("POST", `/tracks/${trackId}/annotations/${frame}/refine/`, { strokes }),
  deleteRange: (trackId: number, version: number, first: number, last: number) =>
    request<Schemas["DeletedFrames"]>("POST", `/tracks/${trackId}/annotations/delete-range/`, { version, first, last }),
  /** Mark frames first..last "object not visible" (replacing what the track had there), or clear those marks. */
  markOutside: (trackId: number, version: number, first: number, last: number) =>
    request<Schemas["OutsideResult"]>("POST", `/tracks/${trackId}/outside/`, { version, first, last }),
  clearOutside: (trackId: number, version: number, first: number, last: number) =>
    request<Schemas["OutsideResult"]>("DELETE", `/tracks/${trackId}/outside/`, { version, first, last }),

  propagate: (trackId: number, frame: number, direction: Direction, options: PropagateOptions = {}) =>
    request<Job>("POST", `/tracks/${trackId}/propagate/`, { frame, direction, ...options }),
  propagateTracks: (videoId: number, tracks: number[], frame: number, direction: Direction,
                    options: PropagateOptions = {}) =>
    request<Job>("POST", `/videos/${videoId}/propagate/`, { tracks, frame, direction, ...options }),
  getJob: (id: number) => request<Job>("GET", `/jobs/${id}/`),
  cancelJob: (id: number) => request<Job>("POST", `/jobs/${id}/cancel/`),
  /** The video's jobs, newest first (the first 100). */
  videoJobs: (videoId: number) => getPage<Job>(`/videos/${videoId}/jobs/?page_size=100`).then((p) => p.results),

  submit: (trackId: number, version: number) => request<Track>("POST", `/tracks/${trackId}/submit/`, { version }),
  accept: (trackId: number, version: number) => request<Track>("POST", `/tracks/${trackId}/accept/`, { version }),
  reject: (trackId: number, version: number, comment: string, frame: number | null) =>
    request<Track>("POST", `/tracks/${trackId}/reject/`, { version, comment, frame }),
  listComments: (trackId: number) => allPages<Comment>(`/tracks/${trackId}/comments/`),
  addComment: (trackId: number, text: string, frame: number | null) =>
    request<Comment>("POST", `/tracks/${trackId}/comments/`, { text, frame }),
  resolveComment: (id: number, resolved: boolean) => request<Comment>("PATCH", `/comments/${id}/`, { resolved }),
  listCheckpoints: () => allPages<Checkpoint>("/checkpoints/"),
  /** null: the project follows the server's default model. */
  setProjectModel: (projectId: number, checkpoint: number | null) =>
    request<Project>("PATCH", `/projects/${projectId}/`, { default_checkpoint: checkpoint }),
  listExports: (projectId: number) => allPages<ExportJob>(`/projects/${projectId}/exports/`),
  startExport: (projectId: number, body: ExportRequest) =>
    request<ExportJob>("POST", `/projects/${projectId}/exports/`, body),
  getExport: (id: number) => request<ExportJob>("GET", `/exports/${id}/`),
  listImports: (projectId: number) => allPages<ImportJob>(`/projects/${projectId}/imports/`),
  getImport: (id: number) => request<ImportJob>("GET", `/imports/${id}/`),
  /** One page of the review queue, riskiest first. */
  reviewQueue: (projectId?: number, status: "in_review" | "rejected" = "in_review", page = 1, pageSize = 50) =>
    getPage<ReviewRow>(`/review/${query({ project: projectId, status, page, page_size: pageSize })}`),
};
export type Api = typeof api;
