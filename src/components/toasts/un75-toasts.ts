import { define } from '../define.js';
import { Un75Toasts } from './toasts.js';

export { Un75Toasts };
define('un75-toasts', Un75Toasts);

declare global {
  interface HTMLElementTagNameMap {
    'un75-toasts': Un75Toasts;
  }
}
