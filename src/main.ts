// The vip-speaker command line: argument parsing and dispatch to the commands.
import { parseArgs } from 'node:util';
import { VERSION } from './version.js';
import { decodeCommand } from './commands/decode.js';

const USAGE = `usage: vip-speaker <command> [options]

commands:
  decode FILE [--json] [--two-octet-as] [--extended-message]
      print every BGP message in FILE: a capture fixture (JSON), a hex dump or raw bytes
  version
      print the version
`;


export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'decode': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean' }, 'two-octet-as': { type: 'boolean' }, 'extended-message': { type: 'boolean' } },
      });
      if (positionals.length !== 1) {
        process.stderr.write(`vip-speaker decode: expected one FILE, got ${positionals.length}\n${USAGE}`);
        return 2;
      }
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
      process.stderr.write(`vip-speaker: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}
