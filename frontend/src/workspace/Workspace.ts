/**
 * The annotation workspace page (/videos/{id}/): wires the store, the canvas, the frame cache,
 * playback, the timeline and the side panels together. Actions (actions.ts) hold what the buttons
 * and shortcuts do; this file holds state and drawing.
 */
import { api, type Video } from "../api/client";
import { Canvas } from "../canvas/Canvas";
import type { CanvasTrack } from "../canvas/types";
import { EventBus, type AppEvents } from "../events";
import type { Page } from "../router";
import { AnnotationStore } from "../store/annotations";
import { TrackRefs } from "../store/commands";
import { FrameStore } from "../store/frames";
import { History } from "../store/history";
import { JobWatcher, isActive } from "../store/jobs";
import { MaskDecoder } from "../store/maskDecoder";
import { OUTSIDE } from "../store/outside";
import { LostTargets, type TargetLost } from "../store/stops";
import { confidence } from "../timeline/ConfidenceStrip";
import { Filmstrip } from "../timeline/Filmstrip";
import { Playback } from "../timeline/Playback";
import { h, toast, typingIn } from "../ui/dom";
import { ReviewPanel } from "../review/ReviewPanel";
import { Actions } from "./actions";
import { ConflictBanner } from "./ConflictBanner";
import { FrameControls } from "./FrameControls";
import { failureText, isNotFound } from "./gone";
import { LostTargetPanel } from "./LostTargetPanel";
import { PropagationPanel } from "./PropagationPanel";
import { shortcutFor } from "./shortcuts";
import { Toolbar } from "./Toolbar";
import { trackColours } from "./trackColours";
import { TrackPanel } from "./TrackPanel";

export type BoxMode = "new" | "reanchor";

/** How often an open workspace looks for jobs on its video that it did not start. */
const DISCOVER_JOBS_MS = 5000;

export class Workspace implements Page {
  readonly bus = new EventBus<AppEvents>();
  readonly store = new AnnotationStore(api, this.bus);
  readonly decoder = new MaskDecoder();
  readonly refs = new TrackRefs();
  readonly history = new History((state) => this.bus.emit("history.changed", state));
  readonly actions = new Actions(this);
  readonly lost = new LostTargets();
  canvas!: Canvas;
  frames!: FrameStore;
  jobs!: JobWatcher;
  playback!: Playback;
  filmstrip!: Filmstrip;
  controls!: FrameControls;
  frame = 0;
  newLabelId: number | null = null;
  /** What a box drawn now does: start a new track, or re-anchor the selected one (shown in the toolbar). */
  boxMode: BoxMode = "new";
  private shown = -1; // the frame whose bitmap is on the canvas
  private redrawPending = 0;
  private cleanups: (() => void)[] = [];

  constructor(private videoId: number, private params: URLSearchParams) {}

  get video(): Video {
    return this.store.video;
  }

  async mount(root: HTMLElement): Promise<void> {
    root.append(h("p", { class: "muted pad" }, "Loading the video…"));
    const startFrame = Math.max(0, Number(this.params.get("frame")) || 0);
    await this.store.load(this.videoId, startFrame);
    const video = this.video;
    document.title = `${video.name} — SiamLabel`;
    if (video.status !== "ready") {
      root.replaceChildren(h("p", { class: "pad" }, `This video is not ready yet (${video.status}). `,
        h("a", { href: `/projects/${video.project}/`, "data-link": "" }, "Back to the videos")));
      return;
    }
    const frameCount = video.frame_count;
    this.newLabelId = this.store.labels[0]?.id ?? null;
    this.frames = new FrameStore(frameCount, video.width ?? 1, video.height ?? 1, (n) => api.frameUrl(video.id, n));
    this.jobs = new JobWatcher(api, this.store, this.bus, frameCount);
    this.filmstrip = new Filmstrip(frameCount);
    this.controls = new FrameControls(this);

    const stage = h("div", { class: "ws-stage", "data-toast-host": "" }); // toasts stay off the controls
    const side = h("aside", { class: "ws-side" });
    root.replaceChildren(h("div", { class: "workspace" },
      h("div", { class: "ws-main" }, new Toolbar(this).element, stage, this.controls.element,
        h("div", { class: "ws-timeline" }, this.filmstrip.element)),
      side));
    this.canvas = new Canvas(stage);
    this.canvas.setImageSize(video.width ?? 1, video.height ?? 1);
    stage.append(new ConflictBanner(this).element);
    side.append(new TrackPanel(this).element, new PropagationPanel(this).element, new LostTargetPanel(this).element,
      new ReviewPanel(this).element);

    this.playback = new Playback({
      fps: video.fps ?? 25, frameCount,
      current: () => this.frame,
      isReady: (n) => this.frames.has(n),
      show: (n) => this.goto(n),
      prefetch: (n) => this.frames.prefetch(n, Math.round((video.fps ?? 25) * 2), 4),
      onStateChange: (playing) => this.controls.setPlaying(playing),
    });
    this.wire();
    const track = Number(this.params.get("track"));
    if (track && this.store.tracks.has(track)) this.store.select(track);
    this.goto(Math.min(frameCount - 1, Math.max(0, Number(this.params.get("frame")) || 0)));
    this.scheduleRedraw();
    // A job started before the page was (re)opened keeps showing its progress; finished ones say
    // where they lost a target.
    api.videoJobs(video.id).then((jobs) => {
      jobs.forEach((job) => this.lost.record(job));
      jobs.filter(isActive).forEach((job) => this.jobs.watch(job));
      this.bus.emit("lost.changed", {});
      this.discoverJobs(new Set(jobs.map((job) => job.id)));
    }, () => undefined);
  }

