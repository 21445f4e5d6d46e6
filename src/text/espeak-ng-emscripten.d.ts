/** The parts of the espeak-ng wasm build (package ships no types) that fieldphone uses. */
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakVoiceInfo {
    name: string;
    identifier: string;
    languages: { priority: number; name: string }[];
  }
  export interface EspeakNGWorker {
    /** 0 on success. */
    set_voice(voice: string): number;
    set_rate(wordsPerMinute: number): void;
    set_pitch(pitch: number): void;
    set_range(range: number): void;
    get_samplerate(): number;
    list_voices(): EspeakVoiceInfo[];
    /** espeak_TextToPhonemes on every clause; returns a pointer to a NUL-terminated UTF-8 string. */
    convert_to_phonemes(text: string, ipa: boolean): { ptr: number };
    /** Calls back with int16 chunks; returning true aborts synthesis. */
    synthesize(text: string, onChunk: (samples: Int16Array, events: unknown[]) => boolean): void;
  }
  export interface EspeakModule {
    eSpeakNGWorker: new () => EspeakNGWorker;
    HEAPU8: Uint8Array;
  }
  const init: () => Promise<EspeakModule>;
  export default init;
}
