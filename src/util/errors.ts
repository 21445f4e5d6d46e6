/**
 * Typed errors. Every error a user can cause names the file (when there is one)
 * and says what is wrong, so the CLI can print it without a stack trace.
 */
export class FieldphoneError extends Error {
  /** Machine-readable kind, stable across versions (used in --json output and the REST API). */
  readonly code: string;
  /** The user's file this error is about, when there is one. */
  readonly file?: string;

  constructor(code: string, message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'FieldphoneError';
    this.code = code;
    this.file = file;
  }
}

/** A user input file that cannot be used (unreadable, corrupt, empty, too short, wrong format). */
export class InputFileError extends FieldphoneError {
  constructor(file: string, message: string, code = 'bad-input-file') {
    super(code, message, file);
    this.name = 'InputFileError';
  }
}

/** A missing external program or package, with instructions for getting it. */
export class MissingToolError extends FieldphoneError {
  constructor(message: string) {
    super('missing-tool', message);
    this.name = 'MissingToolError';
  }
}

/** Bad option values or combinations. */
export class UsageError extends FieldphoneError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** An artifact folder (features, model, LM) that is corrupt or was made by an incompatible version. */
export class ArtifactError extends FieldphoneError {
  constructor(path: string, message: string) {
    super('bad-artifact', message, path);
    this.name = 'ArtifactError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
