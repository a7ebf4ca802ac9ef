import { define } from '../define.js';
import { Un75Ideas } from './ideas.js';

export { Un75Ideas };
define('un75-ideas', Un75Ideas);

declare global {
  interface HTMLElementTagNameMap {
    'un75-ideas': Un75Ideas;
  }
}
