#!/usr/bin/env node
/**
 * The `fieldphone` command: a thin layer over the stage functions in src/.
 * Each subcommand lives in src/cli/commands/<name>.ts and exports register().
 */
import { Command, Option } from 'commander';
import { FieldphoneError, errorMessage } from '../util/errors.js';
import { log, setLogLevel } from '../util/log.js';
import { toolVersion } from '../util/manifest.js';
import { BACKENDS } from '../backend/index.js';
import { registerCommands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('fieldphone')
    .description('Unsupervised speech-to-phoneme recognition for field recordings.')
    .version(toolVersion())
    .option('-q, --quiet', 'only errors and warnings on stderr')
    .option('-v, --verbose', 'more detail on stderr')
    .addOption(new Option('--backend <name>', 'force a tensor backend').choices([...BACKENDS]))
    .showHelpAfterError()
    .hook('preAction', (cmd) => {
      const o = cmd.opts();
      setLogLevel(o.quiet ? 'quiet' : o.verbose ? 'verbose' : 'info');
      if (o.backend) process.env.FIELDPHONE_BACKEND = o.backend;
    });
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof FieldphoneError) {
      log.error(e.message);
      return 2;
    }
    log.error(errorMessage(e));
    if (process.env.FIELDPHONE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

main(process.argv).then((code) => {
  // A command may already have set a failing exit code (e.g. every file of a batch failed); keep it.
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
});
