/**
 * The capture of the group placement tests inside estimatePoses (silhouette-group-placement.ts):
 * masked photos of a synthetic object, scripted matches. Views 0-3 see one half of the
 * object's points, views 4-6 the other half, so no pair links the two groups (the lego
 * situation: every cross-group pair was a wrong match and was dropped).
 */
import { encodePng } from '../../engine/io/image.js';
import { estimatePoses, type PoseEstimate } from '../../engine/pose/estimate-poses.js';
import { mul3, rotationAngleDeg, tr3 } from '../../engine/pose/linalg.js';
import type { GroupPlacementOptions } from '../../engine/pose/silhouette-group-placement.js';
import { scriptedBackend } from './scripted-backend.js';
import { renderPainted } from './silhouette-group-painted.js';
import { orbitCamera, renderObject, surfacePoints, type Ellipsoid } from './silhouette-synthetic.js';
import { addNoise, projectAll } from './synthetic.js';

const SIZE = 96;
// The pipeline's default 60° field of view, so the initial focal length is right.
const F = SIZE / 2 / Math.tan(Math.PI / 6);
const AZ_EL: [number, number][] = [[0, 30], [40, 15], [80, 35], [120, 20], [200, 30], [240, 15], [290, 35]];
export const cameras = AZ_EL.map(([a, e]) => ({ ...orbitCamera(a, e, SIZE), fx: F, fy: F }));
export const GROUP = [4, 5, 6];
const N = 400;

function keypoints(obj: Ellipsoid[]): Float64Array[] {
  const points = surfacePoints(obj, N, 11);
  // The first half of the points is seen by the main views, the second by the group.
  return cameras.map((c, v) => {
    const px = addNoise(projectAll(c, points), 0.3, 40 + v);
    const mine = GROUP.includes(v) ? (i: number) => i >= N / 2 : (i: number) => i < N / 2;
    for (let i = 0; i < N; i++) if (!mine(i)) px[2 * i] = px[2 * i + 1] = NaN;
    return px;
  });
}

function photos(obj: Ellipsoid[], painted = false) {
  return cameras.map((cam, v) => {
    const img = painted ? renderPainted(obj, cam) : renderObject(obj, cam);
    img.data[0] = 10 * v; // a background pixel: tells the scripted extractor which view it is
    return { name: `view${v}.png`, bytes: encodePng(img) };
  });
}

/** Relative-rotation error (degrees) of view v against view 0. */
export const errorOf = (est: PoseEstimate, v: number) => rotationAngleDeg(mul3(est.views[v].camera!.R, tr3(est.views[0].camera!.R)), mul3(cameras[v].R, tr3(cameras[0].R)));

/** estimatePoses on the capture of `obj` (painted: a colour field instead of grey), single-view silhouette search off. */
export const run = (obj: Ellipsoid[], group?: GroupPlacementOptions | false, painted = false) =>
  estimatePoses(photos(obj, painted), {
    backend: scriptedBackend(keypoints(obj), { width: SIZE, height: SIZE }),
    // Only the group placement may place the group (the single-view search is off).
    silhouette: { enabled: false },
    silhouetteGroup: group === false ? false : { search: { directions: 120, rolls: 20, refine: 6 }, ...group },
  });
