/**
 * Where a project's files come from in the app. Electron: the main process reads the project
 * (`readProject`/`openProject`, *.sparrow.json only, and remembers it in Open Recent) and every
 * file it refers to (`readFile`: resolved, checked, bounded). A plain browser: the files the
 * user picked or dropped together (open-project.ts, sourceFromFiles).
 */
import type { PickedFile, SparrowBridge } from '../../electron/ipc-contract.js';
import type { ProjectSource } from './open-project.js';

/** An IPC rejection's message without Electron's "Error invoking remote method …: Error:" prefix. */
export function ipcReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
}

export function bridgeSource(bridge: SparrowBridge, project: PickedFile): ProjectSource {
  return {
    path: project.path,
    text: new TextDecoder().decode(project.bytes),
    read: async (path) => {
      try {
        return await bridge.readFile(path);
      } catch (e) {
        throw new Error(ipcReason(e));
      }
    },
  };
}
