// The VIP address manager: compares what the daemon wants with one dump of the interface, sends
// only the changes, and reads the interface again so that `done` is what the kernel shows, not
// what it acknowledged. Ownership is the IFA_PROTO mark: an address without it is never removed.
// A VIP is one address, keyed by its host form ('192.0.2.50/32') in every call and result; the
// kernel may hold it with a wider prefix (ARP mode's prefixLength), and ours is ours at any length.
import { AddressFamily, formatAddress, isAddressProblem, parseVipAddress, type VipAddress } from './address.js';
import { VipError, errnoName, refusalError, type VipOperation } from './errors.js';
import { openKernelAddressTable, type AddressChange, type AddressTable, type KernelTableOptions } from './kernel-table.js';
import { KERNEL_ADDRESS_PROTOCOLS, type KernelAddress, type KernelLink, type NetlinkAck } from './netlink-messages.js';
import { serializedTables } from './serial.js';

/**
 * Our default IFA_PROTO value: 86, ASCII 'V'. The kernel uses 0 to 3 (unspec, kernel_lo,
 * kernel_ra, kernel_ll) and no registry hands out the rest; nothing we know of uses 86. With
 * iproute2 6.4 or later an operator can name it: `86 vip-speaker` in /etc/iproute2/rt_addrprotos.
 */
export const DEFAULT_VIP_ADDRESS_PROTO = 86;

const HOST_PREFIX_LENGTHS = { ipv4: 32, ipv6: 128 } as const;

/** The kernel's ACK for one change, the error that stopped the batch before it, or nothing (lost). */
type Answer = NetlinkAck | VipError | undefined;

export interface BatchResult {
  /** add: ours and on the interface now. remove/removeStale: not on the interface now. Canonical forms, input order. */
  readonly done: string[];
  /**
   * On the interface without our mark (an operator's own, or another program's): left alone by
   * add and remove alike. The kernel accepts their traffic all the same, so after add they are in
   * place and may be announced (see `inPlace`); but remove will never take them away.
   */
  readonly foreign: string[];
  /**
   * Each with its reason; the address is the canonical form, or the input when it did not parse.
   * It may also name a VIP of ours not asked for: one the kernel deleted along with its subnet's
   * primary address (promote_secondaries off) that could not be put back.
   */
  readonly failed: Array<{ address: string; error: VipError }>;
  /** IFF_UP of the interface. A fresh namespace's lo is down: its addresses receive nothing. */
  readonly interfaceUp: boolean;
}

/** What may be announced after add: ours and foreign alike receive the traffic. */
export function inPlace(result: BatchResult): string[] {
  return [...result.done, ...result.foreign];
}

export interface VipAddressManager {
  /** Addresses on the interface that carry our mark, canonical ('192.0.2.7/32', '2001:db8::7/128'), kernel order. */
  listOwned(): Promise<string[]>;
  /** How many of ours there are, without their text. */
  countOwned(): Promise<number>;
  /** Adds what is missing; ours already there is done, another's is foreign and untouched. */
  add(addresses: readonly string[]): Promise<BatchResult>;
  /** Removes ours; an absent address is done, a foreign one is untouched. */
  remove(addresses: readonly string[]): Promise<BatchResult>;
  /** Removes every owned address not in `keep` (a crash's leftovers at start-up); `done` is what went. */
  removeStale(keep: ReadonlySet<string>): Promise<BatchResult>;
}

export interface VipAddressManagerOptions {
  /** Where VIPs live; 'lo' in the usual set-up. */
  readonly interface: string;
  /**
   * The prefix length each VIP is put on the interface with, by family (ARP mode's vip_subnet):
   * 1 to 32 and 1 to 128; 32 and 128 when absent. Only the kernel sees 192.0.2.50/24 (and the
   * connected route a wider prefix brings); this API still speaks of '192.0.2.50/32'.
   */
  readonly prefixLength?: { readonly ipv4: number; readonly ipv6: number };
  /** IFA_PROTO value that marks our addresses, 4 to 255; DEFAULT_VIP_ADDRESS_PROTO when absent. */
  readonly proto?: number;
  /** Work inside this network namespace (a name under /run/netns, or a path): for tests and labs. */
  readonly netns?: string;
  /** The kernel side; a fake in unit tests. */
  readonly openTable?: (options: KernelTableOptions) => AddressTable;
}

