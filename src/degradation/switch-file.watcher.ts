import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { InjectConfig } from '../config';
import { degradationConfig, type DegradationConfig } from './degradation.config';
import { FeatureSwitches } from './feature-switches.service';
import { parseSwitchFile } from './switch-file.parser';

/** Wait after a watch event before reading, so one save (truncate + write) is read once, complete. */
const SETTLE_MS = 25;

/**
 * Keeps the `file` source of {@link FeatureSwitches} in step with DEGRADATION_SWITCHES_FILE.
 * Watches the file's directory (a rename or a Kubernetes ConfigMap `..data` symlink swap replaces
 * the file rather than writing it, which a watch on the file itself would miss) and re-reads it
 * every DEGRADATION_FILE_POLL_MS as well, since some filesystems and editors defeat watching.
 * A change is applied within ~the poll interval at worst. A file that does not parse or validate
 * is rejected with one error line (per distinct content) and the last good one stays in force;
 * a missing file keeps the last good one too (warned once).
 */
@Injectable()
export class SwitchFileWatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SwitchFile');
  private watcher?: FSWatcher;
  private poll?: NodeJS.Timeout;
  private settle?: NodeJS.Timeout;
  /** Text of the last read (good or bad), so an unchanged file is neither re-applied nor re-reported. */
  private lastText?: string;
  private missingReported = false;
  private reading?: Promise<void>;
  private stopped = false;
  /** Files loaded and rejected since start. */
  loads = 0;
  rejections = 0;

  constructor(
    @InjectConfig(degradationConfig) private readonly config: DegradationConfig,
    private readonly switches: FeatureSwitches,
  ) {}

  async onModuleInit(): Promise<void> {
    const path = this.config.file;
    if (path === undefined) return;
    await this.reload();
    try {
      const name = basename(path);
      this.watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
        // Any change in the directory may be a symlink swap (`..data`), so names other than ours count too.
        if (changed === null || changed === name || changed.startsWith('..')) this.scheduleReload();
      });
      this.watcher.on('error', (error) => this.logger.warn({ err: { message: error.message } }, 'watching the switches file failed; polling only'));
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'cannot watch the switches file directory; polling only');
    }
    this.poll = setInterval(() => void this.reload(), this.config.filePollMs).unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.poll);
    clearTimeout(this.settle);
  }

  /** Reads the file now and applies it when it changed and is valid. One read at a time. */
  reload(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private scheduleReload(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => void this.reload(), SETTLE_MS).unref();
  }

  private async read(): Promise<void> {
    const path = this.config.file!;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (!this.missingReported)
        this.logger.warn({ path, err: { message: (error as Error).message } }, 'switches file unreadable; keeping the last good switches');
      this.missingReported = true;
      return;
    }
    this.missingReported = false;
    if (this.stopped || text === this.lastText) return;
    this.lastText = text;
    const result = parseSwitchFile(path, text);
    if (!result.ok) {
      this.rejections += 1;
      this.logger.error({ path, problems: result.problems }, `switches file rejected, keeping the last good switches: ${result.problems.join('; ')}`);
      return;
    }
    this.loads += 1;
    this.logger.log({ path, switches: Object.fromEntries(result.switches) }, 'switches file loaded');
    const unknown = [...result.switches.keys()].filter((feature) => !this.switches.has(feature));
    // Not an error: the file may serve several roles or versions; but a typo should be visible.
    if (unknown.length > 0) this.logger.warn({ path, unknown }, `switches file names undeclared features: ${unknown.join(', ')}`);
    this.switches.replaceFile(result.switches);
  }
}
