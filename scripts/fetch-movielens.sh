#!/usr/bin/env bash
# Fetches MovieLens-100K and converts it to the StreamRec event CSV, for `streamrec evaluate`.
#   data/ml-100k/ml-100k.inter, ml-100k.item   RecBole's atomic files of ML-100K (tab-separated, header line)
#   data/ml-100k/events.csv                    userId,itemId,categoryId,behavior,timestamp(ms), in time order:
#                                              rating >= 4 → purchase (the positives), else view; first genre → category
# The data set ships inside the PyPI wheel of RecBole (recbole/dataset_example/ml-100k/), so `pip download` fetches
# it from PyPI; nothing is installed. data/ is gitignored.
# Usage: scripts/fetch-movielens.sh [STREAMREC_BINARY]   (default .build/release/streamrec, built if missing)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
binary=${1:-.build/release/streamrec}
target=data/ml-100k
version=1.2.1
if [ ! -s "$target/ml-100k.inter" ] || [ ! -s "$target/ml-100k.item" ]; then
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  python3 -m pip download --quiet --disable-pip-version-check --no-deps "recbole==$version" -d "$download"
  mkdir -p "$target"
  unzip -q -j -o "$download"/recbole-"$version"-*.whl \
    recbole/dataset_example/ml-100k/ml-100k.inter recbole/dataset_example/ml-100k/ml-100k.item -d "$target"
fi
[ -x "$binary" ] || swift build -c release --product streamrec
"$binary" convert --items "$target/ml-100k.item" --output "$target/events.csv" "$target/ml-100k.inter"
