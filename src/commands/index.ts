// The CLI's commands: run (the daemon), validate, status (from the admin endpoint), decode. Each
// is loaded when it runs: `run` is on the clock of every cold start, and the decoder and the
// status client are modules it has no use for.
export const commands = {
  run: async () => (await import('./run.js')).runCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  status: async () => (await import('./status.js')).statusCommand,
  decode: async () => (await import('./decode.js')).decodeCommand,
};
export type { RunOptions } from './run.js';
