/**
 * Writes data/demo/sentences.txt: the built-in English text of `fieldphone demo`.
 *
 * The sentences come from a small hand-written grammar (original text, no
 * licence strings attached), deterministic for a seed, with a limited
 * vocabulary so a few minutes of synthetic speech cover it well.
 *
 *   node dist/scripts/make-demo-text.js [--count 4000] [--out data/demo/sentences.txt]
 */
import { writeFileAtomic } from '../src/util/fsx.js';
import { makeRng, type Rng } from '../src/util/rng.js';

const G: Record<string, string[][]> = {
  S: [['NP', 'VP'], ['NP', 'VP'], ['NP', 'VP', 'PP'], ['TIME', 'NP', 'VP'], ['Q'], ['NP', 'VI']],
  NP: [['DET', 'N'], ['DET', 'ADJ', 'N'], ['NAME'], ['PRON']],
  VP: [['VT', 'ONP'], ['VT', 'ONP'], ['VI'], ['WANT', 'TO', 'VB', 'ONP']],
  ONP: [['DET', 'N'], ['DET', 'ADJ', 'N'], ['NAME'], ['OBJ']],
  PP: [['P', 'DET', 'N'], ['P', 'DET', 'ADJ', 'N'], ['P', 'NAME']],
  Q: [['DO', 'QPRON', 'VB', 'DET', 'N'], ['WHERE', 'IS', 'DET', 'N'], ['WHO', 'VT', 'DET', 'N']],
  DET: [['the'], ['a'], ['my'], ['your'], ['this'], ['that'], ['our'], ['every']],
  ADJ: [['big'], ['small'], ['red'], ['green'], ['old'], ['young'], ['happy'], ['quiet'], ['long'], ['warm'], ['cold'], ['new']],
  N: [['dog'], ['cat'], ['man'], ['woman'], ['child'], ['boat'], ['house'], ['river'], ['tree'], ['book'], ['song'], ['market'],
    ['teacher'], ['farmer'], ['garden'], ['window'], ['road'], ['fish'], ['bird'], ['village'], ['mountain'], ['letter'], ['table'], ['friend']],
  NAME: [['Anna'], ['Peter'], ['Maria'], ['David'], ['Sofia'], ['Tom']],
  PRON: [['she'], ['he']],
  QPRON: [['we'], ['they'], ['I'], ['you']],
  OBJ: [['her'], ['him'], ['us'], ['them'], ['me'], ['you']],
  VT: [['sees'], ['likes'], ['finds'], ['takes'], ['carries'], ['paints'], ['reads'], ['hears'], ['builds'], ['visits'], ['follows'], ['opens']],
  VB: [['see'], ['like'], ['find'], ['take'], ['carry'], ['paint'], ['read'], ['hear'], ['build'], ['visit'], ['follow'], ['open']],
  VI: [['sleeps'], ['sings'], ['runs'], ['waits'], ['laughs'], ['swims'], ['walks home'], ['comes back']],
  WANT: [['wants'], ['needs'], ['tries']],
  TO: [['to']],
  P: [['near'], ['behind'], ['under'], ['with'], ['from'], ['by']],
  TIME: [['today'], ['yesterday'], ['in the morning'], ['at night'], ['every day'], ['after dinner']],
  DO: [['do'], ['did']],
  WHERE: [['where']],
  WHO: [['who']],
  IS: [['is']],
};

function expand(sym: string, rng: Rng): string[] {
  const rules = G[sym];
  if (!rules) return [sym];
  return rules[rng.int(rules.length)].flatMap((s) => expand(s, rng));
}

export function demoSentences(count: number, seed = 7): string[] {
  const rng = makeRng(seed);
  const seen = new Set<string>();
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 50; tries++) {
    const words = expand('S', rng);
    let s = words.join(' ');
    s = s.charAt(0).toUpperCase() + s.slice(1) + (words[0] === 'do' || words[0] === 'did' || words[0] === 'where' || words[0] === 'who' ? '?' : '.');
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const get = (name: string, def: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : def;
  };
  const count = Number(get('--count', '4000'));
  const out = get('--out', 'data/demo/sentences.txt');
  writeFileAtomic(out, demoSentences(count).join('\n') + '\n');
  process.stderr.write(`wrote ${count} sentences to ${out}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
