import { describe, expect, it } from 'vitest';
import { runCommandSession } from '../../electron/headless/session.js';

describe('runCommandSession', () => {
  it('turns the first Ctrl-C into an aborted signal the work sees, and removes its handler afterwards', async () => {
    const before = process.listenerCount('SIGINT');
    const seen = await runCommandSession({ json: true }, async ({ signal }) => {
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
      expect(signal.aborted).toBe(false);
      process.emit('SIGINT');
      // A relayed second SIGINT within 3 s must not exit the process (it is the same Ctrl-C).
      process.emit('SIGINT');
      return signal.aborted;
    });
    expect(seen).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('removes its handler when the work throws', async () => {
    const before = process.listenerCount('SIGINT');
    await expect(runCommandSession({ json: true }, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
