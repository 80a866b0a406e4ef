/**
 * Client-side routes of the single page Django serves for "/", /projects/..., /videos/..., /review/...
 * Links with data-link navigate without a reload; the back button works.
 */
export interface Page {
  mount(root: HTMLElement): void | Promise<void>;
  unmount(): void;
}

export interface Route {
  pattern: RegExp;
  page: (match: RegExpMatchArray, params: URLSearchParams) => Page;
}

export class Router {
  private current: Page | null = null;

  constructor(private root: HTMLElement, private routes: Route[], private notFound: () => Page) {
    window.addEventListener("popstate", () => void this.render());
    document.addEventListener("click", (e) => {
      const a = (e.target as HTMLElement).closest?.("a[data-link]") as HTMLAnchorElement | null;
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      this.navigate(a.getAttribute("href")!);
    });
  }

  navigate(url: string): void {
    history.pushState(null, "", url);
    void this.render();
  }

  async render(): Promise<void> {
    this.current?.unmount();
    this.root.replaceChildren();
    const params = new URLSearchParams(location.search);
    const route = this.routes.find((r) => r.pattern.test(location.pathname));
    const page = route ? route.page(location.pathname.match(route.pattern)!, params) : this.notFound();
    this.current = page;
    document.querySelectorAll("nav a[data-link]").forEach((a) =>
      a.classList.toggle("active", location.pathname.startsWith(a.getAttribute("href")!) && a.getAttribute("href") !== "/"));
    try {
      await page.mount(this.root);
    } catch (error) {
      if (this.current !== page) return;
      const message = error instanceof Error ? error.message : String(error);
      const p = document.createElement("p");
      p.className = "pad error";
      p.textContent = `This page could not be loaded: ${message}`;
      this.root.replaceChildren(p);
    }
  }
}

/** Go to an app URL without a reload, as a data-link click does (the Router renders on popstate). */
export function go(url: string): void {
  history.pushState(null, "", url);
  window.dispatchEvent(new PopStateEvent("popstate"));
}
