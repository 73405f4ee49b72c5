// The `images:` transformer: new name, tag, digest or tag suffix for matching container images.
import { type Pattern, quoteRe2, re2 } from '../re2.ts';
import { notePlainTemplate } from '../yaml.ts';
import { applyFieldSpec, type FieldSpec } from './fieldspec.ts';
import { isRecord, type Res } from './resource.ts';

export interface ImageEdit {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** Splits `host:5000/team/app:1.2@sha256:…` into name, tag and digest; a port is not a tag. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = image.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) {
    return { name: image.slice(0, offset + at), tag: '', digest: image.slice(offset + at + 1) };
  }
  if (at >= 0) {
    return {
      name: image.slice(0, offset + colon),
      tag: image.slice(offset + colon + 1, offset + at),
      digest: image.slice(offset + at + 1),
    };
  }
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1), digest: '' };
}

const matchers = new Map<string, Pattern>();

/**
 * kustomize compares names as an (unescaped) regular expression, in RE2 syntax; a name that is no valid RE2
 * is matched literally (kustomize itself crashes on it).
 */
function matcher(name: string): Pattern {
  let re = matchers.get(name);
  if (!re) {
    const tail = '(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$';
    try {
      re = re2(`^${name}${tail}`, `images: name "${name}"`);
    } catch {
      re = re2(`^${quoteRe2(name)}${tail}`, `images: name "${name}"`);
    }
    // A worker renders many revisions: keep the cache bounded.
    if (matchers.size >= 1_000) matchers.clear();
    matchers.set(name, re);
  }
  return re;
}

export function editImage(value: string, edit: ImageEdit): string {
  if (!matcher(edit.name).test(value)) return value;
  let { name, tag, digest } = splitImage(value);
  if (edit.newName) name = edit.newName;
  if (edit.newTag && edit.digest) {
    tag = edit.newTag;
    digest = edit.digest;
  } else if (edit.newTag) {
    tag = edit.newTag;
    digest = '';
  } else if (edit.digest) {
    tag = '';
    digest = edit.digest;
  } else if (edit.tagSuffix) {
    tag += edit.tagSuffix;
    digest = '';
  }
  const image = `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  notePlainTemplate('image', image);
  return image;
}

function editContainers(list: unknown, edit: ImageEdit): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (isRecord(c) && typeof c.image === 'string') c.image = editImage(c.image, edit);
  }
}

/** Every `containers`/`initContainers` list anywhere in the object, deepest first (kustomize's walk order). */
function walk(node: unknown, edit: ImageEdit): void {
  if (Array.isArray(node)) {
    for (const el of node) walk(el, edit);
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    walk(value, edit);
    if (key === 'containers' || key === 'initContainers') editContainers(value, edit);
  }
}

export function setImages(resources: Res[], edits: ImageEdit[], specs: FieldSpec[]): void {
  for (const edit of edits) {
    for (const r of resources) {
      if (r.obj.kind === 'CustomResourceDefinition') continue;
      // Two passes, as in kustomize: any containers list, then the well-known paths. A tag suffix is
      // therefore applied twice where both see the image; we reproduce that, since we must match it.
      walk(r.obj, edit);
      for (const spec of specs) {
        applyFieldSpec(r.obj, spec, (v) => (typeof v === 'string' ? editImage(v, edit) : v), 'none');
      }
    }
  }
}
