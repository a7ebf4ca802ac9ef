/**
 * The raised-hands queue (design §5.5, docs/chat.md): who asked for the floor, in the order they
 * raised their hands. The signaling protocol carries `handRaised` but not yet when it was raised,
 * so a client orders hands by when it first saw each one go up ({@link HandRaiseClock}); when
 * the server stamps `handRaisedAt` in the peer state, that time wins and every client agrees.
 */

/** What the queue needs of a participant. */
export interface HandState {
  id: string;
  handRaised: boolean;
  /** When the hand went up (ms since the epoch), if the server says so. */
  handRaisedAt?: number | undefined;
}

/**
 * The participants whose hand is up, first raised first. `seenAt` gives, for participants without
 * `handRaisedAt`, when this client saw their hand go up; those known neither way come last, in the
 * order of `participants`. Pure: the same input gives the same queue.
 */
export function handQueue<P extends HandState>(participants: readonly P[], seenAt: ReadonlyMap<string, number> = new Map()): P[] {
  const at = (p: P) => p.handRaisedAt ?? seenAt.get(p.id) ?? Number.POSITIVE_INFINITY;
  return participants
    .map((p, index) => ({ p, index }))
    .filter(({ p }) => p.handRaised)
    .sort((a, b) => at(a.p) - at(b.p) || a.index - b.index)
    .map(({ p }) => p);
}

/**
 * Remembers when this client first saw each hand go up. Feed it every participant list (or
 * update); a lowered hand is forgotten, so raising it again goes to the back of the queue.
 */
export class HandRaiseClock {
  readonly #seen = new Map<string, number>();

  constructor(readonly now: () => number = () => Date.now()) {}

  /** Notes the raised hands among `participants`; participants not listed are forgotten. */
  observe(participants: readonly HandState[]): void {
    const present = new Set<string>();
    const now = this.now();
    for (const p of participants) {
      present.add(p.id);
      if (!p.handRaised) this.#seen.delete(p.id);
      else if (!this.#seen.has(p.id)) this.#seen.set(p.id, p.handRaisedAt ?? now);
    }
    for (const id of [...this.#seen.keys()]) if (!present.has(id)) this.#seen.delete(id);
  }

  get seenAt(): ReadonlyMap<string, number> {
    return this.#seen;
  }

  /** The queue for `participants` after noting them. */
  queue<P extends HandState>(participants: readonly P[]): P[] {
    this.observe(participants);
    return handQueue(participants, this.#seen);
  }
}
