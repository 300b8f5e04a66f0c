/** Parsing of CLI flag values shared by the subcommands; bad values are usage errors (exit 2). */
import { ExitCode, UserError } from './exit-codes.js';

/** An optional integer flag in [min, max]; undefined when the flag was not given. */
export function int(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${flag} must be an integer in [${min}, ${max}], got '${value}'`, ExitCode.usage);
  return n;
}
