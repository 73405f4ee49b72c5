// Per-site variables in a sync: node facts from the cluster's Node, a ConfigMap of values, config; strict mode.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reconcile } from '../../server/sync/reconciler.ts';
import { type Fleet, makeFleet, NS } from '../support/fleet.ts';

const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: site
  namespace: shop
data:
  site: "\${SITE_ID}"
  zone: "\${NODE_ZONE}"
  printer: "\${PRINTER_HOST}"
  currency: "\${CURRENCY:=EUR}"
  literal: "$\${NOT_A_VAR}"
`;

describe('variables', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'site.yaml': TEMPLATE });
    await f.cluster.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fleet-vars' } },
      { fieldManager: 'admin' },
    );
    await f.cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'site-vars', namespace: 'fleet-vars' },
        data: { PRINTER_HOST: '10.1.2.3', SITE_ID: 'from-cm' },
      },
      { fieldManager: 'admin' },
    );
  });
  after(async () => {
    await f.close();
  });

  test('a sync substitutes node facts, the ConfigMap and config, config winning', async () => {
    const deps = {
      ...f.deps,
      vars: {
        values: { SITE_ID: 'berlin-042' },
        from: { namespace: 'fleet-vars', name: 'site-vars', optional: false },
        strict: true,
        nodeName: 'outpost-sim-node',
      },
    };
    const run = await reconcile(deps, 'startup');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const cm = await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'site' });
    assert.deepEqual(cm?.data, {
      site: 'berlin-042',
      zone: 'sim-zone-a',
      printer: '10.1.2.3',
      currency: 'EUR',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: $${VAR} must come out as a literal ${VAR}
      literal: '${NOT_A_VAR}',
    });
  });

  test('strict mode fails the render on an undefined variable, naming it, and the LKG stays', async () => {
    const deps = { ...f.deps, vars: { values: {}, strict: true, nodeName: 'outpost-sim-node' } };
    const run = await reconcile(deps, 'schedule');
    assert.equal(run.reason, 'RenderFailed');
    assert.match(run.message ?? '', /v1 ConfigMap shop\/site: variable "SITE_ID" is not set/);
  });

  test('a missing variables ConfigMap fails the render unless it is optional', async () => {
    const vars = { values: { PRINTER_HOST: 'p', SITE_ID: 's' }, strict: true, nodeName: 'outpost-sim-node' };
    const missing = { namespace: 'fleet-vars', name: 'nope', optional: false };
    const run = await reconcile({ ...f.deps, vars: { ...vars, from: missing } }, 'schedule');
    assert.equal(run.reason, 'RenderFailed');
    assert.match(run.message ?? '', /variables ConfigMap fleet-vars\/nope does not exist/);
    const ok = await reconcile(
      { ...f.deps, vars: { ...vars, from: { ...missing, optional: true } } },
      'schedule',
    );
    assert.equal(ok.result, 'succeeded', ok.message ?? '');
  });
});
