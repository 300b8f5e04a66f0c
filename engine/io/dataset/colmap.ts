/**
 * Load a COLMAP reconstruction as a Dataset. Accepted layouts (first match wins):
 *   <root>/sparse/0/{cameras,images,points3D}.{bin,txt} + <root>/images/
 *   <root>/sparse/{...}                                 + <root>/images/
 *   <root>/{...}                                        + <root>/images/ (or <root> itself)
 *   <root>/sparse/0 given directly                      -> images in <root>/images
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { colmapFormat, readColmapModel } from './colmap-read.js';
import { colmapFrameCamera } from './colmap-model.js';
import { readImageSize } from './image-size.js';
import { DatasetError, type Frame, type SparsePoints } from './types.js';

export interface ColmapLocation {
  root: string;
  modelDir: string;
  imagesDir: string;
}

export function locateColmap(path: string): ColmapLocation | undefined {
  const p = resolve(path);
  for (const modelDir of [join(p, 'sparse', '0'), join(p, 'sparse'), p]) {
    if (!colmapFormat(modelDir)) continue;
    // Walk up from the model folder to the folder holding images/.
    let root = p;
    if (modelDir === p) {
      const up1 = dirname(p);
      const up2 = dirname(up1);
      if (basename(up1) === 'sparse' && existsSync(join(up2, 'images'))) root = up2;
      else if (basename(p) === 'sparse' && existsSync(join(up1, 'images'))) root = up1;
    }
    const imagesDir = existsSync(join(root, 'images')) && statSync(join(root, 'images')).isDirectory() ? join(root, 'images') : root;
    return { root, modelDir, imagesDir };
  }
  return undefined;
}

export async function loadColmapFrames(loc: ColmapLocation): Promise<{ frames: Frame[]; points?: SparsePoints }> {
  const model = readColmapModel(loc.modelDir);
  const fmt = colmapFormat(loc.modelDir)!;
  const imagesFile = join(loc.modelDir, `images.${fmt}`);
  if (model.images.length === 0) throw new DatasetError(imagesFile, 'zero registered images');
  // Deterministic order whatever order the model lists them in.
  const images = [...model.images].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const frames: Frame[] = [];
  for (const im of images) {
    const cam = model.cameras.get(im.cameraId);
    if (!cam) throw new DatasetError(imagesFile, `image ${im.id} (${im.name}) uses camera ${im.cameraId}, which cameras.${fmt} does not define`);
    const imagePath = join(loc.imagesDir, im.name);
    if (!existsSync(imagePath)) throw new DatasetError(imagesFile, `names image '${im.name}', which does not exist at ${imagePath}`);
    const size = await readImageSize(imagePath);
    if (size.width !== cam.width || size.height !== cam.height) {
      throw new DatasetError(imagePath, `image is ${size.width}x${size.height} but COLMAP camera ${cam.id} is ${cam.width}x${cam.height}`);
    }
    const { camera, distortion } = colmapFrameCamera(im, cam);
    frames.push({ name: im.name, camera, imagePath, imageSize: [cam.width, cam.height], distortion });
  }
  let points: SparsePoints | undefined;
  if (model.points.length > 0) {
    const n = model.points.length;
    points = { count: n, xyz: new Float32Array(n * 3), rgb: new Float32Array(n * 3) };
    model.points.forEach((p, i) => {
      for (let k = 0; k < 3; k++) {
        points!.xyz[i * 3 + k] = p.xyz[k];
        points!.rgb[i * 3 + k] = p.rgb[k] / 255;
      }
    });
  }
  return { frames, points };
}
