/**
 * `sparrow depth` end to end on a tiny rendered dataset written as transforms.json:
 * files written, 16-bit depth decodes to the true depth, the PLYs parse, the monocular
 * path reports per-view alignment, and bad input gives a one-line error and exit code.
 */
import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode as decodePngRaw } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../electron/headless/exit-codes.js';
import { decodeDepthValues, type DepthSidecar } from '../../engine/depth/output.js';
import { encodePng, rgbFloatToImage } from '../../engine/io/image.js';
import { decodePly } from '../../engine/io/ply.js';
import { releaseAllSessions } from '../../engine/models/ort-session.js';
import { openGlCameraToWorld } from '../../engine/splat/camera.js';
import { renderScene } from './synthetic-scene.js';
import { tinyConvDepthModel } from './tiny-onnx.js';
import { sparrow } from '../util/cli.js';

const W = 64;
const H = 48;
const root = mkdtempSync(join(tmpdir(), 'sparrow-depth-cli-'));
const rendered = renderScene(3, W, H, 5);
afterAll(() => releaseAllSessions());

function writeDataset(): string {
  const dir = join(root, 'scene');
  mkdirSync(join(dir, 'images'), { recursive: true });
  const c = rendered[0].view.camera;
  const frames = rendered.map((r, i) => {
    writeFileSync(join(dir, 'images', `${i}.png`), encodePng(rgbFloatToImage(W, H, r.view.rgb)));
    return { file_path: `images/${i}.png`, transform_matrix: openGlCameraToWorld(r.view.camera) };
  });
  writeFileSync(join(dir, 'transforms.json'), JSON.stringify({ camera_model: 'PINHOLE', w: W, h: H, fl_x: c.fx, fl_y: c.fy, cx: c.cx, cy: c.cy, near_far: [3, 6.5], frames }));
  return dir;
}

/** The CLI in-process; these tests read only the exit code and what went to stderr. */
async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await sparrow(...args);
  return { code: r.code, stderr: r.err };
}

describe('sparrow depth', () => {
  const dataset = writeDataset();

  it('writes depth maps that decode to the true depth, previews, point cloud, Gaussians and a report', async () => {
    const out = join(root, 'out');
    const { code, stderr } = await run(['depth', dataset, '--out', out, '--views', 'all', '--max-side', '64', '--planes', '48', '--stride', '1']);
    expect(code, stderr).toBe(ExitCode.ok);
    for (let i = 0; i < 3; i++) {
      for (const f of [`depth/${i}.png`, `depth/${i}.json`, `confidence/${i}.png`, `preview/${i}.png`]) expect(existsSync(join(out, f)), f).toBe(true);
      const side = JSON.parse(readFileSync(join(out, `depth/${i}.json`), 'utf8')) as DepthSidecar;
      const png = decodePngRaw(readFileSync(join(out, `depth/${i}.png`)));
      expect(png.depth).toBe(16);
      const depth = decodeDepthValues(png.data as Uint16Array, side);
      const conf = decodePngRaw(readFileSync(join(out, `confidence/${i}.png`)));
      let good = 0, confident = 0;
      for (let p = 0; p < W * H; p++) {
        if (conf.data[p * conf.channels] === 0) continue;
        confident++;
        if (Math.abs(depth[p] - rendered[i].depth[p]) / rendered[i].depth[p] < 0.02) good++;
      }
      expect(confident / (W * H)).toBeGreaterThan(0.5);
      expect(good / confident).toBeGreaterThan(0.95);
    }
    const gaussians = decodePly(new Uint8Array(readFileSync(join(out, 'init.ply'))), 'init.ply');
    // Point cloud: binary PLY, x y z float + r g b uchar = 15 bytes per vertex, one per Gaussian.
    const cloud = readFileSync(join(out, 'points.ply'));
    const headerEnd = cloud.indexOf('end_header\n') + 'end_header\n'.length;
    const header = cloud.subarray(0, headerEnd).toString('latin1');
    expect(header).toContain(`element vertex ${gaussians.count}\n`);
    expect(cloud.byteLength - headerEnd).toBe(15 * gaussians.count);
    expect(cloud.readFloatLE(headerEnd)).toBeCloseTo(gaussians.means[0], 5);
    expect(gaussians.count).toBeGreaterThan(500);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.views).toHaveLength(3);
    expect(report.views[0].range.near).toBeCloseTo(3 / 1.2, 6); // near_far from transforms.json
  });

  it('uses a monocular ONNX model and reports per-view alignment', async () => {
    const model = join(root, 'tiny.onnx');
    writeFileSync(model, tinyConvDepthModel({ height: 24, width: 32, weights: [0.1, 0.2, 0.3], bias: 1 }));
    const out = join(root, 'out-mono');
    const { code, stderr } = await run(['depth', dataset, '--out', out, '--views', '0,1', '--max-side', '64', '--planes', '32', '--depth-model', model, '--format', 'f32']);
    expect(code, stderr).toBe(ExitCode.ok);
    expect(stderr).toMatch(/not in models\/depth-manifest\.json/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    for (const v of report.views) {
      expect(v.alignment.space).toBe('inverse-depth');
      expect(v.alignment.samples).toBeGreaterThan(100);
      expect(Number.isFinite(v.alignment.medianAbsResidual)).toBe(true);
    }
    expect(readFileSync(join(out, 'depth/0.bin')).byteLength).toBe(W * H * 4);
  });

  it('bad input: one-line errors with the right exit codes', async () => {
    let r = await run(['depth', join(root, 'nope'), '--out', join(root, 'x')]);
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.stderr).toMatch(/nope: dataset path does not exist/);
    r = await run(['depth', dataset, '--out', join(root, 'x'), '--format', 'exr']);
    expect(r.code).toBe(ExitCode.usage);
    r = await run(['depth', dataset, '--out', join(root, 'x'), '--views', '0']);
    expect(r.code).toBe(ExitCode.usage);
    r = await run(['depth', dataset, '--out', join(root, 'x'), '--depth-model', join(root, 'missing.onnx')]);
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.stderr).toMatch(/missing\.onnx: depth model file does not exist/);
  });
});
