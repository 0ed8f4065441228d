// The Dockerfile, without a Docker engine (there is none here): parsed and linted with
// dockerfile-ast and dockerfile-utils (the parser and linter behind VS Code's Dockerfile support),
// its shape checked, and then, in the slow part, its build stage run outside a container: the
// stage's COPY and RUN lines replayed in a temporary directory (npm ci, the build, the prune), the
// runtime stage's COPY --from=build lines gathered into a second one, and the ENTRYPOINT run
// from there. That proves the commands work and that the runtime file set is complete; what it
// cannot prove is the base image itself (Node 20 and npm from node:20-bookworm-slim here are the
// machine's).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { ValidationSeverity, validate } from 'dockerfile-utils';

const root = fileURLToPath(new URL('../../', import.meta.url));
const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

/** The stages, each with the instructions after its FROM. */
function stages(): Stage[] {
  const all: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
      all.push({ name: from.getBuildStage() ?? '', image: `${from.getImageName()}:${from.getImageTag()}`, instructions: [] });
    } else {
      all.at(-1)?.instructions.push(instruction);
    }
  }
  return all;
}

const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const flags = (i: Instruction) => ('getFlags' in i ? (i as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> }).getFlags() : []);
const fromFlag = (i: Instruction) => flags(i).find((f) => f.getName() === 'from')?.getValue();
const jsonArgs = (i: Instruction) => JSON.parse(i.getArgumentsContent() ?? '[]') as string[];
const [build, runtime] = stages();

