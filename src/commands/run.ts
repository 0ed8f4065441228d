// `vip-speaker run`: validates the configuration before touching anything, then runs the
// daemon until SIGTERM/SIGINT. SIGHUP, or a change of the config file, reloads it: an invalid
// file is refused with its errors and the running state is kept.
import { watch, type FSWatcher } from 'node:fs';
import { formatErrors, resolveConfig } from '../config/index.js';
import { Daemon, ReloadRefused } from '../daemon.js';
import { createLogger } from '../log.js';
import { LARGE_CHANGE, collectGarbageSoon, keepYoungGenerationSmall } from '../memory.js';
import { createVipPlacer } from '../vip/index.js';

export interface RunOptions {
  configPath?: string;
  /** On SIGTERM/SIGINT keep routes and VIPs for a graceful restart instead of withdrawing. */
  keepRoutesOnStop: boolean;
  watchConfig: boolean;
}

export async function runCommand(options: RunOptions): Promise<number> {
  keepYoungGenerationSmall();
  const loaded = resolveConfig(options.configPath !== undefined ? { configPath: options.configPath } : {});
  if (!loaded.ok) {
    for (const line of formatErrors(loaded.error)) process.stderr.write(`vip-speaker: ${line}\n`);
    process.stderr.write(`vip-speaker: ${loaded.error.length} error(s) in the configuration; nothing was changed\n`);
    return 2;
  }
  const { config, notes, source } = loaded.value;
  const log = createLogger({ level: config.log.level, format: config.log.format });
  for (const note of notes) log.info({ note }, 'configuration note');
  log.info({ source: source.kind === 'file' ? source.path : 'environment (kube-vip variables)' }, 'configuration loaded');

  // ARP mode puts each VIP on its interface as an address, with the segment's prefix length when
  // configured; BGP mode chooses per VIP between an address and a local route (src/vip/index.ts).
  const addresses = createVipPlacer({
    interface: config.vips.interface,
    ...(config.mode === 'arp' ? { placement: 'addresses', prefixLength: config.arp.prefixLength } : { placement: config.vips.placement }),
  });
  const daemon = new Daemon(config, { log, addresses });
  // A signal during start-up (a pod deleted at once) stops the daemon once start() has settled,
  // so that nothing start() sets up afterwards is left running, and the exit is clean.
  let signalled: NodeJS.Signals | undefined;
  let exitNow: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (exitNow) return exitNow(signal);
    signalled ??= signal;
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  try {
    await daemon.start();
  } catch (err) {
    log.error({ error: (err as Error).message }, 'cannot start');
    await daemon.stop();
    return 1;
  }

  let reloading = Promise.resolve();
  const reload = (why: string) => {
    reloading = reloading.then(async () => {
      const next = resolveConfig(options.configPath !== undefined ? { configPath: options.configPath } : {});
      if (!next.ok) {
        log.error({ trigger: why, errors: formatErrors(next.error) }, 'configuration reload refused: the file is invalid; the running configuration is kept');
        return;
      }
      // A reload of a large file leaves a file's worth of garbage: give it back soon (memory.ts).
      if (next.value.config.vips.static.length >= LARGE_CHANGE) collectGarbageSoon();
      try {
        const changes = await daemon.reload(next.value.config);
        log.info({ trigger: why, changes }, changes.length ? 'configuration reloaded' : 'configuration reloaded: nothing changed');
      } catch (err) {
        if (err instanceof ReloadRefused) log.error({ trigger: why, error: err.message }, 'configuration reload refused');
        else log.error({ trigger: why, error: (err as Error).message }, 'configuration reload failed');
      }
    });
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  let watcher: FSWatcher | undefined;
  if (options.watchConfig && source.kind === 'file') {
    let timer: NodeJS.Timeout | undefined;
    // Editors and ConfigMap updates replace the file (rename): watch its folder's entry.
    watcher = watch(source.path, () => {
      clearTimeout(timer);
      timer = setTimeout(() => reload('file changed'), 300);
    });
    watcher.on('error', () => undefined);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      watcher?.close();
      log.info({ signal, keepRoutes: options.keepRoutesOnStop }, 'stopping');
      void daemon.stop({ keepRoutes: options.keepRoutesOnStop, message: `vip-speaker stopped (${signal})` }).then(() => resolve(0));
    };
    exitNow = stop;
    if (signalled) stop(signalled);
  });
}
