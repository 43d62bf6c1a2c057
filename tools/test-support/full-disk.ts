import * as fs from 'node:fs/promises';

/**
 * `node:fs/promises` as it behaves on a disk that fills up: the handles of the files `isTarget`
 * picks write at most `room.bytes` more bytes — the write that crosses the limit is cut short,
 * as a real short write is — then fail with ENOSPC. Raise `room.bytes` to free space again.
 */
export function fullDiskFs(isTarget: (path: string) => boolean, room: { bytes: number }): typeof fs {
  return {
    ...fs,
    async open(path: Parameters<typeof fs.open>[0], flags?: Parameters<typeof fs.open>[1], mode?: Parameters<typeof fs.open>[2]) {
      const handle = await fs.open(path, flags, mode);
      if (!isTarget(String(path))) return handle;
      return new Proxy(handle, {
        get(target, property) {
          if (property === 'write') {
            return async (buffer: Buffer, offset: number, length: number) => {
              if (room.bytes <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
              const allowed = Math.min(length, room.bytes);
              room.bytes -= allowed;
              return target.write(buffer, offset, allowed);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  } as typeof fs;
}
