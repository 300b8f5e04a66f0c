/**
 * Every `sparrow` subcommand. Add one import and one entry per command module. A module's
 * `register(program)` defines flags and help only; engine modules are imported (`await import`)
 * inside its action, so `sparrow` starts fast (test/cli/lazy-commands.test.ts fails otherwise).
 */
import type { Command } from 'commander';
import { register as batch } from './batch.js';
import { register as convert } from './convert.js';
import { register as deform } from './deform.js';
import { register as deformTrain } from './deform-train.js';
import { register as depth } from './depth.js';
import { register as matches } from './matches.js';
import { register as poses } from './poses.js';
import { register as reconstruct } from './reconstruct.js';
import { register as render } from './render.js';
import { register as train } from './train.js';

export const COMMANDS: ((program: Command) => void)[] = [matches, render, convert, poses, depth, deform, deformTrain, train, reconstruct, batch];
