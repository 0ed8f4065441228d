// The fake API server in a process of its own, so that a lab can run it inside a network
// namespace where the nodes reach it:
//   ip netns exec NS node dist/test/support/fake-apiserver/proc.js HOST PORT [LATENCY_MS [CAPACITY]]
// It prints {"url":..., "kubeconfig":...} once listening, then takes JSON lines on stdin:
//   {"cmd":"create","kind":"Service","object":{...}}   {"cmd":"delete","kind":"Service","namespace":"default","name":"web"}
//   {"cmd":"createMany","kind":"Service","objects":[...]}   {"cmd":"list","kind":"Service"}
//   {"cmd":"get","kind":"Lease","namespace":"kube-system","name":"plndr-svcs-lock"}   {"cmd":"requests"}
//   {"cmd":"stats"}: connections (open, peak, total), requests in flight (now, peak), and the
//   most non-watch requests that arrived within any one second
//   {"cmd":"down","mode":"refuse"}   {"cmd":"up"}   {"cmd":"compact"}   {"cmd":"breakWatches"}   {"cmd":"hold"}   {"cmd":"release"}
// and answers each with {"ok":true,"value":...} or {"ok":false,"error":"..."}.
import { createInterface } from 'node:readline';
import { FakeApiServer } from './server.js';
import type { KindName } from './resources.js';
import type { OutageMode } from './server.js';

const [host = '127.0.0.1', port = '0', latency = '0', capacity] = process.argv.slice(2);
const server = new FakeApiServer({ host, port: Number(port), latencyMs: Number(latency), ...(capacity !== undefined ? { capacity: Number(capacity) } : {}) });

interface Command {
  cmd: 'create' | 'createMany' | 'delete' | 'get' | 'list' | 'requests' | 'stats' | 'down' | 'up' | 'compact' | 'breakWatches' | 'hold' | 'release' | 'stop';
  kind?: KindName;
  object?: object;
  objects?: object[];
  namespace?: string;
  name?: string;
  mode?: OutageMode;
}

async function main(): Promise<void> {
  const { url } = await server.start();
  process.stdout.write(JSON.stringify({ url, kubeconfig: server.kubeconfigYaml() }) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    try {
      const c = JSON.parse(line) as Command;
      let value: unknown;
      if (c.cmd === 'create') server.create(c.kind!, c.object!);
      else if (c.cmd === 'createMany') for (const o of c.objects ?? []) server.create(c.kind!, o);
      else if (c.cmd === 'list') value = server.list(c.kind!, c.namespace);
      else if (c.cmd === 'stats') value = { connections: server.connectionStats(), inFlight: server.inFlightStats(), maxPerSecond: server.maxRequestsPer(1000, (r) => r.query.watch !== 'true'), requests: server.requests.length };
      else if (c.cmd === 'delete') server.delete(c.kind!, { namespace: c.namespace ?? '', name: c.name! });
      else if (c.cmd === 'get') value = server.get(c.kind!, { namespace: c.namespace ?? '', name: c.name! });
      else if (c.cmd === 'requests') value = server.requests;
      // An outage (see FakeApiServer.setDown), and history dropped so that old watches get 410.
      else if (c.cmd === 'down') await server.setDown(true, c.mode ?? 'refuse');
      else if (c.cmd === 'up') await server.setDown(false);
      else if (c.cmd === 'compact') {
        server.compactBefore();
        value = server.resourceVersion;
      } else if (c.cmd === 'hold') server.hold();
      else if (c.cmd === 'release') server.release();
      else if (c.cmd === 'breakWatches') value = server.breakWatches();
      else if (c.cmd === 'stop') break;
      process.stdout.write(JSON.stringify({ ok: true, value }) + '\n');
    } catch (err) {
      process.stdout.write(JSON.stringify({ ok: false, error: (err as Error).message }) + '\n');
    }
  }
  await server.stop();
  process.exit(0);
}

main().catch((err: Error) => {
  process.stdout.write(JSON.stringify({ fatal: err.message }) + '\n');
  process.exit(1);
});
