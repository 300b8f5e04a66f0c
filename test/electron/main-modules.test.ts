import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, type MenuItemTemplate } from '../../electron/menu.js';
import { addRecent, loadRecent, MAX_RECENT, saveRecent } from '../../electron/recent-files.js';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, secureWebPreferences } from '../../electron/security.js';
import { clampToDisplays, loadWindowState } from '../../electron/window-state.js';

function find(items: MenuItemTemplate[], label: string): MenuItemTemplate | undefined {
  for (const i of items) {
    if (i.label === label) return i;
    const sub = i.submenu && find(i.submenu, label);
    if (sub) return sub;
  }
  return undefined;
}

describe('app menu', () => {
  it('has the File entries and routes clicks to commands', () => {
    const command = vi.fn();
    const openRecent = vi.fn();
    const t = buildMenuTemplate({ command, openRecent, clearRecent: vi.fn() }, ['/a/scene.ply'], 'linux');
    for (const label of ['Open Photos…', 'Open Scene…', 'Export…', 'Open Recent', 'About Sparrow']) expect(find(t, label)).toBeDefined();
    find(t, 'Export…')!.click!();
    expect(command).toHaveBeenCalledWith('export');
    find(t, '/a/scene.ply')!.click!();
    expect(openRecent).toHaveBeenCalledWith('/a/scene.ply');
  });
  it('routes the control-point editing entries to their commands', () => {
    const command = vi.fn();
    const t = buildMenuTemplate({ command, openRecent: vi.fn(), clearRecent: vi.fn() }, [], 'linux');
    for (const [label, cmd] of [['Deform with Control Points', 'toggle-edit'], ['Undo Deformation', 'undo-edit'], ['Reset Deformation', 'reset-edit'], ['Save Project…', 'save-project']] as const) {
      find(t, label)!.click!();
      expect(command).toHaveBeenLastCalledWith(cmd);
    }
  });
  it('shows a disabled placeholder when there are no recent files', () => {
    const t = buildMenuTemplate({ command: vi.fn(), openRecent: vi.fn(), clearRecent: vi.fn() }, [], 'linux');
    expect(find(t, 'No Recent Files')?.enabled).toBe(false);
  });
});

describe('recent files', () => {
  it('keeps most recent first, de-duplicated, bounded, and survives a corrupt file', () => {
    let list: string[] = [];
    for (let i = 0; i < 15; i++) list = addRecent(list, `/p/${i}`);
    list = addRecent(list, '/p/10');
    expect(list[0]).toBe('/p/10');
    expect(list.length).toBe(MAX_RECENT);
    expect(new Set(list).size).toBe(list.length);
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-recent-'));
    saveRecent(join(dir, 'r.json'), list);
    expect(loadRecent(join(dir, 'r.json'))).toEqual(list);
    writeFileSync(join(dir, 'bad.json'), '{not json');
    expect(loadRecent(join(dir, 'bad.json'))).toEqual([]);
  });
});

describe('window state', () => {
  it('drops a position that is off every display and bounds the size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparrow-win-'));
    writeFileSync(join(dir, 'w.json'), JSON.stringify({ x: 5000, y: 5000, width: 99999, height: 'big', maximized: true }));
    const s = loadWindowState(join(dir, 'w.json'));
    expect(s.width).toBe(10000);
    expect(s.height).toBeGreaterThan(0);
    const clamped = clampToDisplays(s, [{ x: 0, y: 0, width: 1920, height: 1080 }]);
    expect(clamped.x).toBeUndefined();
    expect(clampToDisplays({ ...s, x: 100, y: 100, width: 800 }, [{ x: 0, y: 0, width: 1920, height: 1080 }]).x).toBe(100);
  });
});

describe('security settings', () => {
  it('isolates and sandboxes the renderer and blocks foreign navigation', () => {
    const p = secureWebPreferences('/app/preload.cjs');
    expect(p.contextIsolation && p.sandbox && !p.nodeIntegration).toBe(true);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
    expect(isAllowedNavigation('file:///app/renderer/index.html', 'file:///app/renderer')).toBe(true);
    expect(isAllowedNavigation('https://evil.example/', 'file:///app/renderer')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', 'file:///app/renderer')).toBe(false);
  });
});
