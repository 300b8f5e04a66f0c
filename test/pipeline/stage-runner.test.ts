import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SparrowEvent } from '../../engine/pipeline/events.js';
import { CancelledError } from '../../engine/pipeline/events.js';
import { StageError, StageRunner } from '../../engine/pipeline/stage-runner.js';

describe('StageRunner', () => {
  it('resumes after a failure without redoing finished stages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-stages-'));
    const calls: string[] = [];
    const first = new StageRunner(dir, 'fp1');
    await first.run('poses', async () => (calls.push('poses'), { views: 3 }));
    await expect(first.run('depth', async () => { calls.push('depth'); throw new Error('disk full'); })).rejects.toBeInstanceOf(StageError);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).stages.map((s: { name: string }) => s.name)).toEqual(['poses']);

    const events: SparrowEvent[] = [];
    const second = new StageRunner(dir, 'fp1', (e) => events.push(e));
    const poses = await second.run('poses', async () => (calls.push('poses-again'), { views: 0 }));
    await second.run('depth', async () => (calls.push('depth'), 'ok'));
    expect(poses).toEqual({ views: 3 });
    expect(calls).toEqual(['poses', 'depth', 'depth']);
    expect(events.some((e) => e.type === 'stage' && e.stage === 'poses' && e.status === 'skipped')).toBe(true);
  });

  it('starts over when the inputs changed, and stops on cancellation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-stages-'));
    await new StageRunner(dir, 'a').run('poses', async () => 1);
    const events: SparrowEvent[] = [];
    const r = new StageRunner(dir, 'b', (e) => events.push(e));
    expect(r.isDone('poses')).toBe(false);
    expect(events[0]?.type).toBe('warning');
    const ac = new AbortController();
    ac.abort();
    await expect(new StageRunner(dir, 'b', undefined, ac.signal).run('poses', async () => 1)).rejects.toBeInstanceOf(CancelledError);
  });
});
