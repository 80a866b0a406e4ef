/** Play button, frame slider, frame number and the pointer position, under the canvas. */
import { h } from "../ui/dom";
import type { Workspace } from "./Workspace";

export class FrameControls {
  readonly element: HTMLElement;
  private play: HTMLButtonElement;
  private slider: HTMLInputElement;
  private input: HTMLInputElement;

  constructor(ws: Workspace) {
    const last = ws.video.frame_count - 1;
    this.play = h("button", { class: "play", title: "Play / pause (Space)", onclick: () => ws.actions.togglePlay() }, "▶");
    this.slider = h("input", { type: "range", min: 0, max: last, value: 0, class: "frame-slider", "aria-label": "frame" });
    // scrubbing: every input event shows that frame (from the cache when it is there)
    this.slider.addEventListener("input", () => { ws.playback.pause(); ws.goto(Number(this.slider.value)); });
    this.input = h("input", { type: "number", min: 0, max: last, value: 0, class: "frame-input", "aria-label": "frame number" });
    this.input.addEventListener("change", () => ws.actions.goto(Number(this.input.value)));
    this.input.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === "Escape") this.input.blur(); });
    // fixed width (styles.css): the readout appearing over the canvas must not shrink the slider
    const pointer = h("span", { class: "muted pointer-pos", "aria-live": "off" });
    const fps = ws.video.fps ? `${ws.video.fps.toFixed(ws.video.fps % 1 ? 2 : 0)} fps` : "";
    this.element = h("div", { class: "ws-frames" },
      // a symmetric pair around play: ◀◀ one frame back, ▶▶ one frame on
      h("button", { class: "step-back", title: "Previous frame (←)", "aria-label": "Previous frame", onclick: () => ws.actions.step(-1) }, "◀◀"),
      this.play,
      h("button", { class: "step-forward", title: "Next frame (→)", "aria-label": "Next frame", onclick: () => ws.actions.step(1) }, "▶▶"),
      this.slider,
      h("span", { class: "frame-label" }, "Frame ", this.input, ` / ${last}`),
      h("span", { class: "muted" }, `${ws.video.width}×${ws.video.height} ${fps}`),
      pointer);
    queueMicrotask(() => ws.canvas.events.on("canvas.pointer", (p) => (pointer.textContent = p ? `x ${p.x}, y ${p.y}` : "")));
  }

  setFrame(frame: number): void {
    this.slider.value = String(frame);
    if (document.activeElement !== this.input) this.input.value = String(frame);
    this.element.dataset.frame = String(frame);
  }

  setPlaying(playing: boolean): void {
    this.play.textContent = playing ? "❚❚" : "▶";
    this.play.classList.toggle("active", playing);
  }

  focusInput(): void {
    this.input.focus();
    this.input.select();
  }
}
