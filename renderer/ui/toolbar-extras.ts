/**
 * Toolbar entries added by script (index.html keeps the original set): Open Project… beside
 * Open Scene…, Turntable… beside Screenshot, and the hidden multi-file input a plain browser
 * uses to pick a project together with the files it refers to.
 */

function button(id: string, label: string, title: string, after: string, disabled = false): HTMLButtonElement {
  const b = document.createElement('button');
  b.id = id;
  b.textContent = label;
  b.title = title;
  b.disabled = disabled;
  document.getElementById(after)!.after(b);
  return b;
}

export function addToolbarExtras(): { openProject: HTMLButtonElement; turntable: HTMLButtonElement; projectInput: HTMLInputElement } {
  const openProject = button('btn-open-project', 'Open Project…', 'Open a saved project (*.sparrow.json; in a browser pick it together with its scene file)', 'btn-open-scene');
  const turntable = button('btn-turntable', 'Turntable…', 'Render a turn around the current view as PNG frames (and a WebM)', 'btn-screenshot', true);
  const projectInput = document.createElement('input');
  projectInput.id = 'file-project';
  projectInput.type = 'file';
  projectInput.multiple = true;
  projectInput.hidden = true;
  projectInput.accept = '.json,.ply,.spz,.splat,.glb,.sog,.jpg,.jpeg,.png';
  openProject.after(projectInput);
  return { openProject, turntable, projectInput };
}
