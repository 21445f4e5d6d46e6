/**
 * fieldphone's web page: transcribe an uploaded or recorded file and show
 * its tiers under the waveform, the training run's curves, and the lexicon.
 * Talks to the same REST API as any other client (see /openapi.json).
 */
import { lineChart } from './lib/chart.js';
import { recordingUnavailable, startRecording } from './lib/recorder.js';
import { SILENCE, Timeline } from './lib/timeline.js';

const $ = (sel) => document.querySelector(sel);

/** Output formats the server offers, from its OpenAPI document. */
let formats = ['json'];
let model;
/** The transcript on screen: {name, blob, json, text, audio}. */
let current;
/** Word → places it was heard in recordings transcribed on this page. */
const examples = new Map();
let audioCtx;
let playing;

// ---------- API ----------

async function api(path, init) {
  const res = await fetch(path, init);
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      msg = (await res.json()).error.message;
    } catch {
      // not our JSON error
    }
    const err = new Error(msg);
    err.status = res.status;
    err.retryAfter = res.headers.get('Retry-After');
    throw err;
  }
  return res;
}

function transcribeRequest(blob, name, format) {
  const type = blob.type.startsWith('audio/') ? blob.type : 'application/octet-stream';
  return api(`v1/transcriptions?format=${encodeURIComponent(format)}&filename=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'Content-Type': type }, body: blob });
}

function setStatus(msg, kind = '') {
  const s = $('#status');
  s.textContent = msg;
  s.className = kind;
}

// ---------- pages ----------

const views = { transcribe: undefined, training: loadTraining, lexicon: loadLexicon };
const loaded = new Set();

function showView() {
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : 'transcribe';
  for (const v of Object.keys(views)) $(`#view-${v}`).hidden = v !== name;
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (views[name] && !loaded.has(name) && model) {
    loaded.add(name);
    views[name]().catch((e) => {
      loaded.delete(name);
      $(`#view-${name}`).append(Object.assign(document.createElement('p'), { className: 'error', textContent: e.message }));
    });
  }
}

// ---------- transcription ----------

const timeline = new Timeline($('#timeline'), (seg) => play(current.audio, seg.start, seg.end, seg.label, seg.el));

async function transcribe(blob, name) {
  setStatus(`Transcribing ${name}…`, 'busy');
  $('#transcribe-btn').disabled = true;
  try {
    const [res, audio] = await Promise.all([transcribeRequest(blob, name, 'json'), decodeInBrowser(blob)]);
    const text = await res.text();
    const json = JSON.parse(text);
    current = { name, blob, json, text, audio };
    showTranscript();
    rememberWords(json, audio);
    const phones = json.segments.filter((s) => s.phone !== SILENCE).length;
    setStatus(`${name}: ${phones} phones${json.words?.length ? `, ${json.words.length} words` : ''}.${audio ? '' : ' Your browser cannot decode this file, so there is no waveform and nothing to play.'}`);
  } catch (e) {
    const wait = e.retryAfter ? ` Try again in ${e.retryAfter} s.` : '';
    setStatus(`Could not transcribe ${name}: ${e.message}${wait}`, 'error');
  } finally {
    $('#transcribe-btn').disabled = false;
  }
}

async function decodeInBrowser(blob) {
  try {
    return await context().decodeAudioData(await blob.arrayBuffer());
  } catch {
    return null;
  }
}

function context() {
  audioCtx ??= new AudioContext();
  return audioCtx;
}

function showTranscript() {
  const { json, name, audio } = current;
  $('#result').hidden = false;
  $('#result-title').textContent = name;
  $('#result-stats').textContent = `${json.durationSec.toFixed(2)} s, ${json.speechSec.toFixed(2)} s of it speech · model ${json.model}`;
  $('#phone-text').textContent = json.phones;
  const words = Array.isArray(json.words) ? json.words : [];
  $('#no-words').hidden = words.length > 0;
  timeline.show({ duration: json.durationSec, phones: json.segments, words, audio });
  $('#zoom').value = '0';
  applyZoom();
  $('#result').dataset.state = 'ready';
}

function applyZoom() {
  const fit = timeline.fitPps();
  const v = Number($('#zoom').value) / 100;
  timeline.setZoom(fit * (2000 / fit) ** v);
  $('#zoom-value').textContent = `${Math.round(timeline.pps)} px/s`;
}

function play(audio, start, end, label, el) {
  stopPlaying();
  if (!audio) {
    setStatus('Nothing to play: your browser could not decode this file.', 'error');
    return;
  }
  const ctx = context();
  void ctx.resume();
  const src = ctx.createBufferSource();
  src.buffer = audio;
  src.connect(ctx.destination);
  const t0 = ctx.currentTime;
  src.start(t0, start, Math.max(0.01, end - start));
  el?.classList.add('playing');
  setStatus(`Playing ${label} (${start.toFixed(2)}–${end.toFixed(2)} s)`);
  const tick = () => {
    if (playing?.src !== src) return;
    if (audio === current?.audio) timeline.setCursor(Math.min(end, start + (ctx.currentTime - t0)));
    playing.frame = requestAnimationFrame(tick);
  };
  playing = { src, el, frame: requestAnimationFrame(tick) };
  src.onended = () => {
    if (playing?.src === src) stopPlaying();
  };
}

function stopPlaying() {
  if (!playing) return;
  const p = playing;
  playing = undefined;
  cancelAnimationFrame(p.frame);
  p.el?.classList.remove('playing');
  p.src.onended = null;
  try {
    p.src.stop();
  } catch {
    // already ended
  }
  timeline.setCursor(null);
}

function rememberWords(json, audio) {
  if (!audio || !Array.isArray(json.words)) return;
  for (const w of json.words) {
    if (w.oov) continue;
    const list = examples.get(w.word) ?? [];
    list.push({ audio, start: w.start, end: w.end, from: current.name });
    examples.set(w.word, list);
  }
  if (loaded.has('lexicon')) void searchLexicon(false);
}

async function download(format) {
  const stem = current.json.id || 'transcript';
  const save = (blob, filename) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
  if (format === 'json') return save(new Blob([current.text], { type: 'application/json' }), `${stem}.json`);
  setStatus(`Making the ${format} file…`, 'busy');
  try {
    const res = await transcribeRequest(current.blob, current.name, format);
    const name = savedName(res.headers.get('Content-Disposition') ?? '', `${stem}.${format}`);
    save(await res.blob(), name);
    setStatus(`Saved ${name}.`);
  } catch (e) {
    setStatus(`Could not make the ${format} file: ${e.message}`, 'error');
  }
}

/** The file name an answer suggests (Content-Disposition, the UTF-8 form first). */
function savedName(disposition, fallback) {
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (utf8) return decodeURIComponent(utf8);
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
}

// ---------- recording ----------

let recording;

async function toggleRecording() {
  const btn = $('#record-btn');
  if (!recording) {
    try {
      const r = await startRecording();
      recording = { r, timer: setInterval(() => ($('#record-time').textContent = `${r.seconds().toFixed(1)} s`), 200) };
      btn.textContent = 'Stop and transcribe';
      btn.setAttribute('aria-pressed', 'true');
      btn.classList.add('recording');
      setStatus('Recording… press the button again to stop.');
    } catch (e) {
      setStatus(`Could not record: ${e.message}`, 'error');
    }
    return;
  }
  const { r, timer } = recording;
  recording = undefined;
  clearInterval(timer);
  btn.textContent = 'Start recording';
  btn.setAttribute('aria-pressed', 'false');
  btn.classList.remove('recording');
  const wav = await r.stop();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  await transcribe(wav, `recording-${stamp}.wav`);
}

// ---------- training run ----------

async function loadTraining() {
  const summary = $('#training-summary');
  const sel = model.selection ?? {};
  const rows = [
    ['kept update', model.selectedUpdate],
    ['weighted LM perplexity (selection metric)', sel.weightedPpl],
    ['phone LM perplexity', sel.lmPpl],
    ['share of phones used', sel.vocabUsage],
    ['phones per second', sel.phonesPerSec],
    ['phone error rate on references (reported only)', sel.per],
  ].filter(([, v]) => typeof v === 'number');
  const dl = document.createElement('dl');
  for (const [k, v] of rows) dl.append(Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: String(Number(v.toPrecision(4))) }));
  summary.replaceChildren(dl);
  if (!model.hasTrainingLog) {
    $('#charts').textContent = 'This model folder has no training log (training/metrics.jsonl).';
    return;
  }
  const { records, selectedUpdate } = await (await api(`v1/models/${encodeURIComponent(model.id)}/metrics`)).json();
  const mark = { markStep: selectedUpdate ?? undefined, markLabel: 'kept' };
  const charts = [
    { title: 'Training losses', keys: ['d_adv', 'd_gp', 'g_adv', 'g_smooth', 'g_diversity', 'g_aux', 'g_bigram'] },
    { title: 'Unsupervised selection metric (lower is better)', keys: ['weightedPpl', 'lmPpl'], logY: true, ...mark },
    { title: 'Share of phones used and phones per second', keys: ['vocabUsage', 'phonesPerSec'], ...mark },
    { title: 'Phone error rate on references (reported only, never used to choose)', keys: ['per'], ...mark },
  ]
    .map((c) => lineChart({ ...c, records }))
    .filter(Boolean);
  $('#charts').replaceChildren(...charts);
  if (charts.length === 0) $('#charts').textContent = 'The training log has no records yet.';
}

