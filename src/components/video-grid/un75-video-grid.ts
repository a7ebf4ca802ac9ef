import { define } from '../define.js';
import { Un75VideoGrid } from './video-grid.js';

export { Un75VideoGrid };
define('un75-video-grid', Un75VideoGrid);

declare global {
  interface HTMLElementTagNameMap {
    'un75-video-grid': Un75VideoGrid;
  }
}
