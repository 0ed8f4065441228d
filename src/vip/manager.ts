// The VIP address manager: compares what the daemon wants with one dump of the interface, sends
// only the changes, and reads the interface again so that `done` is what the kernel shows, not
// what it acknowledged. Ownership is the IFA_PROTO mark: an address without it is never removed.
import { AddressFamily, formatAddress, isAddressProblem, parseVipAddress, type VipAddress } from './address.js';
import { VipError, errnoName, refusalError, type VipOperation } from './errors.js';
import { openKernelAddressTable, type AddressTable, type KernelTableOptions } from './kernel-table.js';
import { KERNEL_ADDRESS_PROTOCOLS, type KernelAddress, type KernelLink, type NetlinkAck } from './netlink-messages.js';

/**
 * Our default IFA_PROTO value: 86, ASCII 'V'. The kernel uses 0 to 3 (unspec, kernel_lo,
 * kernel_ra, kernel_ll) and no registry hands out the rest; nothing we know of uses 86. With
 * iproute2 6.4 or later an operator can name it: `86 vip-speaker` in /etc/iproute2/rt_addrprotos.
 */
export const DEFAULT_VIP_ADDRESS_PROTO = 86;

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
  /** Each with its reason; the address is the canonical form, or the input when it did not parse. */
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
  const openTable = options.openTable ?? openKernelAddressTable;
  const tableOptions: KernelTableOptions = { interface: name, proto, netns: options.netns };

  // One operation at a time: each compares a dump with its wishes, which an interleaved one would spoil.
  let queue: Promise<unknown> = Promise.resolve();
  function serialized<T>(operation: (table: AddressTable) => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      const table = openTable(tableOptions);
      try {
        return await operation(table);
      } finally {
        table.close();
      }
    });
    queue = run.catch(() => undefined);
    return run;
  }

  const keyOf = (a: KernelAddress) =>
    a.family === AddressFamily.Inet || a.family === AddressFamily.Inet6 ? formatAddress(a.family, a.bytes, a.prefixLength) : undefined;
  const byKey = (list: KernelAddress[]) => new Map(list.flatMap((a) => (keyOf(a) ? [[keyOf(a)!, a] as const] : [])));
  const isOurs = (a: KernelAddress | undefined) => a !== undefined && a.proto === proto;
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
   * Applies one kind of change to each address: each address's answer, a VipError if the batch
   * stopped before it got one. An address not in the map was not sent at all.
   */
  async function applyAll(table: AddressTable, link: KernelLink, kind: 'add' | 'remove', addresses: VipAddress[]): Promise<Map<VipAddress, Answer>> {
    if (addresses.length === 0) return new Map();
    const { answers, stoppedBy } = await table.apply(link.ifindex, addresses.map((address) => ({ kind, address })));
    return new Map(addresses.map((address, i) => [address, answers[i] ?? stoppedBy]));
  }

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

  /** The addresses that carry our mark and are VIPs at all (one with our number on a /24 is not ours). */
  const ownedVips = (list: KernelAddress[]) =>
    list.filter(isOurs).flatMap((a) => {
      const parsed = parseVipAddress(keyOf(a) ?? '');
      return isAddressProblem(parsed) ? [] : [parsed];
    });

  /** Removes those of `wanted` that are ours in `before`, then sorts every one of `wanted` by a fresh dump. */
  async function removeOwned(table: AddressTable, link: KernelLink, before: Map<string, KernelAddress>, wanted: VipAddress[], failed: BatchResult['failed']): Promise<BatchResult> {
    const targets = wanted.filter((a) => isOurs(before.get(a.text)));
    const answers = await applyAll(table, link, 'remove', targets);
    const after = targets.length > 0 ? byKey(await table.addresses(link.ifindex)) : before;
    const done: string[] = [];
    const foreign: string[] = [];
    for (const address of wanted) {
      if (!after.has(address.text)) done.push(address.text);
      else if (!answers.has(address)) foreign.push(address.text);
      else failed.push(failure('remove', address, answers.get(address), 'the kernel acknowledged the removal but the address is still there'));
    }
    return { done, foreign, failed, interfaceUp: link.up };
  }

  return {
    listOwned: () =>
      serialized(async (table) => {
        const link = await table.link();
        return ownedVips(await table.addresses(link.ifindex)).map((a) => a.text);
      }),

    add: (inputs) =>
      serialized(async (table) => {
        const { valid, failed } = parseAll(inputs, 'add');
        const link = await table.link();
        const before = byKey(await table.addresses(link.ifindex));
        const missing = valid.filter((a) => !before.has(a.text));
        const answers = await applyAll(table, link, 'add', missing);
        const after = missing.length > 0 ? byKey(await table.addresses(link.ifindex)) : before;
        const done: string[] = [];
        const foreign: string[] = [];
        const unmarked: VipAddress[] = [];
        for (const address of valid) {
          const now = after.get(address.text);
          const ack = answers.get(address);
          if (isOurs(now)) done.push(address.text);
          else if (now && !(ack instanceof VipError) && ack?.errno === 0) {
            // We created it (EXCL succeeded) yet it has no mark: a kernel before 5.18 ignored IFA_PROTO.
            unmarked.push(address);
            const message = `${cannot('add', address.text)}: the kernel dropped its IFA_PROTO mark (Linux 5.18 or later is needed); removed again`;
            failed.push({ address: address.text, error: new VipError('VIP_ERR_MARK_NOT_KEPT', message, { interface: name, address: address.text }) });
          } else if (now) foreign.push(address.text); // there before us, or added by another meanwhile (EEXIST)
          else failed.push(failure('add', address, ack, ack ? 'the kernel acknowledged it but the address is not there' : 'no answer from the kernel and the address is not there'));
        }
        // Unmarked, it would outlive us unseen: take back what we just created.
        await applyAll(table, link, 'remove', unmarked);
        return { done, foreign, failed, interfaceUp: link.up };
      }),

    remove: (inputs) =>
      serialized(async (table) => {
        const { valid, failed } = parseAll(inputs, 'remove');
        const link = await table.link();
        return removeOwned(table, link, byKey(await table.addresses(link.ifindex)), valid, failed);
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
        return removeOwned(table, link, byKey(before), stale, []);
      }),
  };
}
