// The layering of src/ as lint enforces it (eslint/layers.js, ranks in eslint.config.js): each
// case lints a line as if it stood in a file of src/, through the project's own ESLint config.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = process.cwd();

async function layerErrors(file: string, line: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(`${line}\nexport const used = 1;\n`, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'layers/order').map((m) => m.message);
}

describe('lint: the layers of src/', function () {
  this.timeout(60_000);

  it('refuses an import of a higher layer', async () => {
    assert.deepEqual(await layerErrors('src/registry/registry.ts', "import { Daemon } from '../daemon.js';"), ['src/registry (layer 1) must not import src/daemon (layer 5): a module imports only lower layers']);
  });

  it('refuses an import of the same layer from another module', async () => {
    assert.deepEqual(await layerErrors('src/kubernetes/cluster.ts', "import { ArpError } from '../arp/index.js';"), ['src/kubernetes (layer 3) must not import src/arp (layer 3): a module imports only lower layers']);
  });

  it('refuses a deep import past a folder\'s index.ts, dynamic imports included', async () => {
    assert.deepEqual(await layerErrors('src/daemon.ts', "const m = await import('./kubernetes/cluster.js');"), ['src/kubernetes/ is used through its index.ts, not kubernetes/cluster.js']);
  });

  it('refuses a module that has no layer', async () => {
    assert.deepEqual(await layerErrors('src/plugins/x.ts', "import { VERSION } from '../version.js';"), ['src/plugins has no layer: give it a rank in eslint.config.js']);
  });

  it('lets a module import a lower layer through its index.ts, and itself freely', async () => {
    assert.deepEqual(await layerErrors('src/daemon.ts', "import { VipRegistry } from './registry/index.js';"), []);
    assert.deepEqual(await layerErrors('src/kubernetes/cluster.ts', "import { startServiceSources } from './services/sources.js';"), []);
  });
});