// ---------- lexicon ----------

let lexOffset = 0;
let lexTimer;

async function loadLexicon() {
  await searchLexicon(false);
}

async function searchLexicon(more) {
  lexOffset = more ? lexOffset : 0;
  const q = new URLSearchParams({ q: $('#lex-q').value, phones: $('#lex-phones').value, offset: String(lexOffset), limit: '100' });
  const r = await (await api(`v1/models/${encodeURIComponent(model.id)}/lexicon?${q}`)).json();
  const body = $('#lex-table tbody');
  if (!more) body.replaceChildren();
  for (const e of r.entries) {
    const row = body.insertRow();
    row.insertCell().textContent = e.word;
    const ph = row.insertCell();
    ph.className = 'ipa';
    ph.textContent = e.phones.join(' ');
    row.insertCell().textContent = String(e.phones.length);
    const heard = row.insertCell();
    const ex = examples.get(e.word);
    if (ex) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `Play (${ex.length}×)`;
      b.setAttribute('aria-label', `play ${e.word}, heard ${ex.length} times, from ${ex[0].from}`);
      let next = 0;
      b.addEventListener('click', () => {
        const x = ex[next++ % ex.length];
        play(x.audio, x.start, x.end, `${e.word} from ${x.from}`, b);
      });
      heard.append(b);
    } else heard.textContent = '–';
  }
  lexOffset += r.entries.length;
  $('#lex-count').textContent = `${r.matched} of ${r.total} entries match${r.matched > lexOffset ? `; showing ${lexOffset}` : ''}.`;
  $('#lex-more').hidden = lexOffset >= r.matched;
  const counts = $('#phone-counts');
  if (counts.childElementCount === 0) {
    for (const [p, n] of Object.entries(r.phoneCounts).sort((a, b) => b[1] - a[1])) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'phone-count';
      b.innerHTML = '<span class="ipa"></span> <span class="n"></span>';
      b.querySelector('.ipa').textContent = p;
      b.querySelector('.n').textContent = String(n);
      b.setAttribute('aria-label', `phone ${p}: ${n} times; list the words with it`);
      b.addEventListener('click', () => {
        $('#lex-phones').value = p;
        void searchLexicon(false);
      });
      counts.append(b);
    }
  }
}

