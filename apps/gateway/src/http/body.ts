import { firstUnstorableText, MAX_JSON_DEPTH, mayHoldUnstorableText } from '@hookstream/schemas';
import type { IncomingMessage } from 'node:http';
import { InvalidInput, TooLarge, UnsupportedMediaType } from '../domain/errors.js';
import { firstTooDeep, pointerAt } from './json-depth.js';
import { parseJsonText } from './json-error.js';

/** The media type of a request without parameters, lower case ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export const isJsonMediaType = (type: string) => type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);

/**
 * Reads the whole body up to `limit` bytes. Over the limit the request is refused with 413
 * as soon as the declared length or the received bytes say so; the rest is not buffered.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) {
        // Discard what is still coming so the response can be written.
        req.resume();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(new InvalidInput(`could not read the request body: ${e.message}`));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limit: number): TooLarge {
  return new TooLarge(`request body is larger than the limit of ${limit} bytes`, true);
}

export interface JsonBodyLimits {
  /** Nesting levels allowed (a batch array allows one more than an event, so each event gets the same). */
  maxDepth?: number;
  /** Where the body sits in the document the levels count from (`/data` for binary-mode event data). */
  pointerPrefix?: string;
}

/**
 * Parses a body as UTF-8 JSON; malformed JSON is a 400 naming the position, and a document
 * nested deeper than the limit (#16.7) a 400 naming the JSON path where it was passed.
 */
export function parseJsonBody(body: Buffer, limits: JsonBodyLimits = {}): unknown {
  if (body.length === 0) throw new InvalidInput('request body is empty: a JSON document is required');
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  const tooDeep = firstTooDeep(body, maxDepth);
  if (tooDeep >= 0) {
    const path = (limits.pointerPrefix ?? '') + pointerAt(body, tooDeep);
    throw new InvalidInput(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, [
      { path, message: `nesting deeper than ${MAX_JSON_DEPTH} levels is not accepted`, rule: 'maxDepth' },
    ]);
  }
  try {
    return parseJsonText(body.toString('utf8'));
  } catch (e) {
    throw new InvalidInput((e as Error).message);
  }
}

/**
 * Reads a control-plane JSON body (application/json or any +json type). What it carries is
 * stored, so text PostgreSQL cannot hold (U+0000, unpaired surrogates) is a 400 at its path.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, invalidMessage = 'invalid request body'): Promise<unknown> {
  const type = mediaType(req);
  if (!isJsonMediaType(type)) {
    throw new UnsupportedMediaType(`unsupported content type ${JSON.stringify(type || '(none)')}: send application/json`);
  }
  const raw = await readBody(req, limit);
  const value = parseJsonBody(raw);
  const unstorable = mayHoldUnstorableText(raw) ? firstUnstorableText(value) : undefined;
  if (unstorable) throw new InvalidInput(invalidMessage, [unstorable]);
  return value;
}
