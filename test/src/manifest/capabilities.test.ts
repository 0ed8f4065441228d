// Why the manifests run the speaker as uid 0 (root only): the container's security context,
// applied with setpriv the way runc applies it (capabilities.add into the bounding and inheritable
// sets, never the ambient one; allowPrivilegeEscalation: false as no_new_privs), then the VIP
// manager adding a VIP to lo in a network namespace made for this test.
//   - as the manifest says, uid 0 with NET_ADMIN and NET_RAW only: the VIP is added, and the
//     effective set is exactly those two;
//   - as uid 65532 with the same capabilities: EPERM, since without ambient capabilities execve
//     leaves a non-root process none (kubernetes/kubernetes#56374).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { V1SecurityContext } from '@kubernetes/client-node';
import { speakerSecurityContext } from '../../../src/manifest/index.js';

const childScript = fileURLToPath(new URL('../vip/netns-child.js', import.meta.url));
const namespace = `vsman-${process.pid}`;

/** The setpriv arguments that give a process what runc gives the container. */
function setprivFor(context: V1SecurityContext, uid = context.runAsUser ?? 0): string[] {
  const drop = context.capabilities?.drop ?? [];
  assert.deepEqual(drop, ['ALL'], 'the emulation assumes drop: [ALL]');
  const caps = ['-all', ...(context.capabilities?.add ?? []).map((c) => `+${c.toLowerCase()}`)].join(',');
  return [
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    `--bounding-set=${caps}`,
    `--inh-caps=${caps}`,
    ...(context.allowPrivilegeEscalation === false ? ['--no-new-privs'] : []),
  ];
}

function inNamespace(setpriv: string[], request: object) {
  const run = spawnSync('ip', ['netns', 'exec', namespace, 'setpriv', ...setpriv, process.execPath, childScript, JSON.stringify(request)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { done: string[]; failed: Array<{ address: string; code: string }> };
}

describe("the manifests' security context against the kernel (root only)", function () {
  this.timeout(30_000);

  before(function () {
    const missing = ['ip', 'setpriv'].find((tool) => spawnSync(tool, ['-V']).error !== undefined);
    if (process.platform !== 'linux' || process.getuid?.() !== 0 || missing) {
      console.log(`      skipped: needs root on Linux with ip and setpriv${missing ? ` (no ${missing})` : ''}`);
      this.skip();
    }
    assert.equal(spawnSync('ip', ['netns', 'add', namespace]).status, 0);
    spawnSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
  });

  after(() => {
    spawnSync('ip', ['netns', 'delete', namespace]);
  });

  it('as the manifest says (uid 0, NET_ADMIN and NET_RAW, no_new_privs) adds the VIP to lo', () => {
    const line = inNamespace(setprivFor(speakerSecurityContext()), { interface: 'lo', add: ['192.0.2.7'] });
    assert.deepEqual(line, { done: ['192.0.2.7/32'], failed: [] });
  });

  it('as the manifest says, holds exactly NET_ADMIN and NET_RAW', () => {
    const status = spawnSync('setpriv', [...setprivFor(speakerSecurityContext()), 'cat', '/proc/self/status'], { encoding: 'utf8' }).stdout;
    assert.match(status, /^CapEff:\s+0000000000003000$/m); // bits 12 (NET_ADMIN) and 13 (NET_RAW)
  });

  it('as uid 65532 with the same capabilities gets EPERM: the kernel leaves a non-root process none', () => {
    const line = inNamespace(setprivFor(speakerSecurityContext(), 65532), { interface: 'lo', add: ['192.0.2.8'] });
    assert.deepEqual(line.done, []);
    assert.deepEqual(line.failed.map((f) => f.code), ['VIP_ERR_PERMISSION']);
  });
});
