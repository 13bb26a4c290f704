import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateSchemas } from '../../../deploy/k8s/tools/schemas.ts';
import { typeCheck } from '../../../deploy/k8s/tools/type-check.ts';
import { container, object, overlay } from './manifests.ts';

describe('schemas and models of the rendered objects', () => {
  it('when the staging overlay is rendered, then every object is valid and type-checks', async () => {
    const objects = overlay('staging');
    assert.deepEqual(await validateSchemas(objects), []);
    assert.deepEqual(typeCheck([{ label: 'staging', objects }]).problems, []);
  });

  it('when a kind has no known schema, then it is reported rather than let through', async () => {
    const objects = [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }];
    assert.match((await validateSchemas(objects)).join('\n'), /Widget\/w: no schema known for example.com\/v1 Widget/);
  });

  it('when a field has the wrong type, then the JSON schema rejects it', async () => {
    const objects = overlay('staging');
    container(objects, 'Deployment', 'gateway')['ports'] = 'http';
    assert.match((await validateSchemas([object(objects, 'Deployment', 'gateway')])).join('\n'), /Deployment\/pressroom-staging\/gateway/);
  });

  it('when a key is misindented into the wrong mapping, then tsc rejects the unknown field and names the object', () => {
    const objects = [object(overlay('staging'), 'Deployment', 'research')];
    const spec = objects[0]!['spec'] as Record<string, unknown>;
    spec['containers'] = [];
    const { problems } = typeCheck([{ label: 'staging', objects }]);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^staging Deployment\/pressroom-staging\/research: TS2353: .*containers.* does not exist in type 'IDeploymentSpec'/);
  });

  it('when a RabbitMQ resource misses a required field, then the structural check reports it', async () => {
    const objects = overlay('staging');
    delete (object(objects, 'Permission', 'pressroom')['spec'] as Record<string, unknown>)['vhost'];
    assert.deepEqual(await validateSchemas([object(objects, 'Permission', 'pressroom')]), ['Permission/pressroom-staging/pressroom: spec.vhost is required']);
  });
});
