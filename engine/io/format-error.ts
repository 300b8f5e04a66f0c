/**
 * The one error type every scene/camera reader throws for bad input.
 * Messages start with the file name and say what is wrong, e.g.
 * `scene.ply: vertex count 4000000 needs 992000000 bytes, file has 1234`.
 * The CLI maps name 'FormatError' to ExitCode.badInput.
 */
export class FormatError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'FormatError';
  }
}

/** Throw a FormatError unless `ok`. */
export function ensure(ok: boolean, file: string, problem: string | (() => string)): asserts ok {
  if (!ok) throw new FormatError(file, typeof problem === 'string' ? problem : problem());
}

/**
 * Reject any NaN/Inf in `values`; `what` names the field, `stride` turns the
 * flat index into a splat index for the message.
 */
export function ensureFinite(values: ArrayLike<number>, file: string, what: string, stride = 1): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new FormatError(file, `${what} of splat ${Math.floor(i / stride)} is ${v} (NaN/Inf not allowed)`);
    }
  }
}

/** Largest splat count any reader accepts (2^28): far above real scenes, small enough to keep sizes exact in doubles. */
export const MAX_SPLATS = 1 << 28;

/**
 * Count check done BEFORE allocating: `count` rows of `rowBytes` must fit in
 * `available` bytes.
 */
export function ensureCountFits(count: number, rowBytes: number, available: number, file: string, what: string): void {
  ensure(Number.isInteger(count) && count >= 0, file, `${what} count ${count} is not a non-negative integer`);
  ensure(count <= MAX_SPLATS, file, `${what} count ${count} exceeds the limit ${MAX_SPLATS}`);
  const need = count * rowBytes;
  ensure(need <= available, file, `${what} count ${count} needs ${need} bytes, only ${available} present (truncated or corrupt)`);
}
