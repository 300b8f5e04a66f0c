import { describe, expect, it } from 'vitest';
import { rampFactor, trustedDepth } from '../../engine/train/regularizers/sparse-view.js';

describe('sparse-view schedule and prior helpers', () => {
  it('rampFactor: zero before the start, linear over the ramp, one after; one without a run length', () => {
    // Starts at 20% of 1000 steps, full weight 50 steps later.
    expect(rampFactor(100, 1000, 0.2, 0.05)).toBe(0);
    expect(rampFactor(199, 1000, 0.2, 0.05)).toBe(0);
    expect(rampFactor(200, 1000, 0.2, 0.05)).toBe(0);
    expect(rampFactor(225, 1000, 0.2, 0.05)).toBeCloseTo(0.5, 12);
    expect(rampFactor(250, 1000, 0.2, 0.05)).toBeCloseTo(1, 12);
    expect(rampFactor(900, 1000, 0.2, 0.05)).toBe(1);
    // No ramp: a step function at the start.
    expect(rampFactor(199, 1000, 0.2, 0)).toBe(0);
    expect(rampFactor(200, 1000, 0.2, 0)).toBe(1);
    // Unknown run length (a trainer view without cfg): the schedule cannot apply, full weight.
    expect(rampFactor(1, undefined, 0.2, 0.05)).toBe(1);
    expect(rampFactor(1, 0, 0.2, 0.05)).toBe(1);
  });

  it('trustedDepth keeps measured depth and drops hole-filled pixels (confidence 0)', () => {
    const depth = Float32Array.from([5, 6, 7, 8, 9, 10]);
    const confidence = Float32Array.from([1, 0, 0.3, 0, 0.01, 1]);
    const t = trustedDepth({ width: 3, height: 2, depth, confidence });
    expect(Array.from(t)).toEqual([5, 0, 7, 0, 9, 10]);
    // The input is not modified (the correlation term still reads the full prior with its mask).
    expect(Array.from(depth)).toEqual([5, 6, 7, 8, 9, 10]);
  });
});
