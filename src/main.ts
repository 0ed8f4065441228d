// The vip-speaker command line: argument parsing and dispatch to the commands.
// Each command is imported when it runs: `run` is on the clock of every cold start, and the
// manifest generator, the decoder and the status client are modules it has no use for.
import { parseArgs } from 'node:util';
import { VERSION } from './version.js';

const USAGE = `usage: vip-speaker <command> [options]

commands:
  run [--config FILE] [--keep-routes-on-stop] [--no-watch]
      run the daemon; without --config (or VIP_SPEAKER_CONFIG) it reads kube-vip's
      environment variables. SIGTERM/SIGINT withdraw every route and remove the VIPs
      (with --keep-routes-on-stop: leave them for a graceful restart); SIGHUP or a
      change of the file reloads it.
  validate [--config FILE]
      check a configuration without touching the network or the host
  status [--json] [--admin HOST:PORT]
      sessions and VIPs of the running daemon, from its admin endpoint (127.0.0.1:9469)
  manifest daemonset|rbac|pod [flags]
      print Kubernetes manifests (flags as kube-vip's generator; see manifest --help)
  decode FILE [--json] [--two-octet-as] [--extended-message]
      print every BGP message in FILE: a capture fixture (JSON), a hex dump or raw bytes
  version
      print the version
`;

function fail(message: string): number {
  process.stderr.write(`vip-speaker: ${message}\n${USAGE}`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, 'keep-routes-on-stop': { type: 'boolean' }, 'no-watch': { type: 'boolean' } } });
        const { runCommand } = await import('./commands/run.js');
        const options: Parameters<typeof runCommand>[0] = { keepRoutesOnStop: values['keep-routes-on-stop'] === true, watchConfig: values['no-watch'] !== true };
        if (values.config !== undefined) options.configPath = values.config;
        return await runCommand(options);
      }
      case 'validate': {
        const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } } });
        const { validateCommand } = await import('./commands/validate.js');
        return validateCommand(values.config, (l) => process.stdout.write(l + '\n'), (l) => process.stderr.write(`vip-speaker: ${l}\n`));
      }
      case 'status': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, admin: { type: 'string' } } });
        const { statusCommand } = await import('./commands/status.js');
        return await statusCommand({ admin: values.admin ?? '127.0.0.1:9469', json: values.json === true }, (l) => process.stdout.write(l + '\n'));
      }
      case 'manifest': {
        const { manifestCommand } = await import('./manifest/index.js');
        return manifestCommand(rest, (l) => process.stdout.write(l + '\n'));
      }
      case 'decode': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { json: { type: 'boolean' }, 'two-octet-as': { type: 'boolean' }, 'extended-message': { type: 'boolean' } },
        });
        if (positionals.length !== 1) return fail(`decode: expected one FILE, got ${positionals.length}`);
        const { decodeCommand } = await import('./commands/decode.js');
        const failures = decodeCommand(
          positionals[0]!,
          { json: values.json === true, fourOctetAs: values['two-octet-as'] !== true, extendedMessage: values['extended-message'] === true },
          (line) => process.stdout.write(line + '\n'),
        );
        return failures ? 1 : 0;
      }
      case 'version':
      case '--version':
        process.stdout.write(`vip-speaker ${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return fail(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return fail(e.message);
    process.stderr.write(`vip-speaker: ${e.message}\n`);
    return 1;
  }
}
