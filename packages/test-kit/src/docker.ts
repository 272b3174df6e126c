import http from 'node:http';
import fs from 'node:fs';

/**
 * True when a Docker engine answers on its socket. `HOOKSTREAM_TEST_CONTAINERS`
 * forces the choice (1 = testcontainers, 0 = local services).
 */
export async function dockerEngineAvailable(): Promise<boolean> {
  const forced = process.env.HOOKSTREAM_TEST_CONTAINERS;
  if (forced === '1' || forced === 'true') return true;
  if (forced === '0' || forced === 'false') return false;
  const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  if (!fs.existsSync(socketPath)) return false;
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
  });
}
