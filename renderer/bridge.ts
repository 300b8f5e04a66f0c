/**
 * Host services for the page: the Electron preload bridge when present, else
 * browser fallbacks (file inputs and downloads), so the same page runs in
 * Electron and in plain Chromium (tests).
 */
import type { MenuCommand, PickedFile, SparrowBridge } from '../electron/ipc-contract.js';

type Bridge = SparrowBridge & { pathForFile?(file: File): string };

export const electronBridge: Bridge | undefined = (globalThis as { sparrow?: Bridge }).sparrow;

export async function filesFromInput(input: HTMLInputElement): Promise<PickedFile[]> {
  return new Promise((resolve) => {
    input.value = '';
    input.onchange = async () => {
      const files = Array.from(input.files ?? []);
      resolve(await Promise.all(files.map(pickedFromFile)));
    };
    input.click();
  });
}

export async function pickedFromFile(file: File): Promise<PickedFile> {
  return { path: electronBridge?.pathForFile?.(file) ?? file.name, name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** Save bytes: native dialog + atomic write in Electron, a download in a browser. */
export async function saveBytes(name: string, bytes: Uint8Array): Promise<string | null> {
  if (electronBridge) return electronBridge.saveFile(name, bytes);
  const url = URL.createObjectURL(new Blob([bytes as BlobPart]));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export function onMenuCommand(handler: (command: MenuCommand, arg?: string) => void): void {
  (electronBridge?.onMenuCommand as ((h: (c: MenuCommand, a?: string) => void) => void) | undefined)?.(handler);
}
