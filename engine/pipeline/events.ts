/**
 * The one typed event stream for long work. The CLI renders it as a progress bar
 * (or JSON lines with --json); the desktop app renders it as its progress UI.
 * Every stage of the pipeline (poses, depth, init, train, export, ...) emits these.
 */
export type StageName =
  | 'load'
  | 'features'
  | 'matching'
  | 'poses'
  | 'depth'
  | 'init'
  | 'train'
  | 'deform'
  | 'eval'
  | 'export'
  | 'render'
  | (string & {});

export type SparrowEvent =
  | { type: 'stage'; stage: StageName; status: 'start' | 'done' | 'skipped'; message?: string; elapsedMs?: number }
  | {
      type: 'step';
      stage: StageName;
      step: number;
      total: number;
      /** Named scalar metrics of this step, e.g. { loss, psnr, gaussians } */
      metrics?: Record<string, number>;
      /** Steps (or items) per second, smoothed. */
      rate?: number;
      etaMs?: number;
    }
  | { type: 'preview'; stage: StageName; step: number; kind: 'image' | 'scene'; path?: string; data?: unknown }
  | { type: 'warning'; stage?: StageName; message: string; file?: string }
  | { type: 'log'; stage?: StageName; message: string }
  | { type: 'done'; stage?: StageName; message?: string; outputs?: Record<string, string>; report?: unknown }
  | { type: 'error'; stage?: StageName; message: string; file?: string };

export type EventSink = (event: SparrowEvent) => void;

/** A sink that drops everything (library default). */
export const silentSink: EventSink = () => {};

/** Smoothed rate and ETA for a step counter. */
export class RateMeter {
  private lastTime = 0;
  private lastStep = 0;
  private rate = 0;

  constructor(private readonly total: number, private readonly now: () => number = () => performance.now()) {}

  update(step: number): { rate: number; etaMs: number } {
    const t = this.now();
    if (this.lastTime > 0 && step > this.lastStep) {
      const inst = ((step - this.lastStep) * 1000) / Math.max(t - this.lastTime, 1e-3);
      this.rate = this.rate === 0 ? inst : 0.8 * this.rate + 0.2 * inst;
    }
    if (this.lastTime === 0 || step > this.lastStep) {
      this.lastTime = t;
      this.lastStep = step;
    }
    const etaMs = this.rate > 0 ? ((this.total - step) / this.rate) * 1000 : Number.NaN;
    return { rate: this.rate, etaMs };
  }
}

/** Cancellation shared by every long-running stage (Ctrl-C in the CLI, Cancel in the app). */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
