// A tiny in-memory file system with the promises API isomorphic-git needs: a shallow clone never touches the disk.

interface Stats {
  type: 'file' | 'dir';
  mode: number;
  size: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  uid: number;
  gid: number;
  dev: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

function fsError(code: string, op: string, p: string): Error {
  return Object.assign(new Error(`${code}: ${op} '${p}'`), { code, path: p });
}

function norm(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return `/${parts.join('/')}`;
}

function parent(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export type MemFs = ReturnType<typeof createMemFs>;

export function createMemFs() {
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>(['/']);
  let ino = 1;
  const inodes = new Map<string, number>();
  const stat = (raw: string): Stats => {
    const p = norm(raw);
    const isDir = dirs.has(p);
    const data = files.get(p);
    if (!isDir && !data) throw fsError('ENOENT', 'stat', p);
    if (!inodes.has(p)) inodes.set(p, ino++);
    return {
      type: isDir ? 'dir' : 'file',
      mode: isDir ? 0o40755 : 0o100644,
      size: data?.length ?? 0,
      ino: inodes.get(p) as number,
      mtimeMs: 0,
      ctimeMs: 0,
      uid: 1,
      gid: 1,
      dev: 1,
      isFile: () => !isDir,
      isDirectory: () => isDir,
      isSymbolicLink: () => false,
    };
  };
  const promises = {
    async readFile(raw: string, opts?: string | { encoding?: string }) {
      const p = norm(raw ?? '');
      if (dirs.has(p)) throw fsError('EISDIR', 'open', p);
      const data = files.get(p);
      if (!data) throw fsError('ENOENT', 'open', p);
      const encoding = typeof opts === 'string' ? opts : opts?.encoding;
      return encoding === 'utf8' ? data.toString('utf8') : Buffer.from(data);
    },
    async writeFile(raw: string, data: string | Uint8Array) {
      const p = norm(raw);
      if (dirs.has(p)) throw fsError('EISDIR', 'open', p);
      if (!dirs.has(parent(p))) throw fsError('ENOENT', 'open', p);
      files.set(p, typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
    },
    async mkdir(raw: string) {
      const p = norm(raw);
      if (dirs.has(p) || files.has(p)) throw fsError('EEXIST', 'mkdir', p);
      if (!dirs.has(parent(p))) throw fsError('ENOENT', 'mkdir', p);
      dirs.add(p);
    },
    async rmdir(raw: string) {
      const p = norm(raw);
      if (!dirs.has(p)) throw fsError(files.has(p) ? 'ENOTDIR' : 'ENOENT', 'rmdir', p);
      const prefix = p === '/' ? '/' : `${p}/`;
      for (const k of [...files.keys(), ...dirs]) {
        if (k !== p && k.startsWith(prefix)) throw fsError('ENOTEMPTY', 'rmdir', p);
      }
      dirs.delete(p);
    },
    async unlink(raw: string) {
      const p = norm(raw);
      if (!files.delete(p)) throw fsError(dirs.has(p) ? 'EISDIR' : 'ENOENT', 'unlink', p);
    },
    async stat(raw: string) {
      return stat(raw);
    },
    async lstat(raw: string) {
      return stat(raw);
    },
    async readdir(raw: string) {
      const p = norm(raw);
      if (!dirs.has(p)) throw fsError(files.has(p) ? 'ENOTDIR' : 'ENOENT', 'scandir', p);
      const prefix = p === '/' ? '/' : `${p}/`;
      const names = new Set<string>();
      for (const k of [...files.keys(), ...dirs]) {
        if (k !== p && k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0] as string);
      }
      return [...names];
    },
    async readlink(raw: string) {
      throw fsError('ENOENT', 'readlink', norm(raw));
    },
    async symlink(_target: string, raw: string) {
      // A fetch never checks out a work tree, so nothing should ever ask for a link.
      throw fsError('EPERM', 'symlink', norm(raw));
    },
  };
  return {
    promises,
    /** Bytes held. */
    size: () => [...files.values()].reduce((n, b) => n + b.length, 0),
  };
}
