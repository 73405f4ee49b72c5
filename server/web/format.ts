// Small display helpers shared by the templates: times, ages, reasons in plain words.

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

const REASONS: Record<string, string> = {
  FetchFailed: 'Could not download the desired state from upstream.',
  RenderFailed: 'The desired state could not be read (a file is broken).',
  ValidationFailed: 'The desired state contains an object that is not valid.',
  StoreFailed: 'Could not save the new version on this box.',
  ApplyFailed: 'The cluster refused part of the new version.',
  PruneFailed: 'Could not remove objects that are no longer wanted.',
  HealthFailed: 'The new version did not start properly, so the box went back to the previous one.',
  VerifyFailed:
    'The new version is not signed by a trusted key (or is older than the running one), so it was refused.',
  RollbackFailed: 'The new version failed and going back to the previous one failed too. Call support.',
  ClusterUnreachable: 'The local Kubernetes cluster did not answer.',
  Interrupted: 'Outpost stopped before this sync finished.',
  InternalError: 'Outpost hit an internal error.',
};

export function reason(code: string | null | undefined): string {
  if (!code) return '';
  return REASONS[code] ?? code;
}

export function stageLabel(stage: string): string {
  return (
    {
      fetch: 'Downloading',
      render: 'Reading manifests',
      plan: 'Checking',
      store: 'Saving',
      apply: 'Applying',
      prune: 'Removing old objects',
      health: 'Waiting for the workloads to become healthy',
      commit: 'Finishing',
      rollback: 'Going back to the previous version',
    }[stage] ?? stage
  );
}
