/**
 * Recording from the microphone as raw samples (AudioWorklet, or the older
 * ScriptProcessor where worklets are missing), turned into a WAV file.
 */
import { encodeWav } from './wav.js';

/** Why recording is impossible here, or undefined when it is possible. */
export function recordingUnavailable() {
  if (!window.isSecureContext) return 'recording needs the page opened as http://localhost, http://127.0.0.1 or https:// (browsers allow the microphone only there)';
  if (!navigator.mediaDevices?.getUserMedia) return 'this browser cannot record from a microphone';
  return undefined;
}

/**
 * Start recording. Resolves once the microphone is open, with stop(), which
 * resolves to a WAV Blob, and seconds(), the length so far.
 */
export async function startRecording() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(stream);
  const chunks = [];
  let length = 0;
  const take = (block) => {
    chunks.push(block);
    length += block.length;
  };
  let node;
  if (ctx.audioWorklet) {
    await ctx.audioWorklet.addModule(new URL('./capture-worklet.js', import.meta.url));
    node = new AudioWorkletNode(ctx, 'fieldphone-capture');
    node.port.onmessage = (e) => take(e.data);
  } else {
    node = ctx.createScriptProcessor(4096, 1, 1);
    node.onaudioprocess = (e) => take(e.inputBuffer.getChannelData(0).slice(0));
  }
  // The node must reach the destination to be pulled; a zero gain keeps the speakers silent.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  source.connect(node).connect(mute).connect(ctx.destination);
  await ctx.resume();
  return {
    seconds: () => length / ctx.sampleRate,
    async stop() {
      source.disconnect();
      node.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      const rate = ctx.sampleRate;
      await ctx.close();
      const all = new Float32Array(length);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return encodeWav(all, rate);
    },
  };
}
