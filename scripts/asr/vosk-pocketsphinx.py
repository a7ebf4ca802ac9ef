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

With --api openai it speaks the OpenAI-compatible transcription API instead (whisper.cpp's server,
speaches, LocalAI and vLLM speak it too), which un75-signal reaches with `--asr LANG=openai+http://…/v1`:
  POST /v1/audio/transcriptions, multipart/form-data: file (a WAV of 16 kHz mono 16-bit PCM),
  model, optional language and response_format (json, the default, or text)
  -> 200 {"text": "..."}; a request it cannot take -> 4xx {"error": {"message": ..., "type": ...}}
Prints "listening on http://HOST:PORT/v1" once it accepts requests.
"""
import argparse
import asyncio
import email.parser
import email.policy
import io
import json
import os
import sys
import tempfile
import threading
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


MAX_UPLOAD = 25 * 1024 * 1024  # the OpenAI API's own limit per file


def transcribe(decoder, wav_bytes):
    """The text of a whole utterance (a WAV file), or raises ValueError saying why it is refused."""
    try:
        with wave.open(io.BytesIO(wav_bytes)) as w:
            if w.getframerate() != SUPPORTED_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise ValueError(f'only {SUPPORTED_RATE} Hz mono 16-bit WAV')
            pcm = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as err:
        raise ValueError(f'not a WAV file: {err}') from None
    decoder.start_utt()
    decoder.process_raw(pcm, False, True)
    decoder.end_utt()
    h = decoder.hyp()
    return h.hypstr if h else ''


def serve_openai(args, grammar_path):
    pool = [new_decoder(grammar_path)]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def reply(self, status, body, content_type='application/json'):
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, message, kind='invalid_request_error'):
            self.reply(status, {'error': {'message': message, 'type': kind, 'param': None, 'code': None}})

        def do_POST(self):
            if self.path.split('?')[0].rstrip('/') != '/v1/audio/transcriptions':
                return self.error(404, f'no route {self.path}')
            length = int(self.headers.get('Content-Length') or 0)
            ctype = self.headers.get('Content-Type', '')
            if not ctype.startswith('multipart/form-data') or length <= 0 or length > MAX_UPLOAD:
                return self.error(400, 'a multipart/form-data body of at most 25 MB is expected')
            body = self.rfile.read(length)
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b'Content-Type: ' + ctype.encode() + b'\r\n\r\n' + body)
            fields = {}
            for part in message.iter_parts():
                name = part.get_param('name', header='content-disposition')
                if name:
                    fields[name] = part.get_payload(decode=True)
            if 'file' not in fields:
                return self.error(400, "'file' is a required field")
            if 'model' not in fields:
                return self.error(400, "'model' is a required field")
            fmt = (fields.get('response_format') or b'json').decode()
            with lock:
                decoder = pool.pop() if pool else None
            decoder = decoder or new_decoder(grammar_path)
            try:
                text = transcribe(decoder, fields['file'])
            except ValueError as err:
                return self.error(400, str(err))
            finally:
                with lock:
                    pool.append(decoder)
            if fmt == 'text':
                return self.reply(200, text, 'text/plain; charset=utf-8')
            return self.reply(200, {'text': text})

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f'listening on http://{args.host}:{server.server_address[1]}/v1', flush=True)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=2700)
    parser.add_argument('--phrase', action='append', help='a phrase to recognise (repeatable)')
    parser.add_argument('--api', choices=['vosk', 'openai'], default='vosk', help='the protocol to speak')
    args = parser.parse_args()
    try:
        if args.api == 'openai':
            with tempfile.NamedTemporaryFile('w', suffix='.gram', delete=False) as f:
                f.write(grammar(args.phrase or DEFAULT_PHRASES))
            serve_openai(args, f.name)
        else:
            asyncio.run(serve(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == '__main__':
    main()
