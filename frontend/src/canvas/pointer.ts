/**
 * Routes pointer and wheel events of the top canvas: wheel zooms at the pointer, right or middle
 * drag pans in every tool, the left button goes to the active tool in image coordinates.
 */
import type { CanvasEvents } from "../events";
import { panBy, screenToImage, wheelFactor, zoomAt, type Point, type View } from "./geometry";
import type { Tool } from "./tools/Tool";

export interface PointerTarget {
  view(): View;
  setView(view: View): void;
  tool(): Tool;
  inside(p: Point): boolean;
  emit<K extends keyof CanvasEvents>(type: K, payload: CanvasEvents[K]): void;
}

export function bindPointer(el: HTMLCanvasElement, target: PointerTarget): void {
  let panDrag: Point | null = null;
  const local = (e: PointerEvent | WheelEvent): Point => {
    const rect = el.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };
  el.addEventListener("contextmenu", (e) => e.preventDefault());
  el.addEventListener("wheel", (e) => {
    e.preventDefault();
    target.setView(zoomAt(target.view(), wheelFactor(e.deltaY, e.deltaMode), local(e)));
  }, { passive: false });
  el.addEventListener("pointerdown", (e) => {
    el.focus({ preventScroll: true });
    el.setPointerCapture(e.pointerId);
    const s = local(e);
    if (e.button === 1 || e.button === 2) panDrag = s;
    else if (e.button === 0) target.tool().pointerDown(screenToImage(target.view(), s), s, e);
  });
  el.addEventListener("pointermove", (e) => {
    const s = local(e);
    if (panDrag) {
      target.setView(panBy(target.view(), s.x - panDrag.x, s.y - panDrag.y));
      panDrag = s;
      return;
    }
    const p = screenToImage(target.view(), s);
    target.tool().pointerMove(p, s, e);
    target.emit("canvas.pointer", target.inside(p) ? { x: Math.floor(p.x), y: Math.floor(p.y) } : null);
  });
  el.addEventListener("pointerup", (e) => {
    if (panDrag) {
      panDrag = null;
      return;
    }
    const s = local(e);
    if (e.button === 0) target.tool().pointerUp(screenToImage(target.view(), s), s, e);
  });
  el.addEventListener("pointercancel", () => {
    panDrag = null;
    target.tool().cancel();
  });
  el.addEventListener("pointerleave", () => {
    target.tool().pointerLeave();
    target.emit("canvas.pointer", null);
  });
}
