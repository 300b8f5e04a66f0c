/**
 * Batch mode: many jobs (photo sets) in one run. Each job gets its own output
 * folder and log; one failing job never stops the others; finished jobs are
 * recorded in `<out>/batch-state.json` so a re-run resumes a half-done batch;
 * a summary table closes the run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, appendFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { CancelledError, silentSink, type EventSink, type SparrowEvent } from './events.js';

export interface BatchJob {
  /** Unique name; also the output sub-folder. */
  name: string;
  /** Folder of photos (or a dataset folder). */
  input: string;
  /** Per-job option overrides (e.g. preset). */
  options?: Record<string, unknown>;
}

export interface JobResult {
  name: string;
  status: 'done' | 'failed' | 'skipped';
  elapsedMs: number;
  message?: string;
  outDir: string;
  metrics?: Record<string, number>;
}

export type JobRunner = (job: BatchJob, ctx: { outDir: string; onEvent: EventSink; signal?: AbortSignal }) => Promise<Record<string, number> | void>;

const IMAGE_RE = /\.(jpe?g|png)$/i;

/** Jobs from a jobs.json ([{name?, input, options?}] or {jobs: [...]}) or from the sub-folders of a folder. */
export function loadBatchJobs(source: string): BatchJob[] {
  const path = resolve(source);
  if (!existsSync(path)) throw new Error(`${source}: no such file or folder`);
  let jobs: BatchJob[];
  if (statSync(path).isDirectory()) {
    jobs = readdirSync(path)
      .sort()
      .map((name) => join(path, name))
      .filter((p) => statSync(p).isDirectory() && hasImages(p))
      .map((p) => ({ name: basename(p), input: p }));
    if (!jobs.length) throw new Error(`${source}: no sub-folders with photos (.jpg/.png) found`);
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
    }
    const list = Array.isArray(raw) ? raw : (raw as { jobs?: unknown }).jobs;
    if (!Array.isArray(list) || !list.length) throw new Error(`${source}: expected a non-empty array of jobs or {"jobs": [...]}`);
    jobs = list.map((j, i) => {
      const o = j as Partial<BatchJob>;
      if (typeof o.input !== 'string') throw new Error(`${source}: job ${i} has no "input" folder`);
      const input = resolve(path, '..', o.input);
      return { name: typeof o.name === 'string' ? o.name : basename(input), input, options: o.options };
    });
  }
  const seen = new Set<string>();
  for (const j of jobs) {
    if (!/^[\w.-]+$/.test(j.name)) throw new Error(`${source}: job name '${j.name}' must be letters, digits, '.', '_' or '-'`);
    if (seen.has(j.name)) throw new Error(`${source}: job name '${j.name}' appears twice`);
    seen.add(j.name);
  }
  return jobs;
}

function hasImages(dir: string): boolean {
  const names = readdirSync(dir);
  return names.some((n) => IMAGE_RE.test(n)) || (names.includes('images') && readdirSync(join(dir, 'images')).some((n) => IMAGE_RE.test(n)));
}

export async function runBatch(
  jobs: BatchJob[],
  outDir: string,
  runJob: JobRunner,
  opts: { onEvent?: EventSink; signal?: AbortSignal; resume?: boolean } = {},
): Promise<JobResult[]> {
  const onEvent = opts.onEvent ?? silentSink;
  mkdirSync(outDir, { recursive: true });
  const statePath = join(outDir, 'batch-state.json');
  const previous: Record<string, JobResult> = opts.resume !== false && existsSync(statePath) ? safeJson(statePath) : {};
  const results: JobResult[] = [];
  for (const [index, job] of jobs.entries()) {
    const jobOut = join(outDir, job.name);
    onEvent({ type: 'step', stage: 'batch', step: index, total: jobs.length, metrics: { done: results.filter((r) => r.status === 'done').length } });
    if (previous[job.name]?.status === 'done') {
      results.push({ ...previous[job.name], status: 'skipped', message: 'finished in an earlier run' });
      continue;
    }
    mkdirSync(jobOut, { recursive: true });
    const logPath = join(jobOut, 'job.log');
    const log: EventSink = (e: SparrowEvent) => {
      appendFileSync(logPath, JSON.stringify({ t: new Date().toISOString(), ...e }) + '\n');
      if (e.type === 'warning' || e.type === 'error') onEvent({ ...e, message: `[${job.name}] ${e.message}` });
    };
    const t0 = performance.now();
    let result: JobResult;
    try {
      const metrics = await runJob(job, { outDir: jobOut, onEvent: log, signal: opts.signal });
      result = { name: job.name, status: 'done', elapsedMs: performance.now() - t0, outDir: jobOut, metrics: metrics ?? undefined };
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      result = { name: job.name, status: 'failed', elapsedMs: performance.now() - t0, outDir: jobOut, message: e instanceof Error ? e.message : String(e) };
      log({ type: 'error', message: result.message! });
    }
    results.push(result);
    previous[job.name] = result;
    writeFileAtomic(statePath, JSON.stringify(previous, null, 2));
  }
  onEvent({ type: 'step', stage: 'batch', step: jobs.length, total: jobs.length });
  writeFileAtomic(join(outDir, 'batch-summary.json'), JSON.stringify(results, null, 2));
  return results;
}

function safeJson(path: string): Record<string, JobResult> {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

/** The summary table printed at the end of a batch. */
export function formatBatchSummary(results: JobResult[]): string {
  const metricNames = [...new Set(results.flatMap((r) => Object.keys(r.metrics ?? {})))];
  const header = ['job', 'status', 'time', ...metricNames, 'note'];
  const rows = results.map((r) => [
    r.name,
    r.status,
    `${(r.elapsedMs / 1000).toFixed(1)}s`,
    ...metricNames.map((m) => (r.metrics?.[m] !== undefined ? r.metrics[m].toPrecision(4) : '')),
    r.message ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const failed = results.filter((r) => r.status === 'failed').length;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', `${results.length - failed} ok, ${failed} failed`].join('\n');
}
