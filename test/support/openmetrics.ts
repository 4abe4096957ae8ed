import { spawnSync } from 'node:child_process';

/** One sample as Python's `prometheus_client` OpenMetrics parser read it. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar: { labels: Record<string, string>; value: number; timestamp: number } | null;
}

/** One metric family as the parser read it. */
export interface ParsedFamily {
  name: string;
  type: string;
  unit: string;
  samples: ParsedSample[];
}

// Reads an OpenMetrics body on stdin; prints the families as JSON, or the parser's error and exits 1.
const SCRIPT = `
import sys, json, math
from prometheus_client.openmetrics.parser import text_string_to_metric_families
def num(v):
    return v if math.isfinite(v) else str(v)
try:
    out = []
    for f in text_string_to_metric_families(sys.stdin.read()):
        samples = []
        for s in f.samples:
            e = s.exemplar
            samples.append({"name": s.name, "labels": s.labels, "value": num(s.value), "exemplar": None if e is None else {"labels": e.labels, "value": num(e.value), "timestamp": float(e.timestamp)}})
        out.append({"name": f.name, "type": f.type, "unit": f.unit, "samples": samples})
    print(json.dumps(out))
except Exception as error:
    print(repr(error), file=sys.stderr)
    sys.exit(1)
`;

/**
 * A Python that has `prometheus_client` (Debian's python3-prometheus-client lives in the system
 * Python), or undefined with a warning (the tests then skip); under CI=true a missing one throws.
 */
export function findOpenMetricsParser(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import prometheus_client.openmetrics.parser'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return python;
  }
  if (process.env.CI === 'true') {
    throw new Error(
      "Python's prometheus_client is required under CI=true: apt-get install python3-prometheus-client",
    );
  }
  console.warn(
    "Python's prometheus_client not found: skipping the OpenMetrics parser tests (apt-get install python3-prometheus-client)",
  );
  return undefined;
}

/** Parses `body` with `prometheus_client.openmetrics.parser`; throws with the parser's message when it refuses it. */
export function parseOpenMetrics(python: string, body: string): ParsedFamily[] {
  const result = spawnSync(python, ['-c', SCRIPT], {
    input: body,
    encoding: 'utf8',
    timeout: 20_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`OpenMetrics parser refused the body: ${result.stderr.trim()}`);
  }
  return JSON.parse(result.stdout) as ParsedFamily[];
}
