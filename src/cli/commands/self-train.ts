import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_REDECIPHER_SETTINGS, DEFAULT_REGENERATE_SETTINGS, DEFAULT_SELF_TRAIN } from '../../selftrain/config.js';
import { DEFAULT_NEURAL } from '../../selftrain/neural-stage.js';
import { selfTrain } from '../../selftrain/run.js';
import { intOption, printJson } from '../options.js';

function numberList(value: string): number[] {
  const xs = value.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`'${value}' is not a comma-separated list of numbers`);
  return xs;
}

function roundList(value: string): number[] {
  const xs = value.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isInteger(x))) throw new InvalidArgumentError(`'${value}' is not a comma-separated list of round numbers`);
  return xs;
}

export function register(program: Command): void {
  const d = DEFAULT_SELF_TRAIN;
  const n = DEFAULT_NEURAL;
  program
    .command('self-train')
    .summary('self-training: GAN pseudo-labels → HMM-GMM rounds → a stronger model folder')
    .description(
      'Transcribe the training audio with a model, train a phone HMM-GMM on that transcription (monophone, then spliced frames + LDA), ' +
        'relabel the audio with it (phone LM in the search) and repeat. The stage, LM weight and insertion penalty of each round, and ' +
        'the round kept, are chosen without transcripts: lowest ln(phone-LM perplexity) × PER against the previous labels. ' +
        'With --neural, a CTC network (convolutions over the frames) is then trained on the last round\'s labels and kept when its ' +
        'label-free score is lower. OUT/model is a model folder `transcribe` uses as is. Rerunning skips finished rounds.',
    )
    .argument('<model>', 'model folder (from `train` or `sweep`)')
    .requiredOption('--audio <dir>', 'prepare-audio output of the training recordings')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--rounds <n>', 'relabel-and-retrain rounds', intOption, d.rounds)
    .option('--labels <file>', "start from these labels (Kaldi style: utterance-id phone phone …) instead of the model's transcription")
    .option('--text <dir>', 'prepare-text output the model was trained with (needed by --redecipher and --regenerate)')
    .option('--redecipher <rounds>', "start these rounds (e.g. 2 or 2,3) from a new decipherment of the previous round's segments (needs --text)", roundList)
    .option('--redecipher-clusters <n>', 'segment clusters for --redecipher', intOption, DEFAULT_REDECIPHER_SETTINGS.clusters)
    .option('--redecipher-runs <n>', 'annealing runs for --redecipher; the best-scoring one is kept', intOption, DEFAULT_REDECIPHER_SETTINGS.restarts)
    .option('--redecipher-moves <n>', 'moves per annealing run for --redecipher', intOption, DEFAULT_REDECIPHER_SETTINGS.iterations)
    .option('--regenerate <rounds>', "start these rounds (e.g. 3 or 3,5) from a generator re-trained on the previous round's labels plus the text's phone n-gram statistics (needs --text)", roundList)
    .option('--regenerate-updates <n>', 'generator updates for --regenerate', intOption, DEFAULT_REGENERATE_SETTINGS.updates)
    .option('--valid-ref <file>', 'reference phones of training utterances (Kaldi style); PER reported, never used to choose')
    .option('--eval-audio <dir>', 'held-out prepared audio (made with --reuse) decoded after every round')
    .option('--eval-ref <file>', 'reference phones of --eval-audio; PER reported, never used to choose')
    .option('--phone-states <n>', 'HMM states per phone (<SIL> has 3)', intOption, d.phoneStates)
    .option('--gaussians <n>', 'Gaussians per HMM state, at most', intOption, d.mono.maxGaussians)
    .option('--passes <n>', 're-estimation passes of the monophone stage', intOption, d.mono.passes)
    .addOption(new Option('--reestimation <kind>', 'forced-alignment (viterbi) or soft (baum-welch) re-estimation').choices(['viterbi', 'baum-welch']).default(d.mono.reestimation))
    .option('--no-lda', 'monophone stage only (no spliced frames + LDA stage)')
    .option('--lm-weights <list>', 'phone-LM weights to try when decoding', numberList, d.lmWeights)
    .option('--penalties <list>', 'phone insertion penalties (log domain) to try', numberList, d.insertionPenalties)
    .option('--neural', "after the last round, train a CTC network on its labels; kept when its label-free score beats the best round's")
    .option('--neural-epochs <n>', 'neural stage: at most this many epochs (early stopping on held-out pseudo-labels)', intOption, n.train.maxEpochs)
    .option('--neural-hidden <n>', 'neural stage: units per hidden layer', intOption, n.train.net.hidden)
    .option('--neural-layers <n>', 'neural stage: convolution layers', intOption, n.train.net.layers)
    .option('--neural-stride <n>', 'neural stage: frames stacked into one output step', intOption, n.train.net.stride)
    .option('--neural-context <n>', 'neural stage: steps of context on each side of the first layer', intOption, n.train.net.context)
    .option('--blank-penalties <list>', 'neural stage: penalties on the CTC blank to try when decoding', numberList, n.blankPenalties)
    .option('--workers <n>', 'threads for the HMM training passes and the decoding (default: one per core)', intOption)
    .option('--json', 'print the per-round metrics as JSON on stdout')
    .action(async (model: string, o) => {
      const train = (t: typeof d.mono) => ({ ...t, maxGaussians: o.gaussians, reestimation: o.reestimation });
      const res = await selfTrain({
        modelDir: model,
        audioDir: o.audio,
        outDir: o.out,
        labelsFile: o.labels,
        textDir: o.text,
        validRef: o.validRef,
        evalAudio: o.evalAudio,
        evalRef: o.evalRef,
        workers: o.workers,
        config: {
          rounds: o.rounds,
          phoneStates: o.phoneStates,
          mono: { ...train(d.mono), passes: o.passes },
          lda: o.lda && d.lda ? { ...d.lda, train: train(d.lda.train) } : null,
          lmWeights: o.lmWeights,
          insertionPenalties: o.penalties,
          neural: o.neural
            ? {
                train: { ...n.train, maxEpochs: o.neuralEpochs, net: { ...n.train.net, hidden: o.neuralHidden, layers: o.neuralLayers, stride: o.neuralStride, context: o.neuralContext } },
                blankPenalties: o.blankPenalties,
              }
            : null,
          regenerate: o.regenerate ? { ...DEFAULT_REGENERATE_SETTINGS, before: o.regenerate, updates: o.regenerateUpdates } : null,
          redecipher: o.redecipher ? { before: o.redecipher, decipher: { ...DEFAULT_REDECIPHER_SETTINGS, clusters: o.redecipherClusters, restarts: o.redecipherRuns, iterations: o.redecipherMoves } } : null,
        },
      });
      if (o.json) printJson(res);
    });
}
