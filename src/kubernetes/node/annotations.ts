// kube-vip's per-node BGP settings from annotations on this node's Node object, under a prefix
// set by kube-vip's `annotation` variable (pkg/manager/watch_annotations.go parseBgpAnnotations):
//
//   <prefix>/node-asn   this node's AS                      (required)
//   <prefix>/src-ip     source address, and the router id   (required)
//   <prefix>/peer-asn   the peers' AS                       (required)
//   <prefix>/peer-ip    the peers, comma-separated
//   <prefix>/bgp-pass   TCP MD5 password for every peer, base64 (Go's StdEncoding)
//   <prefix>/peer-multi-hop  "true" or "false": eBGP multihop for every peer; anything else makes
//                       kube-vip give up on the annotations, and so does vip-speaker
//
// Equinix Metal's own BGP setup writes exactly these: its routers at 169.254.255.1 and .2
// (IPv4 link-local, reached through a static route, so allowed as peers), multihop.
//
// Each key may also be written as Equinix Metal's cloud provider writes it since v3.3,
// `<prefix>/bgp-peers-0-<key>`; peer-ip as `<prefix>/bgp-peers-<n>-peer-ip` for any n, all of
// them gathered. kube-vip uses the annotations only once the three required ones are there and
// valid (`complete`); the result is a value, and the daemon decides how to apply it.
import { EventEmitter } from 'node:events';
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { PeerSpec } from '../../config/index.js';
import { DEFAULT_MULTIHOP_TTL, checkAsn, checkIp, goParseUint, unusablePeerAddress } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { abortable } from '../client.js';
import { type InformerFailureInfo, type InformerStatus, type InformerTuning, ResilientInformer } from '../informers/informer.js';

export type NodeAnnotationProblemCode = 'NODE_ANNOTATION_MISSING' | 'NODE_ANNOTATION_INVALID';

export interface NodeAnnotationProblem {
  code: NodeAnnotationProblemCode;
  /** The full annotation name. */
  annotation: string;
  /** Never shows a password. */
  message: string;
}

export interface NodeBgpOverrides {
  /** Some annotation under the prefix is set. */
  present: boolean;
  /** node-asn, src-ip and peer-asn are all set and valid: kube-vip's condition to use any of them. */
  complete: boolean;
  asn?: number;
  /** src-ip, when it is IPv4 (a router id is a dotted quad). */
  routerId?: string;
  /** src-ip. */
  sourceAddress?: string;
  /** One per address of peer-ip, each with peer-asn, bgp-pass and src-ip (when of its family). */
  peers?: PeerSpec[];
  errors: NodeAnnotationProblem[];
}

/** Longest password Linux takes for TCP MD5 (TCP_MD5SIG_MAXKEYLEN), as the config checks. */
const MAX_PASSWORD_BYTES = 80;

