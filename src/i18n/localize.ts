import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { primarySubtag, rememberedPerTag } from '../core/language.js';
import type { LocaleCode, PreJoinStrings, Translation } from './types.js';
import { ar } from './locales/ar.js';
import { en } from './locales/en.js';
import { es } from './locales/es.js';
import { fr } from './locales/fr.js';
import { ru } from './locales/ru.js';
import { zh } from './locales/zh.js';

/**
 * The UI strings of each locale. Until the call's code has loaded (./call-strings.ts) these hold the
 * pre-join screen's strings only: the in-call ones are read by in-call elements, which bring them.
 */
export const LOCALES = { ar, en, es, fr, ru, zh } as Record<LocaleCode, PreJoinStrings> as Record<LocaleCode, Translation>;

/** The six UN languages, in the UN's order. */
export const UN_LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'] as const;

/** Best UI locale for a BCP 47 tag: its primary language when we have it, else English. */
export function resolveLocale(tag: string | null | undefined): Translation {
  const primary = primarySubtag(tag ?? '') as LocaleCode;
  return LOCALES[primary] ?? LOCALES.en;
}

/** The UI's sentence for an error or device problem code (design §3.1 `un75-error`), if it has one. */
export function problemText(t: Translation, code: string): string | undefined {
  const texts: Record<string, string> = {
    'no-camera': t.noCamera,
    'no-microphone': t.noMicrophone,
    'no-media': t.noMedia,
    'room-full': t.roomFull,
    unreachable: t.connectionLost,
    'bad-room': t.missingRoom,
    'chat-invalid': t.chatInvalid,
  };
  return texts[code];
}

export { directionOf } from '../core/language.js';

/**
 * The six UN languages in their own names, as `Intl.DisplayNames` gives them (a test holds the two
 * together). The language picker shows these on every join, and the first `Intl.DisplayNames` of a
 * language loads that language's data: six of them cost the joining page some 35 ms of its main
 * thread while its first link connects.
 */
const AUTONYMS: Readonly<Record<(typeof UN_LANGUAGES)[number], string>> = { ar: 'العربية', zh: '中文', en: 'English', fr: 'Français', ru: 'Русский', es: 'Español' };

/** A language's name in a given language, e.g. languageName('ar', 'ar') === 'العربية'. */
export function languageName(tag: string, inLanguage = tag): string {
  return (tag === inLanguage && (AUTONYMS as Readonly<Record<string, string | undefined>>)[tag]) || namedIn(inLanguage)(tag);
}
/** One remembered namer per language names are shown in (see rememberedPerTag). */
const namedIn = rememberedPerTag((inLanguage: string) => {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([inLanguage], { type: 'language' });
  } catch {
    // names in an unknown language: tags as given
  }
  return rememberedPerTag((tag: string) => {
    try {
      const name = names?.of(tag);
      if (name) return name.charAt(0).toLocaleUpperCase(inLanguage) + name.slice(1);
    } catch {
      // an unknown tag: show it as given
    }
    return tag;
  });
});

const hosts = new Set<LocalizeController>();
let observer: MutationObserver | undefined;

/** One observer for the whole page: a lang or dir change anywhere re-renders every localized element. */
function watchDocument() {
  if (observer || typeof MutationObserver === 'undefined') return;
  observer = new MutationObserver(() => hosts.forEach((c) => c.host.requestUpdate()));
  observer.observe(document.documentElement, { attributes: true, subtree: true, attributeFilter: ['lang', 'dir'] });
}

/** Walks up through shadow roots to the nearest element carrying `attribute`. */
function closestWith(start: Element, attribute: string, stopAt?: Element | null): Element | null {
  let node: Node | null = start;
  while (node) {
    if (node instanceof Element && node.hasAttribute(attribute)) return node;
    if (node === stopAt) return null;
    node = node instanceof ShadowRoot ? node.host : (node.parentNode ?? null);
  }
  return null;
}

/**
 * Gives an element the UI strings of the language it sits in: its own `lang`, else the nearest
 * ancestor's (across shadow roots), else the page's. Not @lit/localize: that is configured once per
 * page and would clash with a host page that uses it.
 */
export class LocalizeController implements ReactiveController {
  constructor(readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    hosts.add(this);
    watchDocument();
  }

  hostDisconnected(): void {
    hosts.delete(this);
  }

  /** The BCP 47 tag the element is displayed in. */
  get lang(): string {
    return closestWith(this.host, 'lang')?.getAttribute('lang') || (typeof navigator !== 'undefined' ? navigator.language : 'en');
  }

  get t(): Translation {
    return resolveLocale(this.lang);
  }

  /**
   * A `dir` set as close as the `lang` (or closer) wins; otherwise the UI language's own direction,
   * so `<un75-meeting lang="ar">` on a page with `<html dir="ltr">` is right-to-left.
   */
  get dir(): 'ltr' | 'rtl' {
    const explicit = closestWith(this.host, 'dir', closestWith(this.host, 'lang'))?.getAttribute('dir');
    if (explicit === 'rtl' || explicit === 'ltr') return explicit;
    return this.t.$dir;
  }

  languageName(tag: string): string {
    return languageName(tag, this.t.$code);
  }
}