// ---------- start ----------

async function start() {
  window.addEventListener('hashchange', showView);
  $('#upload-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = $('#file-input').files[0];
    if (!f) setStatus('Choose a recording first.', 'error');
    else void transcribe(f, f.name);
  });
  const why = recordingUnavailable();
  if (why) {
    $('#record-btn').disabled = true;
    $('#record-time').textContent = why;
  } else $('#record-btn').addEventListener('click', () => void toggleRecording());
  $('#zoom').addEventListener('input', applyZoom);
  $('#play-all').addEventListener('click', () => current && play(current.audio, 0, current.json.durationSec, 'the whole recording'));
  for (const b of document.querySelectorAll('button.download')) b.addEventListener('click', () => void download(b.dataset.format));
  const research = () => {
    clearTimeout(lexTimer);
    lexTimer = setTimeout(() => searchLexicon(false).catch((e) => ($('#lex-count').textContent = e.message)), 200);
  };
  $('#lexicon-form').addEventListener('input', research);
  $('#lexicon-form').addEventListener('submit', (e) => {
    e.preventDefault();
    research();
  });
  $('#lex-more').addEventListener('click', () => void searchLexicon(true));
  window.addEventListener('resize', () => current && timeline.layout());

  try {
    model = (await (await api('v1/models')).json()).data[0];
    const doc = await (await api('openapi.json')).json();
    formats = doc.paths['/v1/transcriptions'].post.parameters.find((p) => p.name === 'format').schema.enum;
    const sel = typeof model.selection?.weightedPpl === 'number' ? `, weighted LM perplexity ${model.selection.weightedPpl.toFixed(1)}` : '';
    $('#model-line').textContent = `Model ${model.id}: ${model.units.filter((u) => u !== SILENCE).length} phones, ${model.features} features${
      model.selectedUpdate !== undefined ? `, kept update ${model.selectedUpdate}${sel}` : ''
    }, ${model.lexiconEntries} lexicon entries.`;
  } catch (e) {
    $('#model-line').textContent = `The server did not answer: ${e.message}`;
    $('#model-line').className = 'error';
  }
  for (const b of document.querySelectorAll('button.download')) {
    if (!formats.includes(b.dataset.format)) {
      b.disabled = true;
      b.title = 'this server does not offer this format';
    }
  }
  showView();
}

void start();