export function nodeBgpOverrides(annotations: Readonly<Record<string, string>> | undefined, prefix: string): NodeBgpOverrides {
  const all = annotations ?? {};
  const result: NodeBgpOverrides = { present: Object.keys(all).some((k) => k.startsWith(`${prefix}/`)), complete: false, errors: [] };
  if (!result.present) return result;
  const invalid = (annotation: string, message: string) => result.errors.push({ code: 'NODE_ANNOTATION_INVALID', annotation, message });
  const required = (key: string) => {
    const found = single(all, prefix, key);
    if (!found) result.errors.push({ code: 'NODE_ANNOTATION_MISSING', annotation: `${prefix}/${key}`, message: `${prefix}/${key} is missing or empty: kube-vip's node annotations are used only with node-asn, src-ip and peer-asn all set` });
    return found;
  };

  const nodeAsn = required('node-asn');
  const asn = nodeAsn && asnOf(nodeAsn.value);
  if (nodeAsn && typeof asn === 'string') invalid(nodeAsn.name, `${nodeAsn.name}: ${asn}`);
  else if (typeof asn === 'number') result.asn = asn;

  const srcIp = required('src-ip');
  const source = srcIp && checkIp(srcIp.value);
  if (srcIp && source && !source.ok) invalid(srcIp.name, `${srcIp.name}: ${source.error.message}`);
  else if (source?.ok) {
    result.sourceAddress = source.value;
    if (!source.value.includes(':')) result.routerId = source.value;
  }

  const peerAsnText = required('peer-asn');
  const peerAsn = peerAsnText && asnOf(peerAsnText.value);
  if (peerAsnText && typeof peerAsn === 'string') invalid(peerAsnText.name, `${peerAsnText.name}: ${peerAsn}`);

  let password: string | undefined;
  // kube-vip gives up on all the annotations when the password does not decode.
  let passwordUsable = true;
  const pass = single(all, prefix, 'bgp-pass');
  if (pass) {
    password = decodeBase64(pass.value);
    if (password === undefined) invalid(pass.name, `${pass.name} is not base64 (Go's encoding/base64 StdEncoding, with padding)`);
    else if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
      invalid(pass.name, `${pass.name}: the password is longer than ${MAX_PASSWORD_BYTES} bytes, the most Linux takes for TCP MD5`);
      password = undefined;
    }
    passwordUsable = password !== undefined;
  }

  // kube-vip: exactly "true" or "false", else an error that voids every annotation.
  let multihop = false;
  let multihopUsable = true;
  const hop = single(all, prefix, 'peer-multi-hop');
  if (hop && hop.value !== 'true' && hop.value !== 'false') {
    invalid(hop.name, `${hop.name}: expected "true" or "false", as kube-vip reads it, got ${JSON.stringify(hop.value)}`);
    multihopUsable = false;
  } else multihop = hop?.value === 'true';

  const peerIps = peerIpAnnotations(all, prefix);
  if (peerIps.length > 0 && typeof peerAsn === 'number') {
    const peers: PeerSpec[] = [];
    for (const { name, value } of peerIps) {
      for (const text of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        const address = checkIp(text);
        const unusable = address.ok ? unusablePeerAddress(address.value) : undefined;
        if (!address.ok) invalid(name, `${name}: ${address.error.message}`);
        else if (unusable) invalid(name, `${name}: ${text} is ${unusable} and cannot be a peer`);
        else if (!peers.some((p) => p.address === address.value)) peers.push(peerSpec(address.value, peerAsn, password, result.sourceAddress, multihop));
      }
    }
    result.peers = peers;
  }

  result.complete = result.asn !== undefined && result.sourceAddress !== undefined && typeof peerAsn === 'number' && passwordUsable && multihopUsable;
  return result;
}

