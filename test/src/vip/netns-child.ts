// A separate vip-speaker process for netns.test.ts: one that is killed with SIGKILL after adding
// (a crash), or one run without CAP_NET_ADMIN. One JSON argument, one JSON line out:
//   {"interface":"lo","netns":"vsvip-1-1","add":["192.0.2.7"],"hang":true,"prefixLength":{"ipv4":24,"ipv6":64}}
//     → {"done":[...],"failed":[{"address":"...","code":"..."}]}, then waits to be killed if `hang`.
import { createVipAddressManager } from '../../../src/vip/index.js';

interface ChildRequest {
  interface: string;
  netns?: string;
  add: string[];
  hang?: boolean;
  prefixLength?: { ipv4: number; ipv6: number };
}

const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
const manager = createVipAddressManager({ interface: request.interface, netns: request.netns, prefixLength: request.prefixLength });
const result = await manager.add(request.add);
const line = { done: result.done, failed: result.failed.map((f) => ({ address: f.address, code: f.error.code, message: f.error.message })) };
process.stdout.write(`${JSON.stringify(line)}\n`);
if (request.hang) setInterval(() => undefined, 60_000); // until SIGKILL: no clean-up runs
