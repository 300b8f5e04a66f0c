/**
 * expectAllClose: |got - ref| <= atol + rtol * |ref| elementwise; fails on any NaN/Inf
 * in `got` that is not matched exactly in `ref`, and reports the worst index.
 */
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

/** Deterministic PRNG (mulberry32) for reproducible random test inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a uniform PRNG (Box-Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}
