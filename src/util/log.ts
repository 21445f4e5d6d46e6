/**
 * Human-readable logging goes to stderr so stdout stays clean for --json data.
 */
export type LogLevel = 'quiet' | 'info' | 'verbose';

let level: LogLevel = 'info';
export function setLogLevel(l: LogLevel): void {
  level = l;
}
export function getLogLevel(): LogLevel {
  return level;
}

export const log = {
  info(msg: string): void {
    if (level !== 'quiet') process.stderr.write(msg + '\n');
  },
  verbose(msg: string): void {
    if (level === 'verbose') process.stderr.write(msg + '\n');
  },
  warn(msg: string): void {
    process.stderr.write(`warning: ${msg}\n`);
  },
  error(msg: string): void {
    process.stderr.write(`error: ${msg}\n`);
  },
};
