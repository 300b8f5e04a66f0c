/**
 * What every long-running CLI command needs around its work: the progress display (bar or JSON
 * lines), Ctrl-C turned into an AbortSignal the engine honours, and the GPU with its adapter
 * logged. One place, so every command cancels and reports the same way.
 */
import { acquireGpu, describeAdapter, type Gpu } from '../../engine/gpu/acquire.js';
import type { EventSink, StageName } from '../../engine/pipeline/events.js';
import { ExitCode } from './exit-codes.js';
import { createProgressSink } from './progress.js';

export interface CommandSession {
  sink: EventSink;
  signal: AbortSignal;
  /** Stops the progress bar early (e.g. before printing a summary table). */
  stopProgress: () => void;
}

/**
 * Runs `body` with a progress sink and a Ctrl-C signal. The first Ctrl-C aborts the signal so the
 * engine can stop at a safe point (checkpoint, atomic write). A terminal delivers SIGINT to the
 * whole process group and wrappers (npx, tsx) relay it again, so repeats within 3 s count as the
 * same Ctrl-C; a later one exits at once.
 */
export async function runCommandSession<T>(flags: { json?: boolean }, body: (session: CommandSession) => Promise<T>): Promise<T> {
  const { sink, stop } = createProgressSink({ json: Boolean(flags.json) });
  const abort = new AbortController();
  let firstSigint = 0;
  const onSigint = () => {
    if (!abort.signal.aborted) {
      firstSigint = Date.now();
      abort.abort();
    } else if (Date.now() - firstSigint > 3000) process.exit(ExitCode.cancelled);
  };
  process.on('SIGINT', onSigint);
  try {
    return await body({ sink, signal: abort.signal, stopProgress: stop });
  } finally {
    process.off('SIGINT', onSigint);
    stop();
  }
}

/** Acquires the GPU and logs which adapter the run uses (figures depend on it). */
export async function acquireLoggedGpu(sink: EventSink, stage?: StageName, suffix = ''): Promise<Gpu> {
  const gpu = await acquireGpu();
  sink({ type: 'log', ...(stage ? { stage } : {}), message: `adapter: ${describeAdapter(gpu.report)}${suffix}` });
  return gpu;
}
