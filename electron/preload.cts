/**
 * Preload (sandboxed, CommonJS): exposes the small typed bridge of
 * electron/ipc-contract.ts as `window.sparrow`, nothing else.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

const IPC = {
  openPhotos: 'sparrow:open-photos',
  openScene: 'sparrow:open-scene',
  readFile: 'sparrow:read-file',
  saveFile: 'sparrow:save-file',
  recentList: 'sparrow:recent-list',
  menuCommand: 'sparrow:menu-command',
  openProject: 'sparrow:open-project',
  readProject: 'sparrow:read-project',
  chooseFolder: 'sparrow:choose-folder',
  writeInFolder: 'sparrow:write-in-folder',
} as const;

contextBridge.exposeInMainWorld('sparrow', {
  openPhotos: () => ipcRenderer.invoke(IPC.openPhotos),
  openScene: () => ipcRenderer.invoke(IPC.openScene),
  readFile: (path: string) => ipcRenderer.invoke(IPC.readFile, path),
  saveFile: (name: string, bytes: Uint8Array) => ipcRenderer.invoke(IPC.saveFile, name, bytes),
  recentList: () => ipcRenderer.invoke(IPC.recentList),
  openProject: () => ipcRenderer.invoke(IPC.openProject),
  readProject: (path: string) => ipcRenderer.invoke(IPC.readProject, path),
  chooseFolder: () => ipcRenderer.invoke(IPC.chooseFolder),
  writeInFolder: (folder: string, name: string, bytes: Uint8Array) => ipcRenderer.invoke(IPC.writeInFolder, folder, name, bytes),
  pathForFile: (file: File) => webUtils.getPathForFile(file),
  onMenuCommand: (handler: (command: string, arg?: string) => void) => {
    const listener = (_e: unknown, command: string, arg?: string) => handler(command, arg);
    ipcRenderer.on(IPC.menuCommand, listener);
    return () => ipcRenderer.removeListener(IPC.menuCommand, listener);
  },
});
