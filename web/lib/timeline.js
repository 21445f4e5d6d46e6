/**
 * The transcript view: the waveform on a canvas with a time ruler, and under
 * it the word and phone tiers, every segment a button placed at its times
 * (same pixels per second as the waveform), so a click plays that stretch.
 * Arrow keys move between the segments of a tier (one tab stop per tier).
 */

const WAVE_HEIGHT = 120;
const RULER_HEIGHT = 18;
/** Browsers refuse canvases wider than about 32 k pixels. */
const MAX_CANVAS_PX = 32000;
export const SILENCE = '<SIL>';

export class Timeline {
  /**
   * @param {HTMLElement} root an empty element to fill
   * @param {(seg: {label: string, start: number, end: number, el: HTMLElement}) => void} onPlay
   */
  constructor(root, onPlay) {
    this.onPlay = onPlay;
    root.classList.add('timeline');
    root.innerHTML = `
      <div class="tier-names" aria-hidden="true"><div class="name-wave">Waveform</div><div>Words</div><div>Phones</div></div>
      <div class="scroll">
        <div class="track">
          <canvas class="wave" role="img"></canvas>
          <div class="tier tier-words" role="toolbar" aria-label="Word tier: arrow keys move, Enter plays"></div>
          <div class="tier tier-phones" role="toolbar" aria-label="Phone tier: arrow keys move, Enter plays"></div>
          <div class="cursor" hidden></div>
        </div>
      </div>`;
    this.scroll = root.querySelector('.scroll');
    this.track = root.querySelector('.track');
    this.canvas = root.querySelector('canvas');
    this.wordTier = root.querySelector('.tier-words');
    this.phoneTier = root.querySelector('.tier-phones');
    this.cursor = root.querySelector('.cursor');
    for (const tier of [this.wordTier, this.phoneTier]) tier.addEventListener('keydown', (e) => this.#moveFocus(tier, e));
    this.data = undefined;
    this.pps = 100;
  }

  /**
   * @param {{duration: number, phones: {phone: string, start: number, end: number}[],
   *          words: {word: string, start: number, end: number, oov?: boolean}[], audio?: AudioBuffer}} data
   */
  show(data) {
    this.data = data;
    this.samples = data.audio ? mixdown(data.audio) : null;
    this.#build(this.phoneTier, data.phones.map((s) => ({ label: s.phone, start: s.start, end: s.end, silence: s.phone === SILENCE })), 'phone');
    this.#build(this.wordTier, data.words.map((w) => ({ label: w.word, start: w.start, end: w.end, oov: w.oov })), 'word');
    this.canvas.setAttribute('aria-label', data.audio ? `waveform, ${data.duration.toFixed(2)} seconds` : 'no waveform: the browser could not decode this file');
    this.layout();
  }

  /** Pixels per second that fit the visible width (the default zoom). */
  fitPps() {
    const w = this.scroll.clientWidth || 800;
    return this.#clampPps(w / Math.max(this.data?.duration ?? 1, 0.1));
  }

  setZoom(pps) {
    this.pps = this.#clampPps(pps);
    this.layout();
  }

  layout() {
    if (!this.data) return;
    const width = Math.max(1, Math.round(this.data.duration * this.pps));
    this.track.style.width = `${width}px`;
    for (const tier of [this.phoneTier, this.wordTier]) {
      for (const el of tier.children) {
        el.style.left = `${Number(el.dataset.start) * this.pps}px`;
        el.style.width = `${Math.max(1, (Number(el.dataset.end) - Number(el.dataset.start)) * this.pps)}px`;
      }
    }
    this.#draw(width);
  }

  /** Show the playing position (seconds), or hide it with null. */
  setCursor(t) {
    this.cursor.hidden = t === null;
    if (t !== null) this.cursor.style.left = `${t * this.pps}px`;
  }

  #clampPps(pps) {
    const dur = Math.max(this.data?.duration ?? 1, 0.1);
    return Math.max(5, Math.min(pps, MAX_CANVAS_PX / (dur * (window.devicePixelRatio || 1))));
  }

