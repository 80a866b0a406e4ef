/** Start propagation (forward, backward, both) from the current frame and follow its progress. */
import { api, type Job } from "../api/client";
import { isActive } from "../store/jobs";
import { lostTargets, lostText } from "../store/stops";
import { h, progressBar } from "../ui/dom";
import { jobDoneText, jobProgressLabel } from "./jobText";
import { FETCH_OFFICIAL_WEIGHTS, modelText, officialWeightsHint } from "./modelInfo";
import { cannotEditReason, lockForRole } from "./roles";
import type { Workspace } from "./Workspace";

export class PropagationPanel {
  readonly element: HTMLElement;

  constructor(ws: Workspace) {
    const a = ws.actions;
    const bar = progressBar();
    const cancel = h("button", { class: "cancel-job", hidden: true }, "Cancel");
    const status = h("p", { class: "muted small job-status" });
    const model = h("p", { class: "muted small job-model", hidden: true });
    const hintText = officialWeightsHint(ws.store.defaultModel);
    const hint = hintText === null ? null
      : h("p", { class: "small model-hint" }, `${hintText} `, h("code", {}, FETCH_OFFICIAL_WEIGHTS));
    let current: Job | null = null;
    const afterCorrection = new Set<number>(); // jobs a saved correction started (services/corrections.py)
    cancel.addEventListener("click", () => current && ws.jobs.cancel(current.id));
    this.element = h("section", { class: "panel propagation-panel" },
      h("h2", {}, "Propagate from this frame"),
      h("div", { class: "row" },
        h("button", { onclick: () => a.propagate("backward"), title: "Backward (Shift+P)", "data-direction": "backward" }, "◀ Back"),
        h("button", { onclick: () => a.propagate("both"), title: "Both ways (Alt+P)", "data-direction": "both" }, "◀▶ Both"),
        h("button", { class: "primary", onclick: () => a.propagate("forward"), title: "Forward (P)", "data-direction": "forward" }, "Forward ▶")),
      h("p", { class: "muted small" }, "Selected track, or every track with a box or mask on this frame."),
      choices(ws),
      ...(hint ? [hint] : []),
      bar.el, status, model, cancel,
      h("div", { class: "row edit-row" },
        h("button", { onclick: () => a.deleteFrame(), title: "Delete this frame (Del)" }, "Delete frame"),
        h("button", { onclick: () => a.deleteRange(), title: "Delete a range (Shift+Del)" }, "Delete range…")),
      h("div", { class: "row edit-row" },
        h("button", { class: "outside-range", onclick: () => a.outsideRange(true),
                      title: "Object not visible on a range (Alt+O; this frame: Shift+O)" }, "Outside…"),
        h("button", { class: "outside-clear", onclick: () => a.outsideRange(false), title: "Remove outside marks in a range" },
          "Clear outside…")));
    bar.el.hidden = true;
    // propagating and deleting or marking frames edit tracks: off for a reviewer, with the reason on hover
    lockForRole(cannotEditReason(ws.store.role), ...this.element.querySelectorAll<HTMLButtonElement | HTMLSelectElement>(
      "button[data-direction], .edit-row button, .propagate-choices select"));

    const show = (job: Job) => {
      current = job;
      const active = isActive(job);
      bar.el.hidden = false;
      bar.set(job.progress ?? 0);
      bar.setLabel(jobProgressLabel(job, afterCorrection.has(job.id)));
      cancel.hidden = !active;
      const bits: string[] = [job.status];
      if (job.status === "queued") {
        bits.push(job.waiting_for_track ? "waiting for the job on this track to end" : "waiting for a GPU worker");
      }
      if (job.status === "succeeded" && job.frames_done < job.frames_total) bits.push("stopped early");
      if (job.status === "succeeded" && !job.fusion && job.frames_done === 0) bits.push("no frame written");
      if (job.fps) bits.push(`${job.fps.toFixed(1)} fps`);
      if (job.seconds_left != null && active) bits.push(`${Math.ceil(job.seconds_left)} s left`);
      if (job.error) bits.push(job.error);
      status.textContent = bits.join(" · ");
      model.hidden = false;
      model.textContent = `model: ${modelText(job.model)}`;
      this.element.dataset.jobId = String(job.id);
      this.element.dataset.jobStatus = job.status;
    };
    ws.bus.on("job.started", ({ job }) => { afterCorrection.add(job.id); show(job); });
    ws.bus.on("job.progress", ({ job }) => show(job));
    ws.bus.on("job.finished", ({ job }) => {
      show(job);
      const lost = lostTargets(job);
      const name = (trackId: number) => `#${ws.store.tracks.get(trackId)?.track.object_id ?? "?"}`;
      ws.bus.emit("notice", job.status !== "succeeded"
        ? { text: `propagation ${job.status}${job.error ? ": " + job.error : ""}`, kind: job.status === "failed" ? "error" : "info" }
        : lost.length ? { text: `propagation stopped: ${name(lost[0].trackId)} ${lostText(lost[0])}`
            + (lost.length > 1 ? ` (and ${lost.length - 1} more)` : ""), kind: "info" }
          : { text: jobDoneText(job), kind: "info" });
    });
  }
}

/** Model and precision for the next propagations; "" keeps the project's model / the server's precision. */
function choices(ws: Workspace): HTMLElement {
  const options = ws.actions.propagateOptions;
  const project = ws.store.defaultModel;
  const model = h("select", { class: "propagate-model", title: "Weights to run" },
    h("option", { value: "" }, `project model${project ? ` (${project.name})` : ""}`));
  const precision = h("select", { class: "propagate-precision", title: "exact: float32; fast: reduced-precision trunk" },
    h("option", { value: "" }, "server precision"), h("option", { value: "exact" }, "exact"),
    h("option", { value: "fast" }, "fast"));
  model.addEventListener("change", () => {
    if (model.value) options.checkpoint = Number(model.value);
    else delete options.checkpoint;
    model.blur(); // give the keys back to the workspace shortcuts (P propagates)
  });
  precision.addEventListener("change", () => {
    if (precision.value) options.precision = precision.value as "exact" | "fast";
    else delete options.precision;
    precision.blur();
  });
  api.listCheckpoints().then((checkpoints) => model.append(
    ...checkpoints.map((c) => h("option", { value: c.id }, `${c.name} (${c.variant})`))),
  () => { /* the project's model still works without the list */ });
  return h("div", { class: "row propagate-choices" }, h("label", { class: "small" }, "Model ", model),
    h("label", { class: "small" }, "Precision ", precision));
}
