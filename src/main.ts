// The vip-speaker command line: argument parsing and dispatch to the commands, each imported
// when it runs (commands/index.ts).
import { parseArgs } from 'node:util';
import { type RunOptions, commands } from './commands/index.js';
import { VERSION } from './version.js';

const USAGE = `usage: vip-speaker <command> [options]

commands:
  run [--config FILE] [--keep-routes-on-stop] [--no-watch]
      run the daemon (\`manager\`, kube-vip's name, is the same); without --config (or
      VIP_SPEAKER_CONFIG) it reads kube-vip's environment variables. SIGTERM/SIGINT withdraw every route and remove the VIPs
      (with --keep-routes-on-stop: leave them for a graceful restart); SIGHUP or a
      change of the file reloads it.
  validate [--config FILE]
      check a configuration without touching the network or the host
  status [--json] [--admin HOST:PORT]
      sessions and VIPs of the running daemon, from its admin endpoint (127.0.0.1:9469)
  manifest daemonset|rbac|pod|servicemonitor|prometheusrule|rules|dashboard [flags]
      print Kubernetes manifests (flags as kube-vip's generator; see manifest --help),
      the alerting rules, or the Grafana dashboard
  decode FILE [--json] [--two-octet-as] [--extended-message]
      print every BGP message in FILE: a capture fixture (JSON), a hex dump or raw bytes
  version
      print the version
`;

/** Each command's own help, for `vip-speaker COMMAND --help`. */
const COMMAND_HELP: Record<string, string> = {
  run: `usage: vip-speaker run [--config FILE] [--keep-routes-on-stop] [--no-watch]
       vip-speaker manager [...]   (kube-vip's name for it, so that its manifests run unchanged)

Runs the daemon. The configuration is checked first, exactly as \`validate\` checks it, and
nothing is touched when it has errors (exit 2).

  --config FILE           the YAML configuration (or VIP_SPEAKER_CONFIG); without it, kube-vip's
                          environment variables (bgp_enable, bgp_as, bgp_peers, address, ...)
  --keep-routes-on-stop   on SIGTERM/SIGINT leave the routes and VIPs in place, for the routers'
                          graceful restart, instead of withdrawing them
  --no-watch              do not reload when the file or a password file it names changes
                          (SIGHUP still reloads)

docs/configuration.md has every setting.
`,
  validate: `usage: vip-speaker validate [--config FILE]

Checks a configuration without touching the network or the host: one line per problem, with the
key (or variable) and the line, exit 2 on any. A password file or variable that does not exist on
this machine is a warning here (the secret may be mounted only where it runs); \`run\` refuses to
start without it.

  --config FILE   the YAML configuration (or VIP_SPEAKER_CONFIG); without it, kube-vip's
                  environment variables
`,
  status: `usage: vip-speaker status [--json] [--admin HOST:PORT]

The running daemon's sessions (like a router's "show bgp summary"), BFD sessions, and VIPs: to how
many peers each is announced, and under leader election which node holds it.

  --json              the whole status document, as /status serves it
  --admin HOST:PORT   the admin endpoint (127.0.0.1:9469)
`,
  decode: `usage: vip-speaker decode FILE [--json] [--two-octet-as] [--extended-message]

Prints every BGP message in FILE: a capture fixture (JSON), a hex dump, or raw bytes.

  --json               one JSON object per message
  --two-octet-as       the session did not negotiate four-octet AS numbers (RFC 6793)
  --extended-message   the session negotiated messages up to 65535 octets (RFC 8654)
`,
};

function helpFor(command: string, rest: readonly string[]): string | undefined {
  return rest.some((a) => a === '--help' || a === '-h') ? COMMAND_HELP[command === 'manager' ? 'run' : command] : undefined;
}

function fail(message: string): number {
  process.stderr.write(`vip-speaker: ${message}\n${USAGE}`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const help = command === undefined ? undefined : helpFor(command, rest);
  if (help !== undefined) {
    process.stdout.write(help);
    return 0;
  }
  try {
    switch (command) {
      // kube-vip's command name: a kube-vip manifest's `args: [manager]` runs vip-speaker unchanged.
      case 'manager':
      case 'run': {
        const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, 'keep-routes-on-stop': { type: 'boolean' }, 'no-watch': { type: 'boolean' } } });
        const options: RunOptions = { keepRoutesOnStop: values['keep-routes-on-stop'] === true, watchConfig: values['no-watch'] !== true };
        if (values.config !== undefined) options.configPath = values.config;
        return await (await commands.run())(options);
      }
      case 'validate': {
        const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } } });
        return (await commands.validate())(values.config, (l) => process.stdout.write(l + '\n'), (l) => process.stderr.write(`vip-speaker: ${l}\n`));
      }
      case 'status': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, admin: { type: 'string' } } });
        return await (await commands.status())({ admin: values.admin ?? '127.0.0.1:9469', json: values.json === true }, (l) => process.stdout.write(l + '\n'));
      }
      case 'manifest':
        return (await import('./manifest/index.js')).manifestCommand(rest, (l) => process.stdout.write(l + '\n'));
      case 'decode': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { json: { type: 'boolean' }, 'two-octet-as': { type: 'boolean' }, 'extended-message': { type: 'boolean' } },
        });
        if (positionals.length !== 1) return fail(`decode: expected one FILE, got ${positionals.length}`);
        const failures = (await commands.decode())(
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
