/**
 * expectAllClose: |got - ref| <= atol + rtol * |ref| elementwise; fails on any NaN/Inf
 * in `got` that is not matched exactly in `ref`, and reports the worst index.
 */
export { mulberry32 as rng } from '../../engine/math/random.js';
export function expectAllClose(
  name: string,
  got: ArrayLike<number>,
  ref: ArrayLike<number>,
  atol: number,
  rtol: number,
): void {
  if (got.length !== ref.length) throw new Error(`${name}: length ${got.length} != reference ${ref.length}`);
  let worst = -1;
  let worstExcess = 0;
  let failures = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const r = ref[i];
    if (Number.isNaN(g) || Number.isNaN(r) || !Number.isFinite(g) || !Number.isFinite(r)) {
      if (Object.is(g, r)) continue;
      failures++;
      if (worstExcess !== Infinity) {
        worst = i;
        worstExcess = Infinity;
      }
      continue;
    }
    const excess = Math.abs(g - r) - (atol + rtol * Math.abs(r));
    if (excess > 0) {
      failures++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (failures > 0) {
    throw new Error(
      `${name}: ${failures}/${got.length} elements out of tolerance (atol ${atol}, rtol ${rtol}); ` +
        `worst at [${worst}]: got ${got[worst]}, ref ${ref[worst]}`,
    );
  }
}


/** Standard normal samples from a uniform PRNG (Box-Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
