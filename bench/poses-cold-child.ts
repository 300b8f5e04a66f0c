/**
 * One cold run of Sparrow's pose stage for bench/poses-cold.ts, in a fresh process:
 *   node --import tsx bench/poses-cold-child.ts <engine root> <photo dir> <file,file,...>
 * Prints one JSON line: the cameras, the stage timings, and
 *   filesToPosesMs: from before reading the photo files to the poses in memory (what
 *     the app sees the first time it runs the stage: opencv.js load and JIT warm-up
 *     included, node start-up and module imports not),
 *   importMs: the pose modules' import (tsx transform + evaluation),
 *   filesToPosesCpuMs: user + system CPU time of this process (all its threads: wasm
 *     compile, GC, JIT included) over that span,
 *   filesToPosesMainCpuMs: the main thread's own CPU time over that span (Linux:
 *     /proc/thread-self/schedstat, ns; null elsewhere): what stays on the critical path
 *     when background compiles and GC helpers get a core of their own, and the figure
 *     least moved by other jobs on a shared machine,
 *   cpuMs: the same over the whole process.
 * <engine root> is a checkout to import from (e.g. a copy of the tree before a change).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** CPU time of the calling thread so far (ms), or null where /proc/thread-self is missing. */
function threadCpuMs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

async function main() {
  const [root, dir, list] = process.argv.slice(2);
  const t0 = performance.now();
  const from = (p: string) => pathToFileURL(resolve(root, p)).href;
  const { estimatePoses } = await import(from('engine/pose/estimate-poses.ts'));
  const { createOrbBackend } = await import(from('engine/pose/orb.ts'));
  const tImported = performance.now();
  const cpuImported = process.cpuUsage();
  const mainImported = threadCpuMs();
  const files = list.split(',');
  const photos = files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
  const est = await estimatePoses(photos, { backend: createOrbBackend({ detector: 'akaze' }) });
  const tDone = performance.now();
  const mainDone = threadCpuMs();
  const cpu = process.cpuUsage();
  const stage = process.cpuUsage(cpuImported);
  const views = (est.views as { name: string; camera?: unknown }[]).map((v) => ({ name: v.name, camera: v.camera ?? null }));
  console.log(JSON.stringify({ views, timingsMs: est.timingsMs, filesToPosesMs: tDone - tImported, filesToPosesCpuMs: (stage.user + stage.system) / 1000, filesToPosesMainCpuMs: mainDone !== null && mainImported !== null ? mainDone - mainImported : null, importMs: tImported - t0, cpuMs: (cpu.user + cpu.system) / 1000 }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
