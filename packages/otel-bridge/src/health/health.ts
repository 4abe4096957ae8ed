import type { RuntimeState } from '@mvx-metrics/core';
import type { HealthLink, HealthTarget } from '../producer/pipeline-link.js';

/** Default of `health.exportFailuresUntilUnready`. */
export const DEFAULT_EXPORT_FAILURES_UNTIL_UNREADY = 3;

/** The JSON body of `/healthz` and `/readyz`. */
export interface HealthReport {
  /** `'ok'` with status 200, `'unavailable'` with 503. */
  readonly status: 'ok' | 'unavailable';
  /** Why not, one sentence each (empty when ok). */
  readonly reasons: readonly string[];
  /** Every bridged runtime and its state, in attach order. */
  readonly runtimes: readonly { readonly namespace: string; readonly state: RuntimeState }[];
}

/** Consecutive failures of one push exporter (reset by a success). */
interface ExportStreak {
  readonly name: string;
  failures: number;
}

/**
 * What the pipeline's probes answer. Liveness: ok unless a bridged runtime is `'failed'` (it can
 * no longer process; a restart is the cure). Readiness: ok once every bridged runtime is
 * `'running'`, and while no metric exporter has failed its last N consecutive attempts.
 */
export class PipelineHealth implements HealthLink {
  private readonly targets = new Set<HealthTarget>();
  private readonly held = new Set<Promise<unknown>>();
  private readonly streaks: ExportStreak[] = [];
  private shutDown = false;

  constructor(
    private readonly exportFailuresUntilUnready: number,
    private readonly flushProvider: () => Promise<void>,
  ) {}

  flush(): Promise<void> {
    return this.flushProvider();
  }

  track(target: HealthTarget): () => void {
    this.targets.add(target);
    return () => {
      this.targets.delete(target);
    };
  }

  hold(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.held.add(settled);
    void settled.then(() => this.held.delete(settled));
  }

  /** Resolves once every held piece of work settled, including work held meanwhile. */
  async settled(): Promise<void> {
    while (this.held.size > 0) await Promise.all([...this.held]);
  }

  /** A tally for one push exporter: call it with each export's outcome. */
  exportStreak(name: string): (succeeded: boolean) => void {
    const streak: ExportStreak = { name, failures: 0 };
    this.streaks.push(streak);
    return (succeeded) => {
      streak.failures = succeeded ? 0 : streak.failures + 1;
    };
  }

  /** From `pipeline.shutdown()` on, readiness answers 503. */
  markShutDown(): void {
    this.shutDown = true;
  }

  liveness(): HealthReport {
    const runtimes = this.runtimes();
    const reasons = [...this.targets]
      .filter((t) => t.state() === 'failed')
      .map((t) => `${t.label} failed: it can no longer process events`);
    return report(reasons, runtimes);
  }

  readiness(): HealthReport {
    const runtimes = this.runtimes();
    const reasons: string[] = [];
    if (this.shutDown) reasons.push('the metrics pipeline is shut down');
    for (const target of this.targets) {
      const state = target.state();
      if (state !== 'running') reasons.push(`${target.label} is ${state}`);
    }
    const n = this.exportFailuresUntilUnready;
    for (const streak of this.streaks) {
      if (streak.failures >= n) {
        reasons.push(
          `metric export "${streak.name}" failed on its last ${streak.failures} consecutive attempts (unready from ${n})`,
        );
      }
    }
    return report(reasons, runtimes);
  }

  private runtimes(): HealthReport['runtimes'] {
    return [...this.targets].map((t) => ({ namespace: t.namespace, state: t.state() }));
  }
}

function report(reasons: string[], runtimes: HealthReport['runtimes']): HealthReport {
  return { status: reasons.length === 0 ? 'ok' : 'unavailable', reasons, runtimes };
}
