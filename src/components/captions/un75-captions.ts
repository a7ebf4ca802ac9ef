import { define } from '../define.js';
import { Un75Captions, type Un75TranscriptDetail } from './captions.js';

export { Un75Captions };
export type { Un75TranscriptDetail };
define('un75-captions', Un75Captions);

declare global {
  interface HTMLElementTagNameMap {
    'un75-captions': Un75Captions;
  }
  interface GlobalEventHandlersEventMap {
    'un75-transcript': CustomEvent<Un75TranscriptDetail>;
  }
}