/** `<prefix>/<key>`, else `<prefix>/bgp-peers-0-<key>`; an empty value counts as absent, as in kube-vip. */
function single(annotations: Readonly<Record<string, string>>, prefix: string, key: string): { name: string; value: string } | undefined {
  for (const name of [`${prefix}/${key}`, `${prefix}/bgp-peers-0-${key}`]) {
    const value: unknown = annotations[name];
    // Unchecked JSON from a watch: a value that is not a string counts as absent.
    if (typeof value === 'string' && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

/** `<prefix>/peer-ip` first, then `<prefix>/bgp-peers-<n>-peer-ip` by n. */
function peerIpAnnotations(annotations: Readonly<Record<string, string>>, prefix: string): { name: string; value: string }[] {
  const numbered: { n: number; name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(annotations)) {
    if (!name.startsWith(`${prefix}/bgp-peers-`)) continue;
    const m = /^bgp-peers-(\d+)-peer-ip$/.exec(name.slice(prefix.length + 1));
    if (m && typeof value === 'string') numbered.push({ n: Number(m[1]), name, value });
  }
  const plain: unknown = annotations[`${prefix}/peer-ip`];
  return [...(typeof plain === 'string' ? [{ name: `${prefix}/peer-ip`, value: plain }] : []), ...numbered.sort((a, b) => a.n - b.n)];
}

/** kube-vip: strconv.ParseUint(…, 10, 32); then our AS rules (no 0, no AS_TRANS). A string is the problem. */
function asnOf(text: string): number | string {
  if (goParseUint(text, 32) === undefined) return `expected an AS number 1..4294967295, got ${JSON.stringify(text)}`;
  const checked = checkAsn(text);
  return checked.ok ? checked.value : checked.error.message;
}

/** Go's base64.StdEncoding.DecodeString: padded, standard alphabet, CR and LF ignored. */
function decodeBase64(text: string): string | undefined {
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  return Buffer.from(clean, 'base64').toString('utf8');
}

function peerSpec(address: string, asn: number, password: string | undefined, source: string | undefined, multihop: boolean): PeerSpec {
  // Multihop sends with kube-vip's TTL (MultihopTtl 50), as a configured multihop peer does.
  const spec: PeerSpec = { address, asn, port: 179, multihop, ...(multihop ? { ttl: DEFAULT_MULTIHOP_TTL } : {}), communities: [], largeCommunities: [], passive: false };
  if (password !== undefined) {
    spec.password = password;
    spec.passwordSource = 'annotation';
  }
  // kube-vip sets the source for every peer; a source of the other family cannot be bound.
  if (source !== undefined && source.includes(':') === address.includes(':')) spec.sourceAddress = source;
  return spec;
}

export interface NodeAnnotationWatcherOptions {
  kubeConfig: KubeConfig;
  nodeName: string;
  /** kubernetes.nodeAnnotationPrefix (kube-vip's `annotation`). */
  prefix: string;
  log: Logger;
  informer?: InformerTuning;
}

export interface NodeAnnotationWatcherEvents {
  /** The overrides read from this node changed (the first value included). */
  change: [overrides: NodeBgpOverrides];
  synced: [];
  error: [error: Error, info: InformerFailureInfo];
  restored: [info: { downForMs: number; failures: number }];
}

/** Watches this node's Node object only (a metadata.name field selector) and emits its overrides when they change. */
export class NodeAnnotationWatcher extends EventEmitter<NodeAnnotationWatcherEvents> {
  readonly informer: ResilientInformer<V1Node>;
  private latest: NodeBgpOverrides | undefined;
  private signature: string | undefined;

  constructor(private readonly options: NodeAnnotationWatcherOptions) {
    super();
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${options.nodeName}`;
    this.informer = new ResilientInformer<V1Node>({
      ...options.informer,
      name: 'node',
      kubeConfig: options.kubeConfig,
      path: '/api/v1/nodes',
      fieldSelector,
      list: (signal) => core.listNode({ fieldSelector }, abortable(signal)),
    });
    this.informer.on('add', (node) => this.evaluate(node));
    this.informer.on('update', (node) => this.evaluate(node));
    this.informer.on('delete', () => this.evaluate(undefined));
    this.informer.on('synced', () => {
      const node = this.informer.get(options.nodeName);
      if (!node) options.log.warn({ node: options.nodeName }, 'this node has no Node object: no node annotations to read');
      this.evaluate(node);
      this.emit('synced');
    });
    this.informer.on('error', (err, info) => {
      if (info.outageStart) options.log.warn({ informer: 'node', error: this.informer.lastError?.message, retryInMs: info.retryInMs }, 'Kubernetes API unreachable: keeping the last known node annotations');
      if (this.listenerCount('error') > 0) this.emit('error', err, info);
    });
    this.informer.on('restored', (info) => this.emit('restored', info));
  }

  /** The overrides last read; undefined before the first list. */
  get current(): NodeBgpOverrides | undefined {
    return this.latest;
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  status(): InformerStatus {
    return this.informer.status();
  }

  private evaluate(node: V1Node | undefined): void {
    const overrides = nodeBgpOverrides(node?.metadata?.annotations, this.options.prefix);
    // Compared whole, password included; only ever logged without it.
    const signature = JSON.stringify(overrides);
    if (signature === this.signature) return;
    this.signature = signature;
    this.latest = overrides;
    const { log, nodeName, prefix } = this.options;
    log.info(
      { node: nodeName, prefix, complete: overrides.complete, asn: overrides.asn, routerId: overrides.routerId, sourceAddress: overrides.sourceAddress, peers: overrides.peers?.map((p) => p.address), problems: overrides.errors.map((e) => e.message) },
      'node BGP annotations changed',
    );
    this.emit('change', overrides);
  }
}
