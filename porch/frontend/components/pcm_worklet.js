// An AudioWorklet that hands the microphone's samples (first channel) to the page, block by
// block; capture.js turns them into WAV. Loaded with audioWorklet.addModule, never as a
// component module.

class PcmTap extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0]?.[0];
    if (channel && channel.length) this.port.postMessage(channel.slice(0));
    return true;
  }
}

registerProcessor("porch-pcm-tap", PcmTap);
