import type { Command } from 'commander';

/** Subcommands in the order `fieldphone --help` lists them (pipeline order). */
export function registerCommands(program: Command): void {
  void program;
}
