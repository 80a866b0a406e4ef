/**
 * /projects/{id}/: the project's videos and the upload form. The upload shows the bytes sent
 * (XMLHttpRequest upload progress), then frame extraction progress by polling the video.
 */
import { api, uploadVideo, type Video } from "../api/client";
import type { Page } from "../router";
import { formatBytes, h, progressBar } from "../ui/dom";

const POLL_MS = 700;

export class VideosPage implements Page {
  private timers = new Set<number>();
  private body = h("tbody", {});
  private rows = new Map<number, HTMLTableRowElement>();

  constructor(private projectId: number) {}

  async mount(root: HTMLElement): Promise<void> {
    const [project, videos] = await Promise.all([api.getProject(this.projectId), api.listVideos(this.projectId)]);
    document.title = `${project.name} — SiamLabel`;
    const canUpload = project.role === "annotator" || project.role === "manager";
    root.append(h("div", { class: "page" },
      h("p", { class: "crumbs" }, h("a", { href: "/projects/", "data-link": "" }, "Projects"), " / ", project.name),
      h("h1", {}, project.name),
      canUpload ? this.uploadForm() : h("p", { class: "muted" }, "Your role cannot upload videos."),
      h("table", { class: "list videos" },
        h("thead", {}, h("tr", {}, ...["Video", "Status", "Frames", "Size", "Resolution", ""].map((t) => h("th", {}, t)))),
        this.body)));
    for (const v of videos) this.showVideo(v);
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
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const chosen = file.files?.[0];
      if (!chosen) return;
      submit.disabled = true;
      bar.el.hidden = false;
      message.textContent = "";
      message.className = "upload-message";
      const upload = uploadVideo(this.projectId, chosen, name.value.trim(), (f) => {
        bar.set(f);
        bar.setLabel(`Uploading ${formatBytes(f * chosen.size)} of ${formatBytes(chosen.size)}`);
      });
      try {
        const video = await upload.promise;
        bar.set(1);
        bar.setLabel("Uploaded");
        message.textContent = `Uploaded ${video.name}; extracting frames…`;
        form.reset();
        this.showVideo(video);
      } catch (error) {
        message.textContent = (error as Error).message;
        message.className = "upload-message error";
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  private showVideo(video: Video): void {
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
      h("td", {}, video.status === "ready" ? h("a", { href: `/videos/${video.id}/`, "data-link": "" }, video.name) : video.name),
      status,
      h("td", {}, video.frame_count || "—"),
      h("td", {}, formatBytes(video.source_size)),
      h("td", {}, video.width ? `${video.width}×${video.height} @ ${video.fps?.toFixed(1)} fps` : "—"),
      h("td", {}, video.status === "ready" ? h("a", { href: `/videos/${video.id}/`, "data-link": "", class: "button" }, "Annotate") : ""));
    const old = this.rows.get(video.id);
    if (old) old.replaceWith(row);
    else this.body.prepend(row);
    this.rows.set(video.id, row);
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
