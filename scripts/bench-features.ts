/**
 * Standalone speed probe for the feature front end (one core):
 *   node dist/scripts/bench-features.js [seconds=60]
 * Prints × real time for MFCC+Δ+ΔΔ and for log-mel at 16 kHz.
 */
import { benchmarkFeatures } from '../src/features/index.js';

const seconds = Number(process.argv[2] ?? 60);
for (const kind of ['mfcc', 'logmel'] as const) {
  const r = benchmarkFeatures(seconds, { kind });
  console.log(
    `${kind}: ${r.audioSeconds} s of audio → ${r.frames}×${r.dim} in ${r.wallMs.toFixed(1)} ms wall / ${r.cpuMs.toFixed(1)} ms CPU` +
      ` = ${r.xRealTime.toFixed(0)}× real time (wall), ${r.xRealTimeCpu.toFixed(0)}× (CPU)`,
  );
}
