/** The export dialog: format, SH degree to keep, and the size of the file before writing it. */
import { encodeScene, MAX_SH_DEGREE, type SceneFormat } from '../../engine/io/scene-codec.js';
import type { GaussianScene } from '../../engine/splat/scene.js';

const EXTENSIONS: Record<SceneFormat, string> = { ply: 'ply', 'compressed-ply': 'compressed.ply', spz: 'spz', splat: 'splat', glb: 'glb', sog: 'sog' };

function formatBytes(n: number): string {
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`;
}

export async function openExportDialog(scene: GaussianScene): Promise<{ bytes: Uint8Array; extension: string } | null> {
  const dialog = document.getElementById('export-dialog') as HTMLDialogElement;
  const format = document.getElementById('export-format') as HTMLSelectElement;
  const sh = document.getElementById('export-sh') as HTMLSelectElement;
  const size = document.getElementById('export-size')!;
  let encoded: Uint8Array | undefined;
  const refresh = async () => {
    const f = format.value as SceneFormat;
    const degree = Math.min(Number(sh.value), MAX_SH_DEGREE[f], scene.shDegree);
    size.textContent = 'Estimating size…';
    encoded = await encodeScene(scene, f, { shDegree: degree });
    size.textContent = `${scene.count.toLocaleString()} splats, SH degree ${degree}: ${formatBytes(encoded!.byteLength)}`;
  };
  format.onchange = sh.onchange = () => void refresh();
  await refresh();
  dialog.showModal();
  const ok = await new Promise<boolean>((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
  if (!ok || !encoded) return null;
  return { bytes: encoded, extension: EXTENSIONS[format.value as SceneFormat] };
}
