import { define } from '../define.js';
import { Un75ParticipantTile } from './participant-tile.js';

export { Un75ParticipantTile };
define('un75-participant-tile', Un75ParticipantTile);

declare global {
  interface HTMLElementTagNameMap {
    'un75-participant-tile': Un75ParticipantTile;
  }
}
