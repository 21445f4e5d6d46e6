import { Command, Option } from 'commander';
import { prepareAudio, DEFAULT_PREPARE_AUDIO_CONFIG, type PrepareAudioConfig } from '../../pipeline/prepare-audio.js';
import { floatOption, intOption, printJson } from '../options.js';
import { onnxFeatureConfig, type FeatureConfig } from '../../features/index.js';
import { UsageError } from '../../util/errors.js';
import { sslFeatureConfig } from '../../pretrain/model-folder.js';

export function register(program: Command): void {
  const d = DEFAULT_PREPARE_AUDIO_CONFIG;
  program
    .command('prepare-audio')
    .summary('recordings → frame features → k-means segments')
    .description(
      'Decode recordings (WAV, FLAC, Ogg, MP3; others via ffmpeg), resample to 16 kHz mono, remove silence, ' +
        'compute MFCC or log-mel frames, fit k-means and PCA, and pool frames into segments.\n' +
        'AUDIO is a folder (searched recursively) or a list file with one path per line. ' +
        'Files that cannot be used are reported and skipped. Interrupted runs resume when re-run with the same --out.',
    )
    .argument('<audio...>', 'folders or list files of recordings (with --from-fairseq: split prefixes such as feats/train)')
    .requiredOption('-o, --out <dir>', 'output folder (created; must be new or an earlier run of the same command)')
    .option('--from-fairseq', "inputs are frames extracted elsewhere in fairseq's <split>.npy + <split>.lengths (+ .tsv) layout, e.g. wav2vec 2.0 / XLS-R layers")
    .option('--frame-ms <ms>', 'frame step of --from-fairseq features (wav2vec 2.0: 20)', floatOption, 20)
    .option('--reuse <dir>', 'process like an earlier prepare-audio output (same features, k-means, PCA): use for held-out or new audio')
    .addOption(new Option('--features <kind>', 'frame features (onnx: a pretrained encoder, see --encoder; ssl: an encoder from fieldphone pretrain)').choices(['mfcc', 'logmel', 'onnx', 'ssl']).default(d.features.kind))
    .option('--encoder <model.onnx>', 'with --features onnx: wav2vec 2.0 / XLS-R / HuBERT / MMS encoder exported to ONNX (docs/encoders.md); with --features ssl: the model/ folder of a pretrain run (docs/pretraining.md)')
    .option('--layer <n>', 'with --encoder: hidden state to use (0 = before the first transformer block; XLS-R 300M: 15)', intOption)
    .option('--encoder-output <name>', 'with --encoder: read this output instead of hidden_states / last_hidden_state')
    .option('--raw-waveform', 'with --encoder: feed the waveform unnormalised (for models whose preprocessor_config.json says do_normalize: false)')
    .option('--encoder-chunk <sec>', 'with --encoder: seconds of audio per encoder run (bounds memory)', floatOption)
    .option('--no-vad', 'keep silences (no voice-activity detection)')
    .addOption(new Option('--cmvn <mode>', 'mean/variance normalisation; speaker = parent folder').choices(['utterance', 'speaker', 'none']).default(d.cmvn))
    .option('--splice <n>', 'frames of context on each side before clustering', intOption, d.splice)
    .option('--clusters <k>', 'k-means clusters', intOption, d.kmeans.k)
    .option('--pca-dim <n>', 'PCA dimension (capped at the feature dimension)', intOption, d.pcaDim)
    .option('--pool-pairs', 'average adjacent segments (halves the segment rate)', false)
    .option('--seed <n>', 'random seed for k-means', intOption, d.kmeans.seed)
    .option('--json', 'print the result summary as JSON on stdout')
    .action(async (audio: string[], o) => {
      const config: Partial<PrepareAudioConfig> = {
        source: o.fromFairseq ? 'fairseq' : 'audio',
        features: await encoderFeatures(o) ?? { ...d.features, kind: o.features, ...(o.fromFairseq ? { hopMs: o.frameMs, winMs: 25 } : {}) },
        vad: o.vad,
        cmvn: o.cmvn,
        splice: o.splice,
        kmeans: { ...d.kmeans, k: o.clusters, seed: o.seed },
        pcaDim: o.pcaDim,
        poolPairs: o.poolPairs,
      };
      const res = await prepareAudio({ inputs: audio, outDir: o.out, config, reuse: o.reuse });
      if (o.json) printJson(res);
      else process.stderr.write(`prepared ${res.utterances} recordings into ${res.outDir} (${res.skipped.length} skipped)\n`);
    });
}

/** --features onnx: inspect the encoder now, so a wrong file or layer fails before any audio is read. */
async function encoderFeatures(o: Record<string, unknown>): Promise<FeatureConfig | undefined> {
  const encoderOpts = ['encoder', 'layer', 'encoderOutput', 'rawWaveform', 'encoderChunk'].filter((k) => o[k] !== undefined);
  if (o.features === 'ssl') return sslFeatures(o, encoderOpts);
  if (o.features !== 'onnx') {
    if (encoderOpts.length > 0 && !o.reuse) throw new UsageError('--encoder, --layer, --encoder-output, --raw-waveform and --encoder-chunk need --features onnx');
    return undefined;
  }
  if (o.fromFairseq) throw new UsageError('--features onnx runs the encoder on audio; --from-fairseq reads features extracted elsewhere: use one or the other');
  if (o.reuse) return undefined; // the reused folder's encoder is used
  if (typeof o.encoder !== 'string') throw new UsageError('--features onnx needs --encoder <model.onnx>');
  return onnxFeatureConfig({
    path: o.encoder,
    layer: o.layer as number | undefined,
    output: o.encoderOutput as string | undefined,
    normalize: !o.rawWaveform,
    chunkSec: o.encoderChunk as number | undefined,
  });
}

/** --features ssl: an encoder folder from `fieldphone pretrain` (its chosen layer unless --layer says otherwise). */
async function sslFeatures(o: Record<string, unknown>, given: string[]): Promise<FeatureConfig | undefined> {
  if (o.fromFairseq) throw new UsageError('--features ssl runs the encoder on audio; --from-fairseq reads features extracted elsewhere: use one or the other');
  const onnxOnly = given.filter((k) => k !== 'encoder' && k !== 'layer');
  if (onnxOnly.length > 0) throw new UsageError('--encoder-output, --raw-waveform and --encoder-chunk are for --features onnx, not ssl');
  if (o.reuse) return undefined; // the reused folder's encoder is used
  if (typeof o.encoder !== 'string') throw new UsageError('--features ssl needs --encoder <dir>: the model/ folder of a `fieldphone pretrain` run');
  return sslFeatureConfig({ path: o.encoder, layer: o.layer as number | undefined });
}
