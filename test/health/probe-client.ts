import type { Scheduler, SchedulerTask } from '@mvx-metrics/core';

/** One probe answer: status, JSON body (or `undefined` when empty/not JSON), content type. */
export interface ProbeAnswer {
  readonly status: number;
  readonly body: { status?: string; reasons?: string[]; runtimes?: unknown[] } | undefined;
  readonly text: string;
  readonly contentType: string | null;
}

/** GETs (or HEADs) `path` on `base` (e.g. `http://127.0.0.1:1234`). */
export async function probe(
  base: string,
  path: string,
  init: RequestInit = {},
): Promise<ProbeAnswer> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: ProbeAnswer['body'];
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, contentType: response.headers.get('content-type') };
}

/** The origin of a pipeline's `prometheusUrl`. */
export function originOf(url: string | undefined): string {
  if (url === undefined) throw new Error('the pipeline has no server of its own');
  return new URL(url).origin;
}

/** A scheduler that runs its tasks only when the test says so: a drain that waits for the test. */
export function manualScheduler(): Scheduler & { runAll(): void } {
  const tasks = new Set<SchedulerTask>();
  return {
    schedule: (task) => {
      tasks.add(task);
    },
    stats: () => ({ turns: 0, visits: 0 }),
    runAll() {
      for (const task of [...tasks]) {
        while (task.drain(Number.POSITIVE_INFINITY)) {
          /* until empty */
        }
        tasks.delete(task);
      }
    },
  };
}

/** `mvx_runtime_state` samples of a Prometheus text scrape, by state. */
export function stateSamples(text: string, namespace: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = line.match(/^mvx_runtime_state\{([^}]*)\} (\S+)/);
    if (match === null) continue;
    const labels = match[1] as string;
    if (!labels.includes(`mvx_namespace="${namespace}"`)) continue;
    const state = labels.match(/state="([^"]+)"/)?.[1];
    if (state !== undefined) out[state] = Number(match[2]);
  }
  return out;
}
