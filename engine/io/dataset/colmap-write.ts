/**
 * Write a COLMAP sparse model (cameras/images/points3D) as text or binary,
 * the inverse of colmap-read.ts. Used by the tests to build fixtures and by the
 * pose stage to export what it estimated so COLMAP tools can open it.
 * Files are written atomically.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { COLMAP_MODELS, type ColmapModel } from './colmap-model.js';

/** Writes `<dir>/{cameras,images,points3D}.{txt|bin}`. */
export function writeColmapModel(dir: string, model: ColmapModel, format: 'txt' | 'bin'): void {
  if (format === 'txt') {
    writeFileAtomic(join(dir, 'cameras.txt'), colmapCamerasText(model));
    writeFileAtomic(join(dir, 'images.txt'), colmapImagesText(model));
    writeFileAtomic(join(dir, 'points3D.txt'), colmapPointsText(model));
  } else {
    writeFileAtomic(join(dir, 'cameras.bin'), colmapCamerasBinary(model));
    writeFileAtomic(join(dir, 'images.bin'), colmapImagesBinary(model));
    writeFileAtomic(join(dir, 'points3D.bin'), colmapPointsBinary(model));
  }
}

// Full double precision survives the round trip: String(x) is the shortest exact form.
const num = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

export function colmapCamerasText(model: ColmapModel): string {
  const lines = ['# Camera list with one line of data per camera:', '#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]', `# Number of cameras: ${model.cameras.size}`];
  for (const c of model.cameras.values()) lines.push([c.id, c.model, c.width, c.height, ...c.params.map(num)].join(' '));
  return lines.join('\n') + '\n';
}

export function colmapImagesText(model: ColmapModel): string {
  const lines = [
    '# Image list with two lines of data per image:',
    '#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME',
    '#   POINTS2D[] as (X, Y, POINT3D_ID)',
    `# Number of images: ${model.images.length}`,
  ];
  for (const im of model.images) {
    lines.push([im.id, ...im.q.map(num), ...im.t.map(num), im.cameraId, im.name].join(' '));
    const p: string[] = [];
    for (let j = 0; j < im.points2D.point3DIds.length; j++) p.push(num(im.points2D.xy[j * 2]), num(im.points2D.xy[j * 2 + 1]), String(im.points2D.point3DIds[j]));
    lines.push(p.join(' '));
  }
  return lines.join('\n') + '\n';
}

export function colmapPointsText(model: ColmapModel): string {
  const lines = ['# 3D point list with one line of data per point:', '#   POINT3D_ID, X, Y, Z, R, G, B, ERROR, TRACK[] as (IMAGE_ID, POINT2D_IDX)', `# Number of points: ${model.points.length}`];
  for (const p of model.points) lines.push([p.id, ...p.xyz.map(num), ...p.rgb, num(p.error), ...p.track].join(' '));
  return lines.join('\n') + '\n';
}

/** Growable little-endian byte writer. */
class BinWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private off = 0;
  private ensure(n: number): number {
    if (this.off + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.off + n));
      next.set(this.buf);
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const o = this.off;
    this.off += n;
    return o;
  }
  // ensure() may swap the buffer, so it runs before `this.view` is read.
  u64(v: number | bigint): void { const o = this.ensure(8); this.view.setBigUint64(o, BigInt(v), true); }
  i64(v: bigint): void { const o = this.ensure(8); this.view.setBigInt64(o, v, true); }
  i32(v: number): void { const o = this.ensure(4); this.view.setInt32(o, v, true); }
  u8(v: number): void { const o = this.ensure(1); this.view.setUint8(o, v); }
  f64(v: number): void { const o = this.ensure(8); this.view.setFloat64(o, v, true); }
  cstring(s: string): void {
    const b = new TextEncoder().encode(s);
    const o = this.ensure(b.length);
    this.buf.set(b, o);
    this.u8(0);
  }
  bytes(): Uint8Array { return this.buf.slice(0, this.off); }
}

export function colmapCamerasBinary(model: ColmapModel): Uint8Array {
  const w = new BinWriter();
  w.u64(model.cameras.size);
  for (const c of model.cameras.values()) {
    w.i32(c.id);
    w.i32(COLMAP_MODELS[c.model].id);
    w.u64(c.width);
    w.u64(c.height);
    for (const p of c.params) w.f64(p);
  }
  return w.bytes();
}

export function colmapImagesBinary(model: ColmapModel): Uint8Array {
  const w = new BinWriter();
  w.u64(model.images.length);
  for (const im of model.images) {
    w.i32(im.id);
    for (const v of im.q) w.f64(v);
    for (const v of im.t) w.f64(v);
    w.i32(im.cameraId);
    w.cstring(im.name);
    const m = im.points2D.point3DIds.length;
    w.u64(m);
    for (let j = 0; j < m; j++) {
      w.f64(im.points2D.xy[j * 2]);
      w.f64(im.points2D.xy[j * 2 + 1]);
      w.i64(im.points2D.point3DIds[j]);
    }
  }
  return w.bytes();
}

export function colmapPointsBinary(model: ColmapModel): Uint8Array {
  const w = new BinWriter();
  w.u64(model.points.length);
  for (const p of model.points) {
    w.u64(p.id);
    for (const v of p.xyz) w.f64(v);
    for (const v of p.rgb) w.u8(v);
    w.f64(p.error);
    w.u64(p.track.length / 2);
    for (const v of p.track) w.i32(v);
  }
  return w.bytes();
}
