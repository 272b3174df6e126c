import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root.js';

const run = promisify(execFile);

/** A span as Zipkin's API answers it (`/api/v2/trace/<id>`). */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/** Where OpenTelemetry's Zipkin exporter posts spans for a Zipkin started on `port`. */
export const zipkinSpansUrl = (port: number) => `http://127.0.0.1:${port}/api/v2/spans`;

/** A Zipkin server of one test alone (infra/zipkin), on a free port, with in-memory storage. */
export interface ZipkinServer {
  url: string;
  /** Where OpenTelemetry's Zipkin exporter posts (OTEL_EXPORTER_ZIPKIN_ENDPOINT). */
  spansUrl: string;
  /** The spans of a trace as Zipkin has them now ([] while it knows none). */
  trace(traceId: string): Promise<ZipkinSpan[]>;
  /**
   * Saves a picture of the trace as Zipkin's UI shows it (`/zipkin/traces/<id>`), taken by the
   * system's headless Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium).
   */
  screenshot(traceId: string, file: string): Promise<void>;
  /** How long resolving the jar took (0 when it was cached) and starting it. */
  timings: { fetchMs: number; startMs: number };
  stop(): Promise<void>;
}

/** A port nothing listens on now (for a server started next, whose address others must know first). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts Zipkin with infra/zipkin (the first start resolves its 87 MB jar from Maven Central,
 * cached in ~/.m2 and infra/zipkin/.cache afterwards). The launcher's pid file lives in a
 * private folder, so `stop` reaches only this server.
 */
export async function startZipkin(opts: { port?: number } = {}): Promise<ZipkinServer> {
  const port = opts.port ?? (process.env.ZIPKIN_TEST_PORT ? Number(process.env.ZIPKIN_TEST_PORT) : await freePort());
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hookstream-zipkin-'));
  const env = { ...process.env, ZIPKIN_PORT: String(port), ZIPKIN_HOME_DIR: home };
  const launcher = path.join(repoRoot(), 'infra', 'zipkin', 'zipkin.mjs');
  const launch = async (cmd: 'start' | 'stop') => (await run(process.execPath, [launcher, cmd], { env, timeout: 300_000 })).stdout;
  const answer = JSON.parse(await launch('start')) as { url: string; spans: string; fetch_ms?: number; start_ms?: number };
  return {
    url: answer.url,
    spansUrl: answer.spans,
    timings: { fetchMs: answer.fetch_ms ?? 0, startMs: answer.start_ms ?? 0 },
    async trace(traceId) {
      const res = await fetch(`${answer.url}/api/v2/trace/${traceId}`);
      if (res.status === 404) return [];
      if (!res.ok) throw new Error(`Zipkin answered ${res.status} for trace ${traceId}`);
      return (await res.json()) as ZipkinSpan[];
    },
    async screenshot(traceId, file) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hookstream-chromium-'));
      try {
        await run(
          process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--hide-scrollbars',
            `--user-data-dir=${profile}`,
            '--window-size=1600,900',
            // The UI loads the trace after the page: virtual time lets its requests finish first.
            '--virtual-time-budget=20000',
            `--screenshot=${path.resolve(file)}`,
            `${answer.url}/zipkin/traces/${traceId}`,
          ],
          { timeout: 120_000 },
        );
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
    async stop() {
      await launch('stop').catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
