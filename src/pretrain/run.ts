/**
 * `fieldphone pretrain`: HuBERT-style self-supervised training of the encoder
 * (encoder.ts) on prepared recordings, in a run folder:
 *
 *   run.json          configuration and inputs (a resumed run must match)
 *   targets-N.bin     iteration N's cluster target of every step (k-means on the input
 *                     frames for N = 1, on iteration N−1's targetLayer after that)
 *   iteration-N.bin   encoder weights at the end of iteration N
 *   checkpoint.bin    everything needed to continue (weights, head, Adam, position)
 *   metrics.jsonl     one line per checkpoint: mean masked loss and accuracy since the last
 *   plots/*.svg       their curves
 *   model/            the encoder folder (model-folder.ts) with layers.json (layers.ts)
 *
 * Each iteration after the first starts from the previous encoder's weights
 * (HuBERT starts afresh; continuing halves the CPU time for the same result
 * quality at this size) with a new head and a new optimiser.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '../backend/index.js';
import { plotMetricsJsonl } from '../plot/index.js';
import { readTranscriptFile } from '../scoring/index.js';
import { writeJsonAtomic } from '../util/fsx.js';
import { log } from '../util/log.js';
import { appendMetrics, checkRunFolder, truncateMetrics } from '../util/run-folder.js';
import { startProgress } from '../util/progress.js';
import { prefixed, readTensorFile, stripPrefix, writeTensorFile, type TensorMap } from '../util/tensor-file.js';
import { resolvePretrainConfig, type PretrainConfig, type PretrainOverrides } from './config.js';
import { clusterTargets, loadPretrainData, type PretrainData } from './data.js';
import { SslEncoder, type EncoderConfig } from './encoder.js';
import { chooseLayer, type LayerReport } from './layers.js';
import { ENCODER_FILES, loadEncoderWeights, writeEncoderFolder, writeEncoderWeights } from './model-folder.js';
import { IterationTrainer } from './trainer.js';

export interface PretrainOptions {
  /** prepare-audio output (MFCC or log-mel frames). */
  audioDir: string;
  outDir: string;
  config?: PretrainOverrides;
  /** Kaldi-style reference phones: per-layer probe PER in layers.json, never used to choose. */
  refs?: string;
  resume?: boolean;
  /** Stop (as if killed) after this many updates in this process; for tests of resumption. */
  stopAfter?: number;
}

export interface PretrainResult {
  outDir: string;
  modelDir: string;
  seconds: number;
  layers: LayerReport;
  paramCount: number;
}

export const PRETRAIN_RUN_FILES = { run: 'run.json', checkpoint: 'checkpoint.bin', metrics: 'metrics.jsonl', plots: 'plots', model: 'model' } as const;
const CHECKPOINT_KIND = 'ssl-checkpoint';
const TARGETS_KIND = 'ssl-targets';
const targetsFile = (it: number) => `targets-${it}.bin`;
const iterationFile = (it: number) => `iteration-${it}.bin`;

interface CheckpointMeta {
  iteration: number;
  /** Updates of `iteration` done. */
  update: number;
  elapsedSec: number;
}

