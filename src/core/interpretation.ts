/**
 * Human simultaneous interpretation (design §5.4). An interpreter speaks into one language channel
 * at a time; each listener hears the channel of their listen language at full volume with the floor
 * ducked, or the floor alone when no one interprets into their language. Channels are announced over
 * the data channels; what a person hears is decided here and applied as volumes by the AudioRouter,
 * so switching never renegotiates. A channel counts only while the server lists its sender as an
 * interpreter: a role a host grants or takes away during the call opens or closes it for everyone.
 */
import { ChannelMessageError, parseChannelMessage, type ChannelMessage } from '../protocol/interpretation.js';
import type { VolumePolicy } from './audio-router.js';
import { TokenBucket, type Rate } from './budget.js';
import { sameSpokenLanguage } from './language.js';
import { TypedEventTarget } from './typed-event-target.js';
import type { Participant, PeerMessageDetail, PeerMessaging } from './types.js';

/** A live channel: someone is on air interpreting into `lang`. */
export interface Channel {
  lang: string;
  interpreterId: string;
  interpreterName: string;
  /** Coughing: live, but silent for a moment. */
  muted: boolean;
  /** True when this person is the one on air. */
  self: boolean;
}

/** The local interpreter's booth. */
export interface BoothState {
  /** The two languages of the booth, as given in `interpreter-languages`. */
  languages: [string, string];
  /** Interpreting from `from` into `to`. */
  from: string;
  to: string;
  onAir: boolean;
  muted: boolean;
  /** A channel listened to instead of the floor, or null for the floor. */
  relay: string | null;
  /** Someone else is on air in `to`: this booth is standing by and can take over. */
  partner: string | null;
}

export interface InterpretationHost extends PeerMessaging {
  readonly participants: Participant[];
  readonly localStream: MediaStream;
  setMicrophone(on: boolean): boolean;
}

export interface InterpretationOptions {
  listenLanguage: string;
  /** 0–1: the floor's volume under an interpreter. */
  floorVolume: number;
  /** For interpreters: the booth's two languages; they start from the first into the second (see `setBooth`). */
  interpreterLanguages?: readonly [string, string] | undefined;
}

interface InterpretationEvents {
  /** Anything the picker, tiles or booth controls show changed; also what a person hears. */
  change: CustomEvent<undefined>;
}

/** Who holds a channel and how strongly: a deliberate take-over beats a channel taken on joining. */
interface Claim {
  id: string;
  since: number;
  takeover: boolean;
}

/** True when claim a wins the channel over claim b. */
function beats(a: Claim, b: Claim): boolean {
  if (a.takeover !== b.takeover) return a.takeover;
  // Two take-overs: the later one is the newer decision. Two claims made on joining: the first one stays.
  if (a.since !== b.since) return a.takeover ? a.since > b.since : a.since < b.since;
  return a.id < b.id;
}

/**
 * Contested take-overs believed from one interpreter: taking over a channel someone else holds is
 * allowed once a minute; claims on a free channel, and claims made on joining (which never beat a
 * take-over), are not limited. A page that keeps
 * re-claiming can therefore win a channel back at most once a minute, and the real interpreter can
 * always take it back and keep it. Repeats of the same claim change nothing and are not counted.
 */
export const CLAIM_RATE: Rate = { burst: 1, perSecond: 1 / 60 };

/** A remote interpreter's announcement, with its claim timed by our clock when we received it. */
interface RemoteChannel {
  announcement: ChannelMessage;
  /** When the claim was made (ms, Date.now()): for a take-over, when we received it. */
  since: number;
}

/** Channels are matched on the spoken language: a listener in `fr-CA` hears the `fr` channel. */
export const sameChannel = sameSpokenLanguage;

export class Interpretation extends TypedEventTarget<InterpretationEvents> {
  readonly #remote = new Map<string, RemoteChannel>();
  /** Per remote interpreter: contested claims it may still make (see CLAIM_RATE). */
  readonly #claims = new Map<string, TokenBucket>();
  #booth: (BoothState & { since: number; takeover: boolean }) | undefined;
  #listenLanguage: string;
  #floorVolume: number;