  /**
   * Follow the jobs started elsewhere after the page opened (an admin's batch, another annotator):
   * their progress shows and the frames they write are fetched, like the page's own. A job that
   * ended between two looks is watched too: its first poll finds it done and refreshes its tracks.
   */
  private discoverJobs(known: Set<number>): void {
    const look = window.setInterval(() => {
      if (document.hidden || this.gone) return;
      api.videoJobs(this.video.id).then((jobs) => {
        for (const job of jobs) {
          if (known.has(job.id)) continue;
          known.add(job.id);
          if (!this.jobs.jobs.has(job.id)) this.jobs.watch(job);
        }
      }, () => undefined);
    }, DISCOVER_JOBS_MS);
    this.cleanups.push(() => window.clearInterval(look));
  }

  unmount(): void {
    this.playback?.pause();
    this.jobs?.stop();
    this.frames?.destroy();
    this.decoder.destroy();
    this.canvas?.destroy();
    this.cleanups.forEach((c) => c());
    this.bus.clear();
  }

  /** Show a frame: controls move at once, the canvas as soon as the frame is decoded. */
  goto(frame: number): void {
    const last = this.video.frame_count - 1;
    frame = Math.max(0, Math.min(last, Math.round(frame)));
    if (frame === this.frame && this.shown === frame) return;
    this.frame = frame;
    this.controls.setFrame(frame);
    this.filmstrip.setFrame(frame);
    this.bus.emit("frame.changed", { frame });
    void this.store.focus(frame).catch((e) => isNotFound(e) ? this.reportFailure(e)
      : toast(`the annotations near frame ${frame} could not be loaded`, "error"));
    // Neighbours are fetched only once this frame is here: fetched together they would share the
    // link six ways and the frame on screen would arrive last (docs/frontend.md, "Frames").
    const around = () => { if (!this.playback.playing) this.frames.prefetch(frame, 24, 8); };
    if (this.frames.has(frame)) {
      this.draw();
      around();
    } else {
      this.frames.load(frame).then(() => {
        if (frame !== this.frame) return;
        this.draw();
        around();
      }, () => toast(`frame ${frame} could not be loaded`, "error"));
    }
    this.updateUrl();
  }

  /** Redraw the canvas and timeline on the next animation frame (coalesces bursts of updates). */
  scheduleRedraw(): void {
    if (this.redrawPending) return;
    this.redrawPending = requestAnimationFrame(() => {
      this.redrawPending = 0;
      this.draw();
      const lost = this.pendingLost();
      const colours = this.colours();
      this.filmstrip.setTracks(this.store.ordered().map((s) => ({
        id: s.track.id, name: `${s.track.label_name} #${s.track.object_id}`, colour: colours.get(s.track.id)!,
        selected: s.track.id === this.store.selectedId,
        frames: this.store.summary(s.track.id),
        lost: lost.filter((l) => l.trackId === s.track.id).map((l) => l.frame),
      })));
    });
  }

  /** Where propagations lost a target and nobody has re-anchored yet (a hand-made frame there). */
  pendingLost(): TargetLost[] {
    return this.lost.pending((trackId, frame) => {
      const a = this.store.annotation(trackId, frame);
      return !this.store.tracks.has(trackId) || (a !== null && a.source !== "propagated");
    });
  }

  /** Each track's own colour (trackColours.ts); the canvas, track list and timeline all use it. */
  colours(): Map<number, string> {
    return trackColours(this.store.ordered().map(({ track }) => ({
      id: track.id, labelId: track.label, objectId: track.object_id, labelColour: track.colour,
    })));
  }

