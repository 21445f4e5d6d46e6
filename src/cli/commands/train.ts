import { DEFAULT_CHANGE_POINTS } from '../../segments/index.js';
import { DEFAULT_DECIPHER } from '../../decipher/index.js';
import { Command, Option } from 'commander';
import { DEFAULT_GAN_CONFIG, type GanConfigOverrides } from '../../train/config.js';
import { trainGan } from '../../train/run.js';
import { floatOption, intOption, printJson } from '../options.js';

/** Options shared by `train` and `sweep` (the model and its losses). */
export function addGanOptions(cmd: Command): Command {
  const d = DEFAULT_GAN_CONFIG;
  return cmd
    .addOption(new Option('--input <kind>', 'generator input: stacked frames or k-means segments').choices(['frames', 'segments', 'change']).default(d.input.kind))
    .option('--stack <n>', 'frames per generator step (input frames)', intOption, d.input.stack)
    .option('--rate <n>', 'segments per second of speech (input change)', floatOption, DEFAULT_CHANGE_POINTS.ratePerSec)
    .addOption(new Option('--generator <kind>', 'linear = wav2vec-U 1.0; conv2 = two convolutions with GELU').choices(['linear', 'conv2']).default(d.generator.kind))
    .option('--hidden <n>', 'generator hidden width (conv2)', intOption, d.generator.hidden)
    .option('--kernel <n>', 'generator first convolution width', intOption, d.generator.kernel)
    .option('--no-aux', 'no auxiliary k-means prediction head')
    .option('--disc-hidden <n>', 'discriminator hidden width', intOption, d.discriminator.hidden)
    .option('--gp <w>', 'gradient penalty weight λ', floatOption, d.loss.gradientPenalty)
    .addOption(new Option('--gp-norm <kind>', 'penalised gradient norm: per phone along time (fairseq) or whole sequence').choices(['per-phone', 'sequence']).default(d.loss.gradientPenaltyNorm))
    .option('--d-steps <n>', 'discriminator updates per generator update', intOption, d.dSteps)
    .option('--smoothness <w>', 'smoothness weight γ', floatOption, d.loss.smoothness)
    .option('--diversity <w>', 'phone diversity weight η', floatOption, d.loss.diversity)
    .option('--aux-weight <w>', 'auxiliary loss weight δ', floatOption, d.loss.aux)
    .option('--bigram <w>', "weight of matching the text's phone-bigram distribution (0 = off)", floatOption, d.loss.bigram)
    .option('--adversarial <w>', 'weight of the adversarial term (0 = matching losses only, no discriminator)', floatOption, d.loss.adversarial)
    .option('--trigram <w>', "weight of matching the text's most frequent phone trigrams (0 = off)", floatOption, d.loss.trigram)
    .option('--decipher', 'first label the segments by decipherment against the text (needs --input change), then learn from those labels')
    .option('--teacher <w>', 'weight of the decipherment labels (with --decipher)', floatOption, 1)
    .option('--decipher-clusters <n>', 'segment clusters (cipher symbols) for --decipher', intOption, DEFAULT_DECIPHER.clusters)
    .option('--decipher-clusterings <n>', 'k-means fits of the segments for --decipher, each deciphered --decipher-runs times', intOption, DEFAULT_DECIPHER.clusterings)
    .option('--decipher-runs <n>', 'annealing runs per clustering for --decipher; the best-scoring run of all is kept', intOption, DEFAULT_DECIPHER.restarts)
    .option('--decipher-moves <n>', 'moves per annealing run for --decipher', intOption, DEFAULT_DECIPHER.iterations)
    .option('--batch <n>', 'utterances per batch', intOption, d.batchSize)
    .option('--updates <n>', 'total updates (D and G alternate)', intOption, d.updates)
    .option('--valid-every <n>', 'validate and checkpoint every n updates', intOption, d.validEvery)
    .option('--max-steps <n>', 'crop longer utterances to this many steps while training', intOption, d.maxSteps)
    .option('--seed <n>', 'random seed', intOption, d.seed);
}

export function ganOverrides(o: Record<string, any>): GanConfigOverrides {
  return {
    input: { kind: o.input, stack: o.stack, ...(o.input === 'change' ? { rate: o.rate } : {}) },
    generator: { kind: o.generator, hidden: o.hidden, kernel: o.kernel, aux: o.aux && o.generator === 'conv2' },
    discriminator: { hidden: o.discHidden },
    maxSteps: o.maxSteps,
    dSteps: o.dSteps,
    loss: { adversarial: o.adversarial, gradientPenalty: o.gp, gradientPenaltyNorm: o.gpNorm, smoothness: o.smoothness, diversity: o.diversity, aux: o.aux && o.generator === 'conv2' ? o.auxWeight : 0, bigram: o.bigram, trigram: o.trigram, teacher: o.decipher ? o.teacher : 0 },
    decipher: o.decipher ? { ...DEFAULT_DECIPHER, clusters: o.decipherClusters, clusterings: o.decipherClusterings, restarts: o.decipherRuns, iterations: o.decipherMoves, seed: o.seed } : null,
    batchSize: o.batch,
    updates: o.updates,
    validEvery: o.validEvery,
    seed: o.seed,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .summary('adversarial training: prepared audio + prepared text → phone recogniser')
    .description(
      'Train a generator (audio → phones) against a discriminator that knows what phone sequences of the language look like, ' +
        'from untranscribed audio and unrelated text. The checkpoint with the lowest weighted phone-LM perplexity on held-out ' +
        'audio is kept (no transcripts needed). Interrupt at any time; --resume continues.',
    )
    .requiredOption('--audio <dir>', 'prepare-audio output of the training recordings')
    .requiredOption('--text <dir>', 'prepare-text output')
    .option('--valid-audio <dir>', 'prepare-audio output (made with --reuse) of held-out recordings; default: hold out 5 % of the training ones')
    .option('--valid-ref <file>', 'reference phones of the held-out recordings (Kaldi style); only reported, never used to choose')
    .requiredOption('-o, --out <dir>', 'run folder')
    .option('--resume', 'continue the run in --out from its last checkpoint');
  addGanOptions(cmd)
    .option('--json', 'print the result summary as JSON on stdout')
    .action(async (o) => {
      const res = await trainGan({
        audioDir: o.audio,
        textDir: o.text,
        validAudioDir: o.validAudio,
        validRefs: o.validRef,
        outDir: o.out,
        config: ganOverrides(o),
        resume: o.resume,
      });
      if (o.json) printJson(res);
    });
}
