// Preloaded into an app with NODE_OPTIONS='--import <this file>' (Node refuses --cpu-prof in
// NODE_OPTIONS): samples the CPU from start to exit and writes
// $HOOKSTREAM_CPU_PROFILE_DIR/CPU.<time>.<pid>.cpuprofile, the format --cpu-prof writes.
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.HOOKSTREAM_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // HOOKSTREAM_CPU_PROFILE_AFTER_MS: samples from then on only (an idle profile without the start).
  const afterMs = Number(process.env.HOOKSTREAM_CPU_PROFILE_AFTER_MS ?? 0);
  if (afterMs > 0) {
    setTimeout(() => {
      session.post('Profiler.stop', () => session.post('Profiler.start'));
    }, afterMs).unref();
  }
  process.on('exit', () => {
    // An in-process session answers synchronously, so this completes before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `CPU.${Date.now()}.0.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
