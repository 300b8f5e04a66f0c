/**
 * Main-process pieces of Open Project and the turntable: the argument checks of the
 * readProject / writeInFolder handlers (bad arguments from the renderer are refused with a
 * reason), the menu entries and Open Recent routing projects to 'open-project'.
 */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_PROJECT_BYTES } from '../../electron/ipc-contract.js';
import { checkGrantedFolder, checkOutputName, checkProjectPath, IpcValidationError } from '../../electron/ipc-validate.js';
import { buildMenuTemplate, type MenuItemTemplate } from '../../electron/menu.js';
import { recentCommand } from '../../electron/recent-files.js';

let dir = '';
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'sparrow-ipc-project-')));
  writeFileSync(join(dir, 'a.sparrow.json'), '{}');
  writeFileSync(join(dir, 'plain.json'), '{}');
  writeFileSync(join(dir, 'scene.ply'), 'ply');
  mkdirSync(join(dir, 'dir.sparrow.json'));
  symlinkSync(join(dir, 'plain.json'), join(dir, 'link.sparrow.json'));
  mkdirSync(join(dir, 'frames'));
  mkdirSync(join(dir, 'other'));
  symlinkSync(join(dir, 'other'), join(dir, 'frames-link'));
});

describe('readProject argument', () => {
  it('accepts an absolute path to a *.sparrow.json file', () => {
    expect(checkProjectPath(join(dir, 'a.sparrow.json'))).toBe(join(dir, 'a.sparrow.json'));
  });
  it.each([
    [undefined, /must be a string/],
    [{ path: '/x.sparrow.json' }, /must be a string/],
    ['', /must not be empty/],
    ['a.sparrow.json', /absolute/],
    ['/no/such.sparrow.json', /no such file/],
    ['/tmp/a\0.sparrow.json', /NUL/],
  ])('refuses %#', (value, message) => {
    expect(() => checkProjectPath(value)).toThrow(message);
  });
  it('refuses other JSON, scenes, folders and links whose target is not a project', () => {
    expect(() => checkProjectPath(join(dir, 'plain.json'))).toThrow(/not a Sparrow project/);
    expect(() => checkProjectPath(join(dir, 'scene.ply'))).toThrow(/unsupported file type '.ply'/);
    expect(() => checkProjectPath(join(dir, 'dir.sparrow.json'))).toThrow(/not a regular file/);
    expect(() => checkProjectPath(join(dir, 'link.sparrow.json'))).toThrow(/not a Sparrow project/);
    expect(() => checkProjectPath('/dev/null')).toThrow(IpcValidationError);
    expect(MAX_PROJECT_BYTES).toBeGreaterThan(20 * 1024 * 1024);
  });
});

describe('writeInFolder arguments', () => {
  it('accepts a folder the user chose and a plain frame name', () => {
    const granted = new Set([join(dir, 'frames')]);
    expect(checkGrantedFolder(join(dir, 'frames'), granted)).toBe(join(dir, 'frames'));
    expect(checkOutputName('scene-turntable_0007.png')).toBe('scene-turntable_0007.png');
    expect(checkOutputName('scene-turntable.webm')).toBe('scene-turntable.webm');
  });
  it('refuses folders the user did not choose, also through a link or ..', () => {
    const granted = new Set([join(dir, 'frames')]);
    expect(() => checkGrantedFolder(join(dir, 'other'), granted)).toThrow(/not chosen by the user/);
    expect(() => checkGrantedFolder(join(dir, 'frames-link'), granted)).toThrow(/not chosen by the user/);
    expect(() => checkGrantedFolder(join(dir, 'frames', '..'), granted)).toThrow(/not chosen by the user/);
    expect(() => checkGrantedFolder('frames', granted)).toThrow(/absolute/);
    expect(() => checkGrantedFolder(join(dir, 'gone'), granted)).toThrow(/no such folder/);
    expect(() => checkGrantedFolder(42, granted)).toThrow(/must be a string/);
    // A granted folder replaced by a file is refused too.
    const file = join(dir, 'a.sparrow.json');
    expect(() => checkGrantedFolder(file, new Set([file]))).toThrow(/not a folder/);
  });
  it.each([
    ['../evil.png', /folder/],
    ['sub/frame.png', /folder/],
    ['sub\\frame.png', /folder|letters/],
    ['.hidden.png', /letters/],
    ['frame 1.png', /letters/],
    ['frame.sh', /cannot write files of type '.sh'/],
    ['frame', /cannot write files of type '\(none\)'/],
    ['x'.repeat(200) + '.png', /longer than/],
    [7, /must be a string/],
  ])('refuses file name %#', (value, message) => {
    expect(() => checkOutputName(value)).toThrow(message);
  });
});

function find(items: MenuItemTemplate[], label: string): MenuItemTemplate | undefined {
  for (const i of items) {
    if (i.label === label) return i;
    const sub = i.submenu && find(i.submenu, label);
    if (sub) return sub;
  }
  return undefined;
}

describe('menu and recent files', () => {
  it('File has Open Project… and Turntable…, routed to their commands', () => {
    const command = vi.fn();
    const t = buildMenuTemplate({ command, openRecent: vi.fn(), clearRecent: vi.fn() }, [], 'linux');
    find(t, 'Open Project…')!.click!();
    expect(command).toHaveBeenLastCalledWith('open-project');
    find(t, 'Turntable…')!.click!();
    expect(command).toHaveBeenLastCalledWith('turntable');
  });
  it('Open Recent opens projects as projects and other files as scenes', () => {
    expect(recentCommand('/w/edit.sparrow.json')).toBe('open-project');
    expect(recentCommand('C:\\w\\EDIT.SPARROW.JSON')).toBe('open-project');
    expect(recentCommand('/w/scene.ply')).toBe('open-scene');
    expect(recentCommand('/w/meta.json')).toBe('open-scene');
  });
});
