/** A tiny element builder and the few UI bits every page shares. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** h("button", { class: "primary", onclick: save }, "Save") */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value as EventListener);
    else if (key === "class") el.className = String(value);
    else if (key in el && key !== "list" && typeof value !== "string") (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A progress bar: call set(0..1) and setLabel(text). */
export function progressBar(label = ""): { el: HTMLElement; set(f: number): void; setLabel(t: string): void } {
  const fill = h("div", { class: "progress-fill" });
  const text = h("span", { class: "progress-text" }, label);
  const el = h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100 }, fill, text);
  return {
    el,
    set(f: number) {
      const pct = Math.round(Math.min(1, Math.max(0, f)) * 100);
      fill.style.width = `${pct}%`;
      el.setAttribute("aria-valuenow", String(pct));
    },
    setLabel(t: string) {
      text.textContent = t;
    },
  };
}

/** An upload's onProgress (0..1): fill `bar` and say how much of `size` bytes was sent. */
export function uploadProgress(bar: ReturnType<typeof progressBar>, size: number): (f: number) => void {
  return (f) => {
    bar.set(f);
    bar.setLabel(`Uploading ${formatBytes(f * size)} of ${formatBytes(size)}`);
  };
}

let toastTimer = 0;
/**
 * A short message in a corner: the bottom-right of the page's `[data-toast-host]` (the workspace's
 * frame area, so it never covers the toolbar, the frame controls or the timeline), else of the window.
 */
export function toast(text: string, kind: "info" | "error" = "info"): void {
  const host = document.querySelector<HTMLElement>("[data-toast-host]");
  let el = document.getElementById("toast");
  if (!el) el = h("div", { id: "toast", role: "status", "aria-live": "polite" });
  if (el.parentElement !== (host ?? document.body)) (host ?? document.body).append(el);
  el.textContent = text;
  el.className = `toast show ${kind}${host ? " in-host" : ""}`;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el!.classList.remove("show"), kind === "error" ? 6000 : 2500);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** True when a key event comes from a text field (shortcuts must not fire there). */
export function typingIn(event: KeyboardEvent): boolean {
  const t = event.target as HTMLElement | null;
  if (!t) return false;
  if (t.isContentEditable) return true;
  if (t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return true;
  return t instanceof HTMLInputElement && !["range", "checkbox", "radio", "button"].includes(t.type);
}
