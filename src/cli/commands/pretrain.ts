import type { Command } from 'commander';
import { DEFAULT_PRETRAIN } from '../../pretrain/config.js';
import { pretrain } from '../../pretrain/run.js';
import { formatDuration } from '../../util/progress.js';
import { floatOption, intOption, printJson } from '../options.js';

export function register(program: Command): void {
  const d = DEFAULT_PRETRAIN;
  program
    .command('pretrain')
    .summary('self-supervised encoder on your own untranscribed recordings (HuBERT-style, CPU)')
    .description(
      'Train a small convolutional encoder to predict k-means clusters of masked stretches of speech (first of the MFCC ' +
        'frames, then of its own features), choose a hidden layer without transcripts, and write an encoder folder whose ' +
        'features replace MFCC: prepare-audio --features ssl --encoder RUN/model (docs/pretraining.md). ' +
        'Interrupt at any time; --resume continues.',
    )
    .requiredOption('--audio <dir>', 'prepare-audio output of the recordings (MFCC or log-mel)')
    .requiredOption('-o, --out <dir>', 'run folder (the encoder goes to OUT/model)')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--ref <file>', 'reference phones of some recordings (Kaldi style): probe PER per layer in layers.json, never used to choose')
    .option('--iterations <n>', 'HuBERT iterations (targets: MFCC clusters, then clusters of the encoder)', intOption, d.iterations)
    .option('--updates <n>', 'updates per iteration', intOption, d.updates)
    .option('--clusters <k>', 'k-means targets per iteration', intOption, d.clusters)
    .option('--blocks <n>', 'residual convolution blocks (hidden states 0..n)', intOption, d.encoder.blocks)
    .option('--width <n>', 'hidden width', intOption, d.encoder.width)
    .option('--kernel <n>', 'convolution width of each block (20 ms steps)', intOption, d.encoder.kernel)
    .option('--target-layer <n>', 'hidden state clustered for the next iteration (default: the middle block)', intOption)
    .option('--batch-steps <n>', 'most padded 20 ms steps per batch', intOption, d.batchSteps)
    .option('--lr <rate>', 'peak learning rate (Adam)', floatOption, d.learningRate)
    .option('--mask-prob <p>', 'mask span starts per step × span (~half the steps masked at 0.65)', floatOption, d.mask.prob)
    .option('--mask-span <n>', 'steps per masked span', intOption, d.mask.span)
    .option('--checkpoint-every <n>', 'checkpoint and log every n updates', intOption, d.checkpointEvery)
    .option('--seed <n>', 'random seed', intOption, d.seed)
    .option('--json', 'print the result summary as JSON on stdout')
    .action(async (o) => {
      const res = await pretrain({
        audioDir: o.audio,
        outDir: o.out,
        refs: o.ref,
        resume: o.resume,
        config: {
          iterations: o.iterations,
          updates: o.updates,
          clusters: o.clusters,
          encoder: { blocks: o.blocks, width: o.width, kernel: o.kernel },
          ...(o.targetLayer !== undefined ? { targetLayer: o.targetLayer } : {}),
          batchSteps: o.batchSteps,
          learningRate: o.lr,
          mask: { prob: o.maskProb, span: o.maskSpan },
          checkpointEvery: o.checkpointEvery,
          seed: o.seed,
        },
      });
      if (o.json) printJson(res);
      else process.stderr.write(`pretrained in ${formatDuration(res.seconds)}; encoder in ${res.modelDir} (chosen layer ${res.layers.chosen})\n`);
    });
}
