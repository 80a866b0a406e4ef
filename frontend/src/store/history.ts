/**
 * Undo and redo: a stack of commands, each able to do and undo itself against the server.
 *
 *   await history.execute(setMaskCommand(store, trackId, frame, rle));
 *   await history.undo();  await history.redo();
 *
 * Commands run one at a time, in order (a queue), because each changes the track's version.
 * A command that fails (a 409 conflict, a refused edit) is not recorded: the stacks only hold
 * what really happened on the server.
 */

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
}

export class History {
  private done: Command[] = [];
  private undone: Command[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  busy = false;

  constructor(private onChange: (state: HistoryState) => void = () => {}, private limit = 100) {}

  get state(): HistoryState {
    const last = this.done.at(-1), next = this.undone.at(-1);
    return { canUndo: !!last, canRedo: !!next, undoLabel: last?.label ?? null, redoLabel: next?.label ?? null };
  }

  /** Run a new command; on success it becomes undoable and the redo stack is cleared. */
  execute(command: Command): Promise<void> {
    return this.serial(async () => {
      await command.do();
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
