#!/usr/bin/env node
// node bench/dist/tools/profile-top.js <file.cpuprofile|dir> [--top 25]: where a process spent its CPU.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface TopItem {
  name: string;
  selfMs: number;
  share: number;
}

const shortUrl = (url: string) => {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const apps = url.indexOf('/apps/');
  if (apps >= 0) return url.slice(apps + 1);
  const pk = url.indexOf('/packages/');
  if (pk >= 0) return url.slice(pk + 1);
  return url.replace(/^file:\/\//, '');
};

/** Self time per function (and, with `by: 'package'`, per package or app file). */
export function summarise(profile: CpuProfile, by: 'function' | 'package' = 'function'): { totalMs: number; items: TopItem[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const sums = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    total += us;
    const url = shortUrl(f.url);
    let key: string;
    if (by === 'package') {
      if (!url) key = f.functionName || '(native)';
      else if (url.startsWith('node:')) key = url;
      else
        key = url.startsWith('@')
          ? url.split('/').slice(0, 2).join('/')
          : url
              .split('/')
              .slice(0, url.startsWith('apps/') || url.startsWith('packages/') ? 4 : 1)
              .join('/');
    } else {
      key = `${f.functionName || '(anonymous)'} ${url ? `${url}:${f.lineNumber + 1}` : ''}`.trim();
    }
    sums.set(key, (sums.get(key) ?? 0) + us);
  }
  const items = [...sums].map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), share: total ? us / total : 0 })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: Math.round(total / 1000), items };
}

function main(): void {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: profile-top <file.cpuprofile | directory> [--top N] [--by package]\n');
    process.exit(2);
  }
  const topIdx = process.argv.indexOf('--top');
  const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 25;
  const by = process.argv.includes('package') ? 'package' : 'function';
  const files = fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(target, f))
    : [target];
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
    const { totalMs, items } = summarise(profile, by);
    const wallMs = Math.round((profile.endTime - profile.startTime) / 1000);
    console.log(`\n${path.basename(file)}: ${totalMs} ms sampled over ${wallMs} ms wall`);
    for (const it of items.slice(0, top)) console.log(`${String(it.selfMs).padStart(8)} ms ${(it.share * 100).toFixed(1).padStart(5)}%  ${it.name}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
