/**
 * The OpenAPI 3.1 description of the server (GET /openapi.json), built from
 * the same constants the server uses, so the limits and formats it states are
 * the ones in force.
 */
import { TRANSCRIPT_FORMATS } from '../transcribe/outputs.js';
import { toolVersion } from '../util/manifest.js';
import { FORMAT_MEDIA_TYPES } from './transcription.js';

export interface OpenApiLimits {
  maxUploadBytes: number;
  timeoutSec: number;
  concurrency: number;
  queue: number;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const errorResponse = (description: string, headers?: object) => ({ description, content: json(ref('Error')), ...(headers ? { headers } : {}) });
const retryAfter = { 'Retry-After': { description: 'seconds after which a retry is likely to be admitted', schema: { type: 'integer', minimum: 1 } } };
const modelId = { name: 'id', in: 'path', required: true, description: "the model's id (from GET /v1/models) or `current`", schema: { type: 'string' } };

export function openApiDocument(limits: OpenApiLimits): object {
  const formats = [...TRANSCRIPT_FORMATS];
  const notFound = errorResponse('no such model');
  return {
    openapi: '3.1.0',
    info: {
      title: 'fieldphone',
      version: toolVersion(),
      description:
        'Phoneme transcription of field recordings with a fieldphone model folder. Errors are always JSON `{"error": {"code", "message"}}`. ' +
        `Limits of this server: uploads up to ${limits.maxUploadBytes} bytes, ${limits.timeoutSec} s per request, ` +
        `${limits.concurrency} transcriptions at a time and ${limits.queue} waiting; beyond that requests are refused with 503 and Retry-After.`,
      license: { name: 'GPL-3.0-or-later', identifier: 'GPL-3.0-or-later' },
    },
    paths: {
      '/v1/transcriptions': {
        post: {
          operationId: 'transcribe',
          summary: 'Transcribe one recording into timed phones (and words, when the model has a lexicon and word decoding)',
          description:
            'The recording is the request body (Content-Type audio/*, video/webm or application/octet-stream) or the field `file` of a multipart/form-data form. ' +
            'WAV, FLAC, Ogg Vorbis and MP3 are decoded by the server itself, other formats when ffmpeg is installed on it. ' +
            'Times are seconds in the uploaded file. The upload is deleted when the request ends.',
          parameters: [
            { name: 'format', in: 'query', required: false, description: 'output format (a multipart field `format` takes precedence)', schema: { type: 'string', enum: formats, default: 'json' } },
            { name: 'filename', in: 'query', required: false, description: 'name of the recording for the output (raw uploads; multipart uses the part filename)', schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'audio/*': { schema: { type: 'string', contentMediaType: 'audio/*' } },
              'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' }, format: { type: 'string', enum: formats } },
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'the transcript in the requested format',
              content: Object.fromEntries(
                [...new Set(formats.map((f) => FORMAT_MEDIA_TYPES[f]))].map((mt) => [
                  mt,
                  { schema: mt === FORMAT_MEDIA_TYPES.json ? ref('Transcript') : { type: 'string', description: `format=${formats.filter((f) => FORMAT_MEDIA_TYPES[f] === mt).join(', ')}` } },
                ]),
              ),
            },
            '400': errorResponse('undecodable audio (code from the decoder: unsupported-format, corrupt, empty, too-short, …) or a bad parameter or form'),
            '408': errorResponse('the upload did not arrive within the time limit'),
            '413': errorResponse('the upload is larger than the limit'),
            '415': errorResponse('the Content-Type is neither audio nor a multipart form'),
            '503': errorResponse('the server is busy: every transcription place is taken', retryAfter),
            '504': errorResponse('the transcription did not finish within the time limit'),
          },
        },
      },
      '/v1/models': {
        get: {
          operationId: 'listModels',
          summary: 'The model this server transcribes with',
          responses: { '200': { description: 'the models (one)', content: json({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref('Model') } } }) } },
        },
      },
      '/v1/models/{id}/metrics': {
        get: {
          operationId: 'trainingLog',
          summary: "The model's training log: one record per validation (losses, the unsupervised selection metric weightedPpl, …)",
          parameters: [modelId],
          responses: {
            '200': {
              description: 'records ordered by update',
              content: json({
                type: 'object',
                required: ['model', 'selectedUpdate', 'records'],
                properties: { model: { type: 'string' }, selectedUpdate: { type: ['integer', 'null'] }, records: { type: 'array', items: { type: 'object', required: ['step'], properties: { step: { type: 'number' } } } } },
              }),
            },
            '404': errorResponse('no such model, or the model folder has no training log'),
          },
        },
      },
      '/v1/models/{id}/lexicon': {
        get: {
          operationId: 'lexicon',
          summary: "Search the model's pronunciation lexicon",
          parameters: [
            modelId,
            { name: 'q', in: 'query', description: 'part of the spelling, case-insensitive; words that start with it come first', schema: { type: 'string' } },
            { name: 'phones', in: 'query', description: 'phones that must occur next to each other, space-separated', schema: { type: 'string' } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          ],
          responses: {
            '200': {
              description: 'matching entries and counts',
              content: json({
                type: 'object',
                required: ['total', 'matched', 'offset', 'entries', 'phoneCounts'],
                properties: {
                  total: { type: 'integer', description: 'entries in the lexicon' },
                  matched: { type: 'integer' },
                  offset: { type: 'integer' },
                  entries: { type: 'array', items: { type: 'object', required: ['word', 'phones'], properties: { word: { type: 'string' }, phones: { type: 'array', items: { type: 'string' } } } } },
                  phoneCounts: { type: 'object', additionalProperties: { type: 'integer' }, description: 'occurrences of each phone over all pronunciations' },
                },
              }),
            },
            '400': errorResponse('a bad offset or limit'),
            '404': notFound,
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Liveness and load',
          responses: {
            '200': {
              description: 'the server is up',
              content: json({
                type: 'object',
                required: ['status', 'model', 'workers'],
                properties: {
                  status: { const: 'ok' },
                  model: { type: 'string' },
                  backend: { type: 'string' },
                  uptimeSec: { type: 'number' },
                  workers: {
                    type: 'object',
                    properties: Object.fromEntries(['workers', 'ready', 'running', 'waiting', 'reserved', 'capacity'].map((k) => [k, { type: 'integer' }])),
                  },
                },
              }),
            },
          },
        },
      },
      '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } } },
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
        PhoneSegment: {
          type: 'object',
          required: ['phone', 'start', 'end'],
          properties: { phone: { type: 'string', description: 'a unit of the model (`<SIL>` for silence)' }, start: { type: 'number' }, end: { type: 'number' }, score: { type: 'number' } },
        },
        WordSegment: {
          type: 'object',
          required: ['word', 'start', 'end'],
          properties: { word: { type: 'string' }, start: { type: 'number' }, end: { type: 'number' }, phones: { type: 'array', items: { type: 'string' } }, oov: { type: 'boolean' }, score: { type: 'number' } },
        },
        Transcript: {
          type: 'object',
          required: ['id', 'file', 'durationSec', 'speechSec', 'model', 'phones', 'segments'],
          properties: {
            id: { type: 'string', description: 'the file name without extension' },
            file: { type: 'string', description: 'the file name the client gave' },
            durationSec: { type: 'number' },
            speechSec: { type: 'number', description: 'what the voice-activity detector kept' },
            model: { type: 'string' },
            phones: { type: 'string', description: 'the phones without <SIL>, space-separated' },
            segments: { type: 'array', items: ref('PhoneSegment') },
            words: { type: 'array', items: ref('WordSegment') },
          },
        },
        Model: {
          type: 'object',
          required: ['id', 'units'],
          properties: {
            id: { type: 'string' },
            createdAt: { type: 'string' },
            toolVersion: { type: 'string' },
            units: { type: 'array', items: { type: 'string' } },
            features: { type: 'string' },
            selectedUpdate: { type: 'integer' },
            selection: { type: 'object' },
            lexiconEntries: { type: 'integer' },
            hasTrainingLog: { type: 'boolean' },
          },
        },
      },
    },
  };
}
