#!/bin/bash
# The Czech experiment: prepare audio and text, train, transcribe the test split, score.
#   scripts/czech-experiment.sh RUN_NAME [train options...]   (needs data/czech: npm run corpus:czech)
set -e
cd "$(dirname "$0")/.."
F="node dist/src/cli/main.js"
W=work/cz
[ -f $W/audio-train/manifest.json ] || $F prepare-audio data/czech/train/wav.list -o $W/audio-train
[ -f $W/audio-test/manifest.json ] || $F prepare-audio data/czech/test/wav.list -o $W/audio-test --reuse $W/audio-train
[ -f $W/text/manifest.json ] || $F prepare-text data/czech/train/unpaired_text.txt --language cs -o $W/text
RUN=$W/$1; shift
$F train --audio $W/audio-train --text $W/text --valid-ref data/czech/train/phones -o $RUN "$@" $( [ -f $RUN/run.json ] && echo --resume )
$F transcribe $RUN/model data/czech/test/wav.list -o $RUN/test-transcripts --overwrite
node -e "
const fs=require('fs');const d='$RUN/test-transcripts';
const lines=fs.readdirSync(d).filter(f=>f.endsWith('.txt')).map(f=>f.slice(0,-4)+' '+fs.readFileSync(d+'/'+f,'utf8').trim());
fs.writeFileSync('$RUN/test-hyp.txt',lines.join('\n')+'\n');"
$F score data/czech/test/phones $RUN/test-hyp.txt --ignore '<SIL>' --json > $RUN/test-score.json
grep -m1 -A8 '"total"' $RUN/test-score.json
