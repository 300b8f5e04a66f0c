/**
 * Runs the stages of a long job in order, records each finished stage in
 * `<out>/state.json` (atomically), and on resume skips the stages already done.
 * A stage keeps its outputs as files under `<out>`; later stages read them from
 * there, so a resumed run needs nothing in memory from the earlier one.
 *
 * A failing stage leaves the finished ones (and their files) in place and
 * surfaces a StageError naming the stage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { CancelledError, silentSink, throwIfCancelled, type EventSink, type StageName } from './events.js';

export interface StageRecord {
  name: StageName;
  finishedAt: string;
  elapsedMs: number;
  /** A JSON summary the stage returned (counts, metrics, paths). */
  summary: unknown;
}

export interface RunState {
  /** Fingerprint of the inputs and settings; a mismatch invalidates the saved stages. */
  fingerprint: string;
  stages: StageRecord[];
}

export class StageError extends Error {
  constructor(readonly stage: StageName, override readonly cause: unknown) {
    super(`stage '${stage}' failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StageError';
  }
}

export interface StageContext {
  outDir: string;
  onEvent: EventSink;
  signal?: AbortSignal;
}

export class StageRunner {
  private state: RunState;
  private readonly statePath: string;

  constructor(
    readonly outDir: string,
    fingerprint: string,
    private readonly onEvent: EventSink = silentSink,
    private readonly signal?: AbortSignal,
    resume = true,
  ) {
    this.statePath = join(outDir, 'state.json');
    const saved = resume ? readState(this.statePath) : undefined;
    this.state = saved && saved.fingerprint === fingerprint ? saved : { fingerprint, stages: [] };
    if (saved && saved.fingerprint !== fingerprint) {
      onEvent({ type: 'warning', message: 'inputs or settings changed since the last run: starting over', file: this.statePath });
    }
  }

  get records(): readonly StageRecord[] {
    return this.state.stages;
  }

  isDone(name: StageName): boolean {
    return this.state.stages.some((s) => s.name === name);
  }

  summary<T>(name: StageName): T | undefined {
    return this.state.stages.find((s) => s.name === name)?.summary as T | undefined;
  }

  /** Run `fn` unless the stage already finished in an earlier run; returns its summary. */
  async run<T>(name: StageName, fn: (ctx: StageContext) => Promise<T>): Promise<T> {
    const done = this.state.stages.find((s) => s.name === name);
    if (done) {
      this.onEvent({ type: 'stage', stage: name, status: 'skipped', message: 'finished in an earlier run' });
      return done.summary as T;
    }
    throwIfCancelled(this.signal);
    this.onEvent({ type: 'stage', stage: name, status: 'start' });
    const t0 = performance.now();
    let summary: T;
    try {
      summary = await fn({ outDir: this.outDir, onEvent: this.onEvent, signal: this.signal });
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      this.onEvent({ type: 'error', stage: name, message: e instanceof Error ? e.message : String(e) });
      throw new StageError(name, e);
    }
    const elapsedMs = performance.now() - t0;
    this.state.stages.push({ name, finishedAt: new Date().toISOString(), elapsedMs, summary });
    writeFileAtomic(this.statePath, JSON.stringify(this.state, null, 2));
    this.onEvent({ type: 'stage', stage: name, status: 'done', elapsedMs });
    return summary;
  }
}

function readState(path: string): RunState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as RunState;
    return typeof s.fingerprint === 'string' && Array.isArray(s.stages) ? s : undefined;
  } catch {
    return undefined; // a corrupt state file means: start over (outputs are rewritten atomically)
  }
}