/** Checks the options and returns the manager; no I/O happens until the first call. */
export function createVipAddressManager(options: VipAddressManagerOptions): VipAddressManager {
  const name = options.interface;
  const proto = options.proto ?? DEFAULT_VIP_ADDRESS_PROTO;
  const invalid = (why: string) => new VipError('VIP_ERR_INVALID_OPTION', why, { interface: name });
  // IFNAMSIZ is 16 with the NUL; dev_valid_name() refuses '/', ':' and white space, '.' and '..'.
  if (!/^[^/:\s]{1,15}$/.test(name) || name === '.' || name === '..' || Buffer.byteLength(name) > 15) {
    throw invalid(`"${name}" is not a Linux interface name (1 to 15 octets, no '/', ':' or white space)`);
  }
  if (!Number.isInteger(proto) || proto <= KERNEL_ADDRESS_PROTOCOLS.kernelLl || proto > 255) {
    throw invalid(`address protocol ${proto} for ${name} is out of range: 0 to 3 are the kernel's, the field is 8 bits, so 4 to 255`);
  }
  const placed = options.prefixLength ?? HOST_PREFIX_LENGTHS;
  for (const [family, max] of [['ipv4', 32], ['ipv6', 128]] as const) {
    const length = placed[family];
    if (!Number.isInteger(length) || length < 1 || length > max) throw invalid(`${family} prefix length ${length} for ${name} is out of range: 1 to ${max}`);
  }
  const placedLength = (a: VipAddress) => (a.family === AddressFamily.Inet ? placed.ipv4 : placed.ipv6);
  const openTable = options.openTable ?? openKernelAddressTable;
  const tableOptions: KernelTableOptions = { interface: name, proto, netns: options.netns };

  const serialized = serializedTables(() => openTable(tableOptions));

  /** The VIP a kernel address stands for: its host form, whatever prefix length the kernel shows. */
  const hostKeyOf = (a: KernelAddress) =>
    a.family === AddressFamily.Inet || a.family === AddressFamily.Inet6 ? formatAddress(a.family, a.bytes, a.family === AddressFamily.Inet ? 32 : 128) : undefined;
  /** The interface's addresses by the VIP they stand for; IPv4 allows one address at several lengths at once. */
  const byHost = (list: KernelAddress[]) => {
    const map = new Map<string, KernelAddress[]>();
    for (const a of list) {
      const key = hostKeyOf(a);
      if (key !== undefined) map.set(key, [...(map.get(key) ?? []), a]);
    }
    return map;
  };
  const isOurs = (a: KernelAddress | undefined) => a !== undefined && a.proto === proto;
  /** One placement: an address at one prefix length, as the kernel tells them apart. */
  const placementKey = (a: { family: number; bytes: Uint8Array }, prefixLength: number) => `${a.family} ${Buffer.from(a.bytes).toString('hex')}/${prefixLength}`;
  const isAck = (answer: Answer): answer is NetlinkAck => answer !== undefined && !(answer instanceof VipError);
  const familyName = (a: VipAddress) => (a.family === AddressFamily.Inet ? 'inet' : 'inet6') as 'inet' | 'inet6';
  const cannot = (operation: VipOperation, address: string) =>
    operation === 'add' ? `cannot add ${address} to ${name}` : `cannot remove ${address} from ${name}`;

  function parseAll(inputs: readonly string[], operation: VipOperation): { valid: VipAddress[]; failed: BatchResult['failed'] } {
    const valid = new Map<string, VipAddress>();
    const failed: BatchResult['failed'] = [];
    for (const input of inputs) {
      const parsed = parseVipAddress(input);
      if (isAddressProblem(parsed)) {
        const error = new VipError('VIP_ERR_INVALID_ADDRESS', `${cannot(operation, input)}: ${parsed.reason}`, { interface: name, address: input });
        failed.push({ address: input, error });
      } else {
        valid.set(parsed.text, parsed); // '192.0.2.7' and '192.0.2.7/32' are one address
      }
    }
    return { valid: [...valid.values()], failed };
  }

  /**
   * Sends the changes in one batch; the answers of each address's changes, in order, a VipError
   * where the batch stopped before one. An address not in the map had nothing sent.
   */
  async function applyAll(table: AddressTable, link: KernelLink, changes: AddressChange[]): Promise<Map<VipAddress, Answer[]>> {
    const byAddress = new Map<VipAddress, Answer[]>();
    if (changes.length === 0) return byAddress;
    const { answers, stoppedBy } = await table.apply(link.ifindex, changes);
    changes.forEach((change, i) => byAddress.set(change.address, [...(byAddress.get(change.address) ?? []), answers[i] ?? stoppedBy]));
    return byAddress;
  }

  /** The answer that explains a failure: the first refusal or stopped batch, else the first answer. */
  const telling = (answers: Answer[] = []) => answers.find((a) => a instanceof VipError || (a !== undefined && a.errno !== 0)) ?? answers[0];

  function failure(operation: VipOperation, address: VipAddress, ack: Answer, what: string): BatchResult['failed'][number] {
    if (ack instanceof VipError) {
      const message = `${cannot(operation, address.text)}: the batch stopped before it (${ack.message})`;
      return { address: address.text, error: new VipError(ack.code, message, { interface: name, address: address.text, errno: ack.errno, cause: ack }) };
    }
    if (ack && ack.errno !== 0) {
      const refusal = { errno: errnoName(ack.errno), kernelMessage: ack.kernelMessage };
      return { address: address.text, error: refusalError(refusal, { operation, interface: name, address: address.text, family: familyName(address) }) };
    }
    return { address: address.text, error: new VipError('VIP_ERR_NETLINK_FAILED', `${cannot(operation, address.text)}: ${what}`, { interface: name, address: address.text }) };
  }

  /** The VIPs that carry our mark, once each, in kernel order (one with our number on 127.0.0.2/8 is no VIP). */
  const ownedVips = (list: KernelAddress[]) => {
    const owned = new Map<string, VipAddress>();
    for (const a of list.filter(isOurs)) {
      const parsed = parseVipAddress(hostKeyOf(a) ?? '');
      if (!isAddressProblem(parsed) && !owned.has(parsed.text)) owned.set(parsed.text, parsed);
    }
    return [...owned.values()];
  };

  /**
   * Applies the changes, then dumps the interface: each address's answers and what the kernel
   * shows now. Deleting the primary IPv4 address of a subnet deletes its secondaries with it
   * unless net.ipv4.conf.<if>.promote_secondaries is set (a fresh namespace has it off): ours
   * that went along unasked are put back, and reported in `failed` if they cannot be.
   */
  async function applyAndDump(table: AddressTable, link: KernelLink, before: KernelAddress[], changes: AddressChange[], failed: BatchResult['failed']) {
    const answers = await applyAll(table, link, changes);
    if (changes.length === 0) return { answers, after: before };
    const after = await table.addresses(link.ifindex);
    const couldTakeSecondaries = changes.some((c) => c.kind === 'remove' && c.address.family === AddressFamily.Inet && c.prefixLength < 32);
    if (!couldTakeSecondaries) return { answers, after };
    const touched = new Set(changes.map((c) => placementKey(c.address, c.prefixLength)));
    const still = new Set(after.map((a) => placementKey(a, a.prefixLength)));
    const restore = before.flatMap((a): AddressChange[] => {
      if (!isOurs(a) || a.family !== AddressFamily.Inet || a.prefixLength === 32) return [];
      const key = placementKey(a, a.prefixLength);
      const vip = parseVipAddress(hostKeyOf(a) ?? '');
      return touched.has(key) || still.has(key) || isAddressProblem(vip) ? [] : [{ kind: 'add', address: vip, prefixLength: a.prefixLength }];
    });
    if (restore.length === 0) return { answers, after };
    const restored = await applyAll(table, link, restore);
    const final = await table.addresses(link.ifindex);
    const back = new Set(final.filter(isOurs).map((a) => placementKey(a, a.prefixLength)));
    for (const change of restore) {
      if (back.has(placementKey(change.address, change.prefixLength))) continue;
      const why = `deleting another address of its subnet took it along (net.ipv4.conf.${name}.promote_secondaries is off) and it is not back`;
      failed.push(failure('add', change.address, telling(restored.get(change.address)), why));
    }
    return { answers, after: final };
  }

  /** Removes those of `wanted` that are ours in `before`, at every length the kernel shows, then sorts every one of `wanted` by a fresh dump. */
  async function removeOwned(table: AddressTable, link: KernelLink, before: KernelAddress[], wanted: VipAddress[], failed: BatchResult['failed']): Promise<BatchResult> {
    const present = byHost(before);
    // The kernel deletes by address and prefix length: ask for the length it has.
    const changes = wanted.flatMap((address) =>
      (present.get(address.text) ?? []).filter(isOurs).map((a): AddressChange => ({ kind: 'remove', address, prefixLength: a.prefixLength })),
    );
    // In the order the kernel lists them: it looks each one up from the head of the interface's
    // list, and IPv6 puts the newest first; input order made 10,000 IPv6 removals walk it all.
    const position = new Map(before.map((a, i) => [placementKey(a, a.prefixLength), i]));
    const at = (c: AddressChange) => position.get(placementKey(c.address, c.prefixLength)) ?? 0;
    changes.sort((x, y) => at(x) - at(y));
    const { answers, after } = await applyAndDump(table, link, before, changes, failed);
    const now = byHost(after);
    const done: string[] = [];
    const foreign: string[] = [];
    for (const address of wanted) {
      const left = now.get(address.text) ?? [];
      if (left.length === 0) done.push(address.text);
      else if (!answers.has(address) || !left.some(isOurs)) foreign.push(address.text);
      else failed.push(failure('remove', address, telling(answers.get(address)), 'the kernel acknowledged the removal but the address is still there'));
    }
    return { done, foreign, failed, interfaceUp: link.up };
  }

  return {
    listOwned: () =>
      serialized(async (table) => {
        const link = await table.link();
        return ownedVips(await table.addresses(link.ifindex)).map((a) => a.text);
      }),

    countOwned: () =>
      serialized(async (table) => {
        const link = await table.link();
        return ownedVips(await table.addresses(link.ifindex)).length;
      }),

    add: (inputs) =>
      serialized(async (table) => {
        const { valid, failed } = parseAll(inputs, 'add');
        const link = await table.link();
        const before = await table.addresses(link.ifindex);
        const present = byHost(before);
        const changes: AddressChange[] = [];
        const added = new Set<VipAddress>();
        for (const address of valid) {
          const mine = present.get(address.text) ?? [];
          if (mine.some((a) => !isOurs(a))) continue; // another's, at any length: left alone
          const length = placedLength(address);
          // Ours at another length (set up under another prefixLength) is replaced, so that the kernel shows what is configured.
          for (const old of mine) if (old.prefixLength !== length) changes.push({ kind: 'remove', address, prefixLength: old.prefixLength });
          if (mine.some((a) => a.prefixLength === length)) continue;
          changes.push({ kind: 'add', address, prefixLength: length }); // after the removals: IPv6 refuses one address twice (EEXIST)
          added.add(address);
        }
        const dumped = await applyAndDump(table, link, before, changes, failed);
        const answers = dumped.answers;
        const after = byHost(dumped.after);
        const done: string[] = [];
        const foreign: string[] = [];
        const unmarked: AddressChange[] = [];
        for (const address of valid) {
          const length = placedLength(address);
          const now = after.get(address.text) ?? [];
          const placedNow = now.find((a) => a.prefixLength === length);
          const addAnswer = added.has(address) ? answers.get(address)?.at(-1) : undefined;
          if (isOurs(placedNow)) done.push(address.text);
          else if (placedNow && isAck(addAnswer) && addAnswer.errno === 0) {
            // We created it (EXCL succeeded) yet it has no mark: a kernel before 5.18 ignored IFA_PROTO.
            unmarked.push({ kind: 'remove', address, prefixLength: length });
            const message = `${cannot('add', address.text)}: the kernel dropped its IFA_PROTO mark (Linux 5.18 or later is needed); removed again`;
            failed.push({ address: address.text, error: new VipError('VIP_ERR_MARK_NOT_KEPT', message, { interface: name, address: address.text }) });
          } else if (now.some((a) => !isOurs(a))) foreign.push(address.text); // there before us, or added by another meanwhile (EEXIST)
          else {
            const stale = now.find(isOurs);
            const what = stale
              ? `the kernel still shows it as /${stale.prefixLength}, not /${length}`
              : addAnswer ? 'the kernel acknowledged it but the address is not there' : 'no answer from the kernel and the address is not there';
            failed.push(failure('add', address, telling(answers.get(address)), what));
          }
        }
        // Unmarked, it would outlive us unseen: take back what we just created.
        await applyAll(table, link, unmarked);
        return { done, foreign, failed, interfaceUp: link.up };
      }),

    remove: (inputs) =>
      serialized(async (table) => {
        const { valid, failed } = parseAll(inputs, 'remove');
        const link = await table.link();
        return removeOwned(table, link, await table.addresses(link.ifindex), valid, failed);
      }),

    removeStale: (keep) =>
      serialized(async (table) => {
        const kept = new Set([...keep].flatMap((k) => {
          const parsed = parseVipAddress(k);
          return isAddressProblem(parsed) ? [] : [parsed.text];
        }));
        const link = await table.link();
        const before = await table.addresses(link.ifindex);
        const stale = ownedVips(before).filter((a) => !kept.has(a.text));
        return removeOwned(table, link, before, stale, []);
      }),
  };
}
