import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkReadablePath, checkSuggestedName, expectBytes, expectString, IpcValidationError } from '../../electron/ipc-validate.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sparrow-ipc-'));
  writeFileSync(join(dir, 'photo.jpg'), new Uint8Array([0xff, 0xd8, 0xff]));
  writeFileSync(join(dir, 'notes.txt'), 'x');
  mkdirSync(join(dir, 'folder.png'));
  symlinkSync(join(dir, 'notes.txt'), join(dir, 'link.png'));
});

describe('IPC argument validation', () => {
  it('accepts an absolute path to an allowed regular file', () => {
    expect(checkReadablePath(join(dir, 'photo.jpg'))).toBe(join(dir, 'photo.jpg'));
  });

  it.each([
    [42, /must be a string/],
    ['', /must not be empty/],
    ['relative/photo.jpg', /absolute/],
    ['/no/such/file.jpg', /no such file/],
    ['/tmp/a\0b.jpg', /NUL/],
    ['x'.repeat(5000), /longer than/],
  ])('rejects path %#', (value, message) => {
    expect(() => checkReadablePath(value)).toThrow(message);
  });

  it('rejects folders, devices, disallowed types, and symlinks that resolve to them', () => {
    expect(() => checkReadablePath(join(dir, 'folder.png'))).toThrow(/not a regular file/);
    expect(() => checkReadablePath('/dev/null')).toThrow(IpcValidationError);
    expect(() => checkReadablePath(join(dir, 'notes.txt'))).toThrow(/unsupported file type/);
    // The link has an allowed name but points at a .txt file: the resolved target decides.
    expect(() => checkReadablePath(join(dir, 'link.png'))).toThrow(/unsupported file type/);
  });

  it('checks save names and byte payloads', () => {
    expect(checkSuggestedName('scene.ply')).toBe('scene.ply');
    expect(() => checkSuggestedName('../evil.ply')).toThrow(/folder/);
    expect(() => checkSuggestedName('/etc/passwd.ply')).toThrow(/folder/);
    expect(() => checkSuggestedName('run.sh')).toThrow(/cannot save/);
    expect(() => expectBytes('text', 'data')).toThrow(/Uint8Array/);
    expect(() => expectBytes(new Uint8Array(11), 'data', 10)).toThrow(/larger/);
    expect(expectString('ok', 'v')).toBe('ok');
  });
});
