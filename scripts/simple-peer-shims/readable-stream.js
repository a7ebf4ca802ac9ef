// simple-peer extends Node's stream.Duplex, but un75 only uses its message API (send / 'data' /
// 'signal' / 'stream' / 'track' / 'connect' / 'close' / 'error'). This is the part of Duplex that
// simple-peer itself touches (push, end, the two state flags, 'finish'), on a plain EventEmitter,
// so the browser bundle does not carry readable-stream, string_decoder and util (about 20 KB gzip).
import { EventEmitter } from 'events';

export class Duplex extends EventEmitter {
  constructor() {
    super();
    this._readableState = { ended: false };
    this._writableState = { finished: false };
    this.readable = this.writable = true;
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
