// What the Kubernetes watcher tests share: a logger whose lines can be read back, informer
// tuning fast enough for tests, and builders for the objects a controller would write.
import { Writable } from 'node:stream';
import type { InformerTuning } from '../../../src/kubernetes/informers/informer.js';
import { createLogger, type Logger } from '../../../src/log.js';

export { eventually, sleep } from '../../support-tests/helpers.js';

export interface CapturedLog {
  log: Logger;
  lines: Record<string, unknown>[];
  /** The `msg` of every line, in order. */
  messages: () => string[];
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines, messages: () => lines.map((l) => String(l.msg)) };
}

/** Retries within tens of milliseconds, no server-side watch timeout, no watchdog. */
export const FAST: InformerTuning = { backoff: { initialMs: 10, maxMs: 40, jitter: 0 }, watchTimeoutSeconds: 0, stallTimeoutMs: 0 };

export interface ServiceFields {
  type?: string;
  loadBalancerIP?: string;
  loadBalancerClass?: string;
  externalTrafficPolicy?: string;
  annotations?: Record<string, string>;
}

/** A Service as a user writes it. */
export function service(namespace: string, name: string, fields: ServiceFields = {}) {
  const { annotations, type = 'LoadBalancer', ...spec } = fields;
  return {
    metadata: { namespace, name, ...(annotations ? { annotations } : {}) },
    spec: { type, ports: [{ port: 80, protocol: 'TCP' }], ...spec },
  };
}

export interface EndpointFields {
  nodeName?: string;
  ready?: boolean;
  serving?: boolean;
  address?: string;
}

/** An EndpointSlice as the EndpointSlice controller writes it for a Service. */
export function endpointSlice(namespace: string, name: string, serviceName: string, endpoints: EndpointFields[]) {
  return {
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e, i) => {
      const conditions: Record<string, boolean> = {};
      if (e.ready !== undefined) conditions.ready = e.ready;
      if (e.serving !== undefined) conditions.serving = e.serving;
      return { addresses: [e.address ?? `10.0.0.${i + 1}`], conditions, ...(e.nodeName ? { nodeName: e.nodeName } : {}) };
    }),
    ports: [{ port: 8080, protocol: 'TCP' }],
  };
}
