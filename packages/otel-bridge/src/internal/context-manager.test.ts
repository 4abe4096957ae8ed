import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { AsyncLocalStorageContextManager } from './context-manager.js';

const KEY = createContextKey('k');

describe('AsyncLocalStorageContextManager', () => {
  it('keeps the context across awaits inside with() and restores it after', async () => {
    const manager = new AsyncLocalStorageContextManager();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'v');
    const seen = await manager.with(ctx, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return manager.active().getValue(KEY);
    });
    expect(seen).toBe('v');
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('binds a function to a context', () => {
    const manager = new AsyncLocalStorageContextManager();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'bound');
    const read = manager.bind(ctx, () => manager.active().getValue(KEY));
    expect(read()).toBe('bound');
    manager.disable();
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });
});
