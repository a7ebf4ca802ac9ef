import type { PreJoinStrings } from '../types.js';

/** What the pre-join screen says; the rest is in ./call/zh.ts, loaded with the call. */
export const zh: PreJoinStrings = {
  $code: 'zh',
  $dir: 'ltr',
  joinTitle: '准备好加入了吗？',
  yourName: '您的名字',
  namePlaceholder: '其他人看到的名字',
  camera: '摄像头',
  microphone: '麦克风',
  noDevice: '未找到',
  join: '加入',
  joining: '正在加入…',
  roomLabel: (room) => `房间 ${room}`,
  speechToServer: '您的语音将发送到服务器以生成字幕。',
  micLevel: '麦克风音量',
  noCamera: '没有可用的摄像头：您以纯音频方式加入。',
  noMicrophone: '没有可用的麦克风：您可以收听，但无法发言。',
  noMedia: '没有可用的摄像头或麦克风：您可以观看和收听。',
  roomFull: '此房间已满。',
  connectionLost: '与服务器的连接已断开。',
  missingRoom: '未指定房间：请设置 room 属性。',
};