  readonly #host: InterpretationHost;

  constructor(host: InterpretationHost, options: InterpretationOptions) {
    super();
    this.#host = host;
    this.#listenLanguage = options.listenLanguage;
    this.#floorVolume = clampVolume(options.floorVolume);
    host.addEventListener('peer-message', this.#onPeerMessage);
    host.addEventListener('peer-connected', this.#onPeerConnected);
    host.addEventListener('participant-updated', this.#onParticipantUpdated);
    host.addEventListener('participant-left', this.#onParticipantLeft);
    this.setBooth(options.interpreterLanguages);
  }

  /**
   * Opens this person's booth in `languages` (they interpret), or closes it (undefined): the one way
   * a booth comes and goes, whether the role came with the join or a host granted or took it during
   * the call. Opening claims the channel as joining does (a booth partner already on air keeps it)
   * and announces it on every open link; links that open later are told when they open. Closing
   * tells every link the channel is closed and turns the microphone off: what was said into a
   * channel is not meant for the floor, where it would now be heard at full volume.
   */
  setBooth(languages: readonly [string, string] | undefined): void {
    const booth = this.#booth;
    if (Boolean(languages) === Boolean(booth)) return;
    if (languages) {
      this.#booth = { languages: [languages[0], languages[1]], from: languages[0], to: languages[1], onAir: false, muted: false, relay: null, partner: null, since: 0, takeover: false };
      this.#claim(false);
      return;
    }
    booth!.onAir = false;
    this.#announce();
    this.#booth = undefined;
    if (this.#host.localStream.getAudioTracks().some((t) => t.enabled)) this.#host.setMicrophone(false);
    this.#changed();
  }

  get listenLanguage(): string {
    return this.#listenLanguage;
  }

  set listenLanguage(lang: string) {
    if (lang === this.#listenLanguage) return;
    this.#listenLanguage = lang;
    this.#changed();
  }

  get floorVolume(): number {
    return this.#floorVolume;
  }

  set floorVolume(volume: number) {
    const v = clampVolume(volume);
    if (v === this.#floorVolume) return;
    this.#floorVolume = v;
    this.#changed();
  }

  /** The local booth, for interpreters. */
  get boothState(): BoothState | undefined {
    if (!this.#booth) return undefined;
    const { since: _since, takeover: _takeover, ...state } = this.#booth;
    return state;
  }

  /** Every live channel, in language order. */
  get channels(): Channel[] {
    const channels: Channel[] = [];
    for (const [id, remote, lang] of this.#open()) {
      if (!this.#holds(id, remote)) continue;
      channels.push({ lang, interpreterId: id, interpreterName: this.#host.participant(id)?.name ?? '', muted: remote.announcement.muted, self: false });
    }
    const booth = this.#booth;
    if (booth?.onAir && this.#host.selfId) {
      channels.push({ lang: booth.to, interpreterId: this.#host.selfId, interpreterName: this.#host.participant(this.#host.selfId)?.name ?? '', muted: booth.muted, self: true });
    }
    return channels.sort((a, b) => a.lang.localeCompare(b.lang));
  }

  /** The channel this person hears now, if any: their listen language's (a listener) or the relay (an interpreter). */
  get heard(): Channel | null {
    const wanted = this.#booth ? this.#booth.relay : this.#listenLanguage;
    if (!wanted) return null;
    return this.channels.find((c) => !c.self && sameChannel(c.lang, wanted)) ?? null;
  }

  /** How loud each remote participant is played for this person. */
  readonly volumeFor: VolumePolicy = (participant) => {
    const heard = this.heard;
    if (participant.role === 'interpreter') {
      // An interpreter is heard only by those who picked their channel.
      return heard?.interpreterId === participant.id ? 1 : 0;
    }
    if (!heard) return 1;
    // Relay: an interpreter listens to the other channel instead of the floor.
    return this.#booth ? 0 : this.#floorVolume;
  };

  // Interpreter controls

  /** Swaps the booth's direction: from `to` into `from`. The new channel is taken deliberately. */
  swapDirection(): void {
    const booth = this.#booth;
    if (!booth) return;
    [booth.from, booth.to] = [booth.to, booth.from];
    if (booth.onAir) this.#claim(true);
    else this.#announceAndChange();
  }

  /** Goes on air (taking the channel over from a booth partner) or off air. */
  setOnAir(on: boolean): void {
    const booth = this.#booth;
    if (!booth || booth.onAir === on) return;
    if (on) this.#claim(true);
    else {
      booth.onAir = false;
      this.#announceAndChange();
    }
  }

  /** The cough key: silences the channel at once, without leaving the air or renegotiating. */
  setMuted(muted: boolean): void {
    const booth = this.#booth;
    if (!booth || booth.muted === muted) return;
    booth.muted = muted;
    this.#host.setMicrophone(!muted);
    this.#announceAndChange();
  }

  /** Listens to another channel instead of the floor (relay), or back to the floor with null. */
  setRelay(lang: string | null): void {
    const booth = this.#booth;
    if (!booth || booth.relay === lang) return;
    booth.relay = lang;
    this.#changed();
  }

  #claim(takeover: boolean) {
    const booth = this.#booth!;
    booth.onAir = true;
    booth.since = Date.now();
    booth.takeover = takeover;
    this.#resolveConflicts();
    this.#announceAndChange();
  }

  /**
   * The remote claims in force: announced with a language, by members the server lists as
   * interpreters now. An announcement is kept whoever sent it, and counts from the moment its sender
   * is an interpreter: a newly granted interpreter's announcement may arrive before the server's
   * word of the role, and a role taken away closes the channel even if its last word was "on air".
   */
  *#open(): Generator<[string, RemoteChannel, string]> {
    for (const [id, remote] of this.#remote) {
      const lang = remote.announcement.lang;
      if (lang !== null && this.#host.participant(id)?.role === 'interpreter') yield [id, remote, lang];
    }
  }

  /**
   * True when no other remote claim on the same channel beats this one: while two pages both claim
   * a channel (before the loser has said it stepped down), listeners hear only the winner.
   */
  #holds(id: string, remote: RemoteChannel): boolean {
    const lang = remote.announcement.lang;
    if (lang === null) return false;
    const mine: Claim = { id, since: remote.since, takeover: remote.announcement.takeover };
    for (const [otherId, other, otherLang] of this.#open()) {
      if (otherId === id || !sameChannel(otherLang, lang)) continue;
      if (beats({ id: otherId, since: other.since, takeover: other.announcement.takeover }, mine)) return false;
    }
    return true;
  }

  /** True when someone other than `from` holds the channel of `lang` now (we or a remote interpreter). */
  #contested(from: string, lang: string): boolean {
    const booth = this.#booth;
    if (booth?.onAir && sameChannel(booth.to, lang)) return true;
    for (const [id, remote, theirs] of this.#open()) {
      if (id !== from && sameChannel(theirs, lang) && this.#holds(id, remote)) return true;
    }
    return false;
  }

  /** Gives up our channel if someone else's claim on it is stronger; notes who holds it. */
  #resolveConflicts() {
    const booth = this.#booth;
    const selfId = this.#host.selfId;
    if (!booth || !selfId) return;
    booth.partner = null;
    for (const [id, remote, lang] of this.#open()) {
      if (!sameChannel(lang, booth.to)) continue;
      const theirs: Claim = { id, since: remote.since, takeover: remote.announcement.takeover };
      const ours: Claim = { id: selfId, since: booth.since, takeover: booth.takeover };
      if (!booth.onAir || beats(theirs, ours)) {
        booth.onAir = false;
        booth.partner = id;
      }
    }
  }

  #message(): ChannelMessage | undefined {
    const booth = this.#booth;
    const track = this.#host.localStream.getAudioTracks()[0];
    if (!booth || !track) return undefined;
    return { type: 'channel', lang: booth.onAir ? booth.to : null, trackId: track.id, muted: booth.muted, since: booth.since, takeover: booth.takeover };
  }

  /** Tells every open link what our booth is doing. */
  #announce() {
    const message = this.#message();
    if (message) this.#host.sendToPeers(message);
  }

  #announceAndChange() {
    this.#announce();
    this.#changed();
  }

  #changed() {
    this.dispatch('change', undefined);
  }

  readonly #onPeerConnected = (event: Event) => {
    const message = this.#message();
    if (message) this.#host.sendToPeers(message, (event as CustomEvent<{ id: string }>).detail.id);
  };

  readonly #onPeerMessage = (event: Event) => {
    const { from, message } = (event as CustomEvent<PeerMessageDetail>).detail;
    // Kept from anyone in the room (one per member), believed only while the server lists the
    // sender as an interpreter (see #open).
    if (message.type !== 'channel' || !this.#host.participant(from)) return;
    let announcement: ChannelMessage;
    try {
      announcement = parseChannelMessage(message);
    } catch (err) {
      console.warn(`un75: dropped a channel announcement from ${from}:`, (err as ChannelMessageError).message);
      return;
    }
    const now = Date.now();
    const previous = this.#remote.get(from);
    // The same claim again (a cough, a re-announcement to a newcomer) keeps the time it was made.
    const sameClaim =
      previous !== undefined &&
      previous.announcement.lang === announcement.lang &&
      (previous.announcement.takeover === announcement.takeover || !announcement.takeover);
    if (!sameClaim && announcement.takeover && announcement.lang !== null && this.#contested(from, announcement.lang)) {
      let claims = this.#claims.get(from);
      if (!claims) this.#claims.set(from, (claims = new TokenBucket(CLAIM_RATE, now)));
      // Taking channels over and over: the claim is not believed (the earlier state stays).
      if (!claims.take(now)) return;
    }
    // A take-over is timed by when we received it: a time in the future cannot make it win for
    // ever. Claims made on joining are ordered by the sender's time (the first one stays), but
    // never later than we received them; they lose to any take-over anyway.
    const since = sameClaim ? previous.since : announcement.takeover ? now : Math.min(announcement.since, now);
    this.#remote.set(from, { announcement, since });
    this.#remoteChanged();
  };

  /** A remote claim came, or its sender became or stopped being an interpreter. */
  #remoteChanged() {
    const wasOnAir = this.#booth?.onAir;
    this.#resolveConflicts();
    // Handed over: tell everyone we are off air now.
    if (wasOnAir && !this.#booth?.onAir) this.#announceAndChange();
    else this.#changed();
  }

  /** A member the server made interpreter, or no longer one: their channel opens or closes here. */
  readonly #onParticipantUpdated = (event: Event) => {
    const { participant } = (event as CustomEvent<{ participant: Participant }>).detail;
    if (!participant.isSelf && this.#remote.has(participant.id)) this.#remoteChanged();
  };

  readonly #onParticipantLeft = (event: Event) => {
    const { participant } = (event as CustomEvent<{ participant: Participant }>).detail;
    this.#claims.delete(participant.id);
    if (!this.#remote.delete(participant.id)) return;
    if (this.#booth?.partner === participant.id) this.#booth.partner = null;
    this.#changed();
  };

  dispose(): void {
    this.#host.removeEventListener('peer-message', this.#onPeerMessage);
    this.#host.removeEventListener('peer-connected', this.#onPeerConnected);
    this.#host.removeEventListener('participant-updated', this.#onParticipantUpdated);
    this.#host.removeEventListener('participant-left', this.#onParticipantLeft);
  }
}

function clampVolume(volume: number): number {
  return Number.isFinite(volume) ? Math.min(1, Math.max(0, volume)) : 0.2;
}
