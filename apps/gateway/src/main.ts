#!/usr/bin/env node
import type { AddressInfo } from 'node:net';
import { env, handleOpsRequest, runService } from '@hookstream/service-kit';
import express from 'express';

// Foundation skeleton: serves the operations endpoints; the API comes with its own issue.
await runService({
  name: 'gateway',
  config: {
    PORT: env.port(8080),
    HOST: env.string({ default: '0.0.0.0' }),
  },
  async start({ config, health, metrics, logger, onShutdown }) {
    const app = express();
    app.use((req, res, next) => {
      handleOpsRequest(req, res, health, metrics).then((handled) => (handled ? undefined : next()), next);
    });
    const server = await new Promise<import('node:http').Server>((resolve, reject) => {
      const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    const port = (server.address() as AddressInfo).port;
    logger.info({ port }, `gateway listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`);
    onShutdown('http', () => new Promise<void>((r) => server.close(() => r())));
  },
});
