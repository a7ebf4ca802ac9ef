import { expect } from '@open-wc/testing';
import { Transcript, formatTranscript, toWebVTT, type TranscriptLine } from '../../src/core/transcript.js';

const T0 = Date.UTC(2025, 5, 26, 9, 0, 0);

const lines: TranscriptLine[] = [
  { speakerName: 'John', speakerId: 'p2', lang: 'en', text: 'Good morning everyone', start: T0 + 1200, end: T0 + 3400, machineTranslated: false },
  { speakerName: 'Amina', speakerId: 'p1', lang: 'ar', text: 'صباح الخير 2025 للجميع', start: T0 + 4000, end: T0 + 4000, machineTranslated: false },
  { speakerName: 'Wei <b>&', speakerId: 'p3', lang: 'zh', text: '我们今天讨论气候变化问题以及各国应该采取的共同行动', start: T0 + 3_723_456, end: T0 + 3_725_000, machineTranslated: false },
  { speakerName: 'Eve', speakerId: 'p4', lang: 'en', text: 'a --> b <script>alert(1)</script> & co', start: T0 + 3_726_000, end: T0 + 3_727_000, machineTranslated: false },
];

/** Parses WebVTT with the browser's own parser, through a <track> element. */
async function parseWithBrowser(vtt: string): Promise<VTTCue[]> {
  const video = document.createElement('video');
  const track = document.createElement('track');
  track.kind = 'subtitles';
  track.default = true;
  track.src = URL.createObjectURL(new Blob([vtt], { type: 'text/vtt' }));
  video.append(track);
  document.body.append(video);
  track.track.mode = 'hidden';
  await new Promise<void>((resolve, reject) => {
    track.addEventListener('load', () => resolve());
    track.addEventListener('error', () => reject(new Error('the browser refused the WebVTT file')));
  });
  const cues = [...(track.track.cues ?? [])] as VTTCue[];
  video.remove();
  return cues;
}

describe('WebVTT transcript', () => {
  it('is a file the browser parses into one cue per segment, with times, voices and text', async () => {
    const vtt = toWebVTT(lines, { startedAt: T0 });
    expect(vtt.startsWith('WEBVTT\n\n')).to.be.true;
    const cues = await parseWithBrowser(vtt);
    expect(cues).to.have.length(4);
    expect([cues[0]!.startTime, cues[0]!.endTime]).to.deep.equal([1.2, 3.4]);
    // A segment that arrived all at once still lasts long enough to be read.
    expect(cues[1]!.endTime - cues[1]!.startTime).to.equal(1);
    expect(cues[2]!.startTime).to.be.closeTo(3723.456, 0.0005);
    expect(vtt).to.include('01:02:03.456 --> 01:02:05.000');

    const voices = cues.map((cue) => (cue.getCueAsHTML().firstChild as HTMLElement).title);
    expect(voices).to.deep.equal(['John', 'Amina', 'Wei <b>&', 'Eve']);
    expect(cues.map((cue) => cue.getCueAsHTML().textContent)).to.deep.equal([
      'Good morning everyone',
      '\u200Fصباح الخير 2025 للجميع',
      // Chinese is broken into lines of about 16 characters.
      lines[2]!.text.slice(0, 16) + '\n' + lines[2]!.text.slice(16),
      'a --> b <script>alert(1)</script> & co',
    ]);
    // Nothing in the text became markup.
    expect(cues[3]!.getCueAsHTML().querySelector('script')).to.be.null;
  });

  it('marks each line of right-to-left text', () => {
    const long: TranscriptLine = { ...lines[1]!, text: 'هذه جملة عربية طويلة بما يكفي لكي تنقسم إلى أكثر من سطر واحد في الترجمة' };
    const cueText = toWebVTT([long], { startedAt: T0 }).split('\n').slice(4, -1);
    expect(cueText.length).to.be.greaterThan(1);
    expect(cueText[0]).to.match(/^<v Amina>\u200F/);
    for (const line of cueText.slice(1)) expect(line.startsWith('\u200F')).to.be.true;
  });

  it('breaks Chinese lines at about 16 characters and keeps every character', () => {
    const cueLines = toWebVTT([lines[2]!], { startedAt: T0 }).split('\n').slice(4, -1);
    const text = cueLines.map((l) => l.replace(/^<v [^>]*>/, ''));
    expect(text.length).to.be.greaterThan(1);
    for (const line of text) expect([...line].length).to.be.at.most(16);
    expect(text.join('')).to.equal(lines[2]!.text);
  });

  it('names the language it was asked in', () => {
    expect(toWebVTT(lines.slice(0, 1), { startedAt: T0, language: 'fr' })).to.match(/^WEBVTT\n\nNOTE language: fr\n\n1\n/);
  });
});

