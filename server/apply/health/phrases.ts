// Health phrases of our own (never the cluster's words): English here for logs and the CLI, and the key the console
// shows in the reader's language (`health.say.<key>` in its catalogues).
import type { Health, HealthStatus } from './types.ts';

export const HEALTH_PHRASES = {
  waitingController: 'waiting for the controller to see the change',
  replicasUpdated: '{n} of {of} replicas updated',
  replicasAvailable: '{n} of {of} replicas available',
  replicasReady: '{n} of {of} replicas ready',
  oldTerminating: 'old replicas are terminating',
  rolloutTimeout: 'rollout did not finish in time',
  podsUpdated: '{n} of {of} pods updated',
  podsAvailable: '{n} of {of} pods available',
  namesNotAccepted: 'names not accepted',
  established: 'established',
  waitingEstablished: 'waiting to be established',
  helmFailed: 'helm install failed',
  helmWaiting: 'waiting for the helm-controller to start the install job',
  helmJobWaiting: 'waiting for install job {name}',
  present: 'present',
  missing: 'missing from the cluster',
  ready: 'ready',
  notReady: 'not ready yet',
  jobFailed: 'job failed',
  jobCompleted: 'job completed',
  jobRunning: '{n} running, {failed} failed attempts',
  nsDeleting: 'namespace is being deleted',
  completed: 'completed',
  podFailed: 'pod failed',
  runningReady: 'running and ready',
  runningNotReady: 'running, not ready yet',
  podPhase: 'pod is {phase}',
  bound: 'bound',
  volumeLost: 'the volume behind this claim is lost',
  claimPhase: 'claim is {phase}',
  lbAt: 'load balancer at {address}',
  lbWaiting: 'waiting for a load balancer address',
} as const;

export type HealthPhrase = keyof typeof HEALTH_PHRASES;

/** A verdict in one of our phrases: the English message, and the phrase for the console to translate. */
export function said(
  status: HealthStatus,
  key: HealthPhrase,
  params: Readonly<Record<string, string | number>> = {},
): Health {
  const message = HEALTH_PHRASES[key].replace(/\{(\w+)\}/g, (m, k: string) =>
    Object.hasOwn(params, k) ? String(params[k]) : m,
  );
  return { status, message, say: { key, params } };
}