  #build(tier, segs, kind) {
    tier.replaceChildren();
    segs.forEach((s, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `seg${s.silence ? ' sil' : ''}${s.oov ? ' oov' : ''}`;
      b.dataset.start = String(s.start);
      b.dataset.end = String(s.end);
      b.tabIndex = i === 0 ? 0 : -1;
      b.textContent = s.silence ? '' : s.label;
      const what = s.silence ? 'pause' : `${kind} ${s.label}${s.oov ? ' (not in the lexicon)' : ''}`;
      b.title = `${s.silence ? 'pause' : s.label}  ${s.start.toFixed(2)}–${s.end.toFixed(2)} s`;
      b.setAttribute('aria-label', `${what}, ${s.start.toFixed(2)} to ${s.end.toFixed(2)} seconds`);
      b.addEventListener('click', () => {
        this.#makeTabStop(tier, b);
        this.onPlay({ label: s.silence ? 'pause' : s.label, start: s.start, end: s.end, el: b });
      });
      tier.append(b);
    });
    tier.hidden = false;
  }

  #moveFocus(tier, e) {
    const segs = [...tier.children];
    const i = segs.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: segs.length - 1 }[e.key];
    if (next === undefined || next < 0 || next >= segs.length) return;
    e.preventDefault();
    this.#makeTabStop(tier, segs[next]);
    segs[next].focus();
    segs[next].scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  /** The tier's one tab stop is the segment last used. */
  #makeTabStop(tier, seg) {
    for (const el of tier.children) el.tabIndex = el === seg ? 0 : -1;
  }

  #draw(width) {
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    c.style.width = `${width}px`;
    c.style.height = `${WAVE_HEIGHT}px`;
    c.width = Math.round(width * dpr);
    c.height = Math.round(WAVE_HEIGHT * dpr);
    const g = c.getContext('2d');
    g.scale(dpr, dpr);
    g.fillStyle = '#fbfbf8';
    g.fillRect(0, 0, width, WAVE_HEIGHT);
    const style = getComputedStyle(c);
    const ink = style.getPropertyValue('--wave-ink').trim() || '#1f4e79';
    const mid = RULER_HEIGHT + (WAVE_HEIGHT - RULER_HEIGHT) / 2;
    const half = (WAVE_HEIGHT - RULER_HEIGHT) / 2 - 2;
    const x = this.samples;
    if (x) {
      const perPx = this.data.audio.sampleRate / this.pps;
      g.fillStyle = ink;
      for (let px = 0; px < width; px++) {
        const a = Math.floor(px * perPx);
        const b = Math.min(x.length, Math.max(a + 1, Math.floor((px + 1) * perPx)));
        let lo = 0;
        let hi = 0;
        for (let i = a; i < b; i++) {
          if (x[i] < lo) lo = x[i];
          if (x[i] > hi) hi = x[i];
        }
        g.fillRect(px, mid - hi * half, 1, Math.max(1, (hi - lo) * half));
      }
    } else {
      g.fillStyle = '#666';
      g.font = '13px sans-serif';
      g.fillText('(no waveform: the browser cannot decode this file)', 8, mid);
    }
    this.#ruler(g, width);
  }

  #ruler(g, width) {
    const step = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60].find((s) => s * this.pps >= 60) ?? 120;
    g.fillStyle = '#eee';
    g.fillRect(0, 0, width, RULER_HEIGHT);
    g.fillStyle = '#333';
    g.strokeStyle = '#888';
    g.font = '11px sans-serif';
    for (let t = 0; t <= this.data.duration + 1e-9; t += step) {
      const x = Math.round(t * this.pps) + 0.5;
      g.beginPath();
      g.moveTo(x, RULER_HEIGHT - 6);
      g.lineTo(x, RULER_HEIGHT);
      g.stroke();
      g.fillText(`${Number(t.toFixed(2))} s`, x + 3, RULER_HEIGHT - 6);
    }
  }
}

/** The channels averaged (the server transcribes a mono mix too). */
function mixdown(audio) {
  if (audio.numberOfChannels === 1) return audio.getChannelData(0);
  const out = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const ch = audio.getChannelData(c);
    for (let i = 0; i < out.length; i++) out[i] += ch[i] / audio.numberOfChannels;
  }
  return out;
}