describe('JSON and text transcripts', () => {
  it('JSON holds every segment with speaker, times, language and the original of a translation', () => {
    const translated: TranscriptLine = {
      ...lines[1]!,
      lang: 'fr',
      text: 'Bonjour à tous',
      machineTranslated: true,
      original: { lang: 'ar', text: 'صباح الخير' },
    };
    const json = JSON.parse(formatTranscript('json', [lines[0]!, translated], { startedAt: T0, language: 'fr' }));
    expect(json).to.deep.equal({
      language: 'fr',
      startedAt: '2025-06-26T09:00:00.000Z',
      segments: [
        { speaker: 'John', speakerId: 'p2', start: 1.2, end: 3.4, lang: 'en', text: 'Good morning everyone', machineTranslated: false },
        {
          speaker: 'Amina',
          speakerId: 'p1',
          start: 4,
          end: 4,
          lang: 'fr',
          text: 'Bonjour à tous',
          machineTranslated: true,
          original: { lang: 'ar', text: 'صباح الخير' },
        },
      ],
    });
  });

  it('text has a line per segment, isolating right-to-left sentences', () => {
    const text = formatTranscript('text', lines.slice(0, 2), { startedAt: T0 });
    expect(text).to.equal('[00:00:01] John: Good morning everyone\n[00:00:04] Amina: \u2067صباح الخير 2025 للجميع\u2069\n');
  });

  it('refuses an unknown format', () => {
    expect(() => formatTranscript('srt' as 'vtt', lines, { startedAt: T0 })).to.throw(/unknown transcript format/);
  });
});

describe('Transcript store', () => {
  it('keeps segments in the order they began, with their translations', () => {
    const store = new Transcript(T0);
    const entry = (key: string, start: number) => ({ key, speakerId: 'p', speakerName: 'P', lang: 'en', text: key, start, end: start + 10 });
    store.add(entry('b', T0 + 200));
    store.add(entry('c', T0 + 300));
    store.add(entry('a', T0 + 100)); // a long segment that started first ends last
    expect(store.entries.map((e) => e.key)).to.deep.equal(['a', 'b', 'c']);
    store.setTranslation('a', 'fr', 'A');
    expect(store.translation('a', 'fr')).to.equal('A');
    expect(store.translation('a', 'ar')).to.be.undefined;
  });
});

describe('Transcript limits', () => {
  const entry = (key: string, speakerId: string, start: number) => ({ key, speakerId, speakerName: speakerId, lang: 'en', text: key, start, end: start + 10 });

  it('a speaker past its share pushes out its own oldest segments, not the others’', () => {
    const store = new Transcript(T0, { total: 100, perSpeaker: 5 });
    store.add(entry('lina-1', 'lina', T0));
    store.add(entry('m-0', 'mallory', T0 + 10));
    store.setTranslation('m-0', 'fr', 'gone');
    for (let i = 1; i < 50; i++) store.add(entry(`m-${i}`, 'mallory', T0 + 10 + i));
    store.add(entry('lina-2', 'lina', T0 + 100));
    expect(store.entries.map((e) => e.key)).to.deep.equal(['lina-1', 'm-45', 'm-46', 'm-47', 'm-48', 'm-49', 'lina-2']);
    expect(store.translation('m-0', 'fr')).to.be.undefined;
  });

  it('the whole transcript past its limit loses its oldest segments', () => {
    const store = new Transcript(T0, { total: 4, perSpeaker: 4 });
    for (let i = 0; i < 10; i++) store.add(entry(`k-${i}`, `p${i % 3}`, T0 + i));
    expect(store.entries.map((e) => e.key)).to.deep.equal(['k-6', 'k-7', 'k-8', 'k-9']);
    // Counts per speaker follow evictions: p0 may again hold its whole share.
    const big = new Transcript(T0, { total: 100, perSpeaker: 2 });
    for (let i = 0; i < 6; i++) big.add(entry(`a-${i}`, 'a', T0 + i));
    expect(big.entries.map((e) => e.key)).to.deep.equal(['a-4', 'a-5']);
  });
});

describe('names in the transcript', () => {
  it('a name cannot forge a cue, a line or reorder the text', async () => {
    const forged: TranscriptLine = {
      ...lines[0]!,
      speakerName: 'Eve\n\n99\n00:00:00.000 --> 00:00:09.000\n<v Lina>I resign\u202E\u2066',
      text: 'Hello',
    };
    const vtt = toWebVTT([forged], { startedAt: T0 });
    const cues = await parseWithBrowser(vtt);
    expect(cues).to.have.length(1);
    expect(cues[0]!.text).to.equal('<v Eve 99 00:00:00.000 --&gt; 00:00:09.000 &lt;v Lina&gt;I resign>Hello');
    const text = formatTranscript('text', [forged], { startedAt: T0 });
    expect(text).to.equal('[00:00:01] Eve 99 00:00:00.000 --> 00:00:09.000 <v Lina>I resign: Hello\n');
    const json = JSON.parse(formatTranscript('json', [forged], { startedAt: T0 })) as { segments: { speaker: string }[] };
    expect(json.segments[0]!.speaker).to.equal('Eve 99 00:00:00.000 --> 00:00:09.000 <v Lina>I resign');
    // A name of nothing but controls falls back to the id.
    expect(formatTranscript('text', [{ ...forged, speakerName: '\u202E\n' }], { startedAt: T0 })).to.match(/\] p2: Hello/);
  });
});
