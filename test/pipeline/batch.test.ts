import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBatchSummary, loadBatchJobs, runBatch, type BatchJob } from '../../engine/pipeline/batch.js';

function photoSets(): string {
  const root = mkdtempSync(join(tmpdir(), 'sparrow-batch-'));
  for (const name of ['a', 'b', 'c']) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, '1.jpg'), 'x');
  }
  mkdirSync(join(root, 'empty'));
  return root;
}

describe('batch', () => {
  it('finds photo sets in a folder and in jobs.json, and rejects bad job files', () => {
    const root = photoSets();
    expect(loadBatchJobs(root).map((j) => j.name)).toEqual(['a', 'b', 'c']);
    writeFileSync(join(root, 'jobs.json'), JSON.stringify({ jobs: [{ input: 'a' }, { name: 'second', input: 'b', options: { preset: 'fast' } }] }));
    const jobs = loadBatchJobs(join(root, 'jobs.json'));
    expect(jobs.map((j) => j.name)).toEqual(['a', 'second']);
    expect(jobs[1].input).toBe(join(root, 'b'));
    writeFileSync(join(root, 'bad.json'), '[{"name": "x"}]');
    expect(() => loadBatchJobs(join(root, 'bad.json'))).toThrow(/job 0 has no "input"/);
    writeFileSync(join(root, 'dup.json'), '[{"input": "a"}, {"input": "a"}]');
    expect(() => loadBatchJobs(join(root, 'dup.json'))).toThrow(/appears twice/);
  });

  it('keeps going past a failing job, logs per job, and resumes without redoing finished jobs', async () => {
    const root = photoSets();
    const out = join(root, 'out');
    const jobs = loadBatchJobs(root);
    const ran: string[] = [];
    let failB = true;
    const runner = async (job: BatchJob, ctx: { onEvent: (e: never) => void }) => {
      ran.push(job.name);
      (ctx.onEvent as (e: unknown) => void)({ type: 'log', message: `working on ${job.name}` });
      if (job.name === 'b' && failB) throw new Error('poses failed: 1 of 3 views registered');
      return { psnr: 20 + ran.length };
    };
    const first = await runBatch(jobs, out, runner as never);
    expect(first.map((r) => r.status)).toEqual(['done', 'failed', 'done']);
    expect(readFileSync(join(out, 'b', 'job.log'), 'utf8')).toContain('poses failed');
    const table = formatBatchSummary(first);
    expect(table).toContain('2 ok, 1 failed');
    expect(table).toMatch(/b\s+failed/);

    failB = false;
    ran.length = 0;
    const second = await runBatch(jobs, out, runner as never);
    expect(ran).toEqual(['b']);
    expect(second.map((r) => r.status)).toEqual(['skipped', 'done', 'skipped']);
  });
});
