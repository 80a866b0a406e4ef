/**
 * Playback at the clip's frame rate. A frame is shown only once it is decoded; when the next one
 * is not ready the clock waits for it (buffering) instead of skipping, so playback never jumps.
 */
export interface PlaybackHost {
  fps: number;
  frameCount: number;
  current(): number;
  isReady(frame: number): boolean;
  show(frame: number): void;
  prefetch(frame: number): void;
  onStateChange(playing: boolean): void;
}

export class Playback {
  playing = false;
  private startFrame = 0;
  private startTime = 0;
  private raf = 0;

  constructor(private host: PlaybackHost) {}

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (this.playing) return;
    if (this.host.current() >= this.host.frameCount - 1) this.host.show(0);
    this.playing = true;
    this.rebase(performance.now());
    this.host.onStateChange(true);
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.host.onStateChange(false);
  }

  private rebase(now: number): void {
    this.startFrame = this.host.current();
    this.startTime = now;
  }

  private tick(now: number): void {
    if (!this.playing) return;
    const fps = this.host.fps > 0 ? this.host.fps : 25;
    const target = Math.min(this.host.frameCount - 1, this.startFrame + Math.floor(((now - this.startTime) * fps) / 1000));
    const current = this.host.current();
    this.host.prefetch(current);
    if (target > current) {
      const next = current + 1;
      if (!this.host.isReady(next)) {
        this.rebase(now); // buffering: hold this frame and restart the clock from here
      } else {
        // show the latest ready frame up to the target (catch up after a slow paint, never skip a gap)
        let f = next;
        while (f < target && this.host.isReady(f + 1)) f++;
        this.host.show(f);
        if (f < target) this.rebase(now);
      }
    }
    if (this.host.current() >= this.host.frameCount - 1) return this.pause();
    this.raf = requestAnimationFrame((t) => this.tick(t));
  }
}
