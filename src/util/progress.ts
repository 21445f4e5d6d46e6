/**
 * Progress for long jobs: a bar with ETA on a TTY, otherwise one line every
 * `lineEverySec` seconds (batch logs stay readable and small).
 */
import cliProgress from 'cli-progress';
import { getLogLevel, log } from './log.js';

export interface Progress {
  tick(n?: number, note?: string): void;
  stop(): void;
}

export function formatDuration(sec: number): string {
  if (!isFinite(sec)) return '?';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export function startProgress(label: string, total: number, opts: { lineEverySec?: number } = {}): Progress {
  const quiet = getLogLevel() === 'quiet';
  const t0 = Date.now();
  let done = 0;
  if (!quiet && process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {note}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { note: '' });
    return {
      tick(n = 1, note = '') {
        done += n;
        bar.update(done, { note });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const every = (opts.lineEverySec ?? 10) * 1000;
  let last = 0;
  return {
    tick(n = 1, note = '') {
      done += n;
      const now = Date.now();
      if (quiet || (now - last < every && done < total)) return;
      last = now;
      const el = (now - t0) / 1000;
      const eta = done > 0 ? (el / done) * (total - done) : NaN;
      log.info(`${label}: ${done}/${total} (${((100 * done) / Math.max(1, total)).toFixed(0)}%) elapsed ${formatDuration(el)} ETA ${formatDuration(eta)}${note ? ' ' + note : ''}`);
    },
    stop() {},
  };
}
