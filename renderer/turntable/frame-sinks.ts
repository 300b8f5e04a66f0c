/**
 * Where turntable frames go. In Electron: a folder the user picks (native dialog), every file
 * written atomically by the main process as soon as it is made. In a plain browser a page
 * cannot write into a folder, so the frames are collected into one zip (stored, PNG is
 * already compressed) offered as a download.
 */
import { zipSync } from 'fflate';
import type { SparrowBridge } from '../../electron/ipc-contract.js';
import type { FrameSink } from './render-turntable.js';

/** Ask for a folder; null if the user cancelled. */
export async function folderSink(bridge: SparrowBridge): Promise<FrameSink | null> {
  const folder = await bridge.chooseFolder();
  if (!folder) return null;
  return {
    write: async (name, bytes) => {
      await bridge.writeInFolder(folder, name, bytes);
    },
    finish: async () => folder,
  };
}

export function zipSink(zipName: string, save: (name: string, bytes: Uint8Array) => Promise<string | null>): FrameSink {
  const files: Record<string, Uint8Array> = {};
  return {
    write: async (name, bytes) => {
      files[name] = bytes;
    },
    finish: () => save(zipName, zipSync(files, { level: 0 })),
  };
}
