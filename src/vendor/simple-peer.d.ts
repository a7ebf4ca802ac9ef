// Types for the vendored bundle of simple-peer (see scripts/vendor-simple-peer.mjs).
import type SimplePeer from 'simple-peer';
export type { Instance, Options, SignalData } from 'simple-peer';
declare const Peer: typeof SimplePeer;
export default Peer;
