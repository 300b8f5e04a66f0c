/**
 * Per-phase wall time of training steps, for benchmarks only (bench/reconstruct-e2e.ts).
 *
 * GPU work on Dawn is asynchronous: a phase's cost shows up wherever the host next waits. In
 * profiling mode every `lap()` first waits for all submitted work (onSubmittedWorkDone), so the
 * time between two laps is that phase's host encoding plus its GPU execution. This serializes
 * host and GPU, so a profiled step is slower than a normal one; the shares are what it is for.
 */
import type { Gpu } from '../gpu/acquire.js';

export interface StepRecord {
  step: number;
  /** Wall milliseconds per phase name (a phase entered twice in one step adds up). */
  phases: Record<string, number>;
  /**
   * CPU milliseconds of this process per phase (host plus the CPU adapter's worker threads):
   * on a shared machine wall time mostly measures the wait for a core, this does not.
   */
  cpu: Record<string, number>;
  /** Other figures of the step (forward sub-stage times, intersection count). */
  detail: Record<string, number>;
}

export class StepProfiler {
  readonly steps: StepRecord[] = [];
  private current: StepRecord | undefined;
  private t0 = 0;
  private c0 = 0;

  constructor(private readonly gpu: Gpu) {}

  /** Start a step: waits for earlier GPU work so none of it is billed to this step. */
  async begin(step: number): Promise<void> {
    await this.gpu.device.queue.onSubmittedWorkDone();
    this.current = { step, phases: {}, cpu: {}, detail: {} };
    this.steps.push(this.current);
    this.t0 = performance.now();
    this.c0 = cpuMs();
  }

  /** Close the phase that started at the previous lap (or begin): waits for the GPU, then records. */
  async lap(phase: string): Promise<void> {
    if (!this.current) return;
    await this.gpu.device.queue.onSubmittedWorkDone();
    const now = performance.now();
    const cpu = cpuMs();
    this.current.phases[phase] = (this.current.phases[phase] ?? 0) + now - this.t0;
    this.current.cpu[phase] = (this.current.cpu[phase] ?? 0) + cpu - this.c0;
    this.t0 = now;
    this.c0 = cpu;
  }

  /** Record figures of the current step that are not phases (not summed into the step time). */
  detail(values: Record<string, number>): void {
    if (this.current) Object.assign(this.current.detail, values);
  }
}

/** Process CPU time in ms (Node); 0 where there is no process (the browser). */
function cpuMs(): number {
  const u = typeof process !== 'undefined' && process.cpuUsage ? process.cpuUsage() : { user: 0, system: 0 };
  return (u.user + u.system) / 1000;
}
