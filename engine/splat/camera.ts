/**
 * Pinhole camera, OpenCV convention: x right, y down, z forward (the camera looks
 * along +z). Pixel (u, v) = (fx * x/z + cx, fy * y/z + cy), pixel centres at +0.5
 * (pixel i covers [i, i+1)).
 *
 * Pose is world-to-camera: p_cam = R * p_world + t, R row-major 3x3.
 * Datasets in OpenGL convention (nerfstudio transforms.json) convert with
 * `cameraFromOpenGlCameraToWorld`.
 */
export interface Camera {
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** world-to-camera rotation, row-major [9] */
  R: number[];
  /** world-to-camera translation [3] */
  t: number[];
}

/** Camera centre in world coordinates: -R^T t. */
export function cameraCenter(cam: Camera): [number, number, number] {
  const { R, t } = cam;
  return [
    -(R[0] * t[0] + R[3] * t[1] + R[6] * t[2]),
    -(R[1] * t[0] + R[4] * t[1] + R[7] * t[2]),
    -(R[2] * t[0] + R[5] * t[1] + R[8] * t[2]),
  ];
}

/**
 * From a 4x4 OpenGL camera-to-world matrix given as rows (nerfstudio
 * `transform_matrix`): c2w_cv = c2w_gl * diag(1, -1, -1, 1), then invert.
 */
export function cameraFromOpenGlCameraToWorld(
  c2wRows: number[][],
  intr: { width: number; height: number; fx: number; fy: number; cx: number; cy: number },
): Camera {
  // Rotation columns of c2w_cv: flip the y and z columns of the GL matrix.
  const Rc2w = [
    [c2wRows[0][0], -c2wRows[0][1], -c2wRows[0][2]],
    [c2wRows[1][0], -c2wRows[1][1], -c2wRows[1][2]],
    [c2wRows[2][0], -c2wRows[2][1], -c2wRows[2][2]],
  ];
  const C = [c2wRows[0][3], c2wRows[1][3], c2wRows[2][3]];
  // world-to-camera: R = Rc2w^T, t = -R C
  const R = [
    Rc2w[0][0], Rc2w[1][0], Rc2w[2][0],
    Rc2w[0][1], Rc2w[1][1], Rc2w[2][1],
    Rc2w[0][2], Rc2w[1][2], Rc2w[2][2],
  ];
  const t = [
    -(R[0] * C[0] + R[1] * C[1] + R[2] * C[2]),
    -(R[3] * C[0] + R[4] * C[1] + R[5] * C[2]),
    -(R[6] * C[0] + R[7] * C[1] + R[8] * C[2]),
  ];
  return { ...intr, R, t };
}

/** Inverse of cameraFromOpenGlCameraToWorld: 4x4 GL camera-to-world rows. */
export function openGlCameraToWorld(cam: Camera): number[][] {
  const { R } = cam;
  const C = cameraCenter(cam);
  // c2w_cv rotation = R^T; GL flips y and z columns.
  return [
    [R[0], -R[3], -R[6], C[0]],
    [R[1], -R[4], -R[7], C[1]],
    [R[2], -R[5], -R[8], C[2]],
    [0, 0, 0, 1],
  ];
}

/** Look-at camera (OpenCV axes) at `eye` looking at `target` with world `up`. */
export function lookAtCamera(
  eye: number[],
  target: number[],
  up: number[],
  intr: { width: number; height: number; fx: number; fy: number; cx?: number; cy?: number },
): Camera {
  const f = normalize([target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]]);
  // OpenCV: y down, so camera "down" is -up projected.
  const r = normalize(cross(f, up));
  const d = cross(f, r);
  const R = [r[0], r[1], r[2], d[0], d[1], d[2], f[0], f[1], f[2]];
  const t = [-(r[0] * eye[0] + r[1] * eye[1] + r[2] * eye[2]), -(d[0] * eye[0] + d[1] * eye[1] + d[2] * eye[2]), -(f[0] * eye[0] + f[1] * eye[1] + f[2] * eye[2])];
  return {
    width: intr.width,
    height: intr.height,
    fx: intr.fx,
    fy: intr.fy,
    cx: intr.cx ?? intr.width / 2,
    cy: intr.cy ?? intr.height / 2,
    R,
    t,
  };
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(v: number[]): number[] {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}
