import { define } from '../define.js';
import { Un75Lobby, type LobbyJoinDetail } from './lobby.js';

export { Un75Lobby, type LobbyJoinDetail };
define('un75-lobby', Un75Lobby);

declare global {
  interface HTMLElementTagNameMap {
    'un75-lobby': Un75Lobby;
  }
  interface GlobalEventHandlersEventMap {
    'un75-lobby-join': CustomEvent<LobbyJoinDetail>;
    'un75-lobby-intent': Event;
  }
}
