/**
 * One request at a time per form: while a submit is in flight its submit buttons are disabled (so a
 * double click, or Enter, sends nothing more) and a second submit event is ignored. Every form that
 * POSTs goes through this (settings/panel.ts `submitting`, the upload, export and import forms).
 */

/** What can be switched off: a button, or a stand-in in the unit tests. */
export interface Switchable {
  disabled: boolean;
}

/**
 * The controls a submit event should lock: the form's submit buttons when it is a form's submit,
 * else the element the handler is on (a plain button's click). Duck-typed so tests need no DOM.
 */
export function submitControls(event: Event): Switchable[] {
  const target = event.currentTarget as (EventTarget & { elements?: ArrayLike<unknown>; disabled?: boolean }) | null;
  if (!target) return [];
  if (target.elements) {
    return Array.from(target.elements).filter((el): el is Switchable & { type: string } => {
      const c = el as { type?: string; disabled?: unknown; tagName?: string };
      return typeof c.disabled === "boolean" && c.type === "submit";
    });
  }
  return typeof target.disabled === "boolean" ? [target as Switchable] : [];
}

/**
 * Wrap a submit (or click) handler so it runs once at a time: the event's default is prevented,
 * a submit arriving while one is in flight is dropped, and the controls `submitControls` finds
 * are disabled until the action settles (those that were disabled before stay so).
 */
export function oneAtATime(action: (event: Event) => Promise<void>,
  controls: (event: Event) => Switchable[] = submitControls): (event: Event) => Promise<void> {
  let busy = false;
  return async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const locked = controls(event).filter((c) => !c.disabled);
    for (const c of locked) c.disabled = true;
    try {
      await action(event);
    } finally {
      busy = false;
      for (const c of locked) c.disabled = false;
    }
  };
}
