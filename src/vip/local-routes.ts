// VIPs as local routes ("AnyIP"): `local 192.0.2.7 dev lo table local proto 86`. The kernel
// delivers traffic to a destination its local table calls local, and bind(2) to an IPv4 address
// accepts any such destination (inet_addr_type() is RTN_LOCAL), so a local route makes an IPv4
// VIP as reachable as an address does, at the cost of one FIB insert. Adding an IPv4 address
// instead walks the interface's whole address list (__inet_insert_ifa), so 100,000 of them cost
// the square of the count: minutes. IPv6 takes the traffic too, but bind(2) to one needs the
// address (ipv6_chk_addr), IPV6_FREEBIND, or net.ipv6.ip_nonlocal_bind: IPv6 VIPs become routes
// only when the operator asks for routes. See index.ts for when each form is used.
//
// Ownership is the route's protocol (rtm_protocol), the same number as the addresses' IFA_PROTO:
// one dump filtered by the kernel finds our routes after a kill -9, and a delete names the
// protocol, so that the kernel never removes another's route of the same destination. Unlike the
// address manager, nothing is dumped around each change: an insert the kernel did not refuse is
// in the table (it answers inside send(2)), and a dump of 100,000 routes per change would cost
// more than the change. Only the unusual answers are checked with a dump: EEXIST (ours or
// another's?) and replies the kernel dropped for want of buffer (ENOBUFS).
import { AddressFamily, formatAddress, formatIpv4Vip, ipv4VipNumber, isAddressProblem, parseVipAddress } from './address.js';
import { VipError, errnoName, refusalError } from './errors.js';
import type { BatchResult } from './manager.js';
import type { NetlinkAck } from './netlink-messages.js';
import { type LocalRouteTable, type RouteDestination, type RouteTableOptions, openLocalRouteTable } from './route-table.js';
import { serializedTables } from './serial.js';

/** Called after each chunk of an add with what is now in place: the caller may announce it. */
export type PlacementProgress = (placed: { readonly done: readonly string[]; readonly foreign: readonly string[] }) => void;

export interface LocalRoutePlacer {
  /** Our local routes on the interface, canonical ('192.0.2.7/32', '2001:db8::7/128'), IPv4 first, kernel order. */
  listOwned(): Promise<string[]>;
  /** How many of ours there are, without their text (a cheap check of 100,000). */
  countOwned(): Promise<number>;
  /** Adds a local route for each VIP; one already there and not ours is foreign and untouched. */
  add(addresses: readonly string[], progress?: PlacementProgress): Promise<BatchResult>;
  /** Removes ours; an absent one (ESRCH) is done; another's route of the same address is never matched. */
  remove(addresses: readonly string[]): Promise<BatchResult>;
}

export interface LocalRoutePlacerOptions {
  readonly interface: string;
  /** rtm_protocol that marks our routes, 4 to 255 (0 to 3 are the kernel's). */
  readonly protocol: number;
  readonly netns?: string;
  /** The kernel side; a fake in unit tests. */
  readonly openTable?: (options: RouteTableOptions) => LocalRouteTable;
}

/** Inputs parsed and sent per slice: the kernel's chunks (1,024) run inside each, with turns of the event loop between. */
const PARSE_SLICE = 8192;

interface Parsed {
  /** Canonical text, in input order. */
  readonly keys: string[];
  /** IPv4 as a number, IPv6 as its 16 octets. */
  readonly values: RouteDestination[];
  readonly failed: BatchResult['failed'];
}

