// Vitest setup file (vitest.config.ts): every test in this repository runs with the recorder's
// test mode for change listeners on. The change a hook receives is the recorder's reused record;
// a listener that keeps it instead of `copyChange(change)` then throws `kept-change` the moment
// the kept change is read, in whichever test exercises it (core, bridge, examples).
import { detectKeptChanges } from '@mvx-metrics/core/testing';

detectKeptChanges();
