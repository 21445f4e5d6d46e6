/** Audio worklet: hands each block of microphone samples (first channel) to the page. */
class CaptureProcessor extends AudioWorkletProcessor {
  process(inputs) {
    const ch = inputs[0]?.[0];
    if (ch && ch.length > 0) this.port.postMessage(ch.slice(0));
    return true;
  }
}
registerProcessor('fieldphone-capture', CaptureProcessor);
