import { define } from '../define.js';
import { Un75SidePanel } from './side-panel.js';
import type { Un75PanelTabDetail } from './side-panel.types.js';

export { Un75SidePanel };
export type { PanelTab, Un75PanelTabDetail } from './side-panel.types.js';
define('un75-side-panel', Un75SidePanel);

declare global {
  interface HTMLElementTagNameMap {
    'un75-side-panel': Un75SidePanel;
  }
  interface GlobalEventHandlersEventMap {
    'un75-panel-tab': CustomEvent<Un75PanelTabDetail>;
    'un75-panel-close': CustomEvent<undefined>;
  }
}
