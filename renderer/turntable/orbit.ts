/**
 * Turntable orbit maths (no DOM, unit-tested): the camera circles the orbit target about the
 * view's up axis, keeping its distance to the target and its elevation (the component of
 * target->camera along up). Frame k is the current camera position turned by 2*pi*k/N, so
 * frame 0 is the current view and frame k + N/2 looks from the opposite side.
 */
export type Vec3 = [number, number, number];

/** Rotate `v` by `angle` (radians, right-handed) about the unit axis `u` (Rodrigues). */
export function rotateAbout(v: Vec3, u: Vec3, angle: number): Vec3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  const cross: Vec3 = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  return [0, 1, 2].map((a) => v[a] * c + cross[a] * s + u[a] * dot * (1 - c)) as Vec3;
}

export interface OrbitSpec {
  /** Camera position now. */
  position: Vec3;
  /** The point the camera orbits (the orbit controls' target). */
  target: Vec3;
  /** The view's up direction (need not be unit length, must not be zero). */
  up: Vec3;
  /** Frames in one full turn, >= 2. */
  frames: number;
}

/** Angle of frame k (radians): 2*pi*k/N. Exact for k = 0 and for the half turn when N is even. */
export function frameAngle(k: number, frames: number): number {
  return (2 * Math.PI * k) / frames;
}

/** The N camera positions of the turntable: [N] of [3], frame 0 = `position` exactly. */
export function orbitPositions(spec: OrbitSpec): Vec3[] {
  const { position, target, frames } = spec;
  if (!Number.isInteger(frames) || frames < 2) throw new Error(`a turntable needs an integer number of frames >= 2, got ${frames}`);
  const n = Math.hypot(...spec.up);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error('the turntable up axis must be a non-zero vector');
  const up = spec.up.map((x) => x / n) as Vec3;
  const offset = [0, 1, 2].map((a) => position[a] - target[a]) as Vec3;
  return Array.from({ length: frames }, (_, k) => {
    if (k === 0) return [...position] as Vec3;
    const r = rotateAbout(offset, up, frameAngle(k, frames));
    return [0, 1, 2].map((a) => target[a] + r[a]) as Vec3;
  });
}
