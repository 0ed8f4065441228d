#!/usr/bin/env node
// Entry point of the `vip-speaker` command (package.json "bin").
import { main } from './main.js';

// `vip-speaker manifest daemonset | head`: a reader that goes away is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A finished daemon may still hold handles (sockets closing); the exit code is decided.
    if (process.argv[2] === 'run' || process.argv[2] === 'manager') process.exit(code);
  },
  (err: Error) => {
    process.stderr.write(`vip-speaker: ${err.message}\n`);
    process.exitCode = 1;
  },
);
