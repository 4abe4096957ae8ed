import { describe, expect, test } from 'vitest';
import { fitToWidth, formatBytes, formatSeconds, formatUptime } from './format.js';

describe('format', () => {
  test('latencies read in the unit a person expects', () => {
    expect(formatSeconds(0.00085)).toBe('850 µs');
    expect(formatSeconds(0.0042)).toBe('4.2 ms');
    expect(formatSeconds(0.031)).toBe('31 ms');
    expect(formatSeconds(1.25)).toBe('1.25 s');
  });

  test('bytes use binary prefixes and uptime is h:mm:ss', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3.4 * 1024 * 1024)).toBe('3.4 MiB');
    expect(formatUptime(3725)).toBe('1:02:05');
  });

  test('fitToWidth counts visible characters only and resets colour when it cuts', () => {
    const line = `ab\x1b[32mcdef\x1b[0mgh`;
    expect(fitToWidth(line, 100)).toBe(line);
    expect(fitToWidth(line, 4)).toBe('ab\x1b[32mcd\x1b[0m');
    expect(fitToWidth('█·█·', 2)).toBe('█·\x1b[0m');
  });
});
