import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../src/metrics.ts';

/** `# TYPE <name> <type>` lines of the exposition text, as [name, type]. */
function declaredTypes(exposition: string): Array<[string, string]> {
  return [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]);
}

describe('service metrics registry', () => {
  it('when the registry is scraped, then only counters end in _total, as promtool check metrics requires', async () => {
    const types = declaredTypes(await createMetrics('test').registry.metrics());
    const misnamed = types.filter(([name, type]) => name.endsWith('_total') && type !== 'counter');
    assert.deepEqual(misnamed, []);
  });

  it('when the misnamed default totals are dropped, then the active handles, requests and resources are still exposed by type', async () => {
    const names = new Map(declaredTypes(await createMetrics('test').registry.metrics()));
    for (const name of ['nodejs_active_handles', 'nodejs_active_requests', 'nodejs_active_resources']) assert.equal(names.get(name), 'gauge', name);
    assert.equal(names.get('process_cpu_seconds_total'), 'counter');
  });
});
