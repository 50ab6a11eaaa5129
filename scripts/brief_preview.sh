#!/usr/bin/env bash
# Page 1 of a real brief's Word export, as the README shows it: docs/screenshots/brief.png.
#
# Usage: scripts/brief_preview.sh DATA_DIR
#   DATA_DIR holds an index built with the real model, e.g.
#   POLICYKB_DATA=/tmp/briefshots .venv/bin/policykb ingest -q corpus/
# Makes a brief there through the CLI (it stays in DATA_DIR), exports it to DOCX, converts that with LibreOffice
# and renders page 1 with pdftoppm. Needs: libreoffice, pdftoppm (poppler-utils).
set -euo pipefail

data=${1:?usage: scripts/brief_preview.sh DATA_DIR (an index built with the real model)}
root=$(cd "$(dirname "$0")/.." && pwd)
policykb=${POLICYKB:-$root/.venv/bin/policykb}
out=$root/docs/screenshots/brief.png
for tool in libreoffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (apt-get install libreoffice-writer poppler-utils)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pk() { "$policykb" --data "$data" "$@"; }
id=$(pk brief new "Social insurance reform: what the documents commit to" \
       --intro "Passages on the 2024 action plan for social insurance and on who coordinates the social protection partnership, each with its source.")
pk brief add "$id" --heading "Who coordinates" --query "who coordinates the partnership group" --top 1 \
   --note "MOLISA coordinates; the development partners support it."
pk brief add "$id" --heading "A flexible, universal social insurance system" \
   --query "flexible diverse universal social insurance system" --top 1 --note "The plan's headline commitment: one system for the whole workforce."
pk brief export "$id" --format docx -o "$work/brief.docx"

# A private LibreOffice profile: a running office or a first-start dialog elsewhere cannot block the conversion.
libreoffice -env:UserInstallation="file://$work/profile" --headless --convert-to pdf --outdir "$work" "$work/brief.docx" >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$work/brief.pdf" "$work/page"
mkdir -p "$(dirname "$out")"
cp "$work/page.png" "$out"
echo "wrote $out from brief $id in $data" >&2
