#!/usr/bin/python3
"""A speech recogniser speaking the Vosk WebSocket protocol, over Debian's pocketsphinx.

For tests and demos of un75-signal's `--asr LANG=URL` without any cloud: Debian packages
pocketsphinx, pocketsphinx-en-us, python3-pocketsphinx and python3-websockets (scripts/system-deps.mjs).
It recognises only the phrases it is given (a JSGF grammar), which is what makes espeak-ng speech
come out right every time; it is not a general dictation engine.

Protocol, as Vosk's server speaks it (and Jigasi, BigBlueButton, Nextcloud Talk expect):
  client -> {"config": {"sample_rate": 16000}}   (text, optional, before any audio)
  client -> binary frames of 16-bit little-endian mono PCM
  client -> {"eof": 1}                            (text: flush, answer the last final, close)
  server -> {"partial": "..."} after each audio frame, {"text": "..."} when an utterance ends.

  /usr/bin/python3 scripts/asr/vosk-pocketsphinx.py --port 2700 [--host 127.0.0.1]
      [--phrase "good morning everyone" ...]
Prints "listening on ws://HOST:PORT" once it accepts connections.
"""
import argparse
import asyncio
import json
import os
import sys
import tempfile

import websockets
from pocketsphinx import Decoder

MODEL = '/usr/share/pocketsphinx/model/en-us'
DEFAULT_PHRASES = ['good morning everyone', 'thank you', 'hello']
# Audio that is not 16-bit PCM at the rate we decode is refused, not guessed at.
SUPPORTED_RATE = 16000
MAX_FRAME = 1 << 20


def grammar(phrases):
    words = ' | '.join(p.lower() for p in phrases)
    return f'#JSGF V1.0;\ngrammar un75;\npublic <phrase> = {words};\n'


def new_decoder(grammar_path):
    config = Decoder.default_config()
    config.set_string('-hmm', os.path.join(MODEL, 'en-us'))
    config.set_string('-dict', os.path.join(MODEL, 'cmudict-en-us.dict'))
    config.set_string('-jsgf', grammar_path)
    config.set_string('-logfn', os.devnull)
    # Half the default silence before an utterance ends: finals come sooner after speech.
    config.set_int('-vad_postspeech', 25)
    return Decoder(config)


class Stream:
    def __init__(self, decoder):
        self.decoder = decoder
        self.in_speech = False
        self.decoder.start_utt()

    def hyp(self):
        h = self.decoder.hyp()
        return h.hypstr if h else ''

    def feed(self, pcm):
        """Decodes a frame; returns the answer Vosk would send for it."""
        self.decoder.process_raw(pcm, False, False)
        speaking = self.decoder.get_in_speech()
        if self.in_speech and not speaking:
            return {'text': self.finish(restart=True)}
        self.in_speech = speaking
        return {'partial': self.hyp() if speaking else ''}

    def finish(self, restart=False):
        self.decoder.end_utt()
        text = self.hyp()
        self.in_speech = False
        if restart:
            self.decoder.start_utt()
        return text


async def serve(args):
    with tempfile.NamedTemporaryFile('w', suffix='.gram', delete=False) as f:
        f.write(grammar(args.phrase or DEFAULT_PHRASES))
        grammar_path = f.name

    # Making a decoder loads the model (a second or more): streams take one ready from the pool and
    # give it back when they end, so a new stream is answered at once.
    pool = [new_decoder(grammar_path)]

    async def handler(ws, _path=None):
        decoder = pool.pop() if pool else await asyncio.to_thread(new_decoder, grammar_path)
        try:
            await converse(ws, Stream(decoder))
        finally:
            try:
                decoder.end_utt()
            except Exception:  # the utterance had ended already
                pass
            pool.append(decoder)

    async def converse(ws, stream):
        async for message in ws:
            if isinstance(message, bytes):
                if len(message) % 2:
                    await ws.close(1003, 'PCM16 frames have an even length')
                    return
                await ws.send(json.dumps(stream.feed(message)))
                continue
            try:
                msg = json.loads(message)
            except ValueError:
                await ws.close(1003, 'not JSON')
                return
            if not isinstance(msg, dict):
                await ws.close(1003, 'not a JSON object')
                return
            if 'config' in msg:
                rate = (msg['config'] or {}).get('sample_rate', SUPPORTED_RATE)
                if rate != SUPPORTED_RATE:
                    await ws.close(1003, f'only {SUPPORTED_RATE} Hz')
                    return
            elif 'eof' in msg:
                await ws.send(json.dumps({'text': stream.finish()}))
                await ws.close()
                return

    async with websockets.serve(handler, args.host, args.port, max_size=MAX_FRAME, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f'listening on ws://{args.host}:{port}', flush=True)
        await asyncio.Future()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=2700)
    parser.add_argument('--phrase', action='append', help='a phrase to recognise (repeatable)')
    args = parser.parse_args()
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == '__main__':
    main()
