// Churn with many VIPs up: one VIP added until the router holds it, many times over, and a burst
// of 1,000 added at once. vip-speaker is measured two ways: a Service created on the fake API
// server (running in the router namespace, as the e2e lab's), and a config reload (SIGHUP after
// the file is rewritten). GoBGP adds its routes through its API, BIRD through a reconfigure.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LabApiServer } from '../../integration/support/apiserver-client.js';
import { type Contender, processFigures } from './contender.js';
import { birdConfig } from './contenders/bird.js';
import { gobgpFeeder } from './contenders/gobgp.js';
import { vipSpeaker } from './contenders/vip-speaker.js';
import { ROUTER, type ScaleLab } from './topology.js';
import { benchVips, ipv4Vip } from './vips.js';

const execFileP = promisify(execFile);

export interface ChurnResult {
  /** VIPs up before the churn. */
  base: number;
  /** One VIP each: until the router holds it, ms. */
  serviceMs?: number[];
  reloadMs?: number[];
  apiMs?: number[];
  /** 1,000 new VIPs at once, until the router holds all. */
  burstReloadMs?: number;
  burstServicesMs?: number;
  burstApiMs?: number;
  /** Resident memory once the churn is done, MiB. */
  rssAfterMiB: number;
}

export interface ChurnOptions {
  base: number;
  samples: number;
  burst: number;
  timeoutMs: number;
}

/** A pause between samples, so that each one starts from a quiet speaker (and a quiet router). */
const BETWEEN_SAMPLES_MS = 20;
/** After the base routes are up: the speaker's one collection after a large change comes 6 s later. */
const SETTLE_MS = 8000;
const API_PORT = 6443;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function service(name: string, vip: string) {
  return {
    metadata: { namespace: 'default', name, annotations: { 'kube-vip.io/loadbalancerIPs': vip, 'kube-vip.io/allow-reconcile-without-endpoints': 'true' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], externalTrafficPolicy: 'Cluster' },
  };
}

/** Polls until the router holds `want` IPv4 routes; ms since `start`. */
function held(lab: ScaleLab, start: number, want: number, timeoutMs: number): Promise<number> {
  return lab.until(start, (v) => v.ipv4 === want, { what: `${want} routes at the router`, timeoutMs, pollMs: 1 });
}

export async function vipSpeakerChurn(lab: ScaleLab, options: ChurnOptions): Promise<ChurnResult> {
  const api = new LabApiServer(lab.lab, 'router', ROUTER.ipv4, API_PORT);
  await api.start();
  const kubeconfig = join(lab.lab.dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, api.kubeconfig);
  await api.create('Node', { metadata: { name: 'speaker' } });
  const kubernetes = ['kubernetes:', '  services: true', `  kubeconfig: ${kubeconfig}`, '  nodeName: speaker'].join('\n');
  const addresses = benchVips('ipv4', options.base).addresses;
  vipSpeaker.writeConfig(lab, addresses, { peers: 1, kubernetes });
  const running = vipSpeaker.start(lab, { peers: 1 });
  try {
    let count = options.base;
    await held(lab, performance.now(), count, options.timeoutMs);
    await sleep(SETTLE_MS);
    let next = options.base; // index of the next new VIP
    const serviceMs: number[] = [];
    for (let i = 0; i < options.samples; i++, next++) {
      const start = performance.now();
      await api.create('Service', service(`churn-${i}`, ipv4Vip(next)));
      serviceMs.push(await held(lab, start, ++count, options.timeoutMs));
      await sleep(BETWEEN_SAMPLES_MS);
    }
    const reloadMs: number[] = [];
    for (let i = 0; i < options.samples; i++, next++) {
      addresses.push(ipv4Vip(next));
      vipSpeaker.writeConfig(lab, addresses, { peers: 1, kubernetes });
      const start = performance.now();
      running.child.kill('SIGHUP');
      reloadMs.push(await held(lab, start, ++count, options.timeoutMs));
      await sleep(BETWEEN_SAMPLES_MS);
    }
    for (let i = 0; i < options.burst; i++) addresses.push(ipv4Vip(next + i));
    next += options.burst;
    vipSpeaker.writeConfig(lab, addresses, { peers: 1, kubernetes });
    let start = performance.now();
    running.child.kill('SIGHUP');
    count += options.burst;
    const burstReloadMs = await held(lab, start, count, options.timeoutMs);
    await sleep(BETWEEN_SAMPLES_MS);
    // The Services of the burst are sent to the API server without waiting for each answer, as a
    // controller creating many at once would: the clock covers the API server's work too.
    start = performance.now();
    await Promise.all(Array.from({ length: options.burst }, (_, i) => api.create('Service', service(`burst-${i}`, ipv4Vip(next + i)))));
    count += options.burst;
    const burstServicesMs = await held(lab, start, count, options.timeoutMs);
    return { base: options.base, serviceMs, reloadMs, burstReloadMs, burstServicesMs, rssAfterMiB: processFigures(running.child.pid!).rssMiB };
  } finally {
    running.child.kill('SIGTERM');
    await running.exited;
    await lab.until(performance.now(), (v) => v.state !== 'Established' && v.ipv4 === 0, { what: 'the router to see vip-speaker go', timeoutMs: 60_000, pollMs: 20 });
  }
}

