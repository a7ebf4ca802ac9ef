import { define } from '../define.js';
import { Un75Booth } from './booth.js';

export { Un75Booth };
define('un75-booth', Un75Booth);

declare global {
  interface HTMLElementTagNameMap {
    'un75-booth': Un75Booth;
  }
}
