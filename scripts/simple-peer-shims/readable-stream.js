// simple-peer extends Node's stream.Duplex, but un75 only uses its message API (send / 'data' /
// 'signal' / 'stream' / 'track' / 'connect' / 'close' / 'error'). This is the part of Duplex that
// simple-peer itself touches (push, end, the two state flags, 'finish') and the part of Node's
// EventEmitter that it and un75 call (on, once, emit, removeListener, removeAllListeners), so the
// browser bundle carries neither readable-stream, string_decoder and util nor the events package.

export class Duplex {
  constructor() {
    this._events = new Map();
    this._readableState = { ended: false };
    this._writableState = { finished: false };
    this.readable = this.writable = true;
  }

  on(type, listener) {
    const list = this._events.get(type);
    if (list) list.push(listener);
    else this._events.set(type, [listener]);
    return this;
  }

  once(type, listener) {
    const wrapper = (...args) => {
      this.removeListener(type, wrapper);
      listener.apply(this, args);
    };
    wrapper.listener = listener;
    return this.on(type, wrapper);
  }

  removeListener(type, listener) {
    const list = this._events.get(type);
    const index = list ? list.findIndex((l) => l === listener || l.listener === listener) : -1;
    if (index >= 0) list.splice(index, 1);
    return this;
  }

  removeAllListeners(type) {
    if (type === undefined) this._events.clear();
    else this._events.delete(type);
    return this;
  }

  /** Like Node's: an 'error' nobody listens to is thrown, not swallowed. */
  emit(type, ...args) {
    const list = this._events.get(type);
    if (!list || list.length === 0) {
      if (type === 'error') throw args[0] instanceof Error ? args[0] : new Error(String(args[0]));
      return false;
    }
    for (const listener of [...list]) listener.apply(this, args);
    return true;
  }

  push(chunk) {
    if (chunk === null) {
      this._readableState.ended = true;
      return false;
    }
    this.emit('data', chunk);
    return true;
  }

  write(chunk, callback) {
    this._write(chunk, 'utf8', typeof callback === 'function' ? callback : () => {});
    return true;
  }

  end() {
    if (this._writableState.finished) return;
    this._writableState.finished = true;
    queueMicrotask(() => this.emit('finish'));
  }
}

export default { Duplex };
