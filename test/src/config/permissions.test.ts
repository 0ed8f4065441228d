// Who else may touch the config and password files: refused when users other than the owner can
// write them, a warning when every user can read a password file. With a fake host's modes, and
// once with real files and their real modes.
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatErrors, loadConfigFile, resolveConfig, systemHost, type HostAccess } from '../../../src/config/index.js';
import { fakeHost, MINIMAL } from './helpers.js';

const CONFIG = '/etc/vip-speaker/config.yaml';
const SECRET = '/run/secrets/tor-b';
const WITH_PASSWORD_FILE = `${MINIMAL}  - { address: 192.0.2.2, asn: 65001, passwordFile: ${SECRET} }\n`;

function host(modes: Record<string, number>, text = WITH_PASSWORD_FILE): HostAccess {
  return { ...fakeHost({ files: { [CONFIG]: text, [SECRET]: 'hunter2\n' } }), fileMode: (path) => modes[path] };
}

describe('config and password file permissions', () => {
  for (const mode of [0o666, 0o664, 0o646, 0o622]) {
    it(`refuses a config file with mode ${mode.toString(8)}, writable by others`, () => {
      const r = loadConfigFile(CONFIG, host({ [CONFIG]: mode, [SECRET]: 0o600 }));
      assert.ok(!r.ok);
      assert.equal(r.error[0]!.code, 'CONFIG_INSECURE');
      assert.match(formatErrors(r.error)[0]!, /config\.yaml: the config file .* is writable by users other than its owner \(mode 0\d+\).*chmod go-w/);
    });
  }

  it('takes a config file only its owner can write (0644, 0600)', () => {
    for (const mode of [0o644, 0o600, 0o444]) assert.ok(loadConfigFile(CONFIG, host({ [CONFIG]: mode, [SECRET]: 0o600 })).ok, mode.toString(8));
  });

  it('refuses a password file others can write, naming the key', () => {
    const r = loadConfigFile(CONFIG, host({ [CONFIG]: 0o644, [SECRET]: 0o602 }));
    assert.ok(!r.ok);
    assert.equal(r.error[0]!.code, 'CONFIG_INSECURE');
    assert.equal(r.error[0]!.path, 'peers[1].passwordFile');
    assert.ok(!formatErrors(r.error).join('\n').includes('hunter2'));
  });

  it('warns about a password file every user can read (a Secret volume\'s default 0644), and not about 0640 or 0400', () => {
    const warned = resolveConfig({ configPath: CONFIG, host: host({ [CONFIG]: 0o644, [SECRET]: 0o644 }) });
    assert.ok(warned.ok);
    assert.equal(warned.value.warnings.length, 1);
    assert.match(warned.value.warnings[0]!, /password file \/run\/secrets\/tor-b of peer 192\.0\.2\.2 is readable by every user of the node \(mode 0644\).*defaultMode: 0400/);
    for (const mode of [0o640, 0o400]) {
      const quiet = resolveConfig({ configPath: CONFIG, host: host({ [CONFIG]: 0o644, [SECRET]: mode }) });
      assert.ok(quiet.ok);
      assert.deepEqual(quiet.value.warnings, []);
    }
  });

  describe('with real files', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vip-speaker-perm-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the real mode, following symlinks: 0666 refused, 0600 taken, a 0644 password file warned about', () => {
      const config = join(dir, 'config.yaml');
      const secret = join(dir, 'password');
      writeFileSync(secret, 'hunter2\n');
      writeFileSync(config, `${MINIMAL}  - { address: 192.0.2.2, asn: 65001, passwordFile: ${secret} }\n`);
      const real = systemHost({});
      // As in a ConfigMap volume: the path given is a symlink (itself mode 0777) to the file.
      const link = join(dir, 'linked.yaml');
      symlinkSync(config, link);
      chmodSync(config, 0o666);
      const refused = loadConfigFile(link, real);
      assert.ok(!refused.ok && refused.error[0]!.code === 'CONFIG_INSECURE');
      chmodSync(config, 0o600);
      chmodSync(secret, 0o644);
      const loaded = resolveConfig({ configPath: link, host: real });
      assert.ok(loaded.ok, loaded.ok ? '' : formatErrors(loaded.error).join('\n'));
      assert.equal(loaded.value.warnings.length, 1);
      assert.equal(loaded.value.config.peers[1]!.passwordFile, secret);
    });
  });
});