describe('Dockerfile: lint and shape', () => {
  it('lints clean with every dockerfile-utils check raised to an error', () => {
    const checks = ['deprecatedMaintainer', 'directiveCasing', 'emptyContinuationLine', 'instructionCasing', 'instructionCmdMultiple', 'instructionEntrypointMultiple', 'instructionHealthcheckMultiple', 'instructionJSONInSingleQuotes', 'instructionWorkdirRelative'];
    const strict = Object.fromEntries(checks.map((check) => [check, ValidationSeverity.ERROR]));
    assert.deepEqual(validate(text, strict).map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
  });

  it('would catch a mistake (the linter is live)', () => {
    assert.ok(validate('FROM node:20-bookworm-slim\nRUNN npm ci\nWORKDIR app\n', { instructionWorkdirRelative: ValidationSeverity.ERROR }).length >= 2);
  });

  it('opens with the syntax directive (a comment anywhere else)', () => {
    assert.deepEqual(dockerfile.getDirectives().map((d) => `${d.getName()}=${d.getValue()}`), ['syntax=docker/dockerfile:1']);
  });

  it('has a build stage and a runtime stage, both on Node 20 slim', () => {
    assert.deepEqual(stages().map((s) => s.name), ['build', 'runtime']);
    for (const stage of stages()) assert.match(stage.image, /^node:20(\.\d+)*-bookworm-slim$/, stage.name);
    const engines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.equal(engines, '>=20', 'the image runs Node 20: check the base image when engines changes');
  });

  it('builds bgp/ and src/ only: no tests, labs or benchmarks in the image build', () => {
    const copied = build!.instructions.filter((i) => i.getKeyword() === 'COPY').flatMap((i) => args(i).slice(0, -1));
    assert.deepEqual(copied, ['package.json', 'package-lock.json', 'tsconfig.json', 'bgp', 'src']);
  });

  it('copies into the runtime stage only the compiled JavaScript, production node_modules and package.json', () => {
    const kinds = runtime!.instructions.map((i) => i.getKeyword());
    assert.deepEqual(kinds.filter((k) => !['ENV', 'WORKDIR', 'COPY', 'USER', 'ENTRYPOINT', 'CMD'].includes(k)), [], 'no RUN or ADD in the runtime stage');
    const copies = runtime!.instructions.filter((i) => i.getKeyword() === 'COPY');
    assert.ok(copies.every((i) => fromFlag(i) === 'build'), 'every COPY is --from=build');
    assert.deepEqual(copies.flatMap((i) => args(i).slice(0, -1)), ['/src/package.json', '/src/node_modules', '/src/dist/bgp', '/src/dist/src']);
  });

  it('runs as a non-root USER, with an ENTRYPOINT to dist/src/cli.js', () => {
    const user = runtime!.instructions.filter((i) => i.getKeyword() === 'USER').map(args).at(-1)?.[0];
    assert.ok(user !== undefined && !/^(0|root)(:|$)/.test(user), `USER ${user}`);
    const [entrypoint] = runtime!.instructions.filter((i) => i.getKeyword() === 'ENTRYPOINT');
    assert.deepEqual(jsonArgs(entrypoint!), ['node', '/app/dist/src/cli.js']);
    assert.deepEqual(jsonArgs(runtime!.instructions.find((i) => i.getKeyword() === 'CMD')!), ['run']);
  });
});

/** The environment for the replayed commands, less what an outer npm or c8 would leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_.*|NODE_V8_COVERAGE|NODE_ENV|NODE_OPTIONS)$/i.test(k)));
  // A warm npm cache is used first; the registry only for what it lacks.
  return { ...env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
}

/** Replays a stage's WORKDIR, ENV, COPY and RUN lines with `container` as the filesystem root. */
function replay(stage: Stage, container: string, source: (path: string) => string): void {
  let workdir = '/';
  const env = cleanEnv();
  for (const instruction of stage.instructions) {
    const words = args(instruction);
    switch (instruction.getKeyword()) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, words[0]!);
        mkdirSync(join(container, workdir), { recursive: true });
        break;
      case 'ENV':
        for (const word of words) env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
        break;
      case 'COPY': {
        const destination = join(container, posix.resolve(workdir, words.at(-1)!));
        const intoDirectory = words.length > 2 || words.at(-1)!.endsWith('/');
        for (const path of words.slice(0, -1).map(source)) {
          assert.ok(existsSync(path), `COPY ${path}: missing`);
          // A directory's contents go to the destination, as Docker copies them.
          const target = intoDirectory && !statSync(path).isDirectory() ? join(destination, basename(path)) : destination;
          cpSync(path, target, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        const command = instruction.getArgumentsContent()!;
        const run = spawnSync('sh', ['-c', command], { cwd: join(container, workdir), env, encoding: 'utf8', timeout: 600_000 });
        assert.equal(run.status, 0, `RUN ${command} failed:\n${run.stdout}\n${run.stderr}`);
        break;
      }
    }
  }
}

const slow = process.env.CI !== undefined || process.env.VIP_SPEAKER_SLOW_TESTS !== undefined;

describe('Dockerfile: the stages run outside a container (slow: npm ci, build, prune)', function () {
  this.timeout(900_000);
  let scratch: string | undefined;
  let app: string;

  before(function () {
    if (!slow) {
      console.log('      skipped: set VIP_SPEAKER_SLOW_TESTS=1 (CI sets CI) to run the build stage outside a container');
      this.skip();
    }
    scratch = mkdtempSync(join(tmpdir(), 'vip-speaker-image-'));
    const buildRoot = join(scratch, 'build');
    const runtimeRoot = join(scratch, 'runtime');
    replay(build!, buildRoot, (path) => join(root, path));
    replay(runtime!, runtimeRoot, (path) => join(buildRoot, path));
    app = join(runtimeRoot, 'app');
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('leaves the runtime file set: package.json, node_modules, dist/bgp, dist/src and nothing else', () => {
    for (const entry of ['package.json', 'node_modules', 'dist/bgp/index.js', 'dist/src/cli.js']) assert.ok(existsSync(join(app, entry)), entry);
    assert.ok(!existsSync(join(app, 'dist/test')) && !existsSync(join(app, 'src')), 'no tests, no TypeScript sources');
  });

  it('has the production dependencies and none of the dev-only packages (by package-lock.json)', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies)) assert.ok(existsSync(join(app, 'node_modules', name)), `${name} missing`);
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev === true).map(([path]) => path);
    assert.ok(devOnly.includes('node_modules/typescript'), 'the lockfile marks dev-only packages');
    assert.deepEqual(devOnly.filter((path) => existsSync(join(app, path))), []);
  });

  it('runs the ENTRYPOINT from that tree: `version`, and `validate` of kube-vip variables', () => {
    const [, script] = jsonArgs(runtime!.instructions.find((i) => i.getKeyword() === 'ENTRYPOINT')!);
    const cli = join(app, posix.relative('/app', script!));
    const version = spawnSync(process.execPath, [cli, 'version'], { cwd: app, encoding: 'utf8', env: cleanEnv() });
    const expected = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(version.stdout, `vip-speaker ${expected}\n`, version.stderr);
    const kubeVip = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', cp_enable: 'true', address: '192.0.2.10' };
    const validated = spawnSync(process.execPath, [cli, 'validate'], { cwd: app, encoding: 'utf8', env: { ...cleanEnv(), ...kubeVip } });
    assert.equal(validated.status, 0, `${validated.stdout}${validated.stderr}`);
  });
});
