/**
 * Undo and redo: a stack of commands, each able to do and undo itself against the server.
 *
 *   await history.execute(setMaskCommand(store, trackId, frame, rle));
 *   await history.undo();  await history.redo();
 *
 * Commands run one at a time, in order (a queue), because each changes the track's version.
 * A command that fails (a 409 conflict, a refused edit) is not recorded: the stacks only hold
 * what really happened on the server. The last one refused for a stale version is kept
 * (`refused`), so that after a reload the annotator can run it again on top of the other change
 * instead of redoing it by hand (`retryRefused`).
 */
import { ConflictError } from "../api/client";


export interface Command {
  readonly label: string;
  do(): Promise<void>;
  undo(): Promise<void>;
  /** Forget this command when the track it edits is reloaded from the server. */
  readonly trackId?: number;
}

export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
  undoLabel: string | null;
  redoLabel: string | null;
  /** The last command refused for a stale version, until it is run again or dropped. */
  refused: { trackId: number; label: string } | null;
}

export class History {
  private done: Command[] = [];
  private undone: Command[] = [];
  private refused: Command | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  busy = false;

  constructor(private onChange: (state: HistoryState) => void = () => {}, private limit = 100) {}

  get state(): HistoryState {
    const last = this.done.at(-1), next = this.undone.at(-1);
    const trackId = this.refused?.trackId;
    const refused = this.refused && trackId !== undefined ? { trackId, label: this.refused.label } : null;
    return { canUndo: !!last, canRedo: !!next, undoLabel: last?.label ?? null, redoLabel: next?.label ?? null, refused };
  }

  /** Run a new command; on success it becomes undoable and the redo stack is cleared. */
  execute(command: Command): Promise<void> {
    return this.serial(async () => {
      try {
        await command.do();
      } catch (error) {
        if (error instanceof ConflictError && command.trackId !== undefined) this.refused = command;
        throw error;
      }
      if (this.refused === command) this.refused = null;
      this.done.push(command);
      if (this.done.length > this.limit) this.done.shift();
      this.undone = [];
    });
  }

  undo(): Promise<boolean> {
    return this.serial(async () => {
      const command = this.done.pop();
      if (!command) return false;
      try {
        await command.undo();
      } catch (error) {
        this.done.push(command);
        throw error;
      }
      this.undone.push(command);
      return true;
    });
  }

  redo(): Promise<boolean> {
    return this.serial(async () => {
      const command = this.undone.pop();
      if (!command) return false;
      try {
        await command.do();
      } catch (error) {
        this.undone.push(command);
        throw error;
      }
      this.done.push(command);
      return true;
    });
  }

  /**
   * Run the refused command again (after its track was reloaded: it reads the "before" state and
   * the version anew, so it applies on top of the other change); false when there is none.
   */
  async retryRefused(): Promise<boolean> {
    const command = this.refused;
    if (!command) return false;
    await this.execute(command);
    return true;
  }

  dropRefused(): void {
    this.refused = null;
    this.onChange(this.state);
  }

  /** Drop every command touching a track (after a reload, their "before" states are unknown). */
  forgetTrack(trackId: number): void {
    this.done = this.done.filter((c) => c.trackId !== trackId);
    this.undone = this.undone.filter((c) => c.trackId !== trackId);
    this.onChange(this.state);
  }

  clear(): void {
    this.done = [];
    this.undone = [];
    this.onChange(this.state);
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      this.busy = true;
      try {
        return await step();
      } finally {
        this.busy = false;
        this.onChange(this.state);
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