export async function pretrain(opts: PretrainOptions): Promise<PretrainResult> {
  await initBackend();
  const outDir = resolve(opts.outDir);
  const config = resolvePretrainConfig(opts.config);
  const inputs = { audioDir: resolve(opts.audioDir) };
  const runPath = join(outDir, PRETRAIN_RUN_FILES.run);
  const ckptPath = join(outDir, PRETRAIN_RUN_FILES.checkpoint);
  checkRunFolder({ outDir, runPath, resume: opts.resume, what: 'pretraining run', config, inputs });
  const data = loadPretrainData(inputs.audioDir, config.encoder.stack);
  const refs = opts.refs ? readTranscriptFile(resolve(opts.refs)) : undefined;
  const encCfg: EncoderConfig = { ...config.encoder, inputDim: data.frameDim };
  const totalSteps = data.utterances.reduce((s, u) => s + u.x.rows, 0);
  if (!opts.resume) writeJsonAtomic(runPath, { config, inputs });

  let encoder = new SslEncoder(encCfg, config.seed);
  log.info(
    `pretraining a ${(encoder.paramCount / 1e6).toFixed(2)}M-parameter encoder on ${data.utterances.length} recordings ` +
      `(${totalSteps} steps of ${data.features.hopMs * config.encoder.stack} ms, ${((totalSteps * data.features.hopMs * config.encoder.stack) / 3.6e6).toFixed(2)} h)`,
  );
  let startIt = 1, startUpdate = 1, elapsedBefore = 0;
  let ckpt: { tensors: TensorMap; meta: CheckpointMeta } | undefined;
  if (opts.resume && existsSync(ckptPath)) {
    const r = readTensorFile(ckptPath, CHECKPOINT_KIND, 'pretraining checkpoint');
    ckpt = { tensors: r.tensors, meta: r.meta as CheckpointMeta };
    startIt = ckpt.meta.iteration;
    startUpdate = ckpt.meta.update + 1;
    elapsedBefore = ckpt.meta.elapsedSec;
    if (startUpdate > config.updates) (startIt += 1), (startUpdate = 1);
    truncateMetrics(join(outDir, PRETRAIN_RUN_FILES.metrics), (ckpt.meta.iteration - 1) * config.updates + ckpt.meta.update);
    log.info(`resuming at iteration ${startIt}, update ${startUpdate} of ${config.updates}`);
  }

  const t0 = Date.now();
  const elapsed = () => elapsedBefore + (Date.now() - t0) / 1000;
  const total = config.iterations * config.updates;
  const bar = startProgress('pretraining', total - ((startIt - 1) * config.updates + startUpdate - 1));
  let doneHere = 0;
  for (let it = startIt; it <= config.iterations; it++) {
    if (it > 1 && !(ckpt && ckpt.meta.iteration === it)) {
      encoder.dispose();
      encoder = loadEncoderWeights(join(outDir, iterationFile(it - 1)), encCfg, config.seed);
    }
    const targets = iterationTargets(outDir, it, config, data, encCfg);
    const trainer = new IterationTrainer(config, encoder, data.utterances, targets, it);
    let first = 1;
    if (ckpt && ckpt.meta.iteration === it) {
      encoder.setWeights(stripPrefix('enc', ckpt.tensors), ckptPath);
      await trainer.setState({ head: stripPrefix('head', ckpt.tensors), opt: stripPrefix('opt', ckpt.tensors) }, ckptPath);
      first = ckpt.meta.update + 1;
    }
    const sums = { loss: 0, accuracy: 0, n: 0 };
    for (let u = first; u <= config.updates; u++) {
      if (opts.stopAfter !== undefined && doneHere >= opts.stopAfter) {
        bar.stop();
        trainer.dispose();
        encoder.dispose();
        throw new PretrainStopped(u - 1);
      }
      const r = trainer.step(u);
      doneHere++;
      sums.loss += r.loss;
      sums.accuracy += r.accuracy;
      sums.n++;
      bar.tick(1, `iteration ${it} loss ${r.loss.toFixed(3)} acc ${(100 * r.accuracy).toFixed(0)}%`);
      if (u % config.checkpointEvery === 0 || u === config.updates) {
        appendMetrics(join(outDir, PRETRAIN_RUN_FILES.metrics), {
          step: (it - 1) * config.updates + u,
          iteration: it,
          seconds: elapsed(),
          loss: sums.loss / sums.n,
          accuracy: sums.accuracy / sums.n,
          learningRate: r.learningRate,
        });
        sums.loss = sums.accuracy = sums.n = 0;
        if (u === config.updates) writeEncoderWeights(join(outDir, iterationFile(it)), encoder, encCfg);
        const st = await trainer.getState();
        writeTensorFile(ckptPath, CHECKPOINT_KIND, { ...prefixed('enc', encoder.getWeights()), ...prefixed('head', st.head), ...prefixed('opt', st.opt) }, {
          iteration: it,
          update: u,
          elapsedSec: elapsed(),
        } satisfies CheckpointMeta);
        writePretrainPlots(outDir);
      }
    }
    trainer.dispose();
    ckpt = undefined;
  }
  bar.stop();
  const trainSec = elapsed();

  log.info('scoring the hidden states (label-free layer choice)');
  const layers = chooseLayer(encoder, data.utterances, refs);
  const modelDir = join(outDir, PRETRAIN_RUN_FILES.model);
  writeEncoderFolder(modelDir, { encoder: encCfg, input: data.features, pretrain: config }, encoder, { audioDir: inputs.audioDir, run: outDir }, {
    parameters: encoder.paramCount,
    recordings: data.utterances.length,
    steps: totalSteps,
    trainingSeconds: trainSec,
    chosenLayer: layers.chosen,
  });
  writeJsonAtomic(join(modelDir, ENCODER_FILES.layers), layers);
  for (const s of layers.layers)
    log.info(`layer ${s.layer}: stability (ARI) ${s.stability.toFixed(3)}${s.probePer === undefined ? '' : ','}${probeText(s.probePer, s.probeFrameError)}${s.layer === layers.chosen ? '  ← chosen' : ''}`);
  if (layers.inputProbePer !== undefined) log.info(`input frames:${probeText(layers.inputProbePer, layers.inputProbeFrameError)}`);
  log.info(`encoder written to ${modelDir}`);
  const paramCount = encoder.paramCount;
  encoder.dispose();
  return { outDir, modelDir, seconds: elapsed(), layers, paramCount };
}

