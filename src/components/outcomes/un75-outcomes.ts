import { define } from '../define.js';
import type { OutcomesData } from './outcomes.types.js';
import { Un75Outcomes } from './outcomes.js';

export { Un75Outcomes };
export type { OutcomesData, Cell } from './outcomes.types.js';
define('un75-outcomes', Un75Outcomes);

declare global {
  interface HTMLElementTagNameMap {
    'un75-outcomes': Un75Outcomes;
  }
  interface GlobalEventHandlersEventMap {
    'un75-outcomes-load': CustomEvent<OutcomesData>;
  }
}
