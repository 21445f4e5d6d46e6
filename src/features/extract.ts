/**
 * MFCC and log-mel frame features, numerically following Kaldi's
 * compute-mfcc-feats / compute-fbank-feats defaults (as torchaudio's
 * compliance.kaldi.mfcc, which fairseq's HuBERT/wav2vec-U 2.0 MFCC targets
 * use, with dither 0). Conventions, per frame of `win` samples:
 *  1. DC offset removed (frame mean subtracted).
 *  2. Pre-emphasis inside the frame: y[i] = x[i] - p·x[i-1], y[0] = x[0] - p·x[0].
 *  3. Povey window: (0.5 - 0.5·cos(2πi/(win-1)))^0.85.
 *  4. Zero-padded to the next power of two (400 → 512); POWER spectrum |X|².
 *  5. Kaldi mel filterbank, 20 Hz to Nyquist (see melbank.ts).
 *  6. Natural log with floor: ln(max(E, FLT_EPSILON ≈ 1.19e-7)). → 'logmel'.
 *  7. MFCC: orthonormal DCT-II of the log energies, c0..c{numCeps-1};
 *     c0 is KEPT (not replaced by log-energy); then cepstral liftering
 *     c_i *= 1 + (L/2)·sin(πi/L), L = 22.
 * Samples are taken as given (float, typically in [-1, 1]); no dither, so the
 * output is deterministic and digital silence sits at the log floor.
 * Δ/ΔΔ (if cfg.deltas) are appended by addDeltas.
 */
import { FieldphoneError } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import { matrix } from '../util/matrix.js';
import { type FeatureConfig, hopSamples, numFrames, resolveFeatureConfig, windowSamples } from './config.js';
import { addDeltas } from './deltas.js';
import { RealPowerSpectrum } from './fft.js';
import { type MelBank, applyMelBank, createMelBank } from './melbank.js';

export const MEL_LOW_HZ = 20;
export const CEPSTRAL_LIFTER = 22;
export const LOG_FLOOR = 1.1920928955078125e-7; // float32 epsilon, Kaldi's floor
const POVEY_EXPONENT = 0.85;

function poveyWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)), POVEY_EXPONENT);
  return w;
}

/** Orthonormal DCT-II rows 0..numCeps-1 over numMel inputs, with the lifter folded in. */
function liftedDctMatrix(numCeps: number, numMel: number, lifter: number): Float64Array {
  const m = new Float64Array(numCeps * numMel);
  for (let k = 0; k < numCeps; k++) {
    const scale = (k === 0 ? Math.sqrt(1 / numMel) : Math.sqrt(2 / numMel)) * (1 + 0.5 * lifter * Math.sin((Math.PI * k) / lifter));
    for (let n = 0; n < numMel; n++) m[k * numMel + n] = scale * Math.cos((Math.PI / numMel) * (n + 0.5) * k);
  }
  return m;
}

/** Everything precomputed for one config, plus reusable per-frame buffers. */
class FrameAnalyzer {
  readonly cfg: FeatureConfig;
  private readonly win: number;
  private readonly hop: number;
  private readonly window: Float64Array;
  private readonly fft: RealPowerSpectrum;
  private readonly bank: MelBank;
  private readonly dct: Float64Array | null;
  private readonly frame: Float64Array;
  private readonly power: Float64Array;
  private readonly logMel: Float64Array;

  constructor(cfg: FeatureConfig) {
    this.cfg = cfg;
    this.win = windowSamples(cfg);
    this.hop = hopSamples(cfg);
    this.window = poveyWindow(this.win);
    let fftSize = 8;
    while (fftSize < this.win) fftSize *= 2;
    this.fft = new RealPowerSpectrum(fftSize);
    this.bank = createMelBank(cfg.numMel, cfg.sampleRate, fftSize, MEL_LOW_HZ, cfg.sampleRate / 2);
    this.dct = cfg.kind === 'mfcc' ? liftedDctMatrix(cfg.numCeps, cfg.numMel, CEPSTRAL_LIFTER) : null;
    this.frame = new Float64Array(this.win);
    this.power = new Float64Array(fftSize / 2 + 1);
    this.logMel = new Float64Array(cfg.numMel);
  }

  /** Static features (no deltas), one row per frame. */
  run(samples: Float32Array): Matrix {
    const { cfg, win, hop, window, frame, power, logMel, dct } = this;
    const rows = numFrames(samples.length, cfg);
    const cols = cfg.kind === 'mfcc' ? cfg.numCeps : cfg.numMel;
    const out = new Float32Array(rows * cols);
    const p = cfg.preEmphasis;
    const numMel = cfg.numMel;
    for (let f = 0; f < rows; f++) {
      const s0 = f * hop;
      let sum = 0;
      for (let i = 0; i < win; i++) sum += samples[s0 + i];
      if (!Number.isFinite(sum))
        throw new FieldphoneError('bad-audio', `audio contains a NaN or infinite sample between samples ${s0} and ${s0 + win}`);
      const mean = sum / win;
      // DC removal and pre-emphasis fused: (x[i]-m) - p·(x[i-1]-m).
      frame[0] = (samples[s0] - mean) * (1 - p) * window[0];
      const dc = mean * (1 - p);
      for (let i = 1; i < win; i++) frame[i] = (samples[s0 + i] - p * samples[s0 + i - 1] - dc) * window[i];
      this.fft.compute(frame, power);
      applyMelBank(this.bank, power, logMel);
      for (let j = 0; j < numMel; j++) logMel[j] = Math.log(logMel[j] > LOG_FLOOR ? logMel[j] : LOG_FLOOR);
      const o = f * cols;
      if (dct) {
        for (let k = 0; k < cols; k++) {
          let s = 0;
          const r = k * numMel;
          for (let j = 0; j < numMel; j++) s += dct[r + j] * logMel[j];
          out[o + k] = s;
        }
      } else {
        for (let j = 0; j < numMel; j++) out[o + j] = logMel[j];
      }
    }
    return matrix(rows, cols, out);
  }
}

// Analyzers are cheap to keep and costly-ish to build (mel bank, tables), so reuse per config.
const analyzers = new Map<string, FrameAnalyzer>();

function analyzerFor(cfg: FeatureConfig): FrameAnalyzer {
  const key = JSON.stringify([cfg.kind, cfg.sampleRate, cfg.winMs, cfg.hopMs, cfg.numMel, cfg.numCeps, cfg.preEmphasis]);
  let a = analyzers.get(key);
  if (!a) {
    a = new FrameAnalyzer(cfg);
    analyzers.set(key, a);
  }
  return a;
}

/** Frame features of a mono signal at cfg.sampleRate: numFrames × featureDim(cfg). */
export function computeFeatures(samples: Float32Array, cfg: Partial<FeatureConfig> = {}): Matrix {
  const c = resolveFeatureConfig(cfg);
  const statics = analyzerFor(c).run(samples);
  return c.deltas ? addDeltas(statics, c.deltaWindow) : statics;
}
