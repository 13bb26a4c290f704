import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findTool } from '../../../scripts/checks/debian-tool.ts';
import { tree } from './temp-tree.ts';

const FAKE = { command: 'pressroom-no-such-tool', pkg: 'pressroom-no-such-package', path: 'usr/bin/pressroom-no-such-tool' };

describe('finding a tool, or fetching it from Debian', () => {
  it('when the tool is on PATH, then that one is used', () => {
    assert.equal(findTool({ command: 'bash', pkg: 'bash', path: 'bin/bash' }), spawnSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim());
  });

  it('when the tool is only in the cache, then the cached copy is used', () => {
    const cache = tree({ [`${FAKE.command}/${FAKE.command}`]: '#!/bin/sh\n' }, [`${FAKE.command}/${FAKE.command}`]);
    assert.equal(findTool(FAKE, { cache }), join(cache, FAKE.command, FAKE.command));
  });

  it('when the tool is nowhere and fetching is off, then it is not found; with fetching, a missing package says so', () => {
    const cache = tree({});
    assert.equal(findTool(FAKE, { cache }), undefined);
    assert.throws(() => findTool(FAKE, { cache, fetch: true }), /apt-get download pressroom-no-such-package failed/);
  });
});
