import { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { startServer } from '../../server/index.js';
import { UsageError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { floatOption, intOption } from '../options.js';

export function register(program: Command): void {
  program
    .command('serve')
    .summary('a model behind an HTTP API and a web page')
    .description(
      'Serve a trained model folder: POST /v1/transcriptions (upload a recording, get timed phones and words as JSON, ' +
        'TextGrid, EAF, CTM or text), GET /v1/models, GET /healthz, GET /openapi.json, and a web page at / for uploading or ' +
        'recording, viewing the tiers, the training curves and the lexicon. Prints the address on stdout (useful with ' +
        '--port 0). Uploads stay in a private temporary folder and are deleted after each request. Ctrl-C (SIGINT) or ' +
        'SIGTERM stops accepting and finishes the requests in flight; a second one stops at once.',
    )
    .requiredOption('--model <dir>', 'model folder (the model/ folder of a training run)')
    .option('--host <address>', 'address to listen on (0.0.0.0 exposes the server to the network)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', intOption, 8080)
    .option('--max-upload-mb <n>', 'largest upload accepted, MiB', floatOption, 100)
    .option('--timeout-s <n>', 'time limit per request (upload + transcription), seconds', floatOption, 120)
    .option('--concurrency <n>', 'transcriptions at the same time (worker threads, one model copy each)', intOption, Math.min(4, availableParallelism()))
    .option('--queue <n>', 'requests that may wait for a worker; more are refused with 503', intOption, 16)
    .action(async (o) => {
      if (o.port < 0 || o.port > 65535) throw new UsageError(`--port must be from 0 to 65535, got ${o.port}`);
      if (!(o.maxUploadMb > 0)) throw new UsageError(`--max-upload-mb must be positive, got ${o.maxUploadMb}`);
      if (!(o.timeoutS > 0)) throw new UsageError(`--timeout-s must be positive, got ${o.timeoutS}`);
      if (o.concurrency < 1) throw new UsageError(`--concurrency must be at least 1, got ${o.concurrency}`);
      if (o.queue < 0) throw new UsageError(`--queue must be 0 or more, got ${o.queue}`);
      const server = await startServer({
        modelDir: o.model,
        host: o.host,
        port: o.port,
        maxUploadBytes: Math.round(o.maxUploadMb * 1024 * 1024),
        timeoutSec: o.timeoutS,
        concurrency: o.concurrency,
        queue: o.queue,
      });
      log.info(
        `serving model ${server.model.summary.id} at ${server.url} (backend ${server.backend}, ${o.concurrency} worker(s), queue ${o.queue}, ` +
          `uploads up to ${o.maxUploadMb} MiB, ${o.timeoutS} s per request); Ctrl-C stops`,
      );
      process.stdout.write(`${server.url}\n`);
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (sig: NodeJS.Signals) => {
          if (++signals === 1) {
            const n = server.inFlight();
            log.info(`${sig}: shutting down${n ? `, finishing ${n} request(s) in flight (again to stop at once)` : ''}`);
            void server.close().then(resolve);
          } else {
            log.info(`${sig}: stopping now`);
            void server.forceClose().then(() => process.exit(130));
          }
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      log.info('stopped');
    });
}
