/** Local camera and microphone: acquisition with graceful fallbacks, devices, audio levels. */

export interface MediaRequest {
  audio: boolean;
  video: boolean;
  audioDeviceId?: string | undefined;
  videoDeviceId?: string | undefined;
}

/** Why a kind of media is missing: no such device, or the person (or the page's policy) said no. */
export type MediaProblem = 'no-camera' | 'no-microphone' | 'no-media';

export interface LocalMedia {
  stream: MediaStream;
  /** Set when something asked for could not be had. */
  problem?: MediaProblem;
}

export const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 24, max: 30 },
};

const AUDIO_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

function constraints(wanted: boolean, deviceId: string | undefined, base: MediaTrackConstraints): boolean | MediaTrackConstraints {
  if (!wanted) return false;
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

async function tryGet(audio: boolean | MediaTrackConstraints, video: boolean | MediaTrackConstraints): Promise<MediaStream | undefined> {
  if (!audio && !video) return undefined;
  try {
    return await navigator.mediaDevices.getUserMedia({ audio, video });
  } catch {
    return undefined;
  }
}

/**
 * Gets what was asked for, or as much of it as the machine and the person allow: without a camera
 * the call goes on with audio only, without a microphone the person can still listen.
 */
export async function acquireLocalMedia(request: MediaRequest): Promise<LocalMedia> {
  const audio = constraints(request.audio, request.audioDeviceId, AUDIO_CONSTRAINTS);
  const video = constraints(request.video, request.videoDeviceId, VIDEO_CONSTRAINTS);
  if (!navigator.mediaDevices?.getUserMedia) return { stream: new MediaStream(), problem: 'no-media' };
  const both = await tryGet(audio, video);
  if (both) return { stream: both };
  // Ask for each kind alone to learn which one is missing.
  const audioOnly = await tryGet(audio, false);
  const videoOnly = await tryGet(false, video);
  const stream = new MediaStream([...(audioOnly?.getTracks() ?? []), ...(videoOnly?.getTracks() ?? [])]);
  const missingAudio = request.audio && !audioOnly;
  const missingVideo = request.video && !videoOnly;
  const problem: MediaProblem | undefined =
    missingAudio && missingVideo ? 'no-media' : missingAudio ? 'no-microphone' : missingVideo ? 'no-camera' : undefined;
  return problem ? { stream, problem } : { stream };
}

/** Just a camera track, for turning the camera back on. */
export async function acquireCamera(deviceId?: string): Promise<MediaStreamTrack | undefined> {
  const stream = await tryGet(false, constraints(true, deviceId, VIDEO_CONSTRAINTS));
  return stream?.getVideoTracks()[0];
}

export async function acquireMicrophone(deviceId?: string): Promise<MediaStreamTrack | undefined> {
  const stream = await tryGet(constraints(true, deviceId, AUDIO_CONSTRAINTS), false);
  return stream?.getAudioTracks()[0];
}

export async function listDevices(): Promise<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }> {
  const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return {
    cameras: devices.filter((d) => d.kind === 'videoinput' && d.deviceId),
    microphones: devices.filter((d) => d.kind === 'audioinput' && d.deviceId),
  };
}

export function stopStream(stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((track) => track.stop());
}

let sharedContext: AudioContext | undefined;

/** One AudioContext for the page: browsers limit how many may exist. */
export function audioContext(): AudioContext | undefined {
  if (typeof AudioContext === 'undefined') return undefined;
  sharedContext ??= new AudioContext();
  if (sharedContext.state === 'suspended') void sharedContext.resume().catch(() => {});
  return sharedContext;
}

/** Level above which a voice counts as speaking (RMS of samples in −1…1). */
const SPEAKING_THRESHOLD = 0.02;
/** How long speaking lasts after the voice drops, so the indicator does not flicker between words. */
const SPEAKING_HOLD_MS = 600;

/**
 * Watches the level of one audio track and says whether someone is speaking. Polls on a timer
 * rather than every animation frame: a speaking indicator needs ~12 readings a second, not 60.
 */
export class SpeakingDetector {
  #analyser: AnalyserNode | undefined;
  #source: MediaStreamAudioSourceNode | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastLoud = 0;
  // 4096 samples are 85 ms at 48 kHz: read every 80 ms, no sound falls between two readings.
  #samples = new Float32Array(4096);
  speaking = false;
  level = 0;

  readonly #onChange: (speaking: boolean) => void;
  readonly #onLevel: ((level: number) => void) | undefined;

  /** `onLevel`, optional: told the level (RMS, 0–1) at every reading, for a meter. */
  constructor(track: MediaStreamTrack, onChange: (speaking: boolean) => void, onLevel?: (level: number) => void) {
    this.#onChange = onChange;
    this.#onLevel = onLevel;
    const context = audioContext();
    if (!context) return;
    this.#source = context.createMediaStreamSource(new MediaStream([track]));
    this.#analyser = context.createAnalyser();
    this.#analyser.fftSize = this.#samples.length;
    this.#source.connect(this.#analyser);
    this.#timer = setInterval(() => this.#sample(track), 80);
  }

  #sample(track: MediaStreamTrack) {
    if (!this.#analyser) return;
    this.#analyser.getFloatTimeDomainData(this.#samples);
    // An indexed loop: a fresh page runs this cold, where for…of over 4,096 samples costs four times more.
    const samples = this.#samples;
    let sum = 0;
    for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
    this.level = track.enabled ? Math.sqrt(sum / samples.length) : 0;
    this.#onLevel?.(this.level);
    const now = performance.now();
    if (this.level > SPEAKING_THRESHOLD) this.#lastLoud = now;
    const speaking = now - this.#lastLoud < SPEAKING_HOLD_MS;
    if (speaking !== this.speaking) {
      this.speaking = speaking;
      this.#onChange(speaking);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#source?.disconnect();
    this.#analyser = undefined;
  }
}