export function createLocalRoutePlacer(options: LocalRoutePlacerOptions): LocalRoutePlacer {
  const name = options.interface;
  const openTable = options.openTable ?? openLocalRouteTable;
  const tableOptions: RouteTableOptions = { interface: name, protocol: options.protocol, netns: options.netns };
  const cannot = (kind: 'add' | 'remove', address: string) => (kind === 'add' ? `cannot add a local route for ${address} on ${name}` : `cannot remove the local route for ${address} from ${name}`);

  const serialized = serializedTables(() => openTable(tableOptions));

  /**
   * Canonical keys and netlink destinations, invalid inputs reported. Duplicates are not looked
   * for (a set of 100,000 keys cost 20-40 ms): a second request for one VIP finds it in place
   * (EEXIST, then ours) or gone (ESRCH), and the VIP is reported twice.
   */
  function parseAll(inputs: readonly string[], kind: 'add' | 'remove'): Parsed {
    const keys: string[] = [];
    const values: RouteDestination[] = [];
    const failed: BatchResult['failed'] = [];
    for (const input of inputs) {
      let value: RouteDestination | undefined = ipv4VipNumber(input);
      let key = input;
      if (value === undefined) {
        const parsed = parseVipAddress(input);
        if (isAddressProblem(parsed)) {
          failed.push({ address: input, error: new VipError('VIP_ERR_INVALID_ADDRESS', `${cannot(kind, input)}: ${parsed.reason}`, { interface: name, address: input }) });
          continue;
        }
        value = parsed.family === AddressFamily.Inet ? new DataView(parsed.bytes.buffer, parsed.bytes.byteOffset, 4).getUint32(0, false) : parsed.bytes;
        key = parsed.text;
      } else if (!input.endsWith('/32')) {
        key = formatIpv4Vip(value);
      }
      keys.push(key);
      values.push(value);
    }
    return { keys, values, failed };
  }

  function refused(kind: 'add' | 'remove', address: string, ack: NetlinkAck): BatchResult['failed'][number] {
    return { address, error: refusalError({ errno: errnoName(ack.errno), kernelMessage: ack.kernelMessage }, { operation: kind, interface: name, address, family: address.includes(':') ? 'inet6' : 'inet' }) };
  }

  function stopped(kind: 'add' | 'remove', address: string, cause: VipError): BatchResult['failed'][number] {
    return { address, error: new VipError(cause.code, `${cannot(kind, address)}: the batch stopped before it (${cause.message})`, { interface: name, address, errno: cause.errno, cause }) };
  }

  /** Our routes of both families, canonical text. */
  const owned = async (table: LocalRouteTable, ifindex: number) => {
    const v4 = (await table.owned(ifindex, AddressFamily.Inet)).map((d) => formatIpv4Vip(d as number));
    const v6 = (await table.owned(ifindex, AddressFamily.Inet6)).map((d) => formatAddress(AddressFamily.Inet6, d as Uint8Array, 128));
    return [...v4, ...v6];
  };
  const ownedSet = async (table: LocalRouteTable, ifindex: number) => new Set(await owned(table, ifindex));

  return {
    listOwned: () =>
      serialized(async (table) => {
        const link = await table.link();
        return owned(table, link.ifindex);
      }),

    countOwned: () =>
      serialized(async (table) => {
        const link = await table.link();
        return (await table.countOwned(link.ifindex, AddressFamily.Inet)) + (await table.countOwned(link.ifindex, AddressFamily.Inet6));
      }),

    add: (inputs, progress) =>
      serialized(async (table) => {
        const link = await table.link();
        const done: string[] = [];
        const foreign: string[] = [];
        const failed: BatchResult['failed'] = [];
        /** EEXIST (ours or another's?) and lost answers (placed or not?): the table decides, after the run. */
        const existed: string[] = [];
        const lost: string[] = [];
        let refusalWhileLost: NetlinkAck | undefined;
        // Parsed a slice at a time, between kernel work, so that no long stretch blocks the loop.
        for (let from = 0; from < inputs.length; from += PARSE_SLICE) {
          const slice = inputs.slice(from, from + PARSE_SLICE);
          const parsed = parseAll(slice, 'add');
          failed.push(...parsed.failed);
          const applied = await table.apply(link.ifindex, 'add', parsed.values, (chunk) => {
            const answered = new Map(chunk.refused.map((r) => [r.index, r.ack]));
            const chunkDone: string[] = [];
            for (let i = chunk.start; i < chunk.end; i++) {
              const ack = answered.get(i);
              if (ack === undefined && !chunk.lost) chunkDone.push(parsed.keys[i]!);
              else if (ack === undefined) lost.push(parsed.keys[i]!);
              else if (errnoName(ack.errno) === 'EEXIST') existed.push(parsed.keys[i]!);
              else failed.push(refused('add', parsed.keys[i]!, ack));
            }
            if (chunk.lost && chunk.refused.length > 0) refusalWhileLost ??= chunk.refused[0]!.ack;
            done.push(...chunkDone);
            if (chunkDone.length > 0) progress?.({ done: chunkDone, foreign: [] });
          });
          if (applied.stoppedBy) {
            for (const key of parsed.keys.slice(applied.sent)) failed.push(stopped('add', key, applied.stoppedBy));
            for (const input of inputs.slice(from + PARSE_SLICE)) failed.push(stopped('add', input, applied.stoppedBy));
            break;
          }
        }
        if (existed.length + lost.length > 0) {
          // EEXIST: a local route for it was there, ours (a restart) or another's (an operator's
          // own, or the kernel's for an address on the node). Lost answers: whatever is ours is
          // done; the rest failed, for the reason the kernel gave the others of its chunk if any.
          const ours = await ownedSet(table, link.ifindex);
          const late = { done: [] as string[], foreign: [] as string[] };
          for (const key of existed) (ours.has(key) ? late.done : late.foreign).push(key);
          for (const key of lost) {
            if (ours.has(key)) late.done.push(key);
            else if (refusalWhileLost) failed.push(refused('add', key, refusalWhileLost));
            else failed.push({ address: key, error: new VipError('VIP_ERR_NETLINK_FAILED', `${cannot('add', key)}: no answer from the kernel (its replies were dropped) and no route of ours is there`, { interface: name, address: key }) });
          }
          done.push(...late.done);
          foreign.push(...late.foreign);
          if (late.done.length + late.foreign.length > 0) progress?.(late);
        }
        return { done, foreign, failed, interfaceUp: link.up };
      }),

    remove: (inputs) =>
      serialized(async (table) => {
        const link = await table.link();
        const done: string[] = [];
        const failed: BatchResult['failed'] = [];
        const unsure: string[] = [];
        for (let from = 0; from < inputs.length; from += PARSE_SLICE) {
          const parsed = parseAll(inputs.slice(from, from + PARSE_SLICE), 'remove');
          failed.push(...parsed.failed);
          const applied = await table.apply(link.ifindex, 'remove', parsed.values, (chunk) => {
            const answered = new Map(chunk.refused.map((r) => [r.index, r.ack]));
            for (let i = chunk.start; i < chunk.end; i++) {
              const ack = answered.get(i);
              // ESRCH: no route of ours for it (absent, or only another's): not ours on the node now.
              if ((ack === undefined && !chunk.lost) || (ack !== undefined && errnoName(ack.errno) === 'ESRCH')) done.push(parsed.keys[i]!);
              else if (ack === undefined) unsure.push(parsed.keys[i]!);
              else failed.push(refused('remove', parsed.keys[i]!, ack));
            }
          });
          if (applied.stoppedBy) {
            for (const key of parsed.keys.slice(applied.sent)) failed.push(stopped('remove', key, applied.stoppedBy));
            for (const input of inputs.slice(from + PARSE_SLICE)) failed.push(stopped('remove', input, applied.stoppedBy));
            break;
          }
        }
        if (unsure.length > 0) {
          const ours = await ownedSet(table, link.ifindex);
          for (const key of unsure) {
            if (!ours.has(key)) done.push(key);
            else failed.push({ address: key, error: new VipError('VIP_ERR_NETLINK_FAILED', `${cannot('remove', key)}: no answer from the kernel and the route is still there`, { interface: name, address: key }) });
          }
        }
        return { done, foreign: [], failed, interfaceUp: link.up };
      }),
  };
}
