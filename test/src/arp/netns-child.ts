// A separate process for netns.test.ts, run inside a lab namespace without CAP_NET_RAW. One JSON
// argument, one JSON line out:
//   {"interface":"eth0","vip":"192.0.2.50"} → {"ok":true} or {"code":"ARP_ERR_...","message":"..."}
import { ArpError, createAnnouncer } from '../../../src/arp/index.js';

const request = JSON.parse(process.argv[2] ?? '{}') as { interface: string; vip: string };
const announcer = createAnnouncer({ interface: request.interface });
try {
  await announcer.announce(request.vip, { count: 1 });
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  if (!(error instanceof ArpError)) throw error;
  process.stdout.write(`${JSON.stringify({ code: error.code, message: error.message })}\n`);
} finally {
  announcer.close();
}
