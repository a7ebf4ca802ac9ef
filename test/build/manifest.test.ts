// custom-elements.json (from `cem analyze` with custom-elements-manifest.config.mjs) and the
// docs/api.md written from it describe the public API of every element, and nothing else.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Declaration {
  kind: string;
  name: string;
  tagName?: string;
  attributes?: { name: string; fieldName?: string }[];
  members?: { name: string; kind: string; privacy?: string }[];
  events?: { name: string; description?: string }[];
  slots?: { name: string; description?: string }[];
  cssProperties?: { name: string }[];
}
const manifest = JSON.parse(read('custom-elements.json')) as { modules: { path: string; declarations?: Declaration[]; exports?: { kind: string; name: string }[] }[] };
const classes = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.kind === 'class' && d.name.startsWith('Un75'));
const elements = classes.filter((d) => d.tagName);
const element = (tag: string) => {
  const found = elements.find((d) => d.tagName === tag);
  assert.ok(found, `${tag} is in the manifest`);
  return found;
};

// Every tag the sources register: src/components/<name>/un75-<name>.ts calls define('un75-<name>', …).
const registered = readdirSync(path.join(root, 'src/components'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(root, 'src/components', d.name)).filter((f) => /^un75-.*\.ts$/.test(f)))
  .map((f) => f.replace(/\.ts$/, ''));

test('every element class has its tag name and a definition export', () => {
  assert.ok(registered.length >= 8, registered.join());
  for (const declaration of classes) assert.ok(declaration.tagName, `${declaration.name} has a tag name`);
  assert.deepEqual(elements.map((d) => d.tagName).sort(), [...registered].sort());
  const definitions = manifest.modules.flatMap((m) => m.exports ?? []).filter((e) => e.kind === 'custom-element-definition');
  assert.deepEqual(definitions.map((e) => e.name).sort(), [...registered].sort());
});

test('no internal state, _-prefixed or #private member is published', () => {
  const state: Record<string, string[]> = {
    'un75-meeting': ['phase', 'notices', '_session', '_captions', '_interpretation'],
    'un75-lobby': ['media', 'cameras', 'microphones', 'videoDeviceId', 'audioDeviceId', 'problem'],
  };
  for (const el of elements) {
    for (const attribute of el.attributes ?? []) {
      assert.doesNotMatch(attribute.name, /^[_#]/, `${el.tagName} attribute ${attribute.name}`);
      assert.ok(!state[el.tagName!]?.includes(attribute.fieldName ?? attribute.name), `${el.tagName} attribute ${attribute.name} is internal state`);
    }
    for (const member of el.members ?? []) {
      assert.doesNotMatch(member.name, /^[_#]/, `${el.tagName} member ${member.name}`);
      assert.ok(!state[el.tagName!]?.includes(member.name), `${el.tagName} member ${member.name} is internal state`);
      assert.ok(member.privacy !== 'private' && member.privacy !== 'protected', `${el.tagName} member ${member.name} is ${member.privacy}`);
    }
  }
  // The public ones stay.
  const meeting = element('un75-meeting');
  for (const name of ['room', 'signaling', 'listen-language', 'floor-volume']) assert.ok(meeting.attributes?.some((a) => a.name === name), name);
  for (const name of ['join', 'leave', 'transcript', 'participants']) assert.ok(meeting.members?.some((m) => m.name === name), name);
  assert.ok(element('un75-lobby').attributes?.some((a) => a.name === 'mic-off'));
});

test('events are the documented un75-… events, none guessed from a variable name', () => {
  for (const el of elements) {
    for (const event of el.events ?? []) {
      assert.notEqual(event.name, 'type');
      assert.match(event.name, /^un75-[a-z-]+$/, `${el.tagName} event ${event.name}`);
      assert.ok(event.description, `${el.tagName} event ${event.name} is described`);
    }
  }
  assert.ok(element('un75-captions').events?.some((e) => e.name === 'un75-transcript'));
  assert.ok(element('un75-language-picker').events?.some((e) => e.name === 'un75-language-change'));
});

test('the control bar documents its default slot and the elements their tokens', () => {
  const slot = element('un75-controls').slots?.find((s) => s.name === '');
  assert.ok(slot?.description, 'un75-controls has a described default slot');
  const documented = new Set(elements.flatMap((el) => (el.cssProperties ?? []).map((p) => p.name)));
  // Every --un75-* token read by the styles is documented on some element.
  const styles = readdirSync(path.join(root, 'src/components'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => read(path.join('src/components', f)))
    .join('\n');
  const used = new Set([...styles.matchAll(/var\(\s*(--un75-[a-z-]+)/g)].map((m) => m[1]!));
  for (const name of ['--un75-interpreter', '--un75-warning', '--un75-muted', '--un75-focus']) assert.ok(used.has(name), name);
  for (const name of used) assert.ok(documented.has(name), `${name} is documented with @cssprop`);
});

test('docs/api.md has a section for every element, generated from the manifest', () => {
  const api = read('docs/api.md');
  for (const tag of registered) assert.ok(api.includes(`## \`<${tag}>\``), `docs/api.md has a section for ${tag}`);
  assert.doesNotMatch(api, /\| `_/, 'no _-prefixed attribute or property');
  assert.doesNotMatch(api, /\| `phase` \|/);
  assert.match(api, /\| `\(default\)` \| Buttons of the page's own/);
});
