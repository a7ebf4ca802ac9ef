import { define } from '../define.js';
import { Un75Polls } from './polls.js';

export { Un75Polls };
define('un75-polls', Un75Polls);

declare global {
  interface HTMLElementTagNameMap {
    'un75-polls': Un75Polls;
  }
  interface GlobalEventHandlersEventMap {
    'un75-poll-form-close': Event;
  }
}
