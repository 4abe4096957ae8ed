// Types of bench/bundle-sizes.mjs for test/docs/bundle-figures.test.ts.
/** Each measured entry's name (as bench/bundle.bench.mjs prints it) and its source. */
export declare const ENTRIES: Readonly<Record<string, string>>;
/** The reference: the whole of @mvx-metrics/core. */
export declare const WHOLE_CORE: string;
/** Minified and gzipped bytes of one entry, bundled as an application would. */
export declare function bundleSize(source: string): Promise<{ min: number; gzip: number }>;
/** Bytes as the guide writes them: `40 B`, `39.4 KB` (1 KB = 1024 B). */
export declare function kb(bytes: number): string;
