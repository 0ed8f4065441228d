// `vip-speaker status [--json] [--admin HOST:PORT]`: a summary like a router's
// `show bgp summary`, the BFD sessions like `show bfd peers brief`, then the VIPs with their
// owners, read from the admin endpoint.
import { request } from 'node:http';

interface StatusDoc {
  version: string;
  mode: string;
  node: { asn: number; routerId: string };
  ready: { ok: boolean; reasons: string[] };
  peers: Array<{ address: string; asn: number; state: string; uptimeSeconds: number | null; prefixesSent: number; prefixesReceived: number; flaps: number; lastError: string | null; bfd?: BfdDoc | null }>;
  vips: Array<{ address: string; owners: string[]; inPlace: boolean; announced: boolean; announcedTo?: { peers: number; of: number } | null; leader?: string | null; lastTakeover?: string | null }>;
}

/** The BFD fields of a peer in /status (bgp's PeerBfdStatus, as JSON). */
interface BfdDoc {
  state: string;
  localDiagnostic: string;
  remoteDiagnostic: string;
  localDiscriminator: number;
  remoteDiscriminator: number;
  txIntervalMs: number;
  rxIntervalMs: number;
  detectTimeMs: number;
  configured: { detectMult: number };
  remote: { detectMult: number };
  multihop: boolean;
  holdingBgp: boolean;
  remoteControlPlaneIndependent: boolean;
  error?: string;
}

function fetchStatus(host: string, port: number): Promise<StatusDoc> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/status', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as StatusDoc);
        } catch {
          reject(new Error(`the admin endpoint at ${host}:${port} answered ${res.statusCode} with no status document`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the admin endpoint at ${host}:${port} within 3 s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot reach the admin endpoint at ${host}:${port} (${e.code ?? e.message}): is vip-speaker running? (--admin HOST:PORT)`)));
    req.end();
  });
}

export function formatUptime(seconds: number | null): string {
  if (seconds === null) return 'never';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return d ? `${d}d${h}h${m}m` : `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** How long ago, from an ISO time: '00:01:05 ago'. */
function since(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  return `${formatUptime(Math.max(0, Math.round((now - Date.parse(iso)) / 1000)))} ago`;
}

export function formatStatus(s: StatusDoc, now = Date.now()): string[] {
  const ready = s.ready.ok ? 'ready' : `not ready (${s.ready.reasons.join('; ')})`;
  if (s.mode === 'arp') {
    // ARP mode: no sessions; a VIP is on this node only while it is elected, so say who holds each.
    const lines = [`vip-speaker ${s.version}, mode arp, ${ready}`, '', `${s.vips.length} VIP(s)`];
    if (s.vips.length) {
      lines.push(...table([['VIP', 'Here', 'Holder', 'Taken over', 'Owners'], ...s.vips.map((v) => [v.address, v.inPlace ? 'yes' : 'no', v.leader ?? '(none seen)', since(v.lastTakeover, now), v.owners.join(', ')])]));
    }
    return lines;
  }
  const lines = [`vip-speaker ${s.version}, mode ${s.mode}, local AS ${s.node.asn}, router ID ${s.node.routerId}, ${ready}`, ''];
  lines.push(
    ...table([
      ['Neighbor', 'AS', 'State', 'Up/Down', 'PfxSnt', 'PfxRcd', 'Flaps', 'Last error'],
      ...s.peers.map((p) => [p.address, String(p.asn), p.state, formatUptime(p.uptimeSeconds), String(p.prefixesSent), String(p.prefixesReceived), String(p.flaps), p.lastError ?? '']),
    ]),
  );
  const bfd = s.peers.filter((p) => p.bfd);
  if (bfd.length) {
    lines.push('', 'BFD');
    lines.push(...table([['Neighbor', 'State', 'Hops', 'TX ms', 'RX ms', 'Detect ms', 'Diag (local/peer)', 'Discr (local/peer)', 'Peer C', 'Note'], ...bfd.map((p) => bfdRow(p.address, p.bfd!))]));
  }
  lines.push('', `${s.vips.length} VIP(s)`);
  if (s.vips.length) {
    // With kube-vip's leader election, a VIP is announced by its Lease's holder only: say who.
    const elected = s.vips.some((v) => v.leader);
    const header = ['VIP', 'In place', 'Announced', ...(elected ? ['Holder'] : []), 'Owners'];
    // A standby's VIP (elected elsewhere, not announced here) is off the interface by design.
    const inPlace = (v: StatusDoc['vips'][number]) => (v.inPlace ? 'yes' : v.leader && !v.announced ? 'no' : 'NO');
    lines.push(...table([header, ...s.vips.map((v) => [v.address, inPlace(v), announcedText(v), ...(elected ? [v.leader || '(every node)'] : []), v.owners.join(', ')])]));
  }
  return lines;
}

/** "to 2/2 peers", "to 0/1 peers" (wanted, but no session carries it), or "no" (not announced from here). */
function announcedText(v: StatusDoc['vips'][number]): string {
  if (!v.announced) return 'no';
  if (!v.announcedTo) return 'yes';
  return `to ${v.announcedTo.peers}/${v.announcedTo.of} peer${v.announcedTo.of === 1 ? '' : 's'}`;
}

/** One BFD session: state, the negotiated intervals, why it last changed, and whether it holds BGP down. */
function bfdRow(address: string, b: BfdDoc): string[] {
  const note = b.error ?? (b.holdingBgp ? 'holding BGP down until Up' : '');
  return [
    address,
    b.state,
    b.multihop ? 'multi' : 'single',
    String(b.txIntervalMs),
    String(b.rxIntervalMs),
    b.detectTimeMs ? `${b.detectTimeMs} (x${b.remote.detectMult})` : '-',
    `${b.localDiagnostic}/${b.remoteDiagnostic}`,
    `${b.localDiscriminator}/${b.remoteDiscriminator}`,
    b.remoteControlPlaneIndependent ? 'set' : 'clear',
    note,
  ];
}

export async function statusCommand(options: { admin: string; json: boolean }, out: (line: string) => void): Promise<number> {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(options.admin);
  if (!m) throw new Error(`--admin expects HOST:PORT, got ${JSON.stringify(options.admin)}`);
  const doc = await fetchStatus(m[1]!, Number(m[2]));
  if (options.json) out(JSON.stringify(doc, null, 2));
  else for (const line of formatStatus(doc)) out(line);
  return 0;
}
