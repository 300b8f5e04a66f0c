/** Exit codes of the `sparrow` CLI (documented in README.md). */
export const ExitCode = {
  ok: 0,
  /** Unexpected internal error (a bug): the message and stack are printed. */
  internal: 1,
  /** Bad command line (unknown flag, missing argument). */
  usage: 2,
  /** Bad input data: missing/corrupt files, invalid dataset; the message names the file. */
  badInput: 3,
  /** No usable GPU adapter. */
  noGpu: 4,
  /** A stage of the work failed (e.g. poses could not be estimated); finished stages are kept. */
  stageFailed: 5,
  /** Cancelled by the user (Ctrl-C); a checkpoint was written where possible. */
  cancelled: 130,
} as const;

/** An error whose message is for the user, with the exit code to use. */
export class UserError extends Error {
  constructor(message: string, readonly code: number = ExitCode.badInput, readonly file?: string) {
    super(message);
    this.name = 'UserError';
  }
}