  canvasTracks(): CanvasTrack[] {
    const colours = this.colours();
    return this.store.ordered().map(({ track, annotations, visible, locked }) => {
      const a = annotations.get(this.frame);
      return {
        id: track.id, objectId: track.object_id, label: track.label_name, colour: colours.get(track.id)!, visible, locked,
        selected: track.id === this.store.selectedId,
        annotation: a && a.source !== OUTSIDE ? { // an outside frame has nothing to draw
          bbox: a.bbox, rotatedBox: a.rotated_box, runs: this.decoder.runs(a), source: a.source, confidence: confidence(a),
        } : null,
      };
    });
  }

  private draw(): void {
    const bitmap = this.frames.get(this.frame);
    if (!bitmap) return;
    this.shown = this.frame;
    this.canvas.setFrame(this.frame, bitmap);
    this.canvas.setTracks(this.canvasTracks());
  }

  private wire(): void {
    const on = <K extends keyof AppEvents>(type: K, fn: (p: AppEvents[K]) => void) => this.bus.on(type, fn);
    on("annotations.changed", ({ trackId }) => {
      const s = this.store.tracks.get(trackId);
      if (s) this.decoder.prefetch([...s.annotations.values()]);
      this.scheduleRedraw();
    });
    on("tracks.changed", () => this.scheduleRedraw());
    // Picking a track means working on it: boxes re-anchor it. Creating one keeps "new" (actions.boxDrawn).
    on("selection.changed", ({ trackId }) => { this.setBoxMode(trackId === null ? "new" : "reanchor"); this.scheduleRedraw(); });
    on("notice", ({ text, kind }) => toast(text, kind));
    on("job.progress", ({ job }) => { this.lost.record(job); this.bus.emit("lost.changed", {}); });
    on("job.started", ({ job }) => this.jobs.watch(job));
    on("lost.changed", () => this.scheduleRedraw());
    this.decoder.onDecoded = () => this.scheduleRedraw();
    this.frames.onError = (n, e) => n === this.frame && (isNotFound(e) ? this.reportFailure(e) : toast(`frame ${n}: ${e}`, "error"));
    this.filmstrip.onSeek = (n) => this.goto(n);
    this.filmstrip.onSelect = (id) => this.store.select(id);
    const c = this.canvas.events;
    c.on("canvas.drawn", ({ frame, box }) => void this.actions.boxDrawn(frame, box));
    c.on("canvas.edited", (e) => void this.actions.maskEdited(e.trackId, e.frame, e.mask, e.area, e.tool));
    c.on("canvas.scribbled", (e) => this.actions.scribbles.refine(e));
    c.on("canvas.picked", ({ trackId }) => this.store.select(trackId));
    c.on("canvas.refused", ({ reason }) => toast(reason, "error"));
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e) || document.querySelector(".modal-open")) return;
      if (this.canvas.keyDown(e)) return e.preventDefault(); // Enter, Escape, Delete inside a tool first
      const shortcut = shortcutFor(e);
      if (!shortcut) return;
      e.preventDefault();
      shortcut.run(this.actions, e);
    };
    window.addEventListener("keydown", onKey);
    this.cleanups.push(() => window.removeEventListener("keydown", onKey));
    // expose the canvas to end-to-end tests and the console (read-only use)
    (window as unknown as { siamlabel?: unknown }).siamlabel = { workspace: this, canvas: this.canvas };
    this.cleanups.push(() => delete (window as unknown as { siamlabel?: unknown }).siamlabel);
  }

  private gone = false; // the video answered 404: every later failure says so without asking again

  /**
   * A failed request's notice; a 404 says whether the video or the track no longer exists (gone.ts)
   * rather than the server's "No Video matches the given query.".
   */
  reportFailure(error: unknown): void {
    const videoExists = () => this.gone ? Promise.resolve(false)
      : api.getVideo(this.video.id).then(() => true, (e) => !(this.gone = isNotFound(e)));
    void failureText(error, videoExists).then((text) => this.bus.emit("notice", { text, kind: "error" }));
  }

  setBoxMode(mode: BoxMode): void {
    if (mode === "reanchor" && !this.store.selected) mode = "new";
    if (mode === this.boxMode) return;
    this.boxMode = mode;
    this.bus.emit("tracks.changed", {});
  }

  private urlTimer = 0;
  private updateUrl(): void {
    clearTimeout(this.urlTimer);
    this.urlTimer = window.setTimeout(() => {
      const q = new URLSearchParams({ frame: String(this.frame) });
      if (this.store.selectedId) q.set("track", String(this.store.selectedId));
      history.replaceState(history.state, "", `${location.pathname}?${q}`);
    }, 300);
  }
}
