/**
 * Writes a depth run for the user (every file atomically):
 *   depth/<view>.png + depth/<view>.json   16-bit depth and its scale (or <view>.bin, float32)
 *   confidence/<view>.png                  8-bit confidence (0 = hole-filled or unknown)
 *   preview/<view>.png                     colour-mapped inverse depth
 *   points.ply                             initial point cloud (xyz + rgb)
 *   init.ply                               initial Gaussians (3DGS PLY)
 *   report.json                            per-view figures, alignment residuals, timings
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { encodePng } from '../io/image.js';
import { encodePly } from '../io/ply.js';
import { shDcToRgb, shCoeffCount } from '../splat/scene.js';
import { depthPreviewPng, encodeDepthF32, encodeDepthPng16, encodePointCloudPly } from './output.js';
import type { DepthStageResult } from './stage.js';

export type DepthFileFormat = 'png16' | 'f32';

export function writeDepthOutputs(outDir: string, result: DepthStageResult, format: DepthFileFormat, extra: Record<string, unknown> = {}): Record<string, string> {
  result.views.forEach((view, v) => {
    const map = result.maps[v];
    if (format === 'png16') {
      const { png, sidecar } = encodeDepthPng16(map);
      writeFileAtomic(join(outDir, 'depth', `${view.name}.png`), png);
      writeFileAtomic(join(outDir, 'depth', `${view.name}.json`), JSON.stringify(sidecar, null, 2));
    } else {
      const { bin, sidecar } = encodeDepthF32(map);
      writeFileAtomic(join(outDir, 'depth', `${view.name}.bin`), bin);
      writeFileAtomic(join(outDir, 'depth', `${view.name}.json`), JSON.stringify(sidecar, null, 2));
    }
    const conf = new Uint8Array(map.width * map.height * 4);
    for (let p = 0; p < map.width * map.height; p++) {
      conf.fill(Math.round(255 * Math.min(Math.max(map.confidence[p], 0), 1)), p * 4, p * 4 + 3);
      conf[p * 4 + 3] = 255;
    }
    writeFileAtomic(join(outDir, 'confidence', `${view.name}.png`), encodePng({ width: map.width, height: map.height, data: conf }));
    writeFileAtomic(join(outDir, 'preview', `${view.name}.png`), depthPreviewPng(map));
  });
  const { scene } = result;
  const K = shCoeffCount(scene.shDegree);
  const rgb = new Float32Array(scene.count * 3);
  for (let i = 0; i < scene.count; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = shDcToRgb(scene.sh[i * K * 3 + c]);
  writeFileAtomic(join(outDir, 'points.ply'), encodePointCloudPly(scene.means, rgb));
  writeFileAtomic(join(outDir, 'init.ply'), encodePly(scene));
  const report = {
    ...extra,
    views: result.views.map((v, i) => ({
      name: v.name,
      frame: result.indices[i],
      width: v.camera.width,
      height: v.camera.height,
      neighbours: result.mvs[i].neighbours.map((n) => result.views[n].name),
      range: result.mvs[i].range,
      confidentFraction: result.mvs[i].confidentFraction,
      photometricFraction: result.mvs[i].photoFraction,
      sweepMs: Math.round(result.mvs[i].sweepMs),
      alignment: result.alignment?.[i],
    })),
    init: result.init,
    timings: result.timings,
  };
  writeFileAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2));
  return { depth: join(outDir, 'depth'), preview: join(outDir, 'preview'), points: join(outDir, 'points.ply'), init: join(outDir, 'init.ply'), report: join(outDir, 'report.json') };
}
