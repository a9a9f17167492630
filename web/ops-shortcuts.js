/* briefing-relay: the operations room's keyboard shortcuts (ops.html) and
 * their help overlay (a modal <dialog> whose texts are static markup from
 * the catalogue). A key does nothing while the operator types in a field,
 * holds Ctrl, Alt or Meta, or has a dialog open (Escape closes it, as the
 * browser does). Runs on the page's main thread. */

/* key (as KeyboardEvent.key, lower case) -> action name. */
export const SHORTCUTS = Object.freeze({
  g: 'grid',
  s: 'spotlight',
  n: 'next',
  t: 'takeBack',
  m: 'muteHolder',
  f: 'fullscreen',
  '?': 'help',
});

function typing(target) {
  if (!target || !target.closest) {
    return false;
  }
  return Boolean(target.closest('input, textarea, select, [contenteditable="true"]'));
}

/* actions: {grid, spotlight, next, takeBack, muteHolder, fullscreen}, each
 * a function; help: the <dialog> listing them; openers: buttons that show
 * it. Returns {openHelp, lastAction}. */
export function installShortcuts({ actions, help, openers = [] }) {
  let lastAction = null;
  const openHelp = () => {
    if (!help.open) {
      help.showModal();
    }
  };
  for (const b of openers) {
    b.addEventListener('click', openHelp);
  }
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.repeat || typing(ev.target)) {
      return;
    }
    if (document.querySelector('dialog[open]')) {
      return; // Escape and the dialog's own buttons
    }
    const name = SHORTCUTS[ev.key.length === 1 ? ev.key.toLowerCase() : ''];
    if (!name) {
      return;
    }
    ev.preventDefault();
    lastAction = name;
    if (name === 'help') {
      openHelp();
    } else {
      actions[name]();
    }
  });
  return { openHelp, lastAction: () => lastAction };
}
