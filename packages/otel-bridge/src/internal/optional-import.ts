import { MetricsWiringError } from '@mvx-metrics/core';

/**
 * Imports an optional peer dependency chosen by configuration; a missing package rejects with a
 * `MetricsWiringError` that names it and what chose it, instead of Node's bare resolution error.
 */
export async function optionalImport<T>(
  load: () => Promise<T>,
  packageName: string,
  chosenBy: string,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new MetricsWiringError(
      'invalid-option',
      `createOtelPipeline: ${chosenBy} needs ${packageName}, which is not installed. Run: npm install ${packageName} (the version of your OpenTelemetry line).`,
      { cause: error },
    );
  }
}
