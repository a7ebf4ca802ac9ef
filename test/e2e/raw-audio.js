// Turns off the microphone's voice processing (echo cancellation, noise suppression, automatic
// gain) in a test page whose fake microphone plays a steady tone: noise suppression would otherwise
// fade the tone as background noise, and what is measured is the mix a listener hears.
(() => {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    if (constraints && constraints.audio) {
      const audio = typeof constraints.audio === 'object' ? constraints.audio : {};
      constraints = { ...constraints, audio: { ...audio, echoCancellation: false, noiseSuppression: false, autoGainControl: false } };
    }
    return original(constraints);
  };
})();
