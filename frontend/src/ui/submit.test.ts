import { describe, expect, it } from "vitest";
import { oneAtATime, submitControls } from "./submit";

const submitEvent = (currentTarget: unknown) => {
  const e = { currentTarget, defaultPrevented: false, preventDefault() { e.defaultPrevented = true; } };
  return e as unknown as Event & { defaultPrevented: boolean };
};

function deferred() {
  let resolve!: () => void, reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe("oneAtATime", () => {
  it("runs one submit at a time, with the submit button disabled while it is in flight", async () => {
    const button = { type: "submit", disabled: false };
    const field = { type: "text", disabled: false };
    const form = { elements: [field, button] };
    const pending = deferred();
    let calls = 0;
    const handler = oneAtATime(async () => { calls++; await pending.promise; });
    const first = submitEvent(form), second = submitEvent(form);
    const running = handler(first);
    expect(button.disabled).toBe(true);
    expect(field.disabled).toBe(false); // only the submit buttons
    await handler(second); // a double click, or Enter, while the first is in flight
    expect(calls).toBe(1);
    expect(second.defaultPrevented).toBe(true); // and the browser does not submit it either
    pending.resolve();
    await running;
    expect(button.disabled).toBe(false);
    await handler(submitEvent(form));
    expect(calls).toBe(2);
  });

  it("enables the button again after a refusal, and leaves a button disabled before disabled", async () => {
    const button = { type: "submit", disabled: false };
    const off = { type: "submit", disabled: true };
    const handler = oneAtATime(async () => { throw new Error("label 'dup' already exists"); });
    await expect(handler(submitEvent({ elements: [button, off] }))).rejects.toThrow("already exists");
    expect(button.disabled).toBe(false);
    expect(off.disabled).toBe(true);
  });

  it("locks a plain button when the handler is a click", () => {
    const button = { disabled: false };
    expect(submitControls(submitEvent(button))).toEqual([button]);
    expect(submitControls(submitEvent(null))).toEqual([]);
  });
});