/** GoBGP: each new route through its API (the feeder's AddPathStream); the burst in one stream. */
export async function gobgpChurn(lab: ScaleLab, contender: Contender, options: ChurnOptions): Promise<ChurnResult> {
  await contender.prepare(lab, benchVips('ipv4', options.base), { peers: 1 });
  const running = contender.start(lab, { peers: 1 });
  try {
    let count = options.base;
    await held(lab, performance.now(), count, options.timeoutMs);
    await running.feeding;
    await sleep(SETTLE_MS);
    const feeder = await gobgpFeeder(lab);
    let next = options.base;
    const apiMs: number[] = [];
    for (let i = 0; i < options.samples; i++, next++) {
      const start = performance.now();
      await feeder.add('ipv4', 1, next);
      apiMs.push(await held(lab, start, ++count, options.timeoutMs));
      await sleep(BETWEEN_SAMPLES_MS);
    }
    const start = performance.now();
    await feeder.add('ipv4', options.burst, next);
    count += options.burst;
    const burstApiMs = await held(lab, start, count, options.timeoutMs);
    return { base: options.base, apiMs, burstApiMs, rssAfterMiB: processFigures(running.child.pid!).rssMiB };
  } finally {
    running.child.kill('SIGTERM');
    await running.exited;
    await lab.until(performance.now(), (v) => v.state !== 'Established' && v.ipv4 === 0, { what: 'the router to see GoBGP go', timeoutMs: 60_000, pollMs: 20 });
  }
}

/** BIRD: each new route written into its config, then `birdc configure`; the burst in one reconfigure. */
export async function birdChurn(lab: ScaleLab, contender: Contender, options: ChurnOptions): Promise<ChurnResult> {
  const config = join(lab.lab.dir, 'bird.conf');
  const socket = join(lab.lab.dir, 'bird.ctl');
  await contender.prepare(lab, benchVips('ipv4', options.base), { peers: 1 });
  const running = contender.start(lab, { peers: 1 });
  const configure = async (count: number) => {
    writeFileSync(config, birdConfig(benchVips('ipv4', count)));
    await execFileP('ip', ['netns', 'exec', lab.lab.ns('speaker'), 'birdc', '-s', socket, 'configure'], { timeout: 60_000 });
  };
  try {
    let count = options.base;
    await held(lab, performance.now(), count, options.timeoutMs);
    await sleep(SETTLE_MS);
    const reloadMs: number[] = [];
    for (let i = 0; i < options.samples; i++) {
      const start = performance.now();
      await configure(++count);
      reloadMs.push(await held(lab, start, count, options.timeoutMs));
      await sleep(BETWEEN_SAMPLES_MS);
    }
    const start = performance.now();
    count += options.burst;
    await configure(count);
    const burstReloadMs = await held(lab, start, count, options.timeoutMs);
    return { base: options.base, reloadMs, burstReloadMs, rssAfterMiB: processFigures(running.child.pid!).rssMiB };
  } finally {
    running.child.kill('SIGTERM');
    await running.exited;
    await lab.until(performance.now(), (v) => v.state !== 'Established' && v.ipv4 === 0, { what: 'the router to see BIRD go', timeoutMs: 60_000, pollMs: 20 });
  }
}
