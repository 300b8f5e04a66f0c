/**
 * Renders the engine's event stream on a terminal: a progress bar per stage
 * (cli-progress) with step, metrics, rate and ETA; or one JSON line per event.
 */
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { EventSink, SparrowEvent } from '../../engine/pipeline/events.js';

// cli-progress (and the string-width stack under it) costs ~50 ms to load; only a terminal that
// shows a bar needs it, so it is required on the first bar, not when the CLI starts.
let cliProgress: typeof CliProgress | undefined;
const loadCliProgress = (): typeof CliProgress => (cliProgress ??= createRequire(import.meta.url)('cli-progress') as typeof CliProgress);

export interface ProgressOptions {
  json: boolean;
  /** Stream to write to (stderr keeps stdout clean for results). */
  stream?: NodeJS.WriteStream;
}

export function createProgressSink(opts: ProgressOptions): { sink: EventSink; stop: () => void } {
  const stream = opts.stream ?? process.stderr;
  if (opts.json) {
    return { sink: (e) => process.stdout.write(JSON.stringify(e) + '\n'), stop: () => {} };
  }
  const tty = Boolean(stream.isTTY);
  let bar: CliProgress.SingleBar | undefined;
  let barStage = '';
  let lastPrint = 0;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  const sink = (e: SparrowEvent) => {
    switch (e.type) {
      case 'stage':
        if (e.status === 'start') stream.write(`» ${e.stage}${e.message ? `: ${e.message}` : ''}\n`);
        else {
          if (barStage === e.stage) stopBar();
          stream.write(`✓ ${e.stage} ${e.status}${e.elapsedMs !== undefined ? ` in ${(e.elapsedMs / 1000).toFixed(1)} s` : ''}${e.message ? ` (${e.message})` : ''}\n`);
        }
        break;
      case 'step': {
        const metrics = formatMetrics(e.metrics);
        const rate = e.rate ? `${e.rate.toFixed(2)}/s` : '';
        const eta = e.etaMs !== undefined && Number.isFinite(e.etaMs) ? `ETA ${formatDuration(e.etaMs)}` : '';
        if (tty) {
          if (!bar || barStage !== e.stage) {
            stopBar();
            barStage = e.stage;
            const { SingleBar, Presets } = loadCliProgress();
            bar = new SingleBar(
              { format: `  ${e.stage} [{bar}] {value}/{total} {metrics} {rate} {eta}`, stream, hideCursor: true, barsize: 24 },
              Presets.shades_classic,
            );
            bar.start(e.total, e.step, { metrics, rate, eta });
          }
          bar.update(e.step, { metrics, rate, eta });
        } else {
          const now = Date.now();
          if (now - lastPrint > 2000 || e.step === e.total) {
            lastPrint = now;
            stream.write(`  ${e.stage} ${e.step}/${e.total} ${metrics} ${rate} ${eta}\n`);
          }
        }
        break;
      }
      case 'warning':
        stopBar();
        stream.write(`warning: ${e.file ? `${e.file}: ` : ''}${e.message}\n`);
        break;
      case 'log':
        stopBar();
        stream.write(`${e.message}\n`);
        break;
      case 'error':
        stopBar();
        stream.write(`error: ${e.file ? `${e.file}: ` : ''}${e.message}\n`);
        break;
      case 'done':
        stopBar();
        if (e.message) stream.write(`${e.message}\n`);
        break;
      case 'preview':
        break;
    }
  };
  return { sink, stop: stopBar };
}

function formatMetrics(m?: Record<string, number>): string {
  if (!m) return '';
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join(' ');
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
