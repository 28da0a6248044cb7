#!/usr/bin/env bash
# Rebuilds samples/corpus.jsonl.gz from the npm package nlp-corpus@4.4.0.
#
# Needs: bash, npm/node (>= 20, for String.prototype.toWellFormed), gzip, sha1sum.
# The output is byte-identical on every run: a fixed package version (checked against the
# registry's sha1), a fixed file order, a seeded length generator, and `gzip -n` (no name/time stamp).
set -euo pipefail

PKG=nlp-corpus
VERSION=4.4.0
SHA1=5a43e1851f3b1c4549d81fbe0a68129c8beed650   # npm's dist.shasum for nlp-corpus@4.4.0

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

( cd "$work" && npm pack --silent "$PKG@$VERSION" >/dev/null )
tarball="$work/$PKG-$VERSION.tgz"
echo "$SHA1  $tarball" | sha1sum -c --quiet -
tar -xzf "$tarball" -C "$work"

# The package ships builds/doc-0.json .. doc-99.json, each a JSON array of ~1,000 sentences
# (the package mixes its sources and does not label them). Documents are consecutive sentences of
# one build file, merged until a target size drawn from a seeded generator between 256 B and 4 KiB
# is reached, so document lengths vary like real ones; a paragraph break every 5 sentences.
node - "$work/package/builds" > "$work/corpus.jsonl" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];

// Park-Miller minimal standard generator: tiny, seeded, and identical in every node version.
let seed = 20240601;
const nextTarget = () => {
  seed = (seed * 16807) % 2147483647;
  return 256 + (seed % (4096 - 256));
};

const files = fs.readdirSync(dir)
  .filter(f => /^doc-\d+\.json$/.test(f))
  .sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)));

for (const file of files) {
  const source = `${'nlp-corpus'}/${file.replace(/\.json$/, '')}`;
  const sentences = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
    .map(s => String(s).toWellFormed().trim())
    .filter(s => s.length > 0);
  let doc = [];
  let bytes = 0;
  let target = nextTarget();
  let n = 0;
  const flush = () => {
    if (doc.length === 0) return;
    const text = doc.map((s, i) => (i === 0 ? '' : i % 5 === 0 ? '\n\n' : ' ') + s).join('');
    const id = `${source}/${String(n).padStart(4, '0')}`;
    process.stdout.write(JSON.stringify({ id, text, source }) + '\n');
    n++;
    doc = [];
    bytes = 0;
    target = nextTarget();
  };
  for (const s of sentences) {
    doc.push(s);
    bytes += Buffer.byteLength(s, 'utf8') + 1;
    if (bytes >= target) flush();
  }
  flush();
}
JS

gzip -9 -n -c "$work/corpus.jsonl" > "$here/corpus.jsonl.gz"

node - "$work/corpus.jsonl" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
let bytes = 0;
for (const l of lines) bytes += Buffer.byteLength(JSON.parse(l).text, 'utf8');
console.error(`documents: ${lines.length}, text bytes: ${bytes}, mean: ${Math.round(bytes / lines.length)} B`);
JS
ls -l "$here/corpus.jsonl.gz" >&2
