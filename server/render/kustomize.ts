// Kustomize rendering entry points; the implementation lives in kustomize/ (one module per feature).
export { build as renderKustomization } from './kustomize/build.ts';
export { findKustomization, KUSTOMIZATION_FILES } from './kustomize/load.ts';
