import type { Command } from 'commander';
import { register as prepareAudio } from './prepare-audio.js';
import { register as phonemize } from './phonemize.js';
import { register as prepareText } from './prepare-text.js';
import { register as lm } from './lm.js';
import { register as score } from './score.js';
import { register as demo } from './demo.js';
import { register as train } from './train.js';
import { register as transcribe } from './transcribe.js';
import { register as sweep } from './sweep.js';
import { register as selfTrain } from './self-train.js';
import { register as serve } from './serve.js';
import { register as lexicon } from './lexicon.js';
import { register as pretrain } from './pretrain.js';

/** Subcommands in the order `fieldphone --help` lists them (pipeline order). */
export function registerCommands(program: Command): void {
  for (const register of [demo, prepareAudio, pretrain, phonemize, prepareText, train, sweep, selfTrain, transcribe, serve, lexicon, lm, score]) register(program);
}
