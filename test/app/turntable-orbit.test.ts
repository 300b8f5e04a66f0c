/**
 * Turntable orbit maths (renderer/turntable/orbit.ts), no browser: frame 0 is the current
 * pose exactly, every frame keeps the distance to the target and the elevation along up,
 * consecutive frames are 2*pi/N apart about the up axis, and frame k + N/2 is the view from
 * the opposite side.
 */
import { describe, expect, it } from 'vitest';
import { frameAngle, orbitPositions, rotateAbout, type Vec3 } from '../../renderer/turntable/orbit.js';
import { rng } from '../util/close.js';

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (a: Vec3) => Math.sqrt(dot(a, a));
const unit = (a: Vec3): Vec3 => a.map((x) => x / norm(a)) as Vec3;
/** Component of v perpendicular to unit u. */
const horizontal = (v: Vec3, u: Vec3): Vec3 => v.map((x, a) => x - dot(v, u) * u[a]) as Vec3;

describe('turntable orbit', () => {
  const rand = rng(7);
  const r3 = (s = 1): Vec3 => [(rand() - 0.5) * s, (rand() - 0.5) * s, (rand() - 0.5) * s];

  it('rotateAbout matches a rotation about the z axis and keeps length', () => {
    const v: Vec3 = [1, 2, 3];
    const r = rotateAbout(v, [0, 0, 1], Math.PI / 2);
    // (x, y) -> (-y, x), z unchanged; float64 rounding of cos(pi/2) ~ 6e-17.
    expect(r[0]).toBeCloseTo(-2, 12);
    expect(r[1]).toBeCloseTo(1, 12);
    expect(r[2]).toBeCloseTo(3, 12);
    for (let t = 0; t < 20; t++) {
      const w = r3(4);
      expect(norm(rotateAbout(w, unit(r3()), rand() * 7))).toBeCloseTo(norm(w), 12);
    }
  });

  it.each([8, 9, 60, 120])('N=%i: frame 0 is the current pose; distance and elevation kept; steps of 2 pi/N; opposite sides', (n) => {
    for (let trial = 0; trial < 5; trial++) {
      const target = r3(10);
      const position: Vec3 = target.map((x, a) => x + r3(6)[a]) as Vec3;
      const up = r3(3); // not unit: orbitPositions normalises it
      const u = unit(up);
      const pos = orbitPositions({ position, target, up, frames: n });
      expect(pos.length).toBe(n);
      expect(pos[0]).toEqual(position);
      const o0 = sub(position, target);
      const h0 = horizontal(o0, u);
      for (let k = 0; k < n; k++) {
        const o = sub(pos[k], target);
        // Tolerances: a few float64 roundings of values of size ~10.
        expect(norm(o)).toBeCloseTo(norm(o0), 10);
        expect(dot(o, u)).toBeCloseTo(dot(o0, u), 10);
        // The signed angle from frame 0 about up is 2 pi k / N.
        const h = horizontal(o, u);
        const cross: Vec3 = [h0[1] * h[2] - h0[2] * h[1], h0[2] * h[0] - h0[0] * h[2], h0[0] * h[1] - h0[1] * h[0]];
        const angle = Math.atan2(dot(cross, u), dot(h0, h));
        const expected = frameAngle(k, n);
        const wrapped = Math.atan2(Math.sin(expected), Math.cos(expected));
        expect(Math.abs(Math.atan2(Math.sin(angle - wrapped), Math.cos(angle - wrapped)))).toBeLessThan(1e-9);
      }
      if (n % 2 === 0) {
        for (let k = 0; k < n / 2; k++) {
          // Opposite sides: horizontal offsets cancel, heights agree.
          const a = sub(pos[k], target);
          const b = sub(pos[k + n / 2], target);
          const hs = horizontal(a, u).map((x, i) => x + horizontal(b, u)[i]) as Vec3;
          expect(norm(hs)).toBeLessThan(1e-9 * norm(o0));
          expect(dot(a, u)).toBeCloseTo(dot(b, u), 10);
        }
      }
    }
  });

  it('rejects fewer than 2 frames, fractional counts and a zero up axis', () => {
    const spec = { position: [0, 0, 5] as Vec3, target: [0, 0, 0] as Vec3, up: [0, -1, 0] as Vec3 };
    expect(() => orbitPositions({ ...spec, frames: 1 })).toThrow(/frames >= 2/);
    expect(() => orbitPositions({ ...spec, frames: 2.5 })).toThrow(/integer/);
    expect(() => orbitPositions({ ...spec, up: [0, 0, 0], frames: 8 })).toThrow(/non-zero/);
  });
});
