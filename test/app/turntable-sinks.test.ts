/**
 * Where turntable frames go (renderer/turntable/frame-sinks.ts), no browser: the Electron sink
 * asks for a folder once and writes every file into that folder through the bridge (nothing
 * when the dialog is cancelled); the browser sink collects the files into one zip handed to
 * the save function. Also: IPC error messages lose Electron's "Error invoking remote method" prefix.
 */
import { unzipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import type { SparrowBridge } from '../../electron/ipc-contract.js';
import { ipcReason } from '../../renderer/project/project-sources.js';
import { folderSink, zipSink } from '../../renderer/turntable/frame-sinks.js';
import { frameName } from '../../renderer/turntable/render-turntable.js';

describe('turntable frame sinks', () => {
  it('Electron: one folder dialog, then each file written into it', async () => {
    const writeInFolder = vi.fn(async (folder: string, name: string, _bytes: Uint8Array) => `${folder}/${name}`);
    const bridge = { chooseFolder: vi.fn(async () => '/out/turn'), writeInFolder } as unknown as SparrowBridge;
    const sink = (await folderSink(bridge))!;
    await sink.write(frameName('knot', 0), new Uint8Array([1]));
    await sink.write(frameName('knot', 12), new Uint8Array([2, 3]));
    expect(await sink.finish()).toBe('/out/turn');
    expect(writeInFolder.mock.calls.map((c) => [c[0], c[1], Array.from(c[2])])).toEqual([
      ['/out/turn', 'knot_0000.png', [1]],
      ['/out/turn', 'knot_0012.png', [2, 3]],
    ]);
    const cancelled = { chooseFolder: vi.fn(async () => null), writeInFolder } as unknown as SparrowBridge;
    expect(await folderSink(cancelled)).toBeNull();
  });

  it('browser: the files in one zip, saved under the given name', async () => {
    const save = vi.fn(async (name: string, _bytes: Uint8Array) => name);
    const sink = zipSink('knot-turntable.zip', save);
    await sink.write('a_0000.png', new Uint8Array([9, 8, 7]));
    await sink.write('a.webm', new Uint8Array([1, 2]));
    expect(await sink.finish()).toBe('knot-turntable.zip');
    const zip = unzipSync(save.mock.calls[0][1]);
    expect(Object.keys(zip).sort()).toEqual(['a.webm', 'a_0000.png']);
    expect(Array.from(zip['a_0000.png'])).toEqual([9, 8, 7]);
  });

  it('IPC errors read as the main process worded them', () => {
    expect(ipcReason(new Error("Error invoking remote method 'sparrow:read-file': IpcValidationError: no such file: /p/gone.ply"))).toBe('no such file: /p/gone.ply');
    expect(ipcReason(new Error("Error invoking remote method 'sparrow:read-file': Error: EACCES"))).toBe('EACCES');
    expect(ipcReason(new Error('plain'))).toBe('plain');
  });
});
