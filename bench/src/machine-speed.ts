import fs from 'node:fs';

/** How fast the machine is right now at the three things the pipeline's cost swings with. */
export interface MachineSpeed {
  /** One `fstat` system call (through libuv's synchronous path), microseconds. */
  syscall_us: number;
  /** The first touch of a fresh 4 KiB page of a 64 MiB buffer (a minor page fault), microseconds. */
  page_fault_us: number;
  /** One iteration of a fixed integer loop (JIT-compiled JavaScript, no memory traffic), nanoseconds. */
  js_loop_ns: number;
}

const PAGE = 4096;

/**
 * Probes the machine's speed in about a second, so that every run says what the machine was
 * like when it ran. On the shared guest the figures swing 2x between hours with the same code
 * (issue 15, 2026-12-07: a page fault 10-13 us, `getppid` 1 us, where the pipeline's CPU per
 * event doubled while the pure-JavaScript `matcher:match` did not move): a system call and a page
 * fault are what the kernel and the hypervisor charge, the loop what the core itself does. Runs
 * to compare side by side should show similar values. Each figure is the median of `rounds` rounds (5)
 * (`fraction` scales each round's work down, for tests).
 */
export function machineSpeed(options: { rounds?: number; fraction?: number } = {}): MachineSpeed {
  const { rounds = 5, fraction = 1 } = options;
  const medianOf = (f: (fraction: number) => number) => median(Array.from({ length: rounds }, () => f(fraction)));
  return {
    syscall_us: round(medianOf(syscallUs), 2),
    page_fault_us: round(medianOf(pageFaultUs), 2),
    js_loop_ns: round(medianOf(loopNs), 3),
  };
}

function syscallUs(fraction: number): number {
  const n = Math.ceil(20_000 * fraction);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fs.fstatSync(0);
  return Number(process.hrtime.bigint() - t) / 1000 / n;
}

function pageFaultUs(fraction: number): number {
  // Above glibc's largest mmap threshold (32 MiB): always a fresh mapping, never reused heap.
  const buffer = Buffer.allocUnsafeSlow(Math.max(33 * 1024 * 1024, Math.ceil(64 * 1024 * 1024 * fraction)));
  const t = process.hrtime.bigint();
  for (let at = 0; at < buffer.length; at += PAGE) buffer[at] = 1;
  return Number(process.hrtime.bigint() - t) / 1000 / (buffer.length / PAGE);
}

let sink = 0;
function loopNs(fraction: number): number {
  const n = Math.ceil(20_000_000 * fraction);
  let x = sink | 1;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) x = Math.imul(x ^ i, 0x9e3779b1) >>> 0;
  const ns = Number(process.hrtime.bigint() - t) / n;
  sink = x;
  return ns;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
