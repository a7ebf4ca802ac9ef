import { define } from '../define.js';
import { Un75LanguagePicker, type Un75LanguageChangeDetail } from './language-picker.js';

export { Un75LanguagePicker };
export type { Un75LanguageChangeDetail };
define('un75-language-picker', Un75LanguagePicker);

declare global {
  interface HTMLElementTagNameMap {
    'un75-language-picker': Un75LanguagePicker;
  }
  interface GlobalEventHandlersEventMap {
    'un75-language-change': CustomEvent<Un75LanguageChangeDetail>;
  }
}
