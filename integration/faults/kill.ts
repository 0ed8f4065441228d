// The kill fault: node1 holds 5,000 VIPs (set A) and is told to hold 5,000 others instead (set
// B): a reconcile that adds 5,000 addresses, announces them, withdraws the 5,000 old routes and
// removes their addresses (IPv6 removals cost the kernel the most: over a second for 5,000). It
// is killed with SIGKILL once the new addresses start to appear, and started again 2 s later,
// as the kubelet would: the restart must remove what the dead run left and end with exactly B.
import type { NodeSpec } from '../e2e/topology.js';
import { waitFor } from '../support/lab.js';
import { CONVERGE_TIMEOUT_MS, STABLE_MS, seconds } from './scenario.js';
import type { FaultLab } from './topology.js';

export const KILL_VIPS = 5000;
const RESTART_DELAY_MS = 2000;
/** How often lo's addresses are counted while the reconcile runs. */
const POLL_MS = 20;

export const vipSet = (set: 'a' | 'b') => Array.from({ length: KILL_VIPS }, (_, i) => `2001:db8:f:${set}::${(i + 1).toString(16)}`);

async function countOnLo(lab: FaultLab, ns: string): Promise<number> {
  const { stdout } = await lab.lab.exec(ns, 'sh', ['-c', 'ip -o addr show dev lo | wc -l'], { timeoutMs: 15_000 });
  // lo's own 127.0.0.1/8 and ::1/128 are two lines.
  return Number(stdout.trim()) - 2;
}

/** node1 with set A in place and announced (the lab agrees with the desired set). */
export async function prepareKill(lab: FaultLab, node: NodeSpec, base: string[]): Promise<void> {
  lab.configure(node.name, { staticVips: [...base, ...vipSet('a')] });
  await lab.checker.converged({ timeoutMs: CONVERGE_TIMEOUT_MS * 2, stableMs: STABLE_MS });
}

export async function killDuringReconcile(lab: FaultLab, node: NodeSpec, base: string[]): Promise<string> {
  const daemon = lab.node(node.name);
  const before = base.length + KILL_VIPS;
  lab.configure(node.name, { staticVips: [...base, ...vipSet('b')] });
  const atKill = await waitFor('the first new addresses on lo', async () => {
    const n = await countOnLo(lab, node.name);
    if (n <= before) return undefined;
    await daemon.kill();
    return n;
  }, 30_000, POLL_MS);
  const left = await countOnLo(lab, node.name);
  await seconds(RESTART_DELAY_MS);
  await daemon.start();
  return `killed with ${atKill} addresses on lo (${before} before the change, ${before + KILL_VIPS} at most), ${left} right after the kill`;
}

/** What the restart cleaned up, once the lab agrees with the desired set again. */
export function staleRemoved(lab: FaultLab, node: NodeSpec): string {
  const stale = (lab.node(node.name).log().match(/removed a stale VIP left by an earlier run/g) ?? []).length;
  return `the restart removed ${stale} stale addresses of the killed run and kept the wanted ones`;
}
