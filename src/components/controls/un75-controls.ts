import { define } from '../define.js';
import { Un75Controls } from './controls.js';

export { Un75Controls };
define('un75-controls', Un75Controls);

declare global {
  interface HTMLElementTagNameMap {
    'un75-controls': Un75Controls;
  }
}
