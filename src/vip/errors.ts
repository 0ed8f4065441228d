// VIP address errors: values with a stable `code` to match and alert on, the errno name and the
// kernel's own sentence (netlink extended ACK) when the kernel said no, and a message that names
// the interface and the address, so that an operator can act on one log line.

/** Stable names for every error the VIP address manager reports. */
export type VipErrorCode =
  /** Not a single unicast address: a prefix wider than /32 or /128, loopback, multicast... */
  | 'VIP_ERR_INVALID_ADDRESS'
  /** An option is out of range: an address protocol reserved by the kernel, an empty interface name. */
  | 'VIP_ERR_INVALID_OPTION'
  /** The interface does not exist (ENODEV, or no link by that name). */
  | 'VIP_ERR_NO_SUCH_INTERFACE'
  /** The network namespace named in the options does not exist. */
  | 'VIP_ERR_NO_SUCH_NETNS'
  /** The process lacks CAP_NET_ADMIN (or CAP_SYS_ADMIN to enter a namespace): EPERM. */
  | 'VIP_ERR_PERMISSION'
  /** IPv6 is disabled on the interface (sysctl disable_ipv6: EACCES) or absent from the kernel. */
  | 'VIP_ERR_IPV6_DISABLED'
  /** The kernel refused this one address for another reason; `errno` and `kernelMessage` say which. */
  | 'VIP_ERR_ADDRESS_REFUSED'
  /** The kernel took the address but not its IFA_PROTO mark (a kernel before 5.18): rolled back. */
  | 'VIP_ERR_MARK_NOT_KEPT'
  /** Netlink cannot be reached at all: not Linux, koffi or libc missing, socket(2) refused. */
  | 'VIP_ERR_NETLINK_UNAVAILABLE'
  /** Netlink I/O failed midway: no answer in time, a truncated or malformed reply. */
  | 'VIP_ERR_NETLINK_FAILED';

/** What was being done when the error arose; it opens the message. */
export type VipOperation = 'add' | 'remove' | 'list' | 'open';

export interface VipErrorDetails {
  readonly interface: string;
  readonly address?: string;
  readonly errno?: string;
  /** The kernel's extended-ACK text, e.g. "ipv4: Address already assigned". */
  readonly kernelMessage?: string;
  readonly cause?: unknown;
}

export class VipError extends Error {
  override readonly name = 'VipError';
  readonly interface: string;
  readonly address: string | undefined;
  readonly errno: string | undefined;
  readonly kernelMessage: string | undefined;

  constructor(
    readonly code: VipErrorCode,
    message: string,
    details: VipErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.interface = details.interface;
    this.address = details.address;
    this.errno = details.errno;
    this.kernelMessage = details.kernelMessage;
  }
}

export { errnoName } from '../native/index.js';

/** A refusal as netlink reports it: the errno of an NLMSG_ERROR and its extended-ACK text. */
export interface KernelRefusal {
  readonly errno: string;
  readonly kernelMessage?: string;
}

/** Which address a refusal is about, and what was tried. */
export interface RefusalContext {
  readonly operation: VipOperation;
  readonly interface: string;
  readonly address?: string;
  readonly family?: 'inet' | 'inet6';
}

/** The stable code for a kernel refusal; the errno decides, the family only for EACCES. */
export function refusalCode(refusal: KernelRefusal, family?: 'inet' | 'inet6'): VipErrorCode {
  switch (refusal.errno) {
    case 'EPERM':
      return 'VIP_ERR_PERMISSION';
    case 'ENODEV':
      return 'VIP_ERR_NO_SUCH_INTERFACE';
    // ipv6_add_addr() answers EACCES when net.ipv6.conf.<if>.disable_ipv6 is 1; rtnetlink answers
    // EAFNOSUPPORT or EOPNOTSUPP when the kernel has no IPv6 at all (ipv6.disable=1).
    case 'EACCES':
    case 'EAFNOSUPPORT':
    case 'EOPNOTSUPP':
      return family === 'inet6' ? 'VIP_ERR_IPV6_DISABLED' : 'VIP_ERR_ADDRESS_REFUSED';
    default:
      return 'VIP_ERR_ADDRESS_REFUSED';
  }
}

const verbs: Record<VipOperation, string> = {
  add: 'cannot add',
  remove: 'cannot remove',
  list: 'cannot list the addresses of',
  open: 'cannot reach netlink for',
};

const hints: Partial<Record<VipErrorCode, string>> = {
  VIP_ERR_PERMISSION: 'vip-speaker needs CAP_NET_ADMIN',
  VIP_ERR_NO_SUCH_INTERFACE: 'no such interface',
  VIP_ERR_IPV6_DISABLED: 'IPv6 is disabled on this interface (sysctl net.ipv6.conf.<if>.disable_ipv6) or in the kernel',
};

/** The error for one refusal: "cannot add 192.0.2.7/32 to lo: vip-speaker needs CAP_NET_ADMIN (EPERM: ...)". */
export function refusalError(refusal: KernelRefusal, context: RefusalContext): VipError {
  const code = refusalCode(refusal, context.family);
  const target =
    context.address === undefined
      ? context.interface
      : `${context.address} ${context.operation === 'remove' ? 'from' : 'to'} ${context.interface}`;
  const said = refusal.kernelMessage ? `${refusal.errno}: ${refusal.kernelMessage}` : refusal.errno;
  const hint = hints[code] ?? 'the kernel refused it';
  return new VipError(code, `${verbs[context.operation]} ${target}: ${hint} (${said})`, {
    interface: context.interface,
    address: context.address,
    errno: refusal.errno,
    kernelMessage: refusal.kernelMessage,
  });
}
