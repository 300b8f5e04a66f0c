/** Moved: the engine's seeded PRNG lives in engine/math/random.ts. */
export * from '../math/random.js';
