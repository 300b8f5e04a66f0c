/**
 * Electron main process: one window, the app menu, native dialogs, recent files,
 * window state, and the validated IPC surface the renderer uses. The engine
 * itself runs in the renderer (WebGPU in a worker), off this process.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell } from 'electron';
import { mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { IPC, MAX_PHOTOS, PHOTO_EXTENSIONS, PROJECT_SUFFIX, SCENE_EXTENSIONS, type MenuCommand, type PickedFile } from './ipc-contract.js';
import { checkGrantedFolder, checkOutputName, checkProjectPath, checkReadablePath, checkSuggestedName, expectBytes } from './ipc-validate.js';
import { buildMenuTemplate } from './menu.js';
import { addRecent, loadRecent, recentCommand, saveRecent } from './recent-files.js';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, secureWebPreferences, webgpuSwitches } from './security.js';
import { clampToDisplays, loadWindowState, saveWindowState } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url));
// Built layout: dist/electron/electron/main.js next to dist/electron/electron/preload.cjs; the page in dist/renderer.
const rendererIndex = join(here, '../../renderer/index.html');
const preloadPath = join(here, 'preload.cjs');
const devServerUrl = process.env.SPARROW_DEV_SERVER;

for (const [name, value] of webgpuSwitches(process.platform)) app.commandLine.appendSwitch(name, value);

if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | undefined;
let recent: string[] = [];
/** Folders the user chose in a folder dialog this session: the only places writeInFolder writes. */
const grantedFolders = new Set<string>();
const dataFile = (name: string) => join(app.getPath('userData'), name);

function readPicked(path: string, check: (p: unknown) => string = checkReadablePath): PickedFile {
  const real = check(path);
  return { path: real, name: basename(real), bytes: new Uint8Array(readFileSync(real)) };
}

function photosIn(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const st = statSync(p);
    const entries = st.isDirectory() ? readdirSync(p).sort().map((n) => join(p, n)) : [p];
    for (const e of entries) if ((PHOTO_EXTENSIONS as readonly string[]).includes(extname(e).toLowerCase())) out.push(e);
  }
  return out.slice(0, MAX_PHOTOS);
}

function remember(path: string): void {
  recent = addRecent(recent, path);
  saveRecent(dataFile('recent.json'), recent);
  installMenu();
}

function send(command: MenuCommand): void {
  win?.webContents.send(IPC.menuCommand, command);
}

function installMenu(): void {
  const template = buildMenuTemplate(
    {
      command: send,
      openRecent: (path) => win?.webContents.send(IPC.menuCommand, recentCommand(path), path),
      clearRecent: () => {
        recent = [];
        saveRecent(dataFile('recent.json'), recent);
        installMenu();
      },
    },
    recent,
    process.platform,
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template as Electron.MenuItemConstructorOptions[]));
}

function registerIpc(): void {
  ipcMain.handle(IPC.openPhotos, async () => {
    const r = await dialog.showOpenDialog(win!, {
      title: 'Open Photos',
      properties: ['openFile', 'openDirectory', 'multiSelections'],
      filters: [{ name: 'Photos', extensions: PHOTO_EXTENSIONS.map((e) => e.slice(1)) }],
    });
    if (r.canceled) return [];
    const files = photosIn(r.filePaths).map((p) => readPicked(p));
    if (r.filePaths[0]) remember(r.filePaths[0]);
    return files;
  });
  ipcMain.handle(IPC.openScene, async () => {
    const r = await dialog.showOpenDialog(win!, {
      title: 'Open Scene',
      properties: ['openFile'],
      filters: [{ name: 'Scenes', extensions: SCENE_EXTENSIONS.map((e) => e.slice(1)) }],
    });
    if (r.canceled || !r.filePaths[0]) return null;
    remember(r.filePaths[0]);
    return readPicked(r.filePaths[0]);
  });
  ipcMain.handle(IPC.readFile, async (_e, path: unknown) => readPicked(path as string));
  ipcMain.handle(IPC.saveFile, async (_e, name: unknown, bytes: unknown) => {
    const suggested = checkSuggestedName(name);
    const data = expectBytes(bytes, 'file contents');
    const r = await dialog.showSaveDialog(win!, { title: 'Export', defaultPath: suggested });
    if (r.canceled || !r.filePath) return null;
    writeFileAtomic(r.filePath, data);
    if (r.filePath.toLowerCase().endsWith(PROJECT_SUFFIX)) remember(r.filePath);
    return r.filePath;
  });
  ipcMain.handle(IPC.openProject, async () => {
    const r = await dialog.showOpenDialog(win!, {
      title: 'Open Project',
      properties: ['openFile'],
      filters: [{ name: 'Sparrow projects', extensions: [PROJECT_SUFFIX.slice(1)] }],
    });
    if (r.canceled || !r.filePaths[0]) return null;
    const picked = readPicked(r.filePaths[0], checkProjectPath);
    remember(picked.path);
    return picked;
  });
  ipcMain.handle(IPC.readProject, async (_e, path: unknown) => {
    const picked = readPicked(path as string, checkProjectPath);
    remember(picked.path);
    return picked;
  });
  ipcMain.handle(IPC.chooseFolder, async () => {
    const r = await dialog.showOpenDialog(win!, { title: 'Folder for the turntable frames', properties: ['openDirectory', 'createDirectory', 'promptToCreate'] });
    if (r.canceled || !r.filePaths[0]) return null;
    mkdirSync(r.filePaths[0], { recursive: true }); // promptToCreate (Windows) returns a folder that may not exist yet
    const real = realpathSync(r.filePaths[0]);
    grantedFolders.add(real);
    return real;
  });
  ipcMain.handle(IPC.writeInFolder, async (_e, folder: unknown, name: unknown, bytes: unknown) => {
    const dir = checkGrantedFolder(folder, grantedFolders);
    const file = join(dir, checkOutputName(name));
    writeFileAtomic(file, expectBytes(bytes, 'file contents'));
    return file;
  });
  ipcMain.handle(IPC.recentList, async () => recent);
}

function createWindow(): void {
  const stateFile = dataFile('window.json');
  const state = clampToDisplays(loadWindowState(stateFile), screen.getAllDisplays().map((d) => d.workArea));
  win = new BrowserWindow({
    ...state,
    show: false,
    title: 'Sparrow',
    backgroundColor: '#16181d',
    webPreferences: secureWebPreferences(preloadPath),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());
  const save = () => {
    if (!win) return;
    saveWindowState(stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() });
  };
  win.on('close', save);
  const appRoot = pathToFileURL(dirname(rendererIndex)).href;
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appRoot, devServerUrl)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererIndex);
}

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // No remote content: refuse every request that is not the app's own files or the dev server.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const ok = /^(file|devtools|blob|data):/.test(details.url) || (devServerUrl !== undefined && details.url.startsWith(devServerUrl));
    callback({ cancel: !ok });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  recent = loadRecent(dataFile('recent.json'));
  registerIpc();
  installMenu();
  createWindow();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
