/* briefing-relay: the operations room's mosaic picture (ops.html): which
 * office a click on the picture points at, from the layout's tiles that
 * GET /api/v1/outputs gives in mosaic pixels (docs/API.md), and the
 * picture in fullscreen for the wall display (Fullscreen API). Runs on the
 * page's main thread; owns no state but the last tiles it was given. */

import { text } from './i18n.js';
import './texts-ops.js';

/* How far (in mosaic pixels) a click in the gap between tiles may land
 * from a tile and still mean it: the mosaic insets each tile by 1 to 3
 * pixels to draw the active speaker's highlight. */
const GAP_PX = 4;

/* The tile under a point of the video element. box: the element's size in
 * CSS pixels {width, height}; point: {x, y} from its top left corner; size:
 * the mosaic's size {width, height} in its own pixels. The picture is shown
 * whole (object-fit: contain), so it may be letterboxed either way. Returns
 * the tile's id, or null outside every tile. */
export function tileAtPoint(tiles, size, box, point) {
  if (!tiles || !tiles.length || !size.width || !size.height || !box.width || !box.height) {
    return null;
  }
  const scale = Math.min(box.width / size.width, box.height / size.height);
  const left = (box.width - size.width * scale) / 2;
  const top = (box.height - size.height * scale) / 2;
  const x = (point.x - left) / scale;
  const y = (point.y - top) / scale;
  if (x < 0 || y < 0 || x >= size.width || y >= size.height) {
    return null;
  }
  let best = null;
  let bestDistance = GAP_PX;
  for (const t of tiles) {
    const dx = Math.max(t.x - x, 0, x - (t.x + t.width));
    const dy = Math.max(t.y - y, 0, y - (t.y + t.height));
    const distance = Math.max(dx, dy);
    if (distance === 0) {
      return t.id;
    }
    if (distance <= bestDistance) {
      best = t.id;
      bestDistance = distance;
    }
  }
  return best;
}

export class MosaicView {
  #frame;
  #video;
  #fullscreenButton;
  #tiles = [];
  #size = { width: 0, height: 0 };

  /* frame: the element shown fullscreen (holds the video); onTile(id):
   * a click on the tile of id; onError(message). */
  constructor({ frame, video, fullscreenButton, onTile, onError }) {
    this.#frame = frame;
    this.#video = video;
    this.#fullscreenButton = fullscreenButton;
    video.addEventListener('click', (ev) => {
      const r = video.getBoundingClientRect();
      const size = video.videoWidth ? { width: video.videoWidth, height: video.videoHeight } : this.#size;
      const id = tileAtPoint(this.#tiles, size, r, { x: ev.clientX - r.left, y: ev.clientY - r.top });
      if (id) {
        onTile(id);
      }
    });
    fullscreenButton.addEventListener('click', () => this.toggleFullscreen().catch(() => onError(text('ops.fullscreen-refused'))));
    document.addEventListener('fullscreenchange', () => this.#renderButton());
    window.addEventListener('languagechange', () => this.#renderButton());
    this.#renderButton();
  }

  /* The mosaic's description from GET /api/v1/outputs. */
  setLayout(mosaic) {
    if (mosaic && Array.isArray(mosaic.tiles)) {
      this.#tiles = mosaic.tiles;
      this.#size = { width: mosaic.width || 0, height: mosaic.height || 0 };
    }
  }

  /* The tile ids in the mosaic's order (central room first). */
  order() {
    return this.#tiles.map((t) => t.id);
  }

  get fullscreen() {
    return document.fullscreenElement === this.#frame;
  }

  async toggleFullscreen() {
    if (document.fullscreenElement) {
      await document.exitFullscreen();
    } else {
      await this.#frame.requestFullscreen({ navigationUI: 'hide' });
    }
  }

  #renderButton() {
    this.#fullscreenButton.textContent = text(this.fullscreen ? 'ops.fullscreen-exit' : 'ops.fullscreen');
    this.#fullscreenButton.setAttribute('aria-pressed', String(this.fullscreen));
  }
}
