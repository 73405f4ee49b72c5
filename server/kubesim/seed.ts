// The cluster a fresh K3s node starts with: system namespaces, one Ready node, the kubernetes Service, K3s CRDs.
import os from 'node:os';
import { type Ctx, MANAGER, NODE_NAME } from './controllers/context.ts';
import { establish } from './controllers/crds.ts';
import { VERSION } from './discovery.ts';
import type { Engine } from './engine.ts';
import type { JsonObject } from './util.ts';
import { create } from './write.ts';

const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

function node(): JsonObject {
  const heartbeat = `${new Date().toISOString().slice(0, 19)}Z`;
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: heartbeat,
    reason,
    message,
  });
  const resources = { cpu: '4', 'ephemeral-storage': '61255492Ki', memory: '8029888Ki', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      labels: {
        'beta.kubernetes.io/arch': ARCH,
        'beta.kubernetes.io/instance-type': 'k3s',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': ARCH,
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/control-plane': 'true',
        'node-role.kubernetes.io/master': 'true',
        'node.kubernetes.io/instance-type': 'k3s',
        'topology.kubernetes.io/region': 'sim-region',
        'topology.kubernetes.io/zone': 'sim-zone-a',
      },
      annotations: {
        'k3s.io/hostname': NODE_NAME,
        'k3s.io/internal-ip': '127.0.0.1',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'], providerID: `k3s://${NODE_NAME}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: NODE_NAME },
      ],
      allocatable: resources,
      capacity: resources,
      conditions: [
        cond(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: ARCH,
        bootID: '7c0e3c52-2f4e-4b8e-9a51-0f5e0c7d2a11',
        containerRuntimeVersion: 'containerd://1.7.26-k3s1',
        kernelVersion: os.release(),
        kubeProxyVersion: VERSION.gitVersion,
        kubeletVersion: VERSION.gitVersion,
        machineID: '5f1b0e0d9c7a4a3f8e2d1c0b9a8f7e6d',
        operatingSystem: 'linux',
        osImage: 'Outpost K3s simulator',
        systemUUID: '5f1b0e0d-9c7a-4a3f-8e2d-1c0b9a8f7e6d',
      },
    },
  };
}

function k3sCrd(group: string, kind: string, plural: string, columns: JsonObject[]): JsonObject {
  const loose = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: loose, status: loose } } },
          subresources: { status: {} },
          additionalPrinterColumns: columns,
        },
      ],
    },
  };
}

export function seed(engine: Engine, ctx: Ctx): void {
  const opts = { manager: MANAGER };
  const nsRt = engine.rtOf('v1', 'Namespace');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    create(engine, nsRt, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, opts);
  }
  create(engine, engine.rtOf('v1', 'Node'), '', node(), opts);
  create(
    engine,
    engine.rtOf('v1', 'Service'),
    'default',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        clusterIP: '10.43.0.1',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
        type: 'ClusterIP',
      },
    },
    opts,
  );
  const crdRt = engine.rtOf('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  const crds = [
    k3sCrd('helm.cattle.io', 'HelmChart', 'helmcharts', [
      { name: 'Job', type: 'string', jsonPath: '.status.jobName' },
      { name: 'Chart', type: 'string', jsonPath: '.spec.chart' },
      { name: 'TargetNamespace', type: 'string', jsonPath: '.spec.targetNamespace' },
      { name: 'Version', type: 'string', jsonPath: '.spec.version' },
      { name: 'Repo', type: 'string', jsonPath: '.spec.repo' },
    ]),
    k3sCrd('helm.cattle.io', 'HelmChartConfig', 'helmchartconfigs', []),
    k3sCrd('k3s.cattle.io', 'Addon', 'addons', [
      { name: 'Source', type: 'string', jsonPath: '.spec.source' },
    ]),
  ];
  for (const crd of crds) {
    create(engine, crdRt, '', crd, opts);
    // Present from boot on a real node, so established at once rather than after the usual delay.
    establish(ctx, String((crd.metadata as JsonObject).name));
  }
}
