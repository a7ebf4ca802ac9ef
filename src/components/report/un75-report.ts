import { define } from '../define.js';
import { Un75Report } from './report.js';

export { Un75Report };
define('un75-report', Un75Report);

declare global {
  interface HTMLElementTagNameMap {
    'un75-report': Un75Report;
  }
}
