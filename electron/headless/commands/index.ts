/** Every `sparrow` subcommand. Add one import and one entry per command module. */
import type { Command } from 'commander';

export const COMMANDS: ((program: Command) => void)[] = [];
