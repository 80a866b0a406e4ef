/**
 * In-page modal dialogs (a `<dialog>` shown with showModal), instead of the browser's native
 * confirm/prompt: they can be styled, say what a destructive action takes with it, and validate
 * their fields before closing.
 *
 *   if (await confirmDialog({ title: "Delete video?", message: "…", confirm: "Delete video" })) …
 */
import { h } from "./dom";

export interface DialogOptions {
  title: string;
  message?: string;
  confirm: string; // the confirm button's text: say what it does ("Delete track")
  danger?: boolean; // a destructive action: the confirm button is red
  fields?: HTMLElement[]; // inputs shown under the message
  /** Called on confirm; a string is shown as the error and keeps the dialog open. */
  validate?: () => string | null;
}

/** Show a modal dialog; resolve true on confirm, false on Cancel or Escape. */
export function openDialog(options: DialogOptions): Promise<boolean> {
  const error = h("p", { class: "error dialog-error", role: "alert" });
  const ok = h("button", { type: "submit", class: options.danger ? "danger" : "primary" }, options.confirm);
  const cancel = h("button", { type: "button", class: "dialog-cancel" }, "Cancel");
  // novalidate: our validate() explains a bad value in words, instead of the browser's bubble
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", {}, options.title),
    options.message ? h("p", { class: "dialog-message" }, options.message) : null,
    ...(options.fields ?? []), error,
    h("div", { class: "row dialog-buttons" }, cancel, ok));
  // "modal-open": the workspace ignores its shortcuts while one is shown
  const dialog = h("dialog", { class: "dialog modal-open", "aria-label": options.title }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const problem = options.validate?.() ?? null;
      if (problem) error.textContent = problem;
      else close(true);
    });
    form.addEventListener("input", () => (error.textContent = "")); // the reason no longer applies
    cancel.addEventListener("click", () => close(false));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault(); // Escape: close through the same path, so the promise resolves
      close(false);
    });
    dialog.showModal();
    (options.fields?.length ? form.querySelector<HTMLElement>("input, select") : ok)?.focus();
  });
}

/** Ask to confirm an action that cannot be undone. */
export function confirmDialog(title: string, message: string, confirm: string): Promise<boolean> {
  return openDialog({ title, message, confirm, danger: true });
}
