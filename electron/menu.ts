/**
 * The application menu as a plain template (testable without Electron):
 * File (Open Photos…, Open Scene…, Open Project…, Recent, Export…, Save Project…, Screenshot,
 * Turntable…), Edit (control-point
 * deformation), View, Help.
 */
import type { MenuCommand } from './ipc-contract.js';

export interface MenuItemTemplate {
  label?: string;
  role?: string;
  accelerator?: string;
  type?: 'separator' | 'submenu';
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

export interface MenuHandlers {
  command(command: MenuCommand): void;
  openRecent(path: string): void;
  clearRecent(): void;
}

export function buildMenuTemplate(handlers: MenuHandlers, recent: string[], platform: NodeJS.Platform): MenuItemTemplate[] {
  const cmd = (command: MenuCommand) => () => handlers.command(command);
  const recentItems: MenuItemTemplate[] = recent.length
    ? [
        ...recent.map((path) => ({ label: path, click: () => handlers.openRecent(path) })),
        { type: 'separator' as const },
        { label: 'Clear Recent', click: handlers.clearRecent },
      ]
    : [{ label: 'No Recent Files', enabled: false }];
  const template: MenuItemTemplate[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open Photos…', accelerator: 'CmdOrCtrl+O', click: cmd('open-photos') },
        { label: 'Open Scene…', accelerator: 'CmdOrCtrl+Shift+O', click: cmd('open-scene') },
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+Alt+O', click: cmd('open-project') },
        { label: 'Open Recent', submenu: recentItems },
        { type: 'separator' },
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: cmd('export') },
        { label: 'Save Project…', accelerator: 'CmdOrCtrl+S', click: cmd('save-project') },
        { label: 'Screenshot', accelerator: 'CmdOrCtrl+Shift+S', click: cmd('screenshot') },
        { label: 'Turntable…', accelerator: 'CmdOrCtrl+Shift+T', click: cmd('turntable') },
        { type: 'separator' },
        { role: platform === 'darwin' ? 'close' : 'quit' },
      ],
    },
    {
      // The page also takes E / Ctrl+Z itself; menu accelerators here would steal those keys from
      // text fields, so the edit entries carry none.
      label: 'Edit',
      submenu: [
        { label: 'Deform with Control Points', click: cmd('toggle-edit') },
        { label: 'Undo Deformation', click: cmd('undo-edit') },
        { label: 'Reset Deformation', click: cmd('reset-edit') },
        { type: 'separator' },
        { role: 'copy' },
        { role: 'paste' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { label: 'Reset View', accelerator: 'CmdOrCtrl+0', click: cmd('reset-view') },
        { label: 'Toggle Camera Frustums', accelerator: 'F', click: cmd('toggle-frustums') },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { role: 'toggleDevTools' },
      ],
    },
    { label: 'Help', submenu: [{ label: 'About Sparrow', click: cmd('about') }] },
  ];
  if (platform === 'darwin') template.unshift({ role: 'appMenu' });
  return template;
}
