/**
 * /projects/{id}/: the project's videos and the upload form. The upload shows the bytes sent
 * (XMLHttpRequest upload progress), then frame extraction progress by polling the video.
 */
import { api, uploadVideo, type Video } from "../api/client";
import type { Page } from "../router";
import { confirmDialog } from "../ui/dialog";
import { formatBytes, h, progressBar, toast, uploadProgress } from "../ui/dom";
import { oneAtATime } from "../ui/submit";
import { pageParam, pager } from "../ui/pager";
import { frameSizeText } from "./videoSize";

const POLL_MS = 700;
const PAGE_SIZE = 50;

export class VideosPage implements Page {
  private timers = new Set<number>();
  private body = h("tbody", {});
  private rows = new Map<number, HTMLTableRowElement>();
  /** The form's line about the last upload, told each time that video's row is redrawn. */
  private uploadWatch: ((video: Video) => void) | null = null;
  private canDelete = false; // managers delete videos (docs/permissions.md)
  private deleted = new Set<number>(); // so a poll in flight does not bring a deleted row back

  constructor(private projectId: number, private params = new URLSearchParams()) {}

  async mount(root: HTMLElement): Promise<void> {
    const page = pageParam(this.params);
    const [project, videos] = await Promise.all([
      api.getProject(this.projectId), api.videosPage(this.projectId, page, PAGE_SIZE)]);
    document.title = `${project.name} — SiamLabel`;
    const canUpload = project.role === "annotator" || project.role === "manager";
    this.canDelete = project.role === "manager";
    root.append(h("div", { class: "page" },
      h("p", { class: "crumbs" }, h("a", { href: "/projects/", "data-link": "" }, "Projects"), " / ", project.name),
      h("h1", {}, project.name),
      h("p", { class: "row project-links" },
        h("a", { href: `/projects/${project.id}/transfers/`, "data-link": "", class: "button" }, "Export and import"),
        h("a", { href: `/projects/${project.id}/models/`, "data-link": "", class: "button" },
          `Model: ${project.default_model?.name ?? "none"}`),
        h("a", { href: `/projects/${project.id}/settings/`, "data-link": "", class: "button" }, "Settings")),
      canUpload ? this.uploadForm() : h("p", { class: "muted" }, "Your role cannot upload videos."),
      h("table", { class: "list videos" },
        h("thead", {}, h("tr", {}, ...["Video", "Status", "Frames", "Size", "Resolution", ""].map((t) => h("th", {}, t)))),
        this.body),
      pager({ page, pageSize: PAGE_SIZE, count: videos.count }, (n) => `/projects/${project.id}/?page=${n}`)));
    for (const v of videos.results) this.showVideo(v);
  }

  unmount(): void {
    this.timers.forEach((t) => clearTimeout(t));
  }

  private uploadForm(): HTMLElement {
    const file = h("input", { type: "file", name: "file", accept: "video/*,.zip,.avi,.mp4,.mov,.mkv,.webm", required: true });
    const name = h("input", { type: "text", name: "name", placeholder: "Name (defaults to the file name)" });
    const submit = h("button", { type: "submit", class: "primary" }, "Upload");
    const bar = progressBar();
    bar.el.hidden = true;
    const message = h("p", { class: "upload-message" });
    const form = h("form", { class: "upload" }, h("h2", {}, "Upload a clip"),
      h("div", { class: "row" }, file, name, submit), bar.el, message,
      h("p", { class: "muted small" }, "A video file, or a .zip of JPEG/PNG frames."));
    // one upload at a time: the button is disabled while it is in flight (ui/submit.ts)
    form.addEventListener("submit", oneAtATime(async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      bar.set(0);
      bar.setLabel("");
      bar.el.hidden = false;
      message.textContent = "";
      message.className = "upload-message";
      const upload = uploadVideo(this.projectId, chosen, name.value.trim(), uploadProgress(bar, chosen.size));
      this.uploadWatch = null;
      const say = (text: string, error = false) => {
        message.textContent = text;
        message.className = `upload-message${error ? " error" : ""}`;
      };
      try {
        const video = await upload.promise;
        bar.set(1);
        bar.setLabel("Uploaded");
        form.reset();
        // The line follows the video: extracting, then ready or failed (never "extracting" after a failure).
        this.uploadWatch = (v) => {
          if (v.id !== video.id) return;
          if (v.status === "ready") say(`Uploaded ${v.name}: ${v.frame_count} frames, ready to annotate.`);
          else if (v.status === "failed") say(`Uploaded ${v.name}, but its frames could not be read: ${v.error || "extraction failed"}`, true);
          else return say(`Uploaded ${v.name}; extracting frames…`);
          bar.el.hidden = true; // the upload's bar says nothing about the outcome
          this.uploadWatch = null;
        };
        this.showVideo(video);
      } catch (error) {
        bar.el.hidden = true; // a refused file was not uploaded, however many bytes were sent
        say((error as Error).message, true);
      }
    }));
    return form;
  }

  private async deleteVideo(video: Video): Promise<void> {
    const what = video.status === "failed" ? "the failed upload" : `its ${video.frame_count} frames and every track in it`;
    if (!(await confirmDialog(`Delete video ${video.name}?`, `Deletes the video, ${what}. This cannot be undone.`, "Delete video"))) return;
    try {
      await api.deleteVideo(video.id);
    } catch (error) {
      return toast((error as Error).message, "error"); // e.g. 409: a propagation job runs on it
    }
    this.deleted.add(video.id);
    this.rows.get(video.id)?.remove();
    this.rows.delete(video.id);
    toast(`Deleted ${video.name}`);
  }

  private showVideo(video: Video): void {
    if (this.deleted.has(video.id)) return;
    const busy = video.status === "uploaded" || video.status === "extracting";
    const status = h("td", { class: "status" });
    if (busy) {
      const bar = progressBar();
      bar.set(video.extraction_progress);
      bar.setLabel(`${video.status === "uploaded" ? "waiting to extract" : "extracting"} ${Math.round(video.extraction_progress * 100)}%`);
      status.append(bar.el);
    } else {
      status.append(h("span", { class: `badge ${video.status}` }, video.status));
      if (video.error) status.append(h("div", { class: "error small" }, video.error));
    }
    const row = h("tr", { "data-video": video.id, "data-status": video.status },
      h("td", { title: video.name }, video.status === "ready" ? h("a", { href: `/videos/${video.id}/`, "data-link": "" }, video.name) : video.name),
      status,
      h("td", {}, video.frame_count || "—"),
      h("td", {}, formatBytes(video.source_size)),
      h("td", {}, frameSizeText(video)),
      h("td", { class: "row" }, video.status === "ready" ? h("a", { href: `/videos/${video.id}/`, "data-link": "", class: "button" }, "Annotate") : "",
        this.canDelete ? h("button", { class: "delete-video", onclick: () => void this.deleteVideo(video) }, "Delete…") : ""));
    const old = this.rows.get(video.id);
    if (old) old.replaceWith(row);
    else this.body.prepend(row);
    this.rows.set(video.id, row);
    this.uploadWatch?.(video);
    if (busy) {
      const timer = window.setTimeout(async () => {
        this.timers.delete(timer);
        try {
          this.showVideo(await api.getVideo(video.id));
        } catch {
          this.showVideo(video); // keep polling through a brief outage
        }
      }, POLL_MS);
      this.timers.add(timer);
    }
  }
}
