/** Learning-rate and SH-degree schedules (pure functions of the step). */
import type { TrainConfig } from './config.js';

/**
 * Log-linear (exponential) decay from `initial` at step 0 to `final` at `maxSteps`,
 * held at `final` afterwards: exp(lerp(ln initial, ln final, t)) as in 3DGS.
 */
export function expDecay(initial: number, final: number, step: number, maxSteps: number): number {
  if (initial === 0 || final === 0) return initial === final ? 0 : initial * (step < maxSteps ? 1 : 0);
  const t = Math.min(Math.max(step / Math.max(maxSteps, 1), 0), 1);
  return Math.exp(Math.log(initial) * (1 - t) + Math.log(final) * t);
}

/** Position learning rate at `step`, scaled by the scene extent. */
export function meansLrAt(cfg: TrainConfig, step: number, extent: number): number {
  return expDecay(cfg.meansLr * extent, cfg.meansLrFinal * extent, step, cfg.meansLrMaxSteps);
}

/** Active SH degree at `step`: one band more every `shDegreeInterval` steps, up to `shDegree`. */
export function shDegreeAt(cfg: TrainConfig, step: number): number {
  if (cfg.shDegreeInterval <= 0) return cfg.shDegree;
  return Math.min(cfg.shDegree, Math.floor(step / cfg.shDegreeInterval));
}

/** Whether a densification (clone/split/prune) runs after `step` (1-based count of finished steps). */
export function isDensifyStep(cfg: TrainConfig, step: number): boolean {
  return step > cfg.densifyFrom && step < cfg.densifyUntil && step % cfg.densifyInterval === 0;
}

/** Whether opacities are reset after `step` (1-based). */
export function isOpacityResetStep(cfg: TrainConfig, step: number): boolean {
  return cfg.opacityResetInterval > 0 && step < cfg.densifyUntil && step % cfg.opacityResetInterval === 0;
}
