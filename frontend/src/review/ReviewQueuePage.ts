/**
 * /review/: tracks waiting for review, worst first (lowest confidence, i.e. the mask's quality or
 * else the tracker score, or largest jump in mask area, computed by the server), with links
 * straight to the frame to look at. The "Rejected" tab lists tracks sent back to annotators,
 * with their open comments.
 */
import { api, type Project, type ReviewRow } from "../api/client";
import type { Page } from "../router";
import { confidenceColour } from "../timeline/ConfidenceStrip";
import { h } from "../ui/dom";
import { pageParam, pager } from "../ui/pager";

const PAGE_SIZE = 50;

const MEASURE_TEXT: Record<string, string> = {
  quality: "the model's confidence that the mask is right (quality)",
  score: "the tracker's score (this model gives no mask quality)",
};

export class ReviewQueuePage implements Page {
  private onKey = (e: KeyboardEvent) => this.key(e);
  private links: HTMLAnchorElement[] = [];
  private cursor = 0;

  constructor(private params: URLSearchParams) {}

  async mount(root: HTMLElement): Promise<void> {
    document.title = "Review — SiamLabel";
    const project = this.params.get("project") ? Number(this.params.get("project")) : undefined;
    const status = this.params.get("status") === "rejected" ? "rejected" : "in_review";
    const page = pageParam(this.params);
    const [projects, queue] = await Promise.all([api.listProjects(), api.reviewQueue(project, status, page, PAGE_SIZE)]);
    const rows = queue.results;
    const link = (p: number | undefined, s: string, n = 1) => `/review/?${new URLSearchParams({
      ...(p ? { project: String(p) } : {}), status: s, ...(n > 1 ? { page: String(n) } : {}) })}`;
    const picker = h("select", { "aria-label": "project" }, h("option", { value: "" }, "All projects"),
      ...projects.map((p: Project) => h("option", { value: p.id, selected: p.id === project }, p.name)));
    picker.addEventListener("change", () => {
      history.pushState(null, "", link(Number(picker.value) || undefined, status));
      dispatchEvent(new PopStateEvent("popstate"));
    });
    root.append(h("div", { class: "page" },
      h("h1", {}, "Review"),
      h("div", { class: "row tabs" },
        h("a", { href: link(project, "in_review"), "data-link": "", class: status === "in_review" ? "tab active" : "tab" }, "In review"),
        h("a", { href: link(project, "rejected"), "data-link": "", class: status === "rejected" ? "tab active" : "tab" }, "Rejected (to fix)"),
        picker),
      rows.length === 0 ? h("p", { class: "muted empty" }, status === "in_review" ? "Nothing waits for review." : "No rejected tracks.")
        : this.table(rows),
      pager({ page, pageSize: PAGE_SIZE, count: queue.count }, (n) => link(project, status, n)),
      h("p", { class: "muted small" }, "J/K move, Enter opens the worst frame. Sorted by risk: the larger of 1 − lowest confidence (the mask's quality where the model gives one, else the tracker score) and the largest relative change of mask area.")));
    window.addEventListener("keydown", this.onKey);
  }

  unmount(): void {
    window.removeEventListener("keydown", this.onKey);
  }

  private table(rows: ReviewRow[]): HTMLElement {
    const frameLink = (r: ReviewRow, frame: number | null, text: string) => frame === null ? h("span", { class: "muted" }, "—")
      : h("a", { href: `/videos/${r.video}/?track=${r.id}&frame=${frame}`, "data-link": "" }, text);
    const body = h("tbody", {}, ...rows.map((r) => {
      const worst = r.worst_frame ?? r.area_jump_frame ?? 0;
      const open = h("a", { href: `/videos/${r.video}/?track=${r.id}&frame=${worst}`, "data-link": "", class: "button open" }, "Open");
      this.links.push(open);
      return h("tr", { "data-track": r.id },
        h("td", {}, r.video_name),
        h("td", {}, h("span", { class: "swatch", style: `background:${r.colour}` }), ` ${r.label_name} #${r.object_id}`),
        h("td", {}, r.frames),
        h("td", {}, r.worst_confidence === null ? h("span", { class: "muted" }, "—")
          : h("span", { class: "score", style: `color:${confidenceColour(r.worst_confidence)}`, title: MEASURE_TEXT[r.worst_measure ?? "score"] },
            `${r.worst_measure === "quality" ? "quality " : ""}${r.worst_confidence.toFixed(2)}`), " ",
          frameLink(r, r.worst_frame, `frame ${r.worst_frame}`)),
        h("td", {}, r.area_jump ? `${Math.round(r.area_jump * 100)}% ` : "—", r.area_jump ? frameLink(r, r.area_jump_frame, `frame ${r.area_jump_frame}`) : ""),
        h("td", {}, r.unresolved_comments || ""),
        h("td", {}, open));
    }));
    this.highlight();
    return h("table", { class: "list review-queue" },
      h("thead", {}, h("tr", {}, ...["Video", "Track", "Frames", "Lowest confidence", "Area jump", "Open comments", ""].map((t) => h("th", {}, t)))),
      body);
  }

  private highlight(): void {
    this.links.forEach((a, i) => a.closest("tr")?.classList.toggle("cursor", i === this.cursor));
  }

  private key(e: KeyboardEvent): void {
    if ((e.target as HTMLElement).closest("input,select,textarea") || !this.links.length) return;
    if (e.key === "j" || e.key === "ArrowDown") this.cursor = Math.min(this.links.length - 1, this.cursor + 1);
    else if (e.key === "k" || e.key === "ArrowUp") this.cursor = Math.max(0, this.cursor - 1);
    else if (e.key === "Enter") return this.links[this.cursor].click();
    else return;
    e.preventDefault();
    this.highlight();
  }
}
