import type { Participant } from './types.js';

/** What the router needs from a session: who is there and their received streams. */
export interface AudioSource extends EventTarget {
  readonly participants: Participant[];
  streamsOf(id: string): { camera?: MediaStream };
}

/** How loud one remote participant is played, 0–1. */
export type VolumePolicy = (participant: Participant) => number;

const UPDATE_EVENTS = ['streams', 'participant-joined', 'participant-left', 'participant-updated'] as const;

/**
 * Plays every remote participant's voice, each through its own hidden audio element whose volume
 * the policy sets (full by default; the interpretation module ducks the floor and gates channels).
 * Tiles never play sound: what a person hears does not depend on which elements a page shows, and
 * changing what one hears is a volume change, never a renegotiation.
 */
export class AudioRouter {
  readonly #players = new Map<string, HTMLAudioElement>();
  #policy: VolumePolicy = () => 1;
  readonly #onChange = () => this.update();
  #disposed = false;

  constructor(private readonly source: AudioSource) {
    for (const type of UPDATE_EVENTS) source.addEventListener(type, this.#onChange);
  }

  setPolicy(policy: VolumePolicy): void {
    this.#policy = policy;
    this.update();
  }

  /** Volume currently applied to a participant (for tests and diagnostics); undefined if not playing. */
  volumeOf(id: string): number | undefined {
    return this.#players.get(id)?.volume;
  }

  update(): void {
    if (this.#disposed) return;
    const present = new Set<string>();
    for (const participant of this.source.participants) {
      if (participant.isSelf) continue;
      const stream = this.source.streamsOf(participant.id).camera;
      if (!stream || stream.getAudioTracks().length === 0) continue;
      present.add(participant.id);
      let player = this.#players.get(participant.id);
      if (!player) {
        player = new Audio();
        player.autoplay = true;
        this.#players.set(participant.id, player);
      }
      if (player.srcObject !== stream) {
        player.srcObject = stream;
        player.play().catch(() => {
          // Autoplay refused until the person interacts with the page; joining is such an interaction.
        });
      }
      player.volume = Math.min(1, Math.max(0, this.#policy(participant)));
    }
    for (const [id, player] of this.#players) {
      if (present.has(id)) continue;
      player.srcObject = null;
      this.#players.delete(id);
    }
  }

  dispose(): void {
    this.#disposed = true;
    for (const type of UPDATE_EVENTS) this.source.removeEventListener(type, this.#onChange);
    for (const player of this.#players.values()) {
      player.pause();
      player.srcObject = null;
    }
    this.#players.clear();
  }
}