function probeText(per?: number, frameError?: number): string {
  return per === undefined || frameError === undefined ? '' : ` probe PER ${(100 * per).toFixed(1)}%, frame error ${(100 * frameError).toFixed(1)}%`;
}

/** Thrown when `stopAfter` ends a run early (tests of resumption). */
export class PretrainStopped extends Error {
  constructor(readonly update: number) {
    super(`stopped after update ${update}`);
  }
}

/** Iteration `it`'s cluster targets: read from targets-it.bin, or computed and saved there. */
function iterationTargets(outDir: string, it: number, config: PretrainConfig, data: PretrainData, encCfg: EncoderConfig): Int32Array[] {
  const path = join(outDir, targetsFile(it));
  const lengths = data.utterances.map((u) => u.x.rows);
  if (existsSync(path)) {
    const flat = readTensorFile(path, TARGETS_KIND, 'cluster targets').tensors.targets.data;
    let off = 0;
    return lengths.map((n) => Int32Array.from(flat.subarray(off, (off += n))));
  }
  const t0 = Date.now();
  let feats = data.utterances.map((u) => u.x);
  let prev: SslEncoder | undefined;
  if (it > 1) {
    prev = loadEncoderWeights(join(outDir, iterationFile(it - 1)), encCfg, config.seed);
    feats = feats.map((x) => prev!.features(x, config.targetLayer));
  }
  const { targets } = clusterTargets(feats, config.clusters, config.seed + it);
  prev?.dispose();
  const flat = new Float32Array(lengths.reduce((s, n) => s + n, 0));
  let off = 0;
  for (const t of targets) flat.set(t, (off += t.length) - t.length);
  writeTensorFile(path, TARGETS_KIND, { targets: { shape: [flat.length], data: flat } }, { iteration: it });
  log.info(`iteration ${it} targets: k-means (K=${config.clusters}) on ${it === 1 ? 'the input frames' : `layer ${config.targetLayer} of iteration ${it - 1}`} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return targets;
}

export function writePretrainPlots(outDir: string): void {
  plotMetricsJsonl(join(outDir, PRETRAIN_RUN_FILES.metrics), join(outDir, PRETRAIN_RUN_FILES.plots), [
    { file: 'loss.svg', title: 'Masked-prediction loss (nats per masked step)', keys: ['loss'] },
    { file: 'accuracy.svg', title: 'Masked-prediction accuracy', keys: ['accuracy'] },
  ]);
}
