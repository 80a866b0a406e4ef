/** What the settings panels share: a titled table with the managers' form under it, and forms that show refusals. */
import { h } from "../ui/dom";
import { oneAtATime } from "../ui/submit";

/** A section: heading, a table (headers, body) and, when given, a form below it. */
export function tablePanel(kind: string, title: string, headers: string[], body: HTMLElement, form: HTMLElement | null): HTMLElement {
  return h("section", { class: `${kind}-panel` }, h("h2", {}, title),
    h("table", { class: `list ${kind}` }, h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", {}, t)))), body),
    form);
}

/** A line under a form for the server's refusal, in its words; hidden while empty. */
export function errorLine(extraClass = ""): HTMLElement {
  return h("span", { class: `error form-error ${extraClass}`.trim(), role: "alert" });
}

/**
 * A submit handler: clear `message`, run `action`; a refusal (400, 409, 429…) is shown in `message`.
 * One at a time (ui/submit.ts): the submit button is disabled while the request is in flight.
 */
export function submitting(message: HTMLElement, action: () => Promise<void>): (e: Event) => Promise<void> {
  return oneAtATime(async () => {
    message.textContent = "";
    try {
      await action();
    } catch (error) {
      message.textContent = (error as Error).message;
    }
  });
}
