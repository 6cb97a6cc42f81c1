/**
 * Smoke tests of the local test cluster itself (test/cluster): node health,
 * the probe image, cluster DNS, and whether NetworkPolicies are really
 * enforced (or really not, in `none` mode).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import {
  NETSHOOT_IMAGE,
  canConnect,
  createPodAndWait,
  createTestNamespace,
  deleteNamespace,
  enforcerMode,
  execInPod,
  kubeClients,
  netshootPod,
  policiesEnforced,
  serverPod,
  waitFor,
  waitForPodRunning,
} from './support/cluster.js';

const PORT = 8080;

describe('test cluster', () => {
  let ns = '';
  let serverA = { name: 'server-a', ip: '' };
  let serverB = { name: 'server-b', ip: '' };
  const client = 'client';

  beforeAll(async () => {
    ns = await createTestNamespace('e2e-cluster');
    const { core } = kubeClients();
    const [a, b] = await Promise.all([
      createPodAndWait(serverPod({ namespace: ns, name: serverA.name, labels: { app: 'server', id: 'a' }, port: PORT, portName: 'http' })),
      createPodAndWait(serverPod({ namespace: ns, name: serverB.name, labels: { app: 'server', id: 'b' }, port: PORT, portName: 'http' })),
      createPodAndWait(netshootPod({ namespace: ns, name: client, labels: { app: 'client' } })),
    ]);
    serverA = { ...serverA, ip: a.status!.podIP! };
    serverB = { ...serverB, ip: b.status!.podIP! };
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'server-a' },
        spec: { selector: { app: 'server', id: 'a' }, ports: [{ name: 'http', port: 80, targetPort: PORT, protocol: 'TCP' }] },
      },
    });
  });

  afterAll(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it('has a Ready node', async () => {
    const { core } = kubeClients();
    const nodes = await core.listNode();
    expect(nodes.items.length).toBeGreaterThan(0);
    for (const n of nodes.items) {
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      expect(ready?.status, `node ${n.metadata?.name}`).toBe('True');
    }
  });

  it(`runs ${NETSHOOT_IMAGE} as a non-root probe with the expected tools`, async () => {
    const { core } = kubeClients();
    const pod = await waitForPodRunning(ns, client);
    expect(pod.spec?.containers[0].image).toBe(NETSHOOT_IMAGE);
    const r = await execInPod(ns, client, [
      'bash',
      '-c',
      'id -u; for t in bash curl nc ncat socat dig ip tcpdump ping ps timeout getent; do command -v $t >/dev/null || echo "missing $t"; done',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('65534');
    const fresh = await core.readNamespacedPod({ namespace: ns, name: client });
    expect(fresh.status?.phase).toBe('Running');
  });

  it('returns exit codes and stderr from exec', async () => {
    const r = await execInPod(ns, client, ['bash', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
  });

  it('resolves Service names through cluster DNS from a pod', async () => {
    const { core } = kubeClients();
    const kubeSvc = await core.readNamespacedService({ namespace: 'default', name: 'kubernetes' });
    const svcA = await core.readNamespacedService({ namespace: ns, name: 'server-a' });
    const resolved = await waitFor(
      async () => {
        const r = await execInPod(ns, client, ['dig', '+short', '+time=2', '+tries=1', 'kubernetes.default.svc.cluster.local']);
        return r.exitCode === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
      },
      { timeoutMs: 30_000, description: 'DNS answer for kubernetes.default' },
    );
    expect(resolved).toBe(kubeSvc.spec?.clusterIP);
    // CoreDNS learns of a Service just created through its watch, a moment later.
    const viaSearch = await waitFor(
      async () => {
        const r = await execInPod(ns, client, ['getent', 'hosts', 'server-a']);
        return r.exitCode === 0 ? r.stdout.split(/\s+/)[0] : undefined;
      },
      { timeoutMs: 30_000, description: 'DNS answer for server-a through the search path' },
    );
    expect(viaSearch).toBe(svcA.spec?.clusterIP);
    // and the service actually routes to the pod
    const body = await execInPod(ns, client, ['bash', '-c', 'timeout 5 socat -T2 - TCP:server-a:80 </dev/null']);
    expect(body.stdout.trim()).toBe('server-a');
  });

  describe('NetworkPolicy', () => {
    const denyAll: V1NetworkPolicy = {
      metadata: { name: 'default-deny-ingress' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    };
    const allowClientToA: V1NetworkPolicy = {
      metadata: { name: 'allow-client-to-a' },
      spec: {
        podSelector: { matchLabels: { app: 'server', id: 'a' } },
        policyTypes: ['Ingress'],
        ingress: [{ _from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
      },
    };
    const reach = (ip: string) => canConnect(ns, client, ip, PORT);
    /** Polls until the connectivity of both servers equals `want` (policies apply asynchronously). */
    const expectReach = async (want: { a: boolean; b: boolean }) => {
      let last = { a: !want.a, b: !want.b };
      try {
        await waitFor(
          async () => {
            last = { a: await reach(serverA.ip), b: await reach(serverB.ip) };
            return last.a === want.a && last.b === want.b;
          },
          { timeoutMs: 30_000, intervalMs: 250, description: `connectivity ${JSON.stringify(want)}` },
        );
      } catch (e) {
        expect(last, (e as Error).message).toEqual(want);
      }
    };

    it('allows traffic when there is no policy', async () => {
      await expectReach({ a: true, b: true });
    });

    it.runIf(policiesEnforced())(`enforces default-deny and allow rules (enforcer: ${enforcerMode()})`, async () => {
      const { net } = kubeClients();
      await net.createNamespacedNetworkPolicy({ namespace: ns, body: denyAll });
      await expectReach({ a: false, b: false });
      await net.createNamespacedNetworkPolicy({ namespace: ns, body: allowClientToA });
      await expectReach({ a: true, b: false });
      await net.deleteNamespacedNetworkPolicy({ namespace: ns, name: denyAll.metadata!.name! });
      await net.deleteNamespacedNetworkPolicy({ namespace: ns, name: allowClientToA.metadata!.name! });
      await expectReach({ a: true, b: true });
    });

    it.runIf(!policiesEnforced())('does not enforce policies in `none` mode', async () => {
      const { net } = kubeClients();
      await net.createNamespacedNetworkPolicy({ namespace: ns, body: denyAll });
      try {
        // Give a (wrongly running) enforcer time to act, then check repeatedly.
        const deadline = Date.now() + 5_000;
        while (Date.now() < deadline) {
          expect(await reach(serverA.ip)).toBe(true);
          expect(await reach(serverB.ip)).toBe(true);
        }
      } finally {
        await net.deleteNamespacedNetworkPolicy({ namespace: ns, name: denyAll.metadata!.name! });
      }
    });
  });
});
