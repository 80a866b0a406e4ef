/**
 * The selected track's review state in the workspace: submit (annotators), accept or reject
 * (reviewers), and comments pinned to frames — which is how annotators see why a track was rejected.
 */
import { api, type Comment } from "../api/client";
import { h } from "../ui/dom";
import { oneAtATime } from "../ui/submit";
import { isNotFound } from "../workspace/gone";
import type { Workspace } from "../workspace/Workspace";
import { formatDateTime, formatTime } from "../ui/dates";

export class ReviewPanel {
  readonly element: HTMLElement;
  private comments: Comment[] = [];

  constructor(private ws: Workspace) {
    const status = h("p", { class: "review-status" });
    const buttons = h("div", { class: "row review-buttons" });
    const list = h("ul", { class: "comments" });
    const input = h("textarea", { class: "comment-input", rows: 2, placeholder: "Comment on this frame (C)…" });
    const post = h("button", { class: "post-comment" }, "Comment");
    this.element = h("section", { class: "panel review-panel" }, h("h2", {}, "Review"), status, buttons, list,
      input, h("div", { class: "row" }, post));

    const render = () => {
      const s = ws.store.selected;
      this.element.hidden = !s;
      if (!s) return;
      const t = s.track;
      status.replaceChildren(`${t.label_name} #${t.object_id}: `, h("span", { class: `badge ${t.review_status}` }, t.review_status.replace("_", " ")));
      const b: HTMLElement[] = [];
      if (ws.store.canEdit && (t.review_status === "draft" || t.review_status === "rejected")) {
        b.push(h("button", { class: "primary submit-review", onclick: () => ws.actions.submit(), title: "Shift+S" }, "Send to review"));
      }
      if (ws.store.canReview && t.review_status === "in_review") {
        b.push(h("button", { class: "primary accept", onclick: () => ws.actions.accept(), title: "Shift+A" }, "Accept"));
        b.push(h("button", { class: "danger reject", title: "Shift+R; uses the comment box as the reason",
          onclick: () => ws.actions.reject(input.value.trim() || undefined).then(() => { input.value = ""; void this.load(); }) }, "Reject"));
      }
      buttons.replaceChildren(...b);
      list.replaceChildren(...this.comments.map((c) => {
        const done = h("input", { type: "checkbox", checked: c.resolved, title: "resolved" });
        done.addEventListener("change", async () => {
          await api.resolveComment(c.id, done.checked);
          c.resolved = done.checked;
          render();
        });
        return h("li", { class: `comment${c.resolved ? " resolved" : ""}` },
          done,
          c.frame != null ? h("a", { href: "#", class: "frame-link", onclick: (e: Event) => { e.preventDefault(); ws.actions.goto(c.frame!); } }, `frame ${c.frame}`) : "",
          h("span", { class: "text" }, ` ${c.text} `), h("span", { class: "muted small" }, `— ${c.author ?? "?"}, `),
          h("time", { class: "muted small comment-time", datetime: c.created_at, title: formatDateTime(c.created_at) },
            commentTime(new Date(c.created_at))));
      }));
    };
    post.addEventListener("click", oneAtATime(async () => { // a double click posts one comment
      const s = ws.store.selected;
      const text = input.value.trim();
      if (!s || !text) return;
      try {
        await api.addComment(s.track.id, text, ws.frame);
        input.value = "";
        await this.load();
      } catch (error) {
        if (isNotFound(error)) ws.reportFailure(error);
        else ws.bus.emit("notice", { text: String((error as Error).message), kind: "error" });
      }
    }));
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) post.click();
      if (e.key === "Escape") input.blur();
    });
    this.render = render;
    ws.bus.on("selection.changed", () => void this.load());
    ws.bus.on("tracks.changed", render);
    queueMicrotask(() => void this.load());
  }

  private render: () => void = () => {};

  private async load(): Promise<void> {
    const s = this.ws.store.selected;
    this.comments = s ? await api.listComments(s.track.id).catch(() => []) : [];
    this.render();
  }
}

/** When a comment was written, short: "14:05" today, "28 Nov, 14:05" this year, with the year before that. */
export function commentTime(when: Date, now = new Date()): string {
  if (when.toDateString() === now.toDateString()) return formatTime(when);
  if (when.getFullYear() !== now.getFullYear()) return formatDateTime(when);
  return `${when.toLocaleDateString("en-GB", { day: "numeric", month: "short" })}, ${formatTime(when)}`;
}
