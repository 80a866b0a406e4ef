/**
 * The canvas's element: two stacked canvases (frame + masks below; boxes + tool preview on top,
 * which receives the pointer) and a busy badge, sized to device pixels with the element and
 * redrawn at most once per animation frame.
 *
 *   const stack = new CanvasStack(host, { base: drawFrame, top: drawBoxes, resized: refit });
 *   stack.start();                      // follow the element's size from now
 *   stack.requestRender(true);          // both canvases on the next animation frame (false: the top only)
 */

export interface StackPainter {
  /** Draw frame and masks; the context is cleared to the background, with no transform. */
  base(ctx: CanvasRenderingContext2D, dpr: number): void;
  /** Draw boxes and the tool preview; the context is cleared, with no transform. */
  top(ctx: CanvasRenderingContext2D, dpr: number): void;
  /** The canvases were just resized to the element. */
  resized(): void;
}

export class CanvasStack {
  readonly element: HTMLDivElement;
  readonly top: HTMLCanvasElement; // boxes + tool preview; receives the pointer
  private base: HTMLCanvasElement; // frame + masks
  private busy: HTMLDivElement;
  private dpr = 1;
  private pending = { base: false, top: false, frame: 0 };
  private resizeObserver = new ResizeObserver(() => this.resize());

  constructor(host: HTMLElement, private painter: StackPainter) {
    this.element = document.createElement("div");
    this.element.className = "canvas-host";
    this.base = this.layer("frame-layer");
    this.top = this.layer("ui-layer");
    this.top.tabIndex = 0;
    this.busy = document.createElement("div");
    this.busy.className = "canvas-busy";
    this.busy.hidden = true;
    this.element.append(this.busy);
    host.append(this.element);
  }

  /** Size the canvases to the element now and whenever it changes. */
  start(): void {
    this.resizeObserver.observe(this.element);
    this.resize();
  }

  requestRender(base = false): void {
    this.pending.base ||= base;
    this.pending.top = true;
    if (!this.pending.frame) this.pending.frame = requestAnimationFrame(() => this.render());
  }

  /** Draw frame and masks now (also used by benchmarks). */
  renderBase(): void {
    const ctx = this.base.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#0d0e11";
    ctx.fillRect(0, 0, this.base.width, this.base.height);
    this.painter.base(ctx, this.dpr);
  }

  /** Show (or with null, hide) a busy badge over the canvas. */
  setBusy(text: string | null): void {
    this.busy.hidden = text === null;
    this.busy.textContent = text ?? "";
    this.element.toggleAttribute("data-busy", text !== null);
  }

  destroy(): void {
    cancelAnimationFrame(this.pending.frame);
    this.resizeObserver.disconnect();
    this.element.remove();
  }

  private layer(className: string): HTMLCanvasElement {
    const c = document.createElement("canvas");
    c.className = className;
    this.element.append(c);
    return c;
  }

  private resize(): void {
    const { width, height } = this.element.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    for (const c of [this.base, this.top]) {
      c.width = Math.max(1, Math.round(width * this.dpr));
      c.height = Math.max(1, Math.round(height * this.dpr));
    }
    this.painter.resized();
    this.requestRender(true);
  }

  private render(): void {
    this.pending.frame = 0;
    if (this.pending.base) this.renderBase();
    if (this.pending.top) this.renderTop();
    this.pending.base = this.pending.top = false;
  }

  private renderTop(): void {
    const ctx = this.top.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.top.width, this.top.height);
    this.painter.top(ctx, this.dpr);
  }
}
